// Test support: a small ZGW client over real loopback HTTP, and a notification callback receiver.
import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { signZgwJwt } from '../lib/zgw-jwt.ts';

export interface ApiResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: any; // JSON under test
}

export const CRS = { 'accept-crs': 'EPSG:4326', 'content-crs': 'EPSG:4326' };

export function bearer(clientId: string, secret: string): Record<string, string> {
  return { authorization: `Bearer ${signZgwJwt({ client_id: clientId }, secret)}` };
}

export async function call(method: 'GET' | 'POST' | 'PUT', url: string, opts: { body?: unknown; headers?: Record<string, string> } = {}): Promise<ApiResponse> {
  const res = await request(url, {
    method,
    headers: { ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
    body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

export interface Received {
  body: any;
  authorization: string | undefined;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Status codes to answer with, consumed one per request; 204 once exhausted. */
  answers: number[];
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const answers: number[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = answers.shift() ?? 204;
      if (status < 300) received.push({ body: JSON.parse(Buffer.concat(chunks).toString('utf8')), authorization: req.headers.authorization });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/notificaties`,
    received,
    answers,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
