// N placements at one organisation that uses OAuth2 client credentials share one access token.
// The fake authorisation server issues ZGW JWTs the simulator accepts, so the whole path is real.
import { describe, expect, it } from 'vitest';
import { signZgwJwt } from '../../src/lib/zgw-jwt.ts';
import { json, startServer } from '../../src/outbound/testing.ts';
import { OUTBOUND_SECRET, orderDetail, startChain } from '../helpers/chain.ts';

const idp = await startServer((hit, res) => {
  if (hit.url.endsWith('/.well-known/openid-configuration')) {
    return json(res, 200, {
      issuer: `${idp.url}/realms/keten`,
      token_endpoint: `${idp.url}/realms/keten/token`,
      token_endpoint_auth_methods_supported: ['client_secret_basic'],
    });
  }
  if (hit.url.endsWith('/token')) {
    // RFC 6749 §2.3.1: id and secret are form-urlencoded before the Basic encoding.
    const [id, secret] = Buffer.from(String(hit.headers.authorization).replace(/^Basic /, ''), 'base64')
      .toString()
      .split(':')
      .map(decodeURIComponent);
    if (id !== 'gemeente-oauth' || secret !== 'oauth-client-secret-0123456789') return json(res, 401, { error: 'invalid_client' });
    return json(res, 200, { access_token: signZgwJwt({ client_id: 'gemeente-test' }, OUTBOUND_SECRET), token_type: 'Bearer', expires_in: 300 });
  }
  json(res, 404, {});
});

const chain = await startChain([{ id: 'oauth-bv', notify: false }]);
const org = chain.gateway.network.zakenOrganisation('oauth-bv')!;
await chain.gateway.network.put(
  'oauth-bv',
  {
    ...org,
    zaken: {
      apiRoot: org.zaken.apiRoot,
      auth: { type: 'oauth2', issuer: `${idp.url}/realms/keten`, clientId: 'gemeente-oauth', clientSecret: 'oauth-client-secret-0123456789', scope: 'zaken' },
    },
  },
  'test',
);

describe('OAuth2 client credentials towards a subcontractor', () => {
  it('places eight orders with a single token request', async () => {
    const c = await (await chain.supplier('/api/v1/cases', { body: { title: 'Veel onderdelen', citizen: { kvk: '12345678' } } })).json();
    const orders = await Promise.all(
      Array.from({ length: 8 }, async () =>
        (await chain.supplier(`/api/v1/cases/${c.id}/orders`, { body: { subcontractor: 'oauth-bv', product: 'traplift' } })).json(),
      ),
    );
    for (const o of orders) await chain.waitFor(async () => (await orderDetail(chain, o.id)).state === 'placed');
    expect(chain.sims['oauth-bv'].zaken()).toHaveLength(8);
    expect(idp.hits.filter((h) => h.url.endsWith('/token'))).toHaveLength(1);
  });
});
