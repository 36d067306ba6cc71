import { afterEach, describe, expect, it } from 'vitest';
import { verifyZgwJwt } from '../../src/lib/zgw-jwt.ts';
import { createLogger } from '../../src/log.ts';
import { OutboundClients, type OutboundOptions } from '../../src/outbound/clients.ts';
import { OutboundError, retryAfterMs } from '../../src/outbound/errors.ts';
import { TestNetwork, json, startServer, testOrganisation, type Handler, type TestServer } from '../../src/outbound/testing.ts';

const logger = createLogger('silent');
const SECRET = 'outbound-secret-0123456789';
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function server(handler: Handler): Promise<TestServer> {
  const s = await startServer(handler);
  cleanup.push(s.close);
  return s;
}

function clients(network: TestNetwork, options: Partial<OutboundOptions> = {}): OutboundClients {
  const c = new OutboundClients({ network, logger, ...options });
  cleanup.push(() => c.close());
  return c;
}

async function failure(promise: Promise<unknown>): Promise<OutboundError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OutboundError);
  return error as OutboundError;
}

const ok: Handler = (_hit, res) => json(res, 200, { ok: true }, { etag: '"v1"' });

describe('OutboundClients', () => {
  it('sends the ZGW headers and a ZGW JWT that verifies with the secret', async () => {
    const api = await server(ok);
    const out = clients(new TestNetwork(testOrganisation('sub', `${api.url}/zaken/api/v1/`)));
    const res = await out.request('sub', { method: 'POST', url: `${api.url}/zaken/api/v1/zaken?x=1`, body: { a: 1 } });
    expect(res).toMatchObject({ status: 200, body: { ok: true }, etag: '"v1"' });
    const [hit] = api.hits;
    expect(hit).toMatchObject({ method: 'POST', url: '/zaken/api/v1/zaken?x=1', body: '{"a":1}' });
    expect(hit.headers).toMatchObject({
      accept: 'application/json',
      'accept-crs': 'EPSG:4326',
      'content-type': 'application/json',
      'content-crs': 'EPSG:4326',
      'user-agent': 'ketenstatus',
    });
    const token = hit.headers.authorization!.replace(/^Bearer /, '');
    const claims = verifyZgwJwt(token, { secretFor: () => SECRET, maxAgeSeconds: 60, leewaySeconds: 5 });
    expect(claims).toMatchObject({ iss: 'gemeente-test', client_id: 'gemeente-test' });
  });

  it('passes If-None-Match and returns a 304 with a null body', async () => {
    const api = await server((hit, res) => {
      if (hit.headers['if-none-match'] === '"v1"') res.writeHead(304, { etag: '"v1"' }).end();
      else ok(hit, res);
    });
    const out = clients(new TestNetwork(testOrganisation('sub', `${api.url}/`)));
    const res = await out.request('sub', { method: 'GET', url: `${api.url}/zaken/1`, ifNoneMatch: '"v1"' });
    expect(res).toMatchObject({ status: 304, body: null, etag: '"v1"' });
  });

  it('refuses every destination off the apiRoot origin without any network I/O', async () => {
    const api = await server(ok);
    const other = await server(ok);
    const out = clients(new TestNetwork(testOrganisation('sub', `${api.url}/zaken/api/v1/`)));
    const refused = [
      `${other.url}/zaken/api/v1/zaken`,
      'http://169.254.169.254/latest/meta-data/',
      'http://127.0.0.1:5432/',
      `${api.url.replace('http:', 'https:')}/zaken/api/v1/zaken`,
      `http://user:pw@127.0.0.1:${api.port}/zaken/api/v1/zaken`,
      '/zaken/api/v1/zaken',
      'file:///etc/passwd',
    ];
    for (const url of refused) {
      const error = await failure(out.request('sub', { method: 'GET', url }));
      expect(error).toMatchObject({ kind: 'forbidden-destination', retryable: false });
    }
    expect(api.hits).toHaveLength(0);
    expect(other.hits).toHaveLength(0);
    expect(await failure(out.request('nobody', { method: 'GET', url: `${api.url}/` }))).toMatchObject({ kind: 'unknown-organisation' });
  });

  it('calls exactly the Zaken and the Catalogi origin when catalogiApiRoot names another; nothing else, not even its Notificaties API', async () => {
    const zaken = await server(ok);
    const catalogi = await server(ok);
    const nrc = await server(ok);
    const org = testOrganisation('sub', `${zaken.url}/zaken/api/v1/`);
    org.zaken.catalogiApiRoot = `${catalogi.url}/catalogi/api/v1/`;
    org.notifications.nrc = { apiRoot: `${nrc.url}/api/v1/`, auth: { type: 'zgw-jwt', clientId: 'gw', secret: SECRET } };
    const out = clients(new TestNetwork(org));
    expect((await out.request('sub', { method: 'GET', url: `${zaken.url}/zaken/api/v1/zaken` })).status).toBe(200);
    expect((await out.request('sub', { method: 'GET', url: `${catalogi.url}/catalogi/api/v1/statustypen/1` })).status).toBe(200);
    for (const url of [`${nrc.url}/api/v1/abonnement`, `http://localhost:${catalogi.port}/catalogi/api/v1/statustypen/1`]) {
      expect(await failure(out.request('sub', { method: 'GET', url }))).toMatchObject({ kind: 'forbidden-destination' });
    }
    expect([zaken.hits.length, catalogi.hits.length, nrc.hits.length]).toEqual([1, 1, 0]);
  });

  it('returns a redirect as-is and never follows it', async () => {
    const target = await server(ok);
    const api = await server((_hit, res) => res.writeHead(302, { location: `${target.url}/elsewhere` }).end());
    const out = clients(new TestNetwork(testOrganisation('sub', `${api.url}/`)));
    const res = await out.request('sub', { method: 'GET', url: `${api.url}/zaken/1` });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`${target.url}/elsewhere`);
    expect(target.hits).toHaveLength(0);
  });

  it('times out on a server that never answers', async () => {
    const api = await server(() => undefined);
    const out = clients(new TestNetwork(testOrganisation('sub', `${api.url}/`)), { timeoutMs: 200 });
    // The server never answers: only the client's own timeout can end the request.
    const error = await failure(out.request('sub', { method: 'GET', url: `${api.url}/zaken/1` }));
    expect(error).toMatchObject({ kind: 'timeout', retryable: true });
    expect(api.hits).toHaveLength(1);
  });

  it('returns a 401 for a ZGW JWT without retrying: re-signing cannot fix it', async () => {
    const api = await server((_hit, res) => json(res, 401, { detail: 'nope' }));
    const out = clients(new TestNetwork(testOrganisation('sub', `${api.url}/`)));
    expect((await out.request('sub', { method: 'GET', url: `${api.url}/zaken/1` })).status).toBe(401);
    expect(api.hits).toHaveLength(1);
  });

  it('reports a refused connection as a retryable network error', async () => {
    const gone = await startServer(ok);
    await gone.close();
    const out = clients(new TestNetwork(testOrganisation('sub', `${gone.url}/`)));
    const error = await failure(out.request('sub', { method: 'GET', url: `${gone.url}/zaken/1` }));
    expect(error).toMatchObject({ kind: 'network', retryable: true });
  });

  it('refuses a response body larger than the limit', async () => {
    const api = await server((_hit, res) => json(res, 200, { big: 'x'.repeat(10_000) }));
    const out = clients(new TestNetwork(testOrganisation('sub', `${api.url}/`)), { maxResponseBytes: 1000 });
    const error = await failure(out.request('sub', { method: 'GET', url: `${api.url}/zaken/1` }));
    expect(error).toMatchObject({ kind: 'response-too-large', retryable: false });
  });

  it('stops when the caller aborts', async () => {
    const api = await server(() => undefined);
    const out = clients(new TestNetwork(testOrganisation('sub', `${api.url}/`)));
    const error = await failure(out.request('sub', { method: 'GET', url: `${api.url}/zaken/1`, signal: AbortSignal.timeout(50) }));
    expect(error.kind).toBe('aborted');
  });

  it('uses a new pool on the new origin after the network changes', async () => {
    const before = await server(ok);
    const after = await server(ok);
    const network = new TestNetwork(testOrganisation('sub', `${before.url}/api/`));
    const out = clients(network);
    await out.request('sub', { method: 'GET', url: `${before.url}/api/zaken` });
    network.put(testOrganisation('sub', `${after.url}/api/`));
    expect((await out.request('sub', { method: 'GET', url: `${after.url}/api/zaken` })).status).toBe(200);
    expect(await failure(out.request('sub', { method: 'GET', url: `${before.url}/api/zaken` }))).toMatchObject({ kind: 'forbidden-destination' });
    expect(before.hits).toHaveLength(1);
    expect(after.hits).toHaveLength(1);
  });

  it('reports each call to the metrics hook', async () => {
    const api = await server((_hit, res) => json(res, 503, { detail: 'busy' }, { 'retry-after': '7' }));
    const seen: unknown[] = [];
    const out = clients(new TestNetwork(testOrganisation('sub', `${api.url}/`)), {
      onRequest: (org, method, outcome) => seen.push([org, method, outcome]),
    });
    const res = await out.request('sub', { method: 'GET', url: `${api.url}/zaken/1` });
    expect(retryAfterMs(res.headers)).toBe(7000);
    await out.request('sub', { method: 'GET', url: 'http://169.254.169.254/' }).catch(() => undefined);
    expect(seen).toEqual([
      ['sub', 'GET', 503],
      ['sub', 'GET', 'forbidden-destination'],
    ]);
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');
  it('reads seconds and HTTP dates', () => {
    expect(retryAfterMs({ 'retry-after': '120' }, now)).toBe(120_000);
    expect(retryAfterMs({ 'retry-after': 'Sun, 01 Mar 2026 12:00:30 GMT' }, now)).toBe(30_000);
    expect(retryAfterMs({ 'retry-after': 'Sun, 01 Mar 2026 11:00:00 GMT' }, now)).toBe(0);
    expect(retryAfterMs({ 'retry-after': 'soon' }, now)).toBeUndefined();
    expect(retryAfterMs({}, now)).toBeUndefined();
  });
});
