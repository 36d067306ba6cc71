// A subcontractor API that answers with a redirect never makes the gateway call the target.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { json, startServer } from '../../src/outbound/testing.ts';
import { organisation } from '../helpers/fixtures.ts';
import { authHeader, startTestGateway, testNetwork } from '../helpers/gateway.ts';

const target = await startServer((_hit, res) => json(res, 200, {}));
const api = await startServer((_hit, res) => {
  res.writeHead(302, { location: `${target.url}/latest/meta-data/` });
  res.end();
});
const gateway = await startTestGateway({
  network: testNetwork([
    organisation('omleider-bv', {
      zaken: { apiRoot: `${api.url}/zaken/api/v1/`, auth: { type: 'zgw-jwt', clientId: 'x', secret: 'outbound-secret-0123456789' } },
    }),
  ]),
});
const supplier = { ...authHeader('zac'), 'content-type': 'application/json' };

describe('redirects from a subcontractor', () => {
  it('are not followed: the sync fails, the order shows unreachable, the target sees nothing', async () => {
    const c = await (
      await gateway.app.request('/api/v1/cases', { method: 'POST', headers: supplier, body: JSON.stringify({ title: 'x', citizen: { kvk: '12345678' } }) })
    ).json();
    const orderId = randomUUID();
    await gateway.database.db
      .insertInto('orders')
      .values({
        id: orderId,
        case_id: c.id,
        subcontractor: 'omleider-bv',
        product: 'traplift',
        description: null,
        state: 'placed',
        planned_identificatie: 'KS-X',
        remote_zaak_url: `${api.url}/zaken/api/v1/zaken/${randomUUID()}`,
      })
      .execute();
    expect((await gateway.app.request(`/api/v1/orders/${orderId}/sync`, { method: 'POST', headers: supplier })).status).toBe(202);
    const deadline = Date.now() + 10_000;
    let order: { sync: { state: string } };
    do {
      await new Promise((r) => setTimeout(r, 50));
      order = await (await gateway.app.request(`/api/v1/orders/${orderId}`, { headers: supplier })).json();
    } while (order.sync.state !== 'unreachable' && Date.now() < deadline);
    expect(order.sync).toMatchObject({ state: 'unreachable', error: expect.stringContaining('302') });
    expect(api.hits.length).toBeGreaterThan(0);
    expect(target.hits).toHaveLength(0);
  });
});
