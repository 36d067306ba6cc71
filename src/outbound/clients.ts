// The only way the gateway calls a subcontractor's Zaken/Catalogi API.
// - Destinations: only the organisation's registered Zaken apiRoot origin and its Catalogi origin
//   (`zaken.catalogiApiRoot`, default the Zaken origin), checked before any I/O; each pool is bound
//   to one of those origins, so nothing else can be reached through it.
// - Redirects are never followed: undici's Pool.request does not follow them, and a 3xx
//   comes back to the caller as an ordinary response.
// - One undici Pool per organisation and origin, replaced (and its tokens dropped) when the
//   organisation's apiRoot, catalogiApiRoot, auth or tls changes.
import { Pool } from 'undici';
import type { Logger } from '../log.ts';
import { hasZaken, type Organisation, type SecretRef, type ZakenOrganisation } from '../network/types.ts';
import { createAuth, type AuthProvider } from './auth.ts';
import { OutboundError, transportError } from './errors.ts';

export interface OutboundNetwork {
  get(id: string): Organisation | undefined;
  secret(ref: SecretRef | undefined): string | undefined;
  onChange(fn: () => void): () => void;
}

export interface OutboundOptions {
  network: OutboundNetwork;
  logger: Logger;
  /** Connect, headers, body and per-attempt deadline; default 10 000 ms. */
  timeoutMs?: number;
  /** Connections per organisation; default 16. */
  connections?: number;
  /** Largest response body accepted; default 5 MiB. */
  maxResponseBytes?: number;
  userAgent?: string;
  onRequest?(orgId: string, method: string, outcome: number | OutboundError['kind'], durationMs: number): void;
}

export type OutboundMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface OutboundRequest {
  method: OutboundMethod;
  /** Absolute URL on the organisation's Zaken or Catalogi origin (scheme, host and port). */
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  ifNoneMatch?: string;
  signal?: AbortSignal;
}

export interface OutboundResponse {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON, text when not JSON, null when empty (204, 304). */
  body: unknown;
  etag?: string;
}

interface Entry {
  orgId: string;
  fingerprint: string;
  /** By origin: the Zaken origin's, and the Catalogi origin's when that is another. */
  pools: Map<string, Pool>;
  auth: AuthProvider;
}

// Headers the gateway owns; a caller cannot replace them.
const RESERVED_HEADERS = new Set(['host', 'authorization', 'connection', 'content-length', 'transfer-encoding', 'upgrade', 'proxy-authorization']);

export class OutboundClients {
  private readonly options: OutboundOptions;
  private readonly timeoutMs: number;
  private readonly entries = new Map<string, Entry>();
  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(options: OutboundOptions) {
    this.options = options;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.unsubscribe = options.network.onChange(() => this.dropChanged());
  }

  async request(orgId: string, req: OutboundRequest): Promise<OutboundResponse> {
    const started = performance.now();
    const report = (outcome: number | OutboundError['kind']) => this.options.onRequest?.(orgId, req.method, outcome, performance.now() - started);
    try {
      const response = await this.attempt(orgId, req);
      report(response.status);
      return response;
    } catch (error) {
      report(error instanceof OutboundError ? error.kind : 'network');
      throw error;
    }
  }

  /** Closes every pool; requests in flight get `graceMs` to finish, then their sockets are cut. */
  async close(graceMs = 5000): Promise<void> {
    this.closed = true;
    this.unsubscribe();
    const pools = [...this.entries.values()].flatMap((e) => [...e.pools.values()]);
    this.entries.clear();
    await Promise.all(
      pools.map(async (pool) => {
        let timer: NodeJS.Timeout | undefined;
        const cut = new Promise<void>((resolve) => {
          timer = setTimeout(
            () =>
              void pool
                .destroy()
                .catch(() => undefined)
                .then(() => resolve()),
            graceMs,
          );
        });
        await Promise.race([pool.close().catch(() => undefined), cut]);
        clearTimeout(timer);
      }),
    );
  }

  private async attempt(orgId: string, req: OutboundRequest): Promise<OutboundResponse> {
    if (this.closed) throw new OutboundError('aborted', 'outbound clients are closed', { retryable: true });
    const org = this.options.network.get(orgId);
    if (!org) throw new OutboundError('unknown-organisation', `organisation ${orgId} is not in the network`, { retryable: false });
    // A portal organisation has no API to call: nothing outbound ever goes to it.
    if (!hasZaken(org)) throw new OutboundError('unknown-organisation', `organisation ${orgId} has no Zaken API (a portal organisation)`, { retryable: false });
    const target = allowedTarget(org, req.url);
    const entry = this.entryFor(org);
    const authorization = await entry.auth.header();
    const first = await this.send(entry, target, req, authorization);
    if (first.status !== 401 || !entry.auth.rejected(authorization)) return first;
    this.options.logger.info({ organisation: orgId }, 'outbound call answered 401; retrying once with a new token');
    return this.send(entry, target, req, await entry.auth.header());
  }

  private async send(entry: Entry, target: URL, req: OutboundRequest, authorization: string): Promise<OutboundResponse> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers ?? {})) {
      if (!RESERVED_HEADERS.has(name.toLowerCase())) headers[name.toLowerCase()] = value;
    }
    Object.assign(headers, {
      accept: 'application/json',
      'accept-crs': 'EPSG:4326',
      'user-agent': this.options.userAgent ?? 'ketenstatus',
      authorization,
    });
    if (req.ifNoneMatch) headers['if-none-match'] = req.ifNoneMatch;
    let body: string | undefined;
    if (req.body !== undefined) {
      body = JSON.stringify(req.body);
      headers['content-type'] = 'application/json';
      headers['content-crs'] = 'EPSG:4326';
    }
    const deadline = AbortSignal.timeout(this.timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, deadline]) : deadline;
    try {
      const res = await entry.pools.get(target.origin)!.request({ path: target.pathname + target.search, method: req.method, headers, body, signal });
      // Always read the body to the end (bounded by maxResponseSize) so the connection is reused.
      const text = await res.body.text();
      const flat = flattenHeaders(res.headers);
      return { status: res.statusCode, headers: flat, body: parseBody(text, flat['content-type']), ...(flat.etag ? { etag: flat.etag } : {}) };
    } catch (error) {
      if (req.signal?.aborted) throw new OutboundError('aborted', 'request was cancelled', { retryable: true, cause: error });
      if (deadline.aborted) throw new OutboundError('timeout', `no answer within ${this.timeoutMs} ms`, { retryable: true, cause: error });
      throw transportError(error, entry.orgId);
    }
  }

  private entryFor(org: ZakenOrganisation): Entry {
    const fingerprint = JSON.stringify(org.zaken);
    const existing = this.entries.get(org.id);
    if (existing?.fingerprint === fingerprint) return existing;
    if (existing) this.drop(org.id, existing);
    const { tls } = org.zaken;
    const network = this.options.network;
    const key = tls?.key ? resolveTlsKey(org.id, () => network.secret(tls.key)) : undefined;
    const pools = new Map(
      allowedOrigins(org).map(
        (origin) =>
          [
            origin,
            new Pool(origin, {
              // At least as many connections as the organisation may have calls in flight (maxConcurrency):
              // a slow API must not make syncs queue for a socket on top of waiting for answers.
              connections: Math.max(this.options.connections ?? 16, org.maxConcurrency ?? 0),
              connect: {
                timeout: this.timeoutMs,
                ...(tls?.cert ? { cert: tls.cert } : {}),
                ...(key ? { key } : {}),
                ...(tls?.ca ? { ca: tls.ca } : {}),
              },
              headersTimeout: this.timeoutMs,
              bodyTimeout: this.timeoutMs,
              maxResponseSize: this.options.maxResponseBytes ?? 5 * 1024 * 1024,
            }),
          ] as const,
      ),
    );
    const secretRef = org.zaken.auth.type === 'zgw-jwt' ? org.zaken.auth.secret : org.zaken.auth.clientSecret;
    const auth = createAuth(org.id, org.zaken.auth, () => network.secret(secretRef), this.timeoutMs);
    const entry = { orgId: org.id, fingerprint, pools, auth };
    this.entries.set(org.id, entry);
    return entry;
  }

  private dropChanged(): void {
    for (const [id, entry] of this.entries) {
      const org = this.options.network.get(id);
      if (!org || !hasZaken(org) || JSON.stringify(org.zaken) !== entry.fingerprint) this.drop(id, entry);
    }
  }

  private drop(id: string, entry: Entry): void {
    if (this.entries.get(id) === entry) this.entries.delete(id);
    this.options.logger.info({ organisation: id }, 'organisation connection settings changed; pool replaced');
    for (const pool of entry.pools.values())
      pool.close().catch((error: unknown) => this.options.logger.warn({ organisation: id, err: (error as Error).message }, 'closing pool failed'));
  }
}

/** The origins an organisation's calls may go to: its Zaken API's and its Catalogi API's. */
export function allowedOrigins(org: ZakenOrganisation): string[] {
  const zaken = new URL(org.zaken.apiRoot).origin;
  const catalogi = org.zaken.catalogiApiRoot ? new URL(org.zaken.catalogiApiRoot).origin : zaken;
  return catalogi === zaken ? [zaken] : [zaken, catalogi];
}

/** The URL when it is on the organisation's Zaken or Catalogi origin; otherwise forbidden-destination. */
export function allowedTarget(org: ZakenOrganisation, url: string): URL {
  return targetOn(allowedOrigins(org), url, `the registered API origin of ${org.id}`);
}

/** The URL when it is on one of `origins` and carries no credentials; otherwise forbidden-destination, before any I/O. */
export function targetOn(origins: string[], url: string, what: string): URL {
  const target = URL.parse(url);
  if (!target) throw new OutboundError('forbidden-destination', `not an absolute URL for ${what}`, { retryable: false });
  if (!origins.includes(target.origin) || target.username || target.password || !['http:', 'https:'].includes(target.protocol)) {
    throw new OutboundError('forbidden-destination', `${target.origin} is not ${what}`, { retryable: false });
  }
  return target;
}

function resolveTlsKey(orgId: string, resolve: () => string | undefined): string | undefined {
  try {
    return resolve();
  } catch (error) {
    throw new OutboundError('auth', `TLS key for ${orgId} cannot be resolved: ${(error as Error).message}`, { retryable: false, cause: error });
  }
}

export function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

export function parseBody(text: string, contentType: string | undefined): unknown {
  if (text === '') return null;
  if (contentType && /[/+]json\b/i.test(contentType)) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}
