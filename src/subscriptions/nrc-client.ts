// Calls to an organisation's Notificaties API (NRC), for the subscription manager only. Kept apart
// from the Zaken/Catalogi clients (src/outbound/clients.ts) so that ordinary calls can never reach
// the NRC's origin and these calls can reach nothing but it: each request must be on the origin of
// the NRC the abonnement belongs to, checked before any I/O, and goes through a pool bound to it.
// Redirects are not followed.
import { Pool } from 'undici';
import type { NotificatiesApi, SecretRef } from '../network/types.ts';
import { createAuth, type AuthProvider } from '../outbound/auth.ts';
import { flattenHeaders, parseBody, targetOn } from '../outbound/clients.ts';
import { OutboundError, transportError } from '../outbound/errors.ts';

export interface NrcResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

interface Entry {
  fingerprint: string;
  origin: string;
  pool: Pool;
  auth: AuthProvider;
}

export class NrcClients {
  private readonly entries = new Map<string, Entry>();
  private readonly secret: (ref: SecretRef | undefined) => string | undefined;
  private readonly timeoutMs: number;
  private closed = false;

  constructor(options: { secret: (ref: SecretRef | undefined) => string | undefined; timeoutMs: number }) {
    this.secret = options.secret;
    this.timeoutMs = options.timeoutMs;
  }

  /** `url` must be on `nrc.apiRoot`'s origin; otherwise forbidden-destination, before any I/O. */
  async request(orgId: string, nrc: NotificatiesApi, method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown): Promise<NrcResponse> {
    if (this.closed) throw new OutboundError('aborted', 'NRC clients are closed', { retryable: true });
    const entry = this.entryFor(orgId, nrc);
    const target = nrcTarget(entry.origin, url, orgId);
    const authorization = await entry.auth.header();
    const first = await this.send(entry, orgId, method, target, body, authorization);
    if (first.status !== 401 || !entry.auth.rejected(authorization)) return first;
    return this.send(entry, orgId, method, target, body, await entry.auth.header());
  }

  async close(): Promise<void> {
    this.closed = true;
    const pools = [...this.entries.values()].map((e) => e.pool);
    this.entries.clear();
    await Promise.all(pools.map((p) => p.destroy().catch(() => undefined)));
  }

  private async send(entry: Entry, orgId: string, method: string, target: URL, body: unknown, authorization: string): Promise<NrcResponse> {
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'ketenstatus', authorization };
    if (body !== undefined) headers['content-type'] = 'application/json';
    try {
      const res = await entry.pool.request({
        path: target.pathname + target.search,
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const text = await res.body.text();
      const flat = flattenHeaders(res.headers);
      return { status: res.statusCode, headers: flat, body: parseBody(text, flat['content-type']) };
    } catch (error) {
      if ((error as Error)?.name === 'TimeoutError' || (error as Error)?.name === 'AbortError') {
        throw new OutboundError('timeout', `the Notificaties API of ${orgId} did not answer within ${this.timeoutMs} ms`, { retryable: true, cause: error });
      }
      throw transportError(error, `${orgId} (Notificaties API)`);
    }
  }

  private entryFor(orgId: string, nrc: NotificatiesApi): Entry {
    const fingerprint = JSON.stringify(nrc);
    const existing = this.entries.get(orgId);
    if (existing?.fingerprint === fingerprint) return existing;
    if (existing) void existing.pool.close().catch(() => undefined);
    const origin = new URL(nrc.apiRoot).origin;
    const pool = new Pool(origin, {
      connections: 2,
      connect: { timeout: this.timeoutMs },
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      maxResponseSize: 1024 * 1024,
    });
    const secretRef = nrc.auth.type === 'zgw-jwt' ? nrc.auth.secret : nrc.auth.clientSecret;
    const entry = { fingerprint, origin, pool, auth: createAuth(orgId, nrc.auth, () => this.secret(secretRef), this.timeoutMs) };
    this.entries.set(orgId, entry);
    return entry;
  }
}

/** The URL when it is on the NRC's origin (and carries no credentials); otherwise forbidden-destination. */
export const nrcTarget = (origin: string, url: string, orgId: string): URL => targetOn([origin], url, `the registered Notificaties API origin of ${orgId}`);
