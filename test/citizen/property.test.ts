// The security property of the citizen API: no response ever reveals a case the caller may not
// read. fast-check generates 2,000 worlds (numRuns below; each world has 1–4 requests, so well
// over 2,000 requests): people and companies (some cases registered for one of two branches),
// cases of every confidentiality, open and closed, each with a citizen-visible event; mandates
// given by a person or a company to a person or an organisation (by OIN, or by the KvK number of
// one of the world's companies), active, expired, not yet valid or revoked, some naming a case the
// grantor does not own; the customers' own groups, whose members may be anyone's cases (as if the
// case had become unreadable since). Requests come from people and from company representatives
// (with or without a branch): case lists with filters and pagination, a case, the groups and a
// group, with onBehalfOf (a BSN or KvK number) or a mandate id (the page's handle) that may not be
// the caller's; and from the two organisations that read for customers (the consumer API: their
// mandates, a mandate's cases, a case, the events), naming any mandate of the world. Each world is inserted in bulk into this file's one database (emptied between
// worlds) and asked through the real HTTP surface; the answer is compared with a model of the rules.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidBsn } from '../../src/cases/identifiers.ts';
import { CONFIDENTIALITY } from '../../src/cases/phases.ts';
import { json } from '../../src/db/json.ts';
import { authHeader, READ_PROXIES } from '../helpers/gateway.ts';
import { startCitizenGateway } from './helpers/citizen.ts';

const WORLDS = 2000;
const MAX_LEVEL = CONFIDENTIALITY.indexOf('zaakvertrouwelijk');
const CITIZENS: string[] = [];
for (let n = 200_000_000; CITIZENS.length < 5; n += 7919) if (isValidBsn(String(n))) CITIZENS.push(String(n));
const COMPANIES = ['12345678', '23456789'];
const BRANCHES = ['000012345678', '000087654321'];
const OIN = READ_PROXIES.boekhouder.oin;
const PORTAL_KVK = READ_PROXIES.leesportaal.kvk;
type ConsumerClient = keyof typeof READ_PROXIES;

const { app, db, issuer } = await startCitizenGateway();
const exp = Math.floor(Date.now() / 1000) + 3600;

/** A person, or a company (for a viewer: a representative, perhaps of one branch; for a case: registered for one, perhaps). */
type Party = { person: number } | { company: number; branch: number | null };
const partyKey = (p: Party) => ('person' in p ? `p${p.person}` : `c${p.company}${p.branch === null ? '' : `b${p.branch}`}`);

const VIEWERS: Party[] = [
  ...CITIZENS.map((_, person) => ({ person })),
  ...COMPANIES.flatMap((_, company) => [null, 0, 1].map((branch) => ({ company, branch }))),
];
const tokens = new Map<string, string>(
  await Promise.all(
    VIEWERS.map(async (v): Promise<[string, string]> => {
      if ('person' in v) return [partyKey(v), await issuer.token(CITIZENS[v.person], { claims: { exp } })];
      const claims = { kvk: COMPANIES[v.company], sub: `rep-${partyKey(v)}`, name: `Vertegenwoordiger ${partyKey(v)}`, exp };
      return [partyKey(v), await issuer.token(undefined, { claims: v.branch === null ? claims : { ...claims, vestiging: BRANCHES[v.branch] } })];
    }),
  ),
);

type Validity = 'active' | 'expired' | 'future' | 'revoked';
type Customer = { bsn: string } | { kvk: string; vestiging?: string };
interface WorldCase {
  owner: Party;
  level: number;
  closed: boolean;
}
interface WorldMandate {
  grantor: { person: number } | { company: number };
  proxy: { person: number } | { oin: true } | { kvkOf: number } | { portal: true };
  caseIndex: number | null;
  validity: Validity;
}
interface WorldGroup {
  owner: { person: number } | { company: number };
  members: number[];
}
interface WorldRequest {
  viewer: Party;
  onBehalfOf: { person: number } | { company: number } | null;
  viaMandate: number | null;
  kind: 'list' | 'detail' | 'groups' | 'group' | 'consumer-mandates' | 'consumer-cases' | 'consumer-case' | 'consumer-events';
  consumer: ConsumerClient;
  state?: 'open' | 'closed';
  page: number;
  pageSize: number;
  caseIndex: number;
  groupIndex: number;
}

const person = fc.integer({ min: 0, max: CITIZENS.length - 1 }).map((p) => ({ person: p }));
const company = fc.integer({ min: 0, max: COMPANIES.length - 1 }).map((c) => ({ company: c }));
const branchOf = fc.option(fc.integer({ min: 0, max: BRANCHES.length - 1 }), { nil: null });
const party: fc.Arbitrary<Party> = fc.oneof(
  { weight: 3, arbitrary: person },
  { weight: 2, arbitrary: fc.record({ company: fc.integer({ min: 0, max: COMPANIES.length - 1 }), branch: branchOf }) },
);
const customer = fc.oneof({ weight: 3, arbitrary: person }, { weight: 2, arbitrary: company });
const world = fc.record({
  cases: fc.array(fc.record({ owner: party, level: fc.integer({ min: 0, max: CONFIDENTIALITY.length - 1 }), closed: fc.boolean() }), { maxLength: 7 }),
  mandates: fc.array(
    fc.record({
      grantor: customer,
      proxy: fc.oneof(
        { weight: 3, arbitrary: person },
        { weight: 1, arbitrary: fc.constant({ oin: true as const }) },
        { weight: 1, arbitrary: fc.integer({ min: 0, max: COMPANIES.length - 1 }).map((c) => ({ kvkOf: c })) },
        { weight: 1, arbitrary: fc.constant({ portal: true as const }) },
      ),
      caseIndex: fc.option(fc.nat(7), { nil: null }),
      validity: fc.constantFrom<Validity>('active', 'active', 'expired', 'future', 'revoked'),
    }),
    { maxLength: 4 },
  ),
  groups: fc.array(fc.record({ owner: customer, members: fc.uniqueArray(fc.nat(7), { maxLength: 5 }) }), { maxLength: 4 }),
  requests: fc.array(
    fc.record({
      viewer: party,
      onBehalfOf: fc.option(customer, { nil: null, freq: 2 }),
      viaMandate: fc.option(fc.nat(3), { nil: null, freq: 4 }),
      kind: fc.constantFrom<WorldRequest['kind']>(
        'list',
        'detail',
        'groups',
        'group',
        'consumer-mandates',
        'consumer-cases',
        'consumer-case',
        'consumer-events',
      ),
      consumer: fc.constantFrom<ConsumerClient>('leesportaal', 'boekhouder'),
      state: fc.constantFrom<'open' | 'closed' | undefined>(undefined, 'open', 'closed'),
      page: fc.integer({ min: 1, max: 3 }),
      pageSize: fc.integer({ min: 1, max: 4 }),
      caseIndex: fc.nat(8),
      groupIndex: fc.nat(4),
    }),
    { minLength: 1, maxLength: 4 },
  ),
});

const HOUR = 3_600_000;
function window(validity: Validity, now: number) {
  if (validity === 'expired') return { valid_from: new Date(now - 2 * HOUR), valid_until: new Date(now - HOUR), revoked_at: null };
  if (validity === 'future') return { valid_from: new Date(now + HOUR), valid_until: new Date(now + 2 * HOUR), revoked_at: null };
  return { valid_from: new Date(now - HOUR), valid_until: new Date(now + HOUR), revoked_at: validity === 'revoked' ? new Date(now - 60_000) : null };
}

async function insertWorld(w: { cases: WorldCase[]; mandates: WorldMandate[]; groups: WorldGroup[] }) {
  const now = Date.now();
  const cases = w.cases.map((c, i) => ({
    id: randomUUID(),
    reference: `PW-${randomUUID()}`,
    title: `Titel-${randomUUID()}`,
    citizen_bsn: 'person' in c.owner ? CITIZENS[c.owner.person] : null,
    citizen_kvk: 'company' in c.owner ? COMPANIES[c.owner.company] : null,
    citizen_vestiging: 'company' in c.owner && c.owner.branch !== null ? BRANCHES[c.owner.branch] : null,
    confidentiality: CONFIDENTIALITY[c.level],
    product: null,
    planned_end_date: null,
    deadline: null,
    phase: c.closed ? 'afgerond' : 'in_behandeling',
    phase_text: null,
    closed_at: c.closed ? new Date(now) : null,
    combined_status: json({}) as never,
    created_by: 'zac',
    created_at: new Date(now),
    updated_at: new Date(now - i * 1000),
  }));
  // Each case's one event: its text must never reach someone who may not read the case (a group's latest event).
  const events = cases.map((c, i) => ({
    case_id: c.id,
    at: new Date(now - i * 1000),
    organisation_id: 'gemeente-test',
    kind: 'message',
    phase: null,
    text: `Gebeurtenis-${randomUUID()}`,
    refs: json([]),
    citizen_visible: true,
  }));
  const mandates = w.mandates
    .filter((m) => !('person' in m.grantor && 'person' in m.proxy && m.grantor.person === m.proxy.person))
    .filter((m) => !('company' in m.grantor && 'kvkOf' in m.proxy && m.grantor.company === m.proxy.kvkOf))
    .map((m) => ({
      id: randomUUID(),
      grantor_bsn: 'person' in m.grantor ? CITIZENS[m.grantor.person] : null,
      grantor_kvk: 'company' in m.grantor ? COMPANIES[m.grantor.company] : null,
      proxy_bsn: 'person' in m.proxy ? CITIZENS[m.proxy.person] : null,
      proxy_oin: 'oin' in m.proxy ? OIN : null,
      proxy_kvk: 'kvkOf' in m.proxy ? COMPANIES[m.proxy.kvkOf] : 'portal' in m.proxy ? PORTAL_KVK : null,
      proxy_name: null,
      case_id: m.caseIndex !== null && m.caseIndex < cases.length ? cases[m.caseIndex].id : null,
      ...window(m.validity, now),
    }));
  // Newest first is the world's order; members are any cases, readable by the owner or not.
  const groups = w.groups.map((g, i) => ({
    id: randomUUID(),
    owner_bsn: 'person' in g.owner ? CITIZENS[g.owner.person] : null,
    owner_kvk: 'company' in g.owner ? COMPANIES[g.owner.company] : null,
    name: `Groep-${randomUUID()}`,
    created_at: new Date(now - i * 1000),
    members: g.members.filter((m) => m < cases.length).map((m) => cases[m].id),
  }));
  const members = groups.flatMap((g) => g.members.map((caseId, position) => ({ group_id: g.id, case_id: caseId, position })));
  // One transaction per world: the previous world goes, this one comes, with one commit.
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('access_log').execute();
    await trx.deleteFrom('mandates').execute();
    await trx.deleteFrom('case_groups').execute();
    // The cases' events first: one statement instead of a cascade per case.
    await trx.deleteFrom('timeline_entries').execute();
    await trx.deleteFrom('cases').execute();
    if (cases.length > 0) await trx.insertInto('cases').values(cases).execute();
    if (events.length > 0) await trx.insertInto('timeline_entries').values(events).execute();
    if (mandates.length > 0) await trx.insertInto('mandates').values(mandates).execute();
    if (groups.length > 0)
      await trx
        .insertInto('case_groups')
        .values(groups.map(({ members: _, ...g }) => g))
        .execute();
    if (members.length > 0) await trx.insertInto('case_group_cases').values(members).execute();
  });
  return { cases, events, mandates, groups };
}
type Inserted = Awaited<ReturnType<typeof insertWorld>>;
type InsertedCase = Inserted['cases'][number];

const customerOf = (v: Party): Customer =>
  'person' in v
    ? { bsn: CITIZENS[v.person] }
    : v.branch === null
      ? { kvk: COMPANIES[v.company] }
      : { kvk: COMPANIES[v.company], vestiging: BRANCHES[v.branch] };
const sameCustomer = (a: Customer, b: Customer) => ('bsn' in a ? 'bsn' in b && a.bsn === b.bsn : 'kvk' in b && a.kvk === b.kvk);
/** ownsCase: a person's own cases; a company's, for a branch login only that branch's and the company-wide ones. */
function owns(c: Customer, k: InsertedCase): boolean {
  if ('bsn' in c) return k.citizen_bsn === c.bsn;
  return k.citizen_kvk === c.kvk && (!c.vestiging || k.citizen_vestiging === null || k.citizen_vestiging === c.vestiging);
}
const readableBy = (inserted: Inserted, w: { cases: WorldCase[] }, c: Customer) => inserted.cases.filter((k, i) => owns(c, k) && w.cases[i].level <= MAX_LEVEL);

/** The rules, as a model: what may the viewer read through /me/cases? */
function caseModel(inserted: Inserted, w: { cases: WorldCase[] }, r: WorldRequest) {
  const own = customerOf(r.viewer);
  const forbidden = { forbidden: true, readable: [] as InsertedCase[], proxy: true };
  const handle = viaMandate(inserted, r);
  let subject: Customer = own;
  if (handle !== undefined) {
    // Only a person holds mandates on /me, and only their own.
    if (!('bsn' in own) || handle === null || handle.proxy_bsn !== own.bsn) return forbidden;
    subject = handle.grantor_bsn ? { bsn: handle.grantor_bsn } : { kvk: handle.grantor_kvk! };
  } else if (r.onBehalfOf !== null) {
    subject = 'person' in r.onBehalfOf ? { bsn: CITIZENS[r.onBehalfOf.person] } : { kvk: COMPANIES[r.onBehalfOf.company] };
  }
  if (sameCustomer(subject, own)) return { forbidden: false, readable: readableBy(inserted, w, own), proxy: false };
  if (!('bsn' in own)) return forbidden;
  const viewer = own.bsn;
  const valid = inserted.mandates.filter(
    (m) =>
      ('bsn' in subject ? m.grantor_bsn === subject.bsn : m.grantor_kvk === subject.kvk) &&
      m.proxy_bsn === viewer &&
      m.revoked_at === null &&
      m.valid_from.getTime() <= Date.now() &&
      m.valid_until.getTime() > Date.now(),
  );
  const readable = readableBy(inserted, w, subject).filter((c) => valid.some((m) => m.case_id === null || m.case_id === c.id));
  return { forbidden: valid.length === 0, readable, proxy: true };
}

/** The groups model: the viewer's (person's or company's) groups, each with the members the viewer may read. */
function groupModel(inserted: Inserted, w: { cases: WorldCase[] }, r: WorldRequest) {
  const own = customerOf(r.viewer);
  const readable = new Set(readableBy(inserted, w, own).map((c) => c.id));
  const mine = inserted.groups.filter((g) => ('bsn' in own ? g.owner_bsn === own.bsn : g.owner_kvk === own.kvk));
  return { readable, mine, shown: (g: Inserted['groups'][number]) => g.members.filter((id) => readable.has(id)) };
}

/** The consumer API's model: the mandates the client's organisation holds, and what the named one lets it read. */
function consumerModel(inserted: Inserted, w: { cases: WorldCase[] }, r: WorldRequest) {
  const org: { oin?: string; kvk?: string } = READ_PROXIES[r.consumer];
  const now = Date.now();
  const holds = (m: Inserted['mandates'][number]) => (org.oin !== undefined && m.proxy_oin === org.oin) || (org.kvk !== undefined && m.proxy_kvk === org.kvk);
  const current = inserted.mandates.filter((m) => holds(m) && m.revoked_at === null && m.valid_until.getTime() > now);
  const named = inserted.mandates[r.viaMandate ?? 0];
  const valid = named !== undefined && holds(named) && named.revoked_at === null && named.valid_from.getTime() <= now && named.valid_until.getTime() > now;
  const grantor: Customer | undefined = named && (named.grantor_bsn ? { bsn: named.grantor_bsn } : { kvk: named.grantor_kvk! });
  const readable = valid ? readableBy(inserted, w, grantor!).filter((c) => named.case_id === null || named.case_id === c.id) : [];
  return { current, valid, readable, mandateId: named?.id ?? randomUUID() };
}

/** A request naming a mandate (as the page does) instead of a BSN; null: the handle names no mandate. */
function viaMandate(inserted: Inserted, r: WorldRequest) {
  if (r.viaMandate === null) return undefined;
  return inserted.mandates[r.viaMandate] ?? null;
}

async function askConsumer(r: WorldRequest, mandateId: string, caseId: string) {
  const base = `/api/v1/consumer/mandates`;
  const path =
    r.kind === 'consumer-mandates'
      ? `${base}?pageSize=100`
      : r.kind === 'consumer-cases'
        ? `${base}/${mandateId}/cases?pageSize=100`
        : r.kind === 'consumer-case'
          ? `${base}/${mandateId}/cases/${caseId}`
          : `${base}/${mandateId}/events`;
  const res = await app.request(path, { headers: authHeader(r.consumer) });
  return { status: res.status, text: await res.text(), requestId: res.headers.get('x-request-id')! };
}

/** Checks a consumer answer against the model; returns the cases it read. */
function checkConsumer(r: WorldRequest, target: string, answer: Answer, model: ReturnType<typeof consumerModel>) {
  const { status, text } = answer;
  if (r.kind === 'consumer-mandates') {
    expect(status).toBe(200);
    const body = JSON.parse(text) as { count: number; results: { id: string }[] };
    expect(body.results.map((m) => m.id).sort()).toEqual(model.current.map((m) => m.id).sort());
    expect(body.count).toBe(model.current.length);
    return [];
  }
  if (!model.valid) {
    expect(status).toBe(404);
    return [];
  }
  if (r.kind === 'consumer-case') {
    const allowed = model.readable.some((c) => c.id === target);
    expect(status).toBe(allowed ? 200 : 404);
    return allowed ? [target] : [];
  }
  expect(status).toBe(200);
  const body = JSON.parse(text) as { results: { id?: string; case?: { id: string } }[] };
  const ids = body.results.map((x) => (r.kind === 'consumer-events' ? x.case!.id : x.id!));
  expect([...new Set(ids)].sort()).toEqual(model.readable.map((c) => c.id).sort());
  return [...new Set(ids)];
}

async function ask(r: WorldRequest, inserted: Inserted, caseId: string, groupId: string) {
  const query = new URLSearchParams();
  let path: string;
  if (r.kind === 'groups' || r.kind === 'group') {
    path = r.kind === 'groups' ? '/api/v1/me/groups' : `/api/v1/me/groups/${groupId}`;
  } else {
    const mandate = viaMandate(inserted, r);
    if (mandate !== undefined) query.set('mandate', mandate?.id ?? randomUUID());
    else if (r.onBehalfOf !== null) query.set('onBehalfOf', 'person' in r.onBehalfOf ? CITIZENS[r.onBehalfOf.person] : COMPANIES[r.onBehalfOf.company]);
    path = r.kind === 'list' ? '/api/v1/me/cases' : `/api/v1/me/cases/${caseId}`;
  }
  if (r.kind === 'list' || r.kind === 'groups') {
    if (r.state && r.kind === 'list') query.set('state', r.state);
    query.set('page', String(r.page));
    query.set('pageSize', String(r.pageSize));
  }
  const res = await app.request(`${path}?${query}`, { headers: { authorization: `Bearer ${tokens.get(partyKey(r.viewer))}` } });
  return { status: res.status, text: await res.text(), requestId: res.headers.get('x-request-id')! };
}

type Answer = { status: number; text: string };

/** Checks a /me/cases answer against the model; returns the cases it read and the role it read in. */
function checkCases(r: WorldRequest, target: string, answer: Answer, model: ReturnType<typeof caseModel>) {
  const { status, text } = answer;
  if (model.forbidden) {
    expect(status).toBe(403);
    return [];
  }
  if (r.kind === 'detail') {
    const allowed = model.readable.some((c) => c.id === target);
    expect(status).toBe(allowed ? 200 : 404);
    if (status === 200) expect(JSON.parse(text).id).toBe(target);
    return status === 200 ? [target] : [];
  }
  expect(status).toBe(200);
  const body = JSON.parse(text) as { count: number; next: string | null; results: { id: string }[] };
  const filtered = model.readable.filter((c) => r.state === undefined || (r.state === 'open') === (c.closed_at === null));
  const offset = (r.page - 1) * r.pageSize;
  expect(body.count).toBe(filtered.length);
  expect(body.results.map((c) => c.id)).toEqual(filtered.slice(offset, offset + r.pageSize).map((c) => c.id));
  expect(body.next !== null).toBe(offset + body.results.length < filtered.length);
  return body.results.map((c) => c.id);
}

/** Checks a /me/groups answer against the model; returns the cases it read. */
function checkGroups(r: WorldRequest, groupId: string, answer: Answer, model: ReturnType<typeof groupModel>) {
  const { status, text } = answer;
  type Body = { id: string; cases: { id: string }[] };
  if (r.kind === 'group') {
    const group = model.mine.find((g) => g.id === groupId);
    expect(status).toBe(group ? 200 : 404);
    if (!group) return [];
    const body = JSON.parse(text) as Body;
    expect(body.cases.map((c) => c.id)).toEqual(model.shown(group));
    return body.cases.map((c) => c.id);
  }
  expect(status).toBe(200);
  const body = JSON.parse(text) as { count: number; results: Body[] };
  const offset = (r.page - 1) * r.pageSize;
  expect(body.count).toBe(model.mine.length);
  const expected = model.mine.slice(offset, offset + r.pageSize);
  expect(body.results.map((g) => g.id)).toEqual(expected.map((g) => g.id));
  expect(body.results.map((g) => g.cases.map((c) => c.id))).toEqual(expected.map((g) => model.shown(g)));
  return [...new Set(body.results.flatMap((g) => g.cases.map((c) => c.id)))];
}

describe('the citizen API never reveals a case the caller may not read', () => {
  it(`holds in ${WORLDS} generated worlds`, async () => {
    let requests = 0;
    await fc.assert(
      fc.asyncProperty(world, async (w) => {
        const inserted = await insertWorld(w);
        const reads: { requestId: string; read: string[]; allowed: Set<string>; role: string }[] = [];
        for (const r of w.requests) {
          requests++;
          const target: string = inserted.cases[r.caseIndex]?.id ?? randomUUID();
          const groupId: string = inserted.groups[r.groupIndex]?.id ?? randomUUID();
          const consumerRead = r.kind.startsWith('consumer-');
          const consumer = consumerRead ? consumerModel(inserted, w, r) : undefined;
          const answer = consumer ? await askConsumer(r, consumer.mandateId, target) : await ask(r, inserted, target, groupId);
          const groupRead = r.kind === 'groups' || r.kind === 'group';
          const cases = groupRead || consumer ? undefined : caseModel(inserted, w, r);
          const groups = groupRead ? groupModel(inserted, w, r) : undefined;
          const allowed = new Set<string>(consumer ? consumer.readable.map((c) => c.id) : cases ? cases.readable.map((c) => c.id) : groups!.readable);
          // A case mandate names its case's id to the organisation holding it (nothing more).
          const namedIds = new Set(consumer && r.kind === 'consumer-mandates' ? consumer.current.flatMap((m) => (m.case_id ? [m.case_id] : [])) : []);
          // Whatever the answer: no id, reference, title or event of a case outside the readable set.
          inserted.cases.forEach((c, i) => {
            if (allowed.has(c.id)) return;
            // A 404 repeats the path the caller asked for (the caller's own input, not a revelation).
            if (!((r.kind === 'detail' || r.kind === 'consumer-case') && c.id === target) && !namedIds.has(c.id)) expect(answer.text).not.toContain(c.id);
            expect(answer.text).not.toContain(c.title);
            expect(answer.text).not.toContain(c.reference);
            expect(answer.text).not.toContain(inserted.events[i].text);
          });
          // Nor another owner's group.
          for (const g of inserted.groups) if (!groups?.mine.includes(g)) expect(answer.text).not.toContain(g.name);
          for (const bsn of CITIZENS) expect(answer.text).not.toContain(bsn);
          const read = consumer
            ? checkConsumer(r, target, answer, consumer)
            : cases
              ? checkCases(r, target, answer, cases)
              : checkGroups(r, groupId, answer, groups!);
          const role = consumer ? 'organisation-proxy' : cases?.proxy ? 'proxy' : 'person' in r.viewer ? 'citizen' : 'representative';
          reads.push({ requestId: answer.requestId, read, allowed, role });
        }
        // The world's access log (emptied with the world): for each request a row per case it read, no more.
        const logged = await db.selectFrom('access_log').select(['case_id', 'request_id', 'actor_role', 'actor']).execute();
        for (const { requestId, read, allowed, role } of reads) {
          const rows = logged.filter((row) => row.request_id === requestId);
          expect(rows.map((row) => row.case_id).sort()).toEqual([...read].sort());
          for (const row of rows) {
            expect(allowed.has(row.case_id)).toBe(true);
            expect(row.actor_role).toBe(role);
            expect(row.actor).not.toMatch(/^\d{9}$/);
          }
        }
        expect(logged.filter((row) => !reads.some((r) => r.requestId === row.request_id))).toEqual([]);
      }),
      { numRuns: WORLDS },
    );
    expect(requests).toBeGreaterThanOrEqual(WORLDS);
  }, 240_000);
});
