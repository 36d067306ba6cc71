// /api/v1/me/groups: the customer's own overviews across cases. A person's groups are theirs alone,
// a company's are shared by its representatives (a branch login sees only what it may read of
// them); a case the customer may not read is refused with the same answer whether it exists or
// not; progress and latest event are computed over the readable cases; every read is logged.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { json } from '../../src/db/json.ts';
import { accessRows, BSN, seedCases, startCitizenGateway } from './helpers/citizen.ts';

const KVK = { hostel: '12345678', other: '23456789', big: '34567890', racing: '45678901' };
const BRANCH = { amsterdam: '000012345678', utrecht: '000087654321' };
const { app, db, as, asRepresentative } = await startCitizenGateway();

const [work, move, secret, bramOwn, hostel, amsterdam, utrecht, otherCompany] = await seedCases(db, [
  {
    bsn: BSN.anna,
    title: 'Personeel aannemen',
    orders: [
      { subcontractor: 'hulpmiddelen-bv', phase: 'afgerond' },
      { subcontractor: 'bouw-bv', product: 'aanpassing', phase: 'in_behandeling' },
    ],
  },
  { bsn: BSN.anna, title: 'Verhuizen', orders: [{ subcontractor: 'hulpmiddelen-bv', phase: 'afgerond' }] },
  { bsn: BSN.anna, title: 'Geheim', confidentiality: 'geheim' },
  { bsn: BSN.bram, title: 'Van Bram' },
  { kvk: KVK.hostel, title: 'Hostel algemeen' },
  { kvk: KVK.hostel, vestiging: BRANCH.amsterdam, title: 'Terras Amsterdam' },
  { kvk: KVK.hostel, vestiging: BRANCH.utrecht, title: 'Terras Utrecht' },
  { kvk: KVK.other, title: 'Ander bedrijf' },
]);

type Headers = Record<string, string>;
const send = (method: string, path: string, headers: Headers, body?: unknown) =>
  app.request(path, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const create = (headers: Headers, body: unknown) => send('POST', '/api/v1/me/groups', headers, body);
const createOk = async (headers: Headers, body: unknown) => {
  const res = await create(headers, body);
  expect(res.status).toBe(201);
  return res.json();
};
const caseIdsOf = (group: { cases: { id: string }[] }) => group.cases.map((c) => c.id);
const getGroup = async (id: string, headers: Headers) => send('GET', `/api/v1/me/groups/${id}`, headers);

/** A citizen-visible timeline entry at a chosen time. */
async function addEntry(caseId: string, at: Date, text: string, citizenVisible = true) {
  await db
    .insertInto('timeline_entries')
    .values({
      case_id: caseId,
      at,
      organisation_id: 'hulpmiddelen-bv',
      kind: 'message',
      phase: null,
      text,
      refs: json([]),
      citizen_visible: citizenVisible,
    })
    .execute();
}

describe('a person’s group', () => {
  it('is created with a trimmed name and its cases in the order given, each as /me/cases shows it', async () => {
    const anna = await as(BSN.anna);
    const res = await create(anna, { name: '  Werk en verhuizing  ', caseIds: [move, work] });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const group = await res.json();
    expect(res.headers.get('location')).toMatch(new RegExp(`/api/v1/me/groups/${group.id}$`));
    expect(group).toMatchObject({ name: 'Werk en verhuizing', createdAt: expect.any(String), updatedAt: expect.any(String) });
    expect(caseIdsOf(group)).toEqual([move, work]);
    const listed = (await (await send('GET', '/api/v1/me/cases', anna)).json()).results;
    expect(group.cases).toEqual([move, work].map((id) => listed.find((c: { id: string }) => c.id === id)));
    expect((await getGroup(group.id, anna)).status).toBe(200);
  });

  it('adds up the progress of all its cases’ parts and names the newest citizen-visible event with its case', async () => {
    const anna = await as(BSN.anna);
    const group = await createOk(anna, { name: 'Voortgang', caseIds: [work, move] });
    // work: 1 of 2 parts done; move: 1 of 1.
    expect(group.progress).toEqual({ done: 2, total: 3 });
    const base = Date.now() + 3_600_000;
    await addEntry(work, new Date(base), 'Sollicitatiegesprek gepland');
    await addEntry(move, new Date(base + 60_000), 'Verhuisdozen geleverd');
    await addEntry(work, new Date(base + 120_000), 'Interne notitie', false); // newer, but not for the citizen
    await addEntry(secret, new Date(base + 180_000), 'Geheim bericht'); // not in the group
    const read = await (await getGroup(group.id, anna)).json();
    const reference = read.cases.find((c: { id: string }) => c.id === move).reference;
    expect(read.latestEvent).toEqual({
      at: new Date(base + 60_000).toISOString(),
      organisation: { id: 'hulpmiddelen-bv', name: 'Hulpmiddelen B.V.' },
      partId: 'supplier',
      kind: 'message',
      phase: null,
      text: 'Verhuisdozen geleverd',
      references: [],
      case: { id: move, reference },
    });
    const empty = await createOk(anna, { name: 'Leeg', caseIds: [] });
    expect(empty).toMatchObject({ cases: [], progress: { done: 0, total: 0 }, latestEvent: null });
  });

  it('completes its progress when a case is cancelled: the case counts only the parts that were done', async () => {
    const anna = await as(BSN.anna);
    const [dropped] = await seedCases(db, [
      {
        bsn: BSN.anna,
        title: 'Afgeblazen',
        orders: [
          { subcontractor: 'hulpmiddelen-bv', phase: 'afgerond' },
          { subcontractor: 'bouw-bv', product: 'aanpassing', phase: 'in_behandeling' },
          { subcontractor: 'hulpmiddelen-bv', phase: 'ontvangen' },
        ],
      },
    ]);
    const group = await createOk(anna, { name: 'Afgeblazen en verhuizing', caseIds: [dropped, move] });
    expect(group.progress).toEqual({ done: 2, total: 4 });
    await db.updateTable('cases').set({ phase: 'geannuleerd', closed_at: new Date() }).where('id', '=', dropped).execute();
    const read = await (await getGroup(group.id, anna)).json();
    expect(read.cases.find((c: { id: string }) => c.id === dropped).combinedStatus).toMatchObject({ phase: 'geannuleerd', progress: { done: 1, total: 1 } });
    expect(read.progress).toEqual({ done: 2, total: 2 });
  });

  it('is listed newest first, paginated, and read, renamed, re-filled and deleted by its owner', async () => {
    const carla = await as(BSN.carla);
    const [mine] = await seedCases(db, [{ bsn: BSN.carla, title: 'Carla 1' }]);
    const [mine2] = await seedCases(db, [{ bsn: BSN.carla, title: 'Carla 2' }]);
    const first = await createOk(carla, { name: 'Eerste', caseIds: [mine] });
    const second = await createOk(carla, { name: 'Tweede' });
    const third = await createOk(carla, { name: 'Derde', caseIds: [mine2, mine] });
    const page1 = await (await send('GET', '/api/v1/me/groups?pageSize=2', carla)).json();
    expect(page1.count).toBe(3);
    expect(page1.results.map((g: { name: string }) => g.name)).toEqual(['Derde', 'Tweede']);
    const next = new URL(page1.next);
    const page2 = await (await send('GET', `${next.pathname}${next.search}`, carla)).json();
    expect(page2.results.map((g: { id: string }) => g.id)).toEqual([first.id]);
    expect(page2.next).toBeNull();

    const renamed = await send('PATCH', `/api/v1/me/groups/${second.id}`, carla, { name: 'Nieuwe naam' });
    expect(renamed.status).toBe(200);
    expect(await renamed.json()).toMatchObject({ id: second.id, name: 'Nieuwe naam', cases: [] });
    const refilled = await (await send('PATCH', `/api/v1/me/groups/${third.id}`, carla, { caseIds: [mine] })).json();
    expect(refilled).toMatchObject({ name: 'Derde' });
    expect(caseIdsOf(refilled)).toEqual([mine]);
    const both = await (await send('PATCH', `/api/v1/me/groups/${third.id}`, carla, { name: 'Beide', caseIds: [mine, mine2] })).json();
    expect(both.name).toBe('Beide');
    expect(caseIdsOf(both)).toEqual([mine, mine2]);
    expect(new Date(both.updatedAt) >= new Date(both.createdAt)).toBe(true);

    expect((await send('DELETE', `/api/v1/me/groups/${third.id}`, carla)).status).toBe(204);
    expect((await getGroup(third.id, carla)).status).toBe(404);
    expect((await send('DELETE', `/api/v1/me/groups/${third.id}`, carla)).status).toBe(404);
    // The cases themselves are untouched.
    expect((await send('GET', `/api/v1/me/cases/${mine}`, carla)).status).toBe(200);
  });

  it('is invisible to another person and to a company: 404 for every verb, absent from their lists', async () => {
    const group = await createOk(await as(BSN.anna), { name: 'Privé', caseIds: [work] });
    for (const stranger of [await as(BSN.bram), await asRepresentative(KVK.hostel, { name: 'Sanne' })]) {
      expect((await getGroup(group.id, stranger)).status).toBe(404);
      expect((await send('PATCH', `/api/v1/me/groups/${group.id}`, stranger, { name: 'Van mij' })).status).toBe(404);
      expect((await send('DELETE', `/api/v1/me/groups/${group.id}`, stranger)).status).toBe(404);
      const list = await (await send('GET', '/api/v1/me/groups?pageSize=100', stranger)).text();
      expect(list).not.toContain(group.id);
      expect(list).not.toContain('Privé');
    }
    const still = await (await getGroup(group.id, await as(BSN.anna))).json();
    expect(still.name).toBe('Privé');
  });
});

describe('a case the customer may not read', () => {
  it('answers 422 naming the position, the same whether the case is someone else’s, too confidential, a company’s or does not exist', async () => {
    const anna = await as(BSN.anna);
    const answers = [];
    for (const foreign of [bramOwn, secret, hostel, randomUUID()]) {
      const res = await create(anna, { name: 'Poging', caseIds: [work, foreign] });
      expect(res.status).toBe(422);
      const problem = await res.json();
      answers.push({ detail: problem.detail, invalidParams: problem.invalidParams });
      const patch = await send('PATCH', `/api/v1/me/groups/${(await createOk(anna, { name: 'Doel' })).id}`, anna, { caseIds: [foreign] });
      expect(patch.status).toBe(422);
      expect((await patch.json()).invalidParams).toEqual([{ name: 'caseIds[0]', code: 'unknown-case', reason: 'is not one of your cases' }]);
    }
    expect(answers[0].invalidParams).toEqual([{ name: 'caseIds[1]', code: 'unknown-case', reason: 'is not one of your cases' }]);
    for (const a of answers) expect(a).toEqual(answers[0]);
    const names = (await db.selectFrom('case_groups').select('name').execute()).map((g) => g.name);
    expect(names).not.toContain('Poging');
  });

  it('drops out of the group’s view when it becomes unreadable, and comes back; a deleted case leaves the group', async () => {
    const anna = await as(BSN.anna);
    const [later, gone] = await seedCases(db, [
      { bsn: BSN.anna, title: 'Wordt geheim', orders: [{ subcontractor: 'hulpmiddelen-bv', phase: 'in_behandeling' }] },
      { bsn: BSN.anna, title: 'Wordt verwijderd' },
    ]);
    const group = await createOk(anna, { name: 'Veranderlijk', caseIds: [work, later, gone] });
    await addEntry(later, new Date(Date.now() + 7_200_000), 'Nieuwste, straks geheim');
    expect((await (await getGroup(group.id, anna)).json()).latestEvent.text).toBe('Nieuwste, straks geheim');
    await db.updateTable('cases').set({ confidentiality: 'geheim' }).where('id', '=', later).execute();
    const hidden = await (await getGroup(group.id, anna)).json();
    expect(caseIdsOf(hidden)).toEqual([work, gone]);
    expect(hidden.progress).toEqual({ done: 1, total: 2 });
    expect(JSON.stringify(hidden)).not.toContain('straks geheim');
    expect(await db.selectFrom('case_group_cases').select('case_id').where('group_id', '=', group.id).where('case_id', '=', later).execute()).toHaveLength(1);
    await db.updateTable('cases').set({ confidentiality: 'zaakvertrouwelijk' }).where('id', '=', later).execute();
    expect(caseIdsOf(await (await getGroup(group.id, anna)).json())).toEqual([work, later, gone]);
    await db.deleteFrom('timeline_entries').where('case_id', '=', gone).execute();
    await db.deleteFrom('cases').where('id', '=', gone).execute();
    expect(caseIdsOf(await (await getGroup(group.id, anna)).json())).toEqual([work, later]);
  });
});

describe('a company’s group', () => {
  it('is shared by all its representatives and private to the company', async () => {
    const sanne = await asRepresentative(KVK.hostel, { name: 'Sanne de Vries', sub: 'eh-sanne' });
    const piet = await asRepresentative(KVK.hostel, { sub: 'eh-piet-0042' });
    const group = await createOk(sanne, { name: 'Personeel', caseIds: [hostel, amsterdam, utrecht] });
    const seen = await (await getGroup(group.id, piet)).json();
    expect(caseIdsOf(seen)).toEqual([hostel, amsterdam, utrecht]);
    const listed = await (await send('GET', '/api/v1/me/groups?pageSize=100', piet)).json();
    expect(listed.results.map((g: { id: string }) => g.id)).toContain(group.id);
    expect((await send('PATCH', `/api/v1/me/groups/${group.id}`, piet, { name: 'Personeel werven' })).status).toBe(200);
    expect((await (await getGroup(group.id, sanne)).json()).name).toBe('Personeel werven');
    for (const stranger of [await asRepresentative(KVK.other, { name: 'Vreemde' }), await as(BSN.anna)]) {
      expect((await getGroup(group.id, stranger)).status).toBe(404);
    }
    // A company cannot put a person's case or another company's in its group.
    expect((await create(sanne, { name: 'Poging', caseIds: [work] })).status).toBe(422);
    expect((await create(sanne, { name: 'Poging', caseIds: [otherCompany] })).status).toBe(422);
  });

  it('shows a branch login only what it may read, and a change by that login keeps the cases it cannot see', async () => {
    const sanne = await asRepresentative(KVK.hostel, { name: 'Sanne' });
    const ali = await asRepresentative(KVK.hostel, { name: 'Ali', vestiging: BRANCH.amsterdam });
    const group = await createOk(sanne, { name: 'Terrassen', caseIds: [utrecht, hostel, amsterdam] });
    const asAli = await (await getGroup(group.id, ali)).json();
    expect(caseIdsOf(asAli)).toEqual([hostel, amsterdam]);
    expect(JSON.stringify(asAli)).not.toContain(utrecht);
    expect(JSON.stringify(await (await send('GET', '/api/v1/me/groups?pageSize=100', ali)).json())).not.toContain(utrecht);
    // Ali cannot add the other branch's case (same answer as a case that does not exist) …
    const refused = await send('PATCH', `/api/v1/me/groups/${group.id}`, ali, { caseIds: [utrecht] });
    expect(refused.status).toBe(422);
    expect((await refused.json()).invalidParams).toEqual([{ name: 'caseIds[0]', code: 'unknown-case', reason: 'is not one of your cases' }]);
    // … and replacing the cases Ali sees leaves Utrecht's in the group.
    const changed = await (await send('PATCH', `/api/v1/me/groups/${group.id}`, ali, { caseIds: [amsterdam] })).json();
    expect(caseIdsOf(changed)).toEqual([amsterdam]);
    expect(caseIdsOf(await (await getGroup(group.id, sanne)).json())).toEqual([amsterdam, utrecht]);
  });
});

describe('limits', () => {
  it('at most 100 groups per owner: the 101st is 422', async () => {
    const dirk = await as(BSN.dirk);
    await db
      .insertInto('case_groups')
      .values(Array.from({ length: 99 }, (_, i) => ({ id: randomUUID(), owner_bsn: BSN.dirk, owner_kvk: null, name: `G${i}` })))
      .execute();
    expect((await create(dirk, { name: 'Honderdste' })).status).toBe(201);
    const over = await create(dirk, { name: 'Te veel' });
    expect(over.status).toBe(422);
    expect((await over.json()).detail).toMatch(/100/);
    // Creates at once cannot pass the limit together.
    const racers = await asRepresentative(KVK.racing, { name: 'Snel' });
    await db
      .insertInto('case_groups')
      .values(Array.from({ length: 97 }, (_, i) => ({ id: randomUUID(), owner_bsn: null, owner_kvk: KVK.racing, name: `R${i}` })))
      .execute();
    const statuses = (await Promise.all(Array.from({ length: 8 }, (_, i) => create(racers, { name: `Tegelijk ${i}` })))).map((r) => r.status).sort();
    expect(statuses).toEqual([201, 201, 201, 422, 422, 422, 422, 422]);
    expect(await db.selectFrom('case_groups').select('id').where('owner_kvk', '=', KVK.racing).execute()).toHaveLength(100);
    // A company's limit is the company's, not a representative's.
    expect((await create(await asRepresentative(KVK.other, { name: 'Een' }), { name: 'Eigen' })).status).toBe(201);
  });

  it('at most 200 cases in a group: 201 is 400; with cases a branch login cannot see, 422', async () => {
    const big = await seedCases(
      db,
      Array.from({ length: 201 }, (_, i) => ({ kvk: KVK.big, title: `Zaak ${i}`, ...(i === 200 ? { vestiging: BRANCH.utrecht } : {}) })),
    );
    const boss = await asRepresentative(KVK.big, { name: 'Directie' });
    const tooMany = await create(boss, { name: 'Alles', caseIds: big });
    expect(tooMany.status).toBe(400);
    expect((await tooMany.json()).invalidParams[0].name).toBe('caseIds');
    const full = await createOk(boss, { name: 'Vol', caseIds: [big[200], ...big.slice(0, 199)] });
    expect(full.cases).toHaveLength(200);
    expect((await send('PATCH', `/api/v1/me/groups/${full.id}`, boss, { caseIds: big })).status).toBe(400);
    // Amsterdam cannot see the Utrecht case: its 200 would make 201 members.
    const branch = await asRepresentative(KVK.big, { name: 'Filiaal', vestiging: BRANCH.amsterdam });
    const over = await send('PATCH', `/api/v1/me/groups/${full.id}`, branch, { caseIds: big.slice(0, 200) });
    expect(over.status).toBe(422);
    expect((await over.json()).invalidParams).toEqual([expect.objectContaining({ name: 'caseIds', code: 'too-many-cases' })]);
    expect((await send('PATCH', `/api/v1/me/groups/${full.id}`, branch, { caseIds: big.slice(0, 199) })).status).toBe(200);
  });
});

describe('input', () => {
  it('is checked: name 1–100 characters, not blank; caseIds UUIDs, unique; nothing unknown', async () => {
    const anna = await as(BSN.anna);
    const bad: unknown[] = [
      {},
      { name: '' },
      { name: '   ' },
      { name: 'x'.repeat(101) },
      { name: 42 },
      { name: 'Dubbel', caseIds: [work, work] },
      { name: 'Dubbel', caseIds: [work, work.toUpperCase()] },
      { name: 'Geen uuid', caseIds: ['abc'] },
      { name: 'Extra', colour: 'red' },
      [],
    ];
    for (const body of bad) expect((await create(anna, body)).status, JSON.stringify(body)).toBe(400);
    expect((await create(anna, { name: 'x'.repeat(100) })).status).toBe(201);
    const group = await createOk(anna, { name: 'Te wijzigen' });
    expect((await send('PATCH', `/api/v1/me/groups/${group.id}`, anna, {})).status).toBe(400);
    expect((await send('PATCH', `/api/v1/me/groups/${group.id}`, anna, { name: '' })).status).toBe(400);
    expect((await send('GET', '/api/v1/me/groups/not-a-uuid', anna)).status).toBe(404);
    expect((await send('GET', '/api/v1/me/groups?pageSize=101', anna)).status).toBe(400);
    expect((await send('GET', '/api/v1/me/groups?onBehalfOf=123456782', anna)).status).toBe(400);
    expect((await app.request('/api/v1/me/groups', { method: 'POST', headers: { ...anna, 'content-type': 'text/plain' }, body: '{}' })).status).toBe(415);
    expect((await app.request('/api/v1/me/groups')).status).toBe(401);
  });
});

describe('the access log', () => {
  it('has a row for every case a group read shows, once per read, and none for cases it hides', async () => {
    const anna = await as(BSN.anna);
    const one = await createOk(anna, { name: 'Log 1', caseIds: [work, move] });
    await createOk(anna, { name: 'Log 2', caseIds: [move] });
    const before = (await accessRows(db)).length;
    const read = await send('GET', `/api/v1/me/groups/${one.id}`, { ...anna, 'x-request-id': 'req-groups-1' });
    expect(read.status).toBe(200);
    const rows = (await accessRows(db)).slice(before);
    expect(rows.map((r) => r.case_id).sort()).toEqual([work, move].sort());
    for (const r of rows) expect(r).toMatchObject({ actor_role: 'citizen', actor: 'self', purpose: 'citizen-view', subject_bsn: BSN.anna, mandate_id: null });

    // The list shows `move` in two groups: one row for it.
    const mark = (await accessRows(db)).length;
    const list = await (await send('GET', '/api/v1/me/groups?pageSize=100', anna)).json();
    const shown = new Set<string>(list.results.flatMap((g: { cases: { id: string }[] }) => caseIdsOf(g)));
    const listRows = (await accessRows(db)).slice(mark);
    expect(listRows.map((r) => r.case_id).sort()).toEqual([...shown].sort());
  });

  it('names the representative for a company’s group read; a branch login’s read logs only what it showed', async () => {
    const sanne = await asRepresentative(KVK.hostel, { name: 'Sanne de Vries' });
    const group = await createOk(sanne, { name: 'Gelogd', caseIds: [hostel, utrecht] });
    const before = (await accessRows(db)).length;
    await getGroup(group.id, await asRepresentative(KVK.hostel, { name: 'Ali', vestiging: BRANCH.amsterdam }));
    const rows = (await accessRows(db)).slice(before);
    expect(rows).toEqual([
      expect.objectContaining({ case_id: hostel, actor_role: 'representative', actor: 'Ali', subject_kvk: KVK.hostel, purpose: 'company-view' }),
    ]);
  });

  it('is written in the same statement as the read: a read whose row cannot be written fails and shows nothing', async () => {
    const anna = await as(BSN.anna);
    const group = await createOk(anna, { name: 'Zonder log', caseIds: [work] });
    await sql`alter table access_log add constraint no_more_rows check (false) not valid`.execute(db);
    try {
      const res = await getGroup(group.id, anna);
      expect(res.status).toBe(500);
      expect(await res.text()).not.toContain('Personeel aannemen');
    } finally {
      await sql`alter table access_log drop constraint no_more_rows`.execute(db);
    }
  });
});
