import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.ts';
import type { ZakenAuth } from '../../src/network/types.ts';
import { OutboundClients } from '../../src/outbound/clients.ts';
import { OutboundError } from '../../src/outbound/errors.ts';
import { TestNetwork, json, startServer, testOrganisation, type Hit, type TestServer } from '../../src/outbound/testing.ts';

const logger = createLogger('silent');
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

interface Issuer {
  server: TestServer;
  issuer: string;
  tokenCalls: () => Hit[];
  issued: Set<string>;
}

/** A fake authorization server: discovery + a token endpoint that answers slowly to let callers pile up. */
async function startIssuer(options: { expiresIn?: number; error?: { status: number; error: string } } = {}): Promise<Issuer> {
  const issued = new Set<string>();
  let issuer = '';
  const server = await startServer((hit, res) => {
    if (hit.url === '/realms/test/.well-known/openid-configuration') {
      return json(res, 200, { issuer, token_endpoint: `${issuer}/token`, token_endpoint_auth_methods_supported: ['client_secret_basic'] });
    }
    if (hit.url !== '/realms/test/token') return json(res, 404, {});
    if (options.error) return json(res, options.error.status, { error: options.error.error });
    const token = `token-${issued.size + 1}`;
    issued.add(token);
    setTimeout(() => json(res, 200, { access_token: token, token_type: 'Bearer', expires_in: options.expiresIn ?? 3600 }), 50);
  });
  issuer = `${server.url}/realms/test`;
  cleanup.push(server.close);
  return { server, issuer, issued, tokenCalls: () => server.hits.filter((h) => h.url.endsWith('/token')) };
}

/** An API that accepts only the newest token, optionally answering 401 a fixed number of times first. */
async function startApi(idp: Issuer, unauthorizedFirst = 0) {
  let rejections = unauthorizedFirst;
  const server = await startServer((hit, res) => {
    const token = hit.headers.authorization?.replace(/^Bearer /, '') ?? '';
    if (rejections > 0 || !idp.issued.has(token)) {
      rejections -= 1;
      return json(res, 401, { detail: 'invalid token' });
    }
    json(res, 200, { token });
  });
  cleanup.push(server.close);
  return server;
}

function setup(idp: Issuer, api: TestServer, auth: Partial<Extract<ZakenAuth, { type: 'oauth2' }>> = {}) {
  const org = testOrganisation('sub', `${api.url}/zaken/api/v1/`, {
    type: 'oauth2',
    issuer: idp.issuer,
    clientId: 'gateway',
    clientSecret: 's3cret',
    scope: 'zaken',
    ...auth,
  });
  const out = new OutboundClients({ network: new TestNetwork(org), logger });
  cleanup.push(() => out.close());
  return (path = 'zaken') => out.request('sub', { method: 'GET', url: `${api.url}/zaken/api/v1/${path}` });
}

describe('oauth2 client credentials', () => {
  it('fetches one token for 20 concurrent requests and sends client credentials and scope', async () => {
    const idp = await startIssuer();
    const api = await startApi(idp);
    const get = setup(idp, api);
    const responses = await Promise.all(Array.from({ length: 20 }, () => get()));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(idp.tokenCalls()).toHaveLength(1);
    const [call] = idp.tokenCalls();
    expect(call.headers.authorization).toBe(`Basic ${Buffer.from('gateway:s3cret').toString('base64')}`);
    expect(new URLSearchParams(call.body).get('grant_type')).toBe('client_credentials');
    expect(new URLSearchParams(call.body).get('scope')).toBe('zaken');
    expect(api.hits).toHaveLength(20);
    expect((await get()).status).toBe(200);
    expect(idp.tokenCalls()).toHaveLength(1);
  });

  it('refreshes the token shortly before it expires', async () => {
    const idp = await startIssuer({ expiresIn: 1 });
    const api = await startApi(idp);
    const get = setup(idp, api);
    expect((await get()).body).toEqual({ token: 'token-1' });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await get()).body).toEqual({ token: 'token-2' });
    expect(idp.tokenCalls()).toHaveLength(2);
  });

  it('after a 401 fetches a new token and retries once', async () => {
    const idp = await startIssuer();
    const api = await startApi(idp, 1);
    const get = setup(idp, api);
    const res = await get();
    expect(res).toMatchObject({ status: 200, body: { token: 'token-2' } });
    expect(idp.tokenCalls()).toHaveLength(2);
    expect(api.hits.map((h) => h.headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-2']);
  });

  it('returns a persistent 401 instead of looping', async () => {
    const idp = await startIssuer();
    const api = await startApi(idp, 100);
    const get = setup(idp, api);
    expect((await get()).status).toBe(401);
    expect(api.hits).toHaveLength(2);
    expect(idp.tokenCalls()).toHaveLength(2);
  });

  it('reports a refused client as a permanent auth error', async () => {
    const idp = await startIssuer({ error: { status: 401, error: 'invalid_client' } });
    const api = await startApi(idp);
    const error = await setup(idp, api)().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutboundError);
    expect(error).toMatchObject({ kind: 'auth', retryable: false });
    expect(api.hits).toHaveLength(0);
  });

  it('reports a token endpoint outage as a retryable auth error', async () => {
    const idp = await startIssuer({ error: { status: 503, error: 'temporarily_unavailable' } });
    const api = await startApi(idp);
    const error = await setup(idp, api)().catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'auth', retryable: true });
  });

  it('refuses a plain-http issuer that is not loopback', async () => {
    const idp = await startIssuer();
    const api = await startApi(idp);
    const error = await setup(idp, api, { issuer: 'http://login.example/realms/test' })().catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'auth', retryable: false });
    expect(api.hits).toHaveLength(0);
  });
});
