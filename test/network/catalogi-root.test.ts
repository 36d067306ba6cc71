// `zaken.catalogiApiRoot` (issue 16, point 4): Catalogi on its own origin. Outbound calls may go to
// exactly the Zaken origin and the Catalogi origin; without catalogiApiRoot only the Zaken one.
import { afterAll, describe, expect, it } from 'vitest';
import { signZgwJwt } from '../../src/lib/zgw-jwt.ts';
import { notifySecret, orderDetail, placedOrder, startChain } from '../helpers/chain.ts';
import { authHeader } from '../helpers/gateway.ts';
import { splitOrigins, type SplitOrigins } from '../helpers/split-origins.ts';

const chain = await startChain(
  [
    { id: 'apart-bv', notify: false },
    { id: 'zelfde-bv', notify: false },
  ],
  { SYNC_DEBOUNCE_MS: '0' },
);
const operator = async (path: string, init: { method?: string; body?: unknown } = {}) =>
  chain.gateway.app.request(path, {
    method: init.method ?? 'GET',
    headers: { ...authHeader('beheer'), ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
  });

/** Moves the organisation onto the split origins, naming the Catalogi root or not. */
async function register(id: string, withCatalogiRoot: boolean): Promise<SplitOrigins> {
  const split = await splitOrigins(chain.sims[id].url);
  afterAll(() => split.close());
  const org = await (await operator(`/api/v1/organisations/${id}`)).json();
  delete org.notificationSubscription;
  const res = await operator(`/api/v1/organisations/${id}`, {
    method: 'PUT',
    body: {
      ...org,
      zaken: { ...org.zaken, apiRoot: `${split.zaken}/zaken/api/v1/`, ...(withCatalogiRoot ? { catalogiApiRoot: `${split.catalogi}/catalogi/api/v1/` } : {}) },
      products: org.products.map((p: { zaaktype: string; initiatorRoltype: string }) => ({
        ...p,
        zaaktype: split.outside(p.zaaktype),
        initiatorRoltype: split.outside(p.initiatorRoltype),
      })),
    },
  });
  expect(res.status).toBe(200);
  return split;
}

async function statusAndNotify(id: string, split: SplitOrigins) {
  const { orderId, zaakUrl } = await placedOrder(chain, id);
  expect(zaakUrl.startsWith(split.zaken)).toBe(true);
  const status = await chain.sims[id].setStatus(split.inside(zaakUrl), 1, { notify: false });
  const res = await chain.gateway.app.request('/api/v1/notificaties', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${signZgwJwt({ client_id: id }, notifySecret(id))}` },
    body: JSON.stringify({
      kanaal: 'zaken',
      hoofdObject: zaakUrl,
      resource: 'status',
      resourceUrl: split.outside(status.url),
      actie: 'create',
      aanmaakdatum: new Date().toISOString(),
    }),
  });
  expect(res.status).toBe(204);
  return orderId;
}

describe('Catalogi on its own root', () => {
  it('fetches statustypen from the Catalogi origin when catalogiApiRoot names it', async () => {
    const split = await register('apart-bv', true);
    const orderId = await statusAndNotify('apart-bv', split);
    const order = await chain.waitFor(async () => {
      const o = await orderDetail(chain, orderId);
      return o.status?.volgnummer === 2 && o;
    });
    expect(order.status.statustype.startsWith(`${split.catalogi}/catalogi/api/v1/statustypen/`)).toBe(true);
    expect(order.status.omschrijving).toBeTruthy();
  });

  it('refuses the Catalogi origin (forbidden-destination) when it is not registered', async () => {
    const split = await register('zelfde-bv', false);
    const orderId = await statusAndNotify('zelfde-bv', split);
    const order = await chain.waitFor(async () => {
      const o = await orderDetail(chain, orderId);
      return o.sync.error && o;
    });
    expect(order.sync.error).toContain(`${split.catalogi} is not the registered API origin of zelfde-bv`);
    expect(order.status?.volgnummer ?? 0).not.toBe(2);
  });

  it('refuses a catalogiApiRoot that is no URL', async () => {
    const org = await (await operator('/api/v1/organisations/apart-bv')).json();
    delete org.notificationSubscription;
    const res = await operator('/api/v1/organisations/apart-bv', {
      method: 'PUT',
      body: { ...org, zaken: { ...org.zaken, catalogiApiRoot: 'http://127.0.0.1:70000/catalogi/api/v1/' } },
    });
    expect(res.status).toBe(400);
    expect((await res.json()).invalidParams).toContainEqual(expect.objectContaining({ name: 'zaken.catalogiApiRoot', code: 'invalid' }));
  });
});
