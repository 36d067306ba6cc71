// A webhook subscriber on loopback: records every request (raw body and headers) and answers as
// the test tells it to — a status, headers, or never (a subscriber that hangs).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll } from 'vitest';

export interface Received {
  at: number;
  path: string;
  headers: Record<string, string>;
  body: string;
  json: any;
}

/** `delayMs`: the answer is written that long after the request arrived (a slow subscriber). */
export type Answer = { status: number; headers?: Record<string, string>; delayMs?: number } | 'hang';
export type Responder = (request: Received, index: number) => Answer;

export interface Subscriber {
  url: string;
  received: Received[];
  /** Requests other than the test delivery sent at subscription creation. */
  events(): Received[];
  respond(fn: Responder): void;
  close(): Promise<void>;
}

export const isTestDelivery = (r: Received) => r.json?.kanaal === 'test' || /subscription\.test$/.test(r.json?.type ?? '');

export async function startSubscriber(responder: Responder = () => ({ status: 204 })): Promise<Subscriber> {
  const received: Received[] = [];
  const hanging = new Set<http.ServerResponse>();
  let respond = responder;
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      const r: Received = { at: Date.now(), path: req.url ?? '/', headers, body, json };
      received.push(r);
      const answer = respond(r, received.length - 1);
      if (answer === 'hang') {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      if (answer.delayMs) setTimeout(() => res.writeHead(answer.status, answer.headers).end(), answer.delayMs);
      else res.writeHead(answer.status, answer.headers).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const close = async () => {
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  afterAll(() => close().catch(() => undefined));
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    events: () => received.filter((r) => !isTestDelivery(r)),
    respond: (fn) => (respond = fn),
    close,
  };
}
