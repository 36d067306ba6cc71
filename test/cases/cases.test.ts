import { describe, expect, it } from 'vitest';
import { organisation } from '../helpers/fixtures.ts';
import { authHeader, startTestGateway, testNetwork } from '../helpers/gateway.ts';

const gateway = await startTestGateway({
  network: testNetwork([
    organisation('hulpmiddelen-bv'),
    organisation('wachtend-bv', { status: 'pending', agreement: undefined }),
    organisation('geschorst-bv', { status: 'suspended' }),
  ]),
});
const { app } = gateway;
const supplier = { ...authHeader('zac'), 'content-type': 'application/json' };
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  app.request(path, { method: 'POST', headers: { ...supplier, ...headers }, body: JSON.stringify(body) });
const get = (path: string) => app.request(path, { headers: supplier });
const newCase = (extra: Record<string, unknown> = {}) => post('/api/v1/cases', { title: 'Traplift voor mevrouw', citizen: { bsn: '111222333' }, ...extra });

describe('POST /api/v1/cases', () => {
  it('creates a case with Location, defaults and a generated reference', async () => {
    const res = await newCase();
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(res.headers.get('location')).toBe(body.url);
    expect(body).toMatchObject({
      title: 'Traplift voor mevrouw',
      citizen: { bsn: '111222333' },
      confidentiality: 'zaakvertrouwelijk',
      phase: 'ontvangen',
      reference: expect.stringMatching(/^KS-\d{4}-[A-Z2-9]{8}$/),
      combinedStatus: { phase: 'ontvangen', ballWith: { id: 'gemeente-test' }, progress: { done: 0, total: 0 }, gaps: [] },
    });
  });

  it.each([
    ['a BSN failing the elfproef', { citizen: { bsn: '123456789' } }, 'citizen.bsn'],
    ['a KvK of 7 digits', { citizen: { kvk: '1234567' } }, 'citizen.kvk'],
    ['both bsn and kvk', { citizen: { bsn: '111222333', kvk: '12345678' } }, 'citizen'],
    ['an unknown confidentiality', { confidentiality: 'topgeheim' }, 'confidentiality'],
    ['a bad date', { plannedEndDate: '2026-13-45' }, 'plannedEndDate'],
    ['an unknown field', { colour: 'red' }, 'body'],
  ])('refuses %s with 400 naming the field', async (_n, extra, field) => {
    const res = await newCase(extra);
    expect(res.status).toBe(400);
    const names = (await res.json()).invalidParams.map((p: { name: string }) => p.name);
    expect(names.some((n: string) => n === field || n.startsWith(field))).toBe(true);
  });

  it('refuses a missing title as required', async () => {
    const res = await post('/api/v1/cases', { citizen: { kvk: '12345678' } });
    expect((await res.json()).invalidParams).toContainEqual(expect.objectContaining({ name: 'title', code: 'required' }));
  });

  it('keeps references unique', async () => {
    expect((await newCase({ reference: 'ZAAK-1' })).status).toBe(201);
    const again = await newCase({ reference: 'ZAAK-1' });
    expect(again.status).toBe(422);
    expect((await again.json()).invalidParams[0].name).toBe('reference');
  });

  it('is idempotent by Idempotency-Key: same body → same answer, other body → 422', async () => {
    const first = await post('/api/v1/cases', { title: 'Eenmalig', citizen: { kvk: '12345678' } }, { 'idempotency-key': 'k-1' });
    const second = await post('/api/v1/cases', { title: 'Eenmalig', citizen: { kvk: '12345678' } }, { 'idempotency-key': 'k-1' });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    const [a, b] = [await first.json(), await second.json()];
    expect(b.id).toBe(a.id);
    const list = await (await get(`/api/v1/cases?reference=${a.reference}`)).json();
    expect(list.count).toBe(1);
    const other = await post('/api/v1/cases', { title: 'Iets anders', citizen: { kvk: '12345678' } }, { 'idempotency-key': 'k-1' });
    expect(other.status).toBe(422);
  });

  it('is for suppliers only', async () => {
    expect((await app.request('/api/v1/cases', { headers: authHeader('beheer') })).status).toBe(403);
  });
});

describe('reading and updating cases', () => {
  it('lists with pagination and filters', async () => {
    for (let i = 0; i < 3; i++) await newCase({ title: `Lijst ${i}` });
    const page1 = await (await get('/api/v1/cases?pageSize=2')).json();
    expect(page1.results).toHaveLength(2);
    expect(page1.next).toContain('page=2');
    expect(page1.count).toBeGreaterThanOrEqual(3);
    const page2 = await (await get(new URL(page1.next).pathname + new URL(page1.next).search)).json();
    expect(page2.previous).toContain('page=1');
    expect(page2.results[0].id).not.toBe(page1.results[0].id);
    expect((await get('/api/v1/cases?phase=nonsense')).status).toBe(400);
    const since = new Date(Date.now() + 60_000).toISOString();
    expect((await (await get(`/api/v1/cases?updatedSince=${encodeURIComponent(since)}`)).json()).count).toBe(0);
  });

  it('sets the supplier phase, records it on the timeline, and closes on afgerond', async () => {
    const c = await (await newCase()).json();
    const res = await post(`/api/v1/cases/${c.id}/status`, { phase: 'in_behandeling', text: 'We beoordelen uw aanvraag' });
    expect(res.status).toBe(200);
    expect((await res.json()).combinedStatus.phase).toBe('in_behandeling');
    const closed = await (await post(`/api/v1/cases/${c.id}/status`, { phase: 'afgerond' })).json();
    expect(closed.combinedStatus.phase).toBe('afgerond');
    expect(closed.closedAt).not.toBeNull();
    expect(closed.timeline.map((t: { phase: string }) => t.phase)).toEqual(['ontvangen', 'in_behandeling', 'afgerond']);
    expect((await post(`/api/v1/cases/${c.id}/status`, { phase: 'in_behandeling' })).status).toBe(409);
    expect((await get('/api/v1/cases?phase=afgerond')).status).toBe(200);
    const events = await gateway.database.db.selectFrom('case_events').selectAll().where('case_id', '=', c.id).execute();
    expect(events.map((e) => e.type)).toContain('case.status-changed');
  });

  it('adds timeline events with message references, never content', async () => {
    const c = await (await newCase()).json();
    const res = await post(`/api/v1/cases/${c.id}/events`, { kind: 'message', text: 'Brief verstuurd', references: [{ type: 'digital-post', id: 'MSG-42' }] });
    expect(res.status).toBe(201);
    const detail = await res.json();
    expect(detail.timeline.at(-1)).toMatchObject({ kind: 'message', references: [{ type: 'digital-post', id: 'MSG-42' }] });
    expect((await post(`/api/v1/cases/${c.id}/events`, { kind: 'message', references: [{ type: 'digital-post', content: 'x' }] })).status).toBe(400);
  });

  it('answers 404 for unknown cases', async () => {
    expect((await get('/api/v1/cases/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await get('/api/v1/cases/not-a-uuid')).status).toBe(404);
  });
});

describe('POST /api/v1/cases/{id}/orders', () => {
  it('accepts an order for an active organisation with 202 in state placing', async () => {
    const c = await (await newCase()).json();
    const res = await post(`/api/v1/cases/${c.id}/orders`, { subcontractor: 'hulpmiddelen-bv', product: 'traplift' });
    expect(res.status).toBe(202);
    const order = await res.json();
    expect(order).toMatchObject({ state: 'placing', subcontractor: 'hulpmiddelen-bv', remoteZaak: null, status: null });
    expect((await get(`/api/v1/orders/${order.id}`)).status).toBe(200);
    const orders = await (await get(`/api/v1/cases/${c.id}/orders`)).json();
    expect(orders.results.map((o: { id: string }) => o.id)).toEqual([order.id]);
    expect((await post(`/api/v1/orders/${order.id}/sync`, {})).status).toBe(409); // not placed yet
  });

  it.each([
    ['an unknown organisation', { subcontractor: 'niemand', product: 'traplift' }, 'subcontractor'],
    ['a pending organisation', { subcontractor: 'wachtend-bv', product: 'traplift' }, 'subcontractor'],
    ['a suspended organisation', { subcontractor: 'geschorst-bv', product: 'traplift' }, 'subcontractor'],
    ['a product it does not offer', { subcontractor: 'hulpmiddelen-bv', product: 'rolstoel' }, 'product'],
  ])('refuses %s with 422 naming the field', async (_n, body, field) => {
    const c = await (await newCase()).json();
    const res = await post(`/api/v1/cases/${c.id}/orders`, body);
    expect(res.status).toBe(422);
    expect((await res.json()).invalidParams[0].name).toBe(field);
  });

  it('refuses shareCitizen for a KvK case', async () => {
    const c = await (await newCase({ citizen: { kvk: '12345678' } })).json();
    expect((await post(`/api/v1/cases/${c.id}/orders`, { subcontractor: 'hulpmiddelen-bv', product: 'traplift', shareCitizen: true })).status).toBe(422);
  });
});
