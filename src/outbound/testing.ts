// Test support: real loopback HTTP servers (undici's Pool bypasses fetch mocks) and a
// network double whose organisations can be changed at run time.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Organisation, SecretRef, ZakenAuth, ZakenOrganisation } from '../network/types.ts';
import type { OutboundNetwork } from './clients.ts';

export interface Hit {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface TestServer {
  url: string;
  port: number;
  hits: Hit[];
  close(): Promise<void>;
}

export type Handler = (hit: Hit, res: ServerResponse) => void;

export async function startServer(handler: Handler): Promise<TestServer> {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const hit = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      hits.push(hit);
      handler(hit, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export function testOrganisation(id: string, apiRoot: string, auth?: ZakenAuth): ZakenOrganisation {
  return {
    id,
    name: `Organisatie ${id}`,
    oin: '00000003012345678000',
    rsin: '012345672',
    status: 'active',
    zaken: { apiRoot, auth: auth ?? { type: 'zgw-jwt', clientId: 'gemeente-test', secret: 'outbound-secret-0123456789' } },
    notifications: { mode: 'push' },
    products: [],
  };
}

export class TestNetwork implements OutboundNetwork {
  private readonly orgs = new Map<string, Organisation>();
  private readonly listeners = new Set<() => void>();

  constructor(...orgs: Organisation[]) {
    for (const org of orgs) this.orgs.set(org.id, org);
  }

  get(id: string): Organisation | undefined {
    return this.orgs.get(id);
  }

  secret(ref: SecretRef | undefined): string | undefined {
    if (ref === undefined || typeof ref === 'string') return ref;
    throw new Error('secret is not configured');
  }

  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  put(org: Organisation): void {
    this.orgs.set(org.id, org);
    for (const fn of this.listeners) fn();
  }
}
