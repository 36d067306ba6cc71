// GET /api/v1/me/cases and /{id}: the holder's own cases, citizen-safe, in their language, and
// every read written to the access log in the same statement.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { authHeader } from '../helpers/gateway.ts';
import { accessRows, BSN, seedCases, startCitizenGateway } from './helpers/citizen.ts';

const { app, db, as, gateway } = await startCitizenGateway();
const get = async (path: string, bsn: string, headers: Record<string, string> = {}) => app.request(path, { headers: await as(bsn, headers) });

const [open1, open2, closed1, secret, other, kvk] = await seedCases(db, [
  {
    bsn: BSN.anna,
    title: 'Traplift',
    orders: [{ subcontractor: 'hulpmiddelen-bv', phase: 'in_behandeling', statustekst: 'Monteur ingepland' }],
    notes: ['Caseworker P. Pietersen: lastige klant'],
    updatedAt: new Date(Date.now() - 1000),
  },
  {
    bsn: BSN.anna,
    title: 'Woningaanpassing',
    orders: [{ subcontractor: 'bouw-bv', product: 'aanpassing', phase: 'ontvangen', syncState: 'unreachable' }],
    updatedAt: new Date(Date.now() - 2000),
  },
  { bsn: BSN.anna, title: 'Rolstoel', closed: true, updatedAt: new Date(Date.now() - 3000) },
  { bsn: BSN.anna, title: 'Geheim dossier', confidentiality: 'geheim' },
  { bsn: BSN.bram, title: 'Van Bram' },
  { kvk: '12345678', title: 'Bedrijfszaak' },
]);

describe('GET /api/v1/me/cases', () => {
  it("lists only the holder's cases up to the maximum confidentiality, newest first, paginated", async () => {
    const res = await get('/api/v1/me/cases?pageSize=2', BSN.anna);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const page1 = await res.json();
    expect(page1.count).toBe(3);
    expect(page1.results.map((c: { id: string }) => c.id)).toEqual([open1, open2]);
    expect(page1.next).toContain('page=2');
    const page2 = await (await get(new URL(page1.next).pathname + new URL(page1.next).search, BSN.anna)).json();
    expect(page2.results.map((c: { id: string }) => c.id)).toEqual([closed1]);
    expect(page2.next).toBeNull();
    const ids = [...page1.results, ...page2.results].map((c: { id: string }) => c.id);
    for (const hidden of [secret, other, kvk]) expect(ids).not.toContain(hidden);
  });

  it('filters open and closed', async () => {
    const openIds = (await (await get('/api/v1/me/cases?state=open', BSN.anna)).json()).results.map((c: { id: string }) => c.id);
    const closedIds = (await (await get('/api/v1/me/cases?state=closed', BSN.anna)).json()).results.map((c: { id: string }) => c.id);
    expect(openIds).toEqual([open1, open2]);
    expect(closedIds).toEqual([closed1]);
    expect((await get('/api/v1/me/cases?state=lost', BSN.anna)).status).toBe(400);
    expect((await get('/api/v1/me/cases?colour=red', BSN.anna)).status).toBe(400);
  });

  it("shows the combined status and each part in the citizen's language", async () => {
    const nl = (await (await get('/api/v1/me/cases?state=open', BSN.anna)).json()).results;
    const en = (await (await get('/api/v1/me/cases?state=open', BSN.anna, { 'accept-language': 'en-GB,en;q=0.9,nl;q=0.5' })).json()).results;
    expect(nl[0]).toMatchObject({
      id: open1,
      title: 'Traplift',
      state: 'open',
      combinedStatus: {
        phase: 'in_behandeling',
        text: 'In behandeling',
        ballWith: { id: 'hulpmiddelen-bv', name: 'Hulpmiddelen B.V.' },
        progress: { done: 0, total: 1 },
        gaps: [],
      },
      parts: [
        { id: 'supplier', kind: 'supplier', organisation: { id: 'gemeente-test', name: 'Gemeente Test' }, phase: 'in_behandeling', text: 'In behandeling' },
        {
          kind: 'order',
          organisation: { id: 'hulpmiddelen-bv', name: 'Hulpmiddelen B.V.' },
          product: { code: 'traplift', name: 'Traplift' },
          phase: 'in_behandeling',
          text: 'Monteur ingepland',
          sync: { state: 'fresh' },
        },
      ],
    });
    expect(en[0].combinedStatus.text).toBe('In progress');
    expect(en[0].parts[1].product.name).toBe('Stairlift');
    expect(en[1].combinedStatus.gaps).toEqual([
      expect.objectContaining({
        organisation: { id: 'bouw-bv', name: 'Bouw B.V.' },
        kind: 'unreachable',
        text: expect.stringContaining('Bouw B.V. cannot be reached since'),
      }),
    ]);
    expect(nl[1].combinedStatus.gaps[0].text).toContain('Bouw B.V. is sinds');
  });

  it('never reveals caseworker notes, remote zaak URLs, order descriptions or any BSN', async () => {
    const list = await (await get('/api/v1/me/cases', BSN.anna)).text();
    const detail = await (await get(`/api/v1/me/cases/${open1}`, BSN.anna)).text();
    for (const body of [list, detail]) {
      expect(body).not.toContain(BSN.anna);
      expect(body).not.toMatch(/zaken\.example|remoteZaak|Pietersen|lastige|bel mevrouw|confidentiality|citizen_bsn|"bsn"/);
    }
  });
});

describe('GET /api/v1/me/cases/{id}', () => {
  it('adds the citizen-visible timeline with organisation names and message references', async () => {
    const res = await get(`/api/v1/me/cases/${open1}`, BSN.anna, { 'accept-language': 'en' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-language')).toBe('en');
    const body = await res.json();
    expect(body.timeline).toEqual([
      expect.objectContaining({
        organisation: { id: 'gemeente-test', name: 'Gemeente Test' },
        kind: 'status',
        phase: 'ontvangen',
        text: 'Received',
        partId: 'supplier',
      }),
      expect.objectContaining({ kind: 'message', text: 'Brief verstuurd', references: [{ type: 'digital-post', id: 'MSG-1' }] }),
    ]);
  });

  it("answers 404, never 403, for someone else's case, a too-confidential case, a KvK case or nonsense", async () => {
    for (const id of [other, secret, kvk, '00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const res = await get(`/api/v1/me/cases/${id}`, BSN.anna);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
    }
    expect((await get(`/api/v1/me/cases/${other}`, BSN.bram)).status).toBe(200);
  });
});

describe('the access log of citizen reads', () => {
  it('writes one row per case returned, with role, purpose, subject and the request and trace ids', async () => {
    const before = (await accessRows(db)).length;
    const res = await get('/api/v1/me/cases?pageSize=2', BSN.anna, {
      'x-request-id': 'req-citizen-1',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });
    expect(res.status).toBe(200);
    const rows = (await accessRows(db)).slice(before);
    expect(rows.map((r) => r.case_id)).toEqual(expect.arrayContaining([open1, open2]));
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      expect(r).toMatchObject({
        actor_role: 'citizen',
        actor: 'self',
        purpose: 'citizen-view',
        subject_bsn: BSN.anna,
        request_id: 'req-citizen-1',
        trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
        mandate_id: null,
      });
    }
    await get(`/api/v1/me/cases/${other}`, BSN.anna); // a 404 reads nothing and logs nothing
    expect((await accessRows(db)).length).toBe(before + 2);
  });

  it('fails the read when the row cannot be written', async () => {
    await sql`create function refuse_access_log() returns trigger language plpgsql as $$ begin raise exception 'access log unavailable'; end $$`.execute(db);
    await sql`create trigger refuse_access_log before insert on access_log for each row execute function refuse_access_log()`.execute(db);
    try {
      const list = await get('/api/v1/me/cases', BSN.anna);
      expect(list.status).toBe(500);
      expect(await list.text()).not.toContain('Traplift');
      expect((await get(`/api/v1/me/cases/${open1}`, BSN.anna)).status).toBe(500);
      expect((await app.request(`/api/v1/cases/${open1}`, { headers: authHeader('zac') })).status).toBe(500);
      // Reading nothing writes nothing, so it still works.
      expect((await get('/api/v1/me/cases', BSN.dirk)).status).toBe(200);
    } finally {
      await sql`drop trigger refuse_access_log on access_log`.execute(db);
      await sql`drop function refuse_access_log()`.execute(db);
    }
  });

  it('logs supplier reads too: one row per case of a list, one for a detail', async () => {
    const before = (await accessRows(db)).length;
    const list = await (await app.request('/api/v1/cases?pageSize=4', { headers: { ...authHeader('zac'), 'x-request-id': 'req-zac' } })).json();
    expect(list.results).toHaveLength(4);
    await app.request(`/api/v1/cases/${open1}`, { headers: authHeader('zac') });
    const rows = (await accessRows(db)).slice(before);
    expect(rows).toHaveLength(5);
    expect(
      rows
        .slice(0, 4)
        .map((r) => r.case_id)
        .sort(),
    ).toEqual(list.results.map((c: { id: string }) => c.id).sort());
    expect(rows[0]).toMatchObject({ actor_role: 'supplier', actor: 'zac', organisation: 'gemeente-test', purpose: 'case-handling', request_id: 'req-zac' });
    expect(rows[4]).toMatchObject({ case_id: open1, subject_bsn: BSN.anna, actor_role: 'supplier' });
  });

  it("logs the supplier's order reads against the order's case", async () => {
    const before = (await accessRows(db)).length;
    const orders = await (await app.request(`/api/v1/cases/${open1}/orders`, { headers: authHeader('zac') })).json();
    expect(orders.results).toHaveLength(1);
    expect((await app.request(`/api/v1/orders/${orders.results[0].id}`, { headers: authHeader('zac') })).status).toBe(200);
    expect((await app.request('/api/v1/orders/not-an-order', { headers: authHeader('zac') })).status).toBe(404);
    const rows = (await accessRows(db)).slice(before);
    expect(rows.map((r) => [r.case_id, r.actor_role, r.subject_bsn])).toEqual([
      [open1, 'supplier', BSN.anna],
      [open1, 'supplier', BSN.anna],
    ]);
  });

  it('GET /api/v1/me/access-log shows the citizen who read their data and why, newest first', async () => {
    const res = await get('/api/v1/me/access-log?pageSize=100', BSN.anna, { 'accept-language': 'en' });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.count).toBeGreaterThan(0);
    const roles = new Set(body.results.map((r: { role: string }) => r.role));
    expect(roles).toEqual(new Set(['citizen', 'supplier']));
    expect(body.results[0]).toMatchObject({
      role: 'supplier',
      organisation: { id: 'gemeente-test', name: 'Gemeente Test' },
      purpose: 'case-handling',
      purposeText: 'Handling your case',
      case: { id: open1 },
    });
    expect(body.results.find((r: { role: string }) => r.role === 'citizen')).toMatchObject({ actor: 'You', purpose: 'citizen-view' });
    const times = body.results.map((r: { at: string }) => r.at);
    expect([...times].sort().reverse()).toEqual(times);
    const bram = await (await get('/api/v1/me/access-log', BSN.bram)).json();
    expect(bram.results.every((r: { case: { id: string } }) => r.case.id === other)).toBe(true);
  });
});

describe('the contract', () => {
  it('is served with the citizen operations (shown on /docs: test/browser/docs.test.ts)', async () => {
    const yaml = await (await app.request('/openapi.yaml')).text();
    for (const path of [
      '/api/v1/me/cases',
      '/api/v1/me/cases/{id}',
      '/api/v1/me/access-log',
      '/api/v1/me/mandates',
      '/api/v1/me/mandates/{id}',
      '/api/v1/network',
    ]) {
      expect(yaml).toContain(`\n  ${path}:\n`);
    }
  });
});

describe('GET /api/v1/network', () => {
  it('lists the members publicly with products, connection mode and health; no URLs or secrets', async () => {
    await gateway.database.db
      .insertInto('organisation_health')
      .values({ organisation_id: 'hulpmiddelen-bv', consecutive_failures: 0, last_success_at: new Date() })
      .execute();
    const res = await app.request('/api/v1/network', { headers: { 'accept-language': 'en' } });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.self).toEqual({ id: 'gemeente-test', name: 'Gemeente Test' });
    const byId = Object.fromEntries(body.organisations.map((o: { id: string }) => [o.id, o]));
    expect(byId['hulpmiddelen-bv']).toEqual({
      id: 'hulpmiddelen-bv',
      name: 'Hulpmiddelen B.V.',
      status: 'active',
      connectionMode: 'push',
      health: 'connected',
      products: [{ code: 'traplift', name: 'Stairlift' }],
    });
    expect(byId['bouw-bv']).toMatchObject({ connectionMode: 'poll', health: 'degraded' }); // an unreachable order
    expect(byId['wachtend-bv']).toMatchObject({ status: 'pending', health: 'not_connected' });
    const text = JSON.stringify(body);
    expect(text).not.toMatch(/https?:|secret|apiRoot|oin|rsin/i);
  });
});
