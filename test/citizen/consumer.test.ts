// The consumer API: an organisation (a portal client naming one) reads for customers who gave it a
// mandate — the mandates it holds, the cases they cover, and the customer's events in commit order
// with a cursor. Outside a valid mandate everything is 404; every read is in the grantor's access log.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { maskBsn } from '../../src/cases/identifiers.ts';
import { lane } from '../helpers/db.ts';
import { authHeader } from '../helpers/gateway.ts';
import { BSN, seedCases, startCitizenGateway } from './helpers/citizen.ts';

const KVK = '12345678';
const { app, db, as, asRepresentative, gateway } = await startCitizenGateway();
const [annaA, annaB, annaSecret, hostel, bramOwn] = await seedCases(db, [
  { bsn: BSN.anna, title: 'Traplift', orders: [{ subcontractor: 'hulpmiddelen-bv', phase: 'in_behandeling', syncState: 'unreachable' }] },
  { bsn: BSN.anna, title: 'Woningaanpassing' },
  { bsn: BSN.anna, title: 'Geheim', confidentiality: 'geheim' },
  { kvk: KVK, title: 'Personeel aannemen' },
  { bsn: BSN.bram, title: 'Van Bram' },
]);

const json = (body: unknown) => ({ method: 'POST', body: JSON.stringify(body) });
const grant = async (headers: Record<string, string>, body: unknown) => {
  const res = await app.request('/api/v1/me/mandates', { ...json(body), headers: { ...headers, 'content-type': 'application/json' } });
  expect(res.status).toBe(201);
  return (await res.json()).id as string;
};
const consumer = (client: 'leesportaal' | 'boekhouder' | 'portaal' | 'zac', path: string) =>
  app.request(`/api/v1/consumer${path}`, { headers: authHeader(client) });
const body = async (res: Response, status = 200) => {
  expect(res.status, await res.clone().text()).toBe(status);
  return res.json();
};

const annaToPortal = await grant(await as(BSN.anna), { proxyOrganisation: { kvk: '87654321' } });
const hostelToPortal = await grant(await asRepresentative(KVK, { name: 'Sanne' }), { proxyOrganisation: { kvk: '87654321' } });
const annaToAccountantOneCase = await grant(await as(BSN.anna), { proxyOrganisation: { oin: '00000003123456789000' }, caseId: annaB });

describe('the mandates an organisation holds', () => {
  it('lists them, grantors masked, newest first, paginated', async () => {
    const page = await body(await consumer('leesportaal', '/mandates?pageSize=1'));
    expect(page.count).toBe(2);
    expect(page.results).toEqual([expect.objectContaining({ id: hostelToPortal, grantor: { kvk: KVK }, scope: 'all-cases', case: null, state: 'active' })]);
    const next = await body(await app.request(new URL(page.next).pathname + new URL(page.next).search, { headers: authHeader('leesportaal') }));
    expect(next.results).toEqual([expect.objectContaining({ id: annaToPortal, grantor: { bsn: maskBsn(BSN.anna) } })]);
    expect(JSON.stringify([page, next])).not.toContain(BSN.anna);
    const accountant = await body(await consumer('boekhouder', '/mandates'));
    expect(accountant.results).toEqual([expect.objectContaining({ id: annaToAccountantOneCase, scope: 'case', case: expect.objectContaining({ id: annaB }) })]);
  });

  it('needs a portal client that names its organisation (403), and a portal role', async () => {
    expect((await consumer('portaal', '/mandates')).status).toBe(403);
    expect((await consumer('zac', '/mandates')).status).toBe(403);
    expect((await app.request('/api/v1/consumer/mandates')).status).toBe(401);
  });
});

describe('reading through a mandate', () => {
  it("reads the grantor's cases like /me does, with the gap named where a producer was not reached", async () => {
    const list = await body(await consumer('leesportaal', `/mandates/${annaToPortal}/cases`));
    expect(list.results.map((c: { id: string }) => c.id).sort()).toEqual([annaA, annaB].sort());
    const detail = await body(await consumer('leesportaal', `/mandates/${annaToPortal}/cases/${annaA}`));
    expect(detail.timeline.length).toBeGreaterThan(0);
    expect(detail.combinedStatus.gaps).toEqual([
      expect.objectContaining({ kind: 'unreachable', organisation: expect.objectContaining({ id: 'hulpmiddelen-bv' }) }),
    ]);
    const company = await body(await consumer('leesportaal', `/mandates/${hostelToPortal}/cases`));
    expect(company.results.map((c: { id: string }) => c.id)).toEqual([hostel]);
  });

  it('answers 404 outside a valid mandate: another organisation’s, another case, a case the customer may not see', async () => {
    expect((await consumer('boekhouder', `/mandates/${annaToPortal}/cases`)).status).toBe(404);
    expect((await consumer('boekhouder', `/mandates/${annaToAccountantOneCase}/cases/${annaA}`)).status).toBe(404);
    expect((await consumer('leesportaal', `/mandates/${annaToPortal}/cases/${annaSecret}`)).status).toBe(404);
    expect((await consumer('leesportaal', `/mandates/${annaToPortal}/cases/${bramOwn}`)).status).toBe(404);
    expect((await consumer('leesportaal', '/mandates/not-a-uuid/cases')).status).toBe(404);
    const one = await body(await consumer('boekhouder', `/mandates/${annaToAccountantOneCase}/cases`));
    expect(one.results.map((c: { id: string }) => c.id)).toEqual([annaB]);
  });

  it('writes an access-log row per read that the grantor sees, naming the organisation and the client', async () => {
    await body(await consumer('boekhouder', `/mandates/${annaToAccountantOneCase}/cases/${annaB}`));
    const log = await body(await app.request('/api/v1/me/access-log?pageSize=100', { headers: await as(BSN.anna) }));
    const entry = log.results.find((e: { role: string }) => e.role === 'organisation-proxy');
    expect(entry).toMatchObject({ actor: 'Boekhoudkantoor Telwerk (boekhouder)', purpose: 'organisation-proxy-view', case: { id: annaB } });
    const rows = await db.selectFrom('access_log').selectAll().where('actor_role', '=', 'organisation-proxy').where('actor', '=', 'boekhouder').execute();
    expect(rows.at(-1)).toMatchObject({ organisation: 'Boekhoudkantoor Telwerk', mandate_id: annaToAccountantOneCase, subject_bsn: BSN.anna });
  });

  it('stops at the next request once the grantor revokes, or the mandate expires', async () => {
    const temporary = await grant(await as(BSN.anna), { proxyOrganisation: { oin: '00000003123456789000' } });
    expect((await consumer('boekhouder', `/mandates/${temporary}/cases`)).status).toBe(200);
    expect((await app.request(`/api/v1/me/mandates/${temporary}`, { method: 'DELETE', headers: await as(BSN.anna) })).status).toBe(204);
    expect((await consumer('boekhouder', `/mandates/${temporary}/cases`)).status).toBe(404);
    expect((await consumer('boekhouder', `/mandates/${temporary}/events`)).status).toBe(404);

    const expiring = await grant(await as(BSN.anna), { proxyOrganisation: { oin: '00000003123456789000' } });
    await db
      .updateTable('mandates')
      .set({ valid_from: new Date(Date.now() - 7200_000), valid_until: new Date(Date.now() - 1000) })
      .where('id', '=', expiring)
      .execute();
    expect((await consumer('boekhouder', `/mandates/${expiring}/cases`)).status).toBe(404);
  });
});

describe('the event feed', () => {
  const events = (mandate: string, query = '') => consumer('leesportaal', `/mandates/${mandate}/events${query}`);
  const addEntry = (caseId: string, text: string, trx = db) =>
    trx
      .insertInto('timeline_entries')
      .values({ case_id: caseId, at: new Date(), organisation_id: 'gemeente-test', kind: 'message', phase: null, text, refs: [], citizen_visible: true })
      .execute();

  it("gives the customer's citizen-visible events in order with a cursor, and only new ones after it", async () => {
    const first = await body(await events(annaToPortal));
    expect(first.results.length).toBeGreaterThan(0);
    expect(first.results.every((e: { case: { id: string } }) => [annaA, annaB].includes(e.case.id))).toBe(true);
    expect(first.more).toBe(false);
    const again = await body(await events(annaToPortal, `?after=${first.cursor}`));
    expect(again).toMatchObject({ results: [], cursor: first.cursor, more: false });

    await addEntry(annaA, 'Uw traplift is besteld');
    await addEntry(bramOwn, 'Niet van Anna');
    await db
      .insertInto('timeline_entries')
      .values({ case_id: annaA, at: new Date(), organisation_id: 'gemeente-test', kind: 'note', phase: null, text: 'intern', refs: [], citizen_visible: false })
      .execute();
    const next = await body(await events(annaToPortal, `?after=${first.cursor}`));
    expect(next.results).toEqual([expect.objectContaining({ type: 'message', text: 'Uw traplift is besteld', case: expect.objectContaining({ id: annaA }) })]);
    expect(new URL(next.next).searchParams.get('after')).toBe(next.cursor);

    // Paging by limit walks the same sequence.
    const walked: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 20; i++) {
      const page = await body(await events(annaToPortal, `?limit=1${cursor ? `&after=${cursor}` : ''}`));
      walked.push(...page.results.map((e: { cursor: string }) => e.cursor));
      cursor = page.cursor;
      if (!page.more) break;
    }
    expect(walked).toEqual([...first.results, ...next.results].map((e: { cursor: string }) => e.cursor));
  });

  it('refuses a cursor it did not give and a limit out of range (400)', async () => {
    expect((await events(annaToPortal, '?after=bm90LWEtY3Vyc29y')).status).toBe(400);
    expect((await events(annaToPortal, '?limit=501')).status).toBe(400);
    expect((await events(annaToPortal, '?limit=0')).status).toBe(400);
  });

  it.skipIf(lane !== 'postgres')('never passes an event whose transaction commits after a later one (PostgreSQL: concurrent writers)', async () => {
    const start = await body(await events(annaToPortal));
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let written!: () => void;
    const inserted = new Promise<void>((r) => (written = r));
    // The earlier transaction takes its id first and commits last.
    const slow = gateway.database.db.transaction().execute(async (trx) => {
      await sql`select pg_current_xact_id()`.execute(trx);
      await addEntry(annaA, 'eerder begonnen', trx);
      written();
      await held;
    });
    await inserted;
    await addEntry(annaB, 'later begonnen, eerder klaar');
    const during = await body(await events(annaToPortal, `?after=${start.cursor}`));
    expect(during.results).toEqual([]); // held back: an earlier transaction is still open
    release();
    await slow;
    const after = await body(await events(annaToPortal, `?after=${start.cursor}`));
    expect(after.results.map((e: { text: string }) => e.text)).toEqual(['eerder begonnen', 'later begonnen, eerder klaar']);
  });
});
