// The security property of the citizen API: no response ever reveals a case the caller may not
// read. fast-check generates 2,000 worlds (numRuns below; each world has 1–4 requests, so well
// over 2,000 requests): citizens, cases of every confidentiality (some of companies), open and
// closed, mandates that are active, expired, not yet valid or revoked (some naming a case the
// grantor does not own), and requests with filters, pagination and onBehalfOf (by BSN, or by a
// mandate id — the page's handle — that may not be the caller's). Each world is
// inserted in bulk into this file's one database (emptied between worlds) and asked through the
// real HTTP surface; the answer is compared with a model of the rules.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidBsn } from '../../src/cases/identifiers.ts';
import { CONFIDENTIALITY } from '../../src/cases/phases.ts';
import { json } from '../../src/db/json.ts';
import { startCitizenGateway } from './helpers/citizen.ts';

const WORLDS = 2000;
const MAX_LEVEL = CONFIDENTIALITY.indexOf('zaakvertrouwelijk');
const CITIZENS: string[] = [];
for (let n = 200_000_000; CITIZENS.length < 5; n += 7919) if (isValidBsn(String(n))) CITIZENS.push(String(n));

const { app, db, issuer } = await startCitizenGateway();
const tokens = await Promise.all(CITIZENS.map((bsn) => issuer.token(bsn, { claims: { exp: Math.floor(Date.now() / 1000) + 3600 } })));

type Validity = 'active' | 'expired' | 'future' | 'revoked';
interface WorldCase {
  owner: number | 'kvk';
  level: number;
  closed: boolean;
}
interface WorldMandate {
  grantor: number;
  proxy: number;
  caseIndex: number | null;
  validity: Validity;
}
interface WorldRequest {
  viewer: number;
  onBehalfOf: number | null;
  viaMandate: number | null;
  kind: 'list' | 'detail';
  state?: 'open' | 'closed';
  page: number;
  pageSize: number;
  caseIndex: number;
}

const citizen = fc.integer({ min: 0, max: CITIZENS.length - 1 });
const world = fc.record({
  cases: fc.array(
    fc.record({
      owner: fc.oneof({ weight: 6, arbitrary: citizen }, { weight: 1, arbitrary: fc.constant('kvk' as const) }),
      level: fc.integer({ min: 0, max: CONFIDENTIALITY.length - 1 }),
      closed: fc.boolean(),
    }),
    { maxLength: 7 },
  ),
  mandates: fc.array(
    fc.record({
      grantor: citizen,
      proxy: citizen,
      caseIndex: fc.option(fc.nat(7), { nil: null }),
      validity: fc.constantFrom<Validity>('active', 'active', 'expired', 'future', 'revoked'),
    }),
    { maxLength: 4 },
  ),
  requests: fc.array(
    fc.record({
      viewer: citizen,
      onBehalfOf: fc.option(citizen, { nil: null, freq: 2 }),
      viaMandate: fc.option(fc.nat(3), { nil: null, freq: 4 }),
      kind: fc.constantFrom<'list' | 'detail'>('list', 'detail'),
      state: fc.constantFrom<'open' | 'closed' | undefined>(undefined, 'open', 'closed'),
      page: fc.integer({ min: 1, max: 3 }),
      pageSize: fc.integer({ min: 1, max: 4 }),
      caseIndex: fc.nat(8),
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

async function insertWorld(w: { cases: WorldCase[]; mandates: WorldMandate[] }) {
  const now = Date.now();
  const cases = w.cases.map((c, i) => ({
    id: randomUUID(),
    reference: `PW-${randomUUID()}`,
    title: `Titel-${randomUUID()}`,
    citizen_bsn: c.owner === 'kvk' ? null : CITIZENS[c.owner],
    citizen_kvk: c.owner === 'kvk' ? '12345678' : null,
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
  const mandates = w.mandates
    .filter((m) => m.grantor !== m.proxy)
    .map((m) => ({
      id: randomUUID(),
      grantor_bsn: CITIZENS[m.grantor],
      proxy_bsn: CITIZENS[m.proxy],
      proxy_name: null,
      case_id: m.caseIndex !== null && m.caseIndex < cases.length ? cases[m.caseIndex].id : null,
      ...window(m.validity, now),
    }));
  // One transaction per world: the previous world goes, this one comes, with one commit.
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('access_log').execute();
    await trx.deleteFrom('mandates').execute();
    await trx.deleteFrom('cases').execute();
    if (cases.length > 0) await trx.insertInto('cases').values(cases).execute();
    if (mandates.length > 0) await trx.insertInto('mandates').values(mandates).execute();
  });
  return { cases, mandates };
}

/** The rules, as a model: what may `viewer` read, acting for `subject`? */
function model(inserted: Awaited<ReturnType<typeof insertWorld>>, w: { cases: WorldCase[] }, r: WorldRequest) {
  const viewer = CITIZENS[r.viewer];
  const handle = viaMandate(inserted, r);
  if (handle !== undefined && handle?.proxy_bsn !== viewer) return { forbidden: true, readable: [], proxy: true };
  const subject = handle ? handle.grantor_bsn : r.onBehalfOf === null ? viewer : CITIZENS[r.onBehalfOf];
  const proxy = subject !== viewer;
  const valid = inserted.mandates.filter(
    (m) =>
      m.grantor_bsn === subject &&
      m.proxy_bsn === viewer &&
      m.revoked_at === null &&
      m.valid_from.getTime() <= Date.now() &&
      m.valid_until.getTime() > Date.now(),
  );
  const readable = inserted.cases.filter(
    (c, i) => c.citizen_bsn === subject && w.cases[i].level <= MAX_LEVEL && (!proxy || valid.some((m) => m.case_id === null || m.case_id === c.id)),
  );
  return { forbidden: proxy && valid.length === 0, readable, proxy };
}

/** A request naming a mandate (as the page does) instead of a BSN; null: the handle names no mandate. */
function viaMandate(inserted: Awaited<ReturnType<typeof insertWorld>>, r: WorldRequest) {
  if (r.viaMandate === null) return undefined;
  return inserted.mandates[r.viaMandate] ?? null;
}

async function ask(r: WorldRequest, caseId: string, mandate: { id: string } | null | undefined) {
  const query = new URLSearchParams();
  if (mandate !== undefined) query.set('mandate', mandate?.id ?? randomUUID());
  else if (r.onBehalfOf !== null) query.set('onBehalfOf', CITIZENS[r.onBehalfOf]);
  if (r.kind === 'list') {
    if (r.state) query.set('state', r.state);
    query.set('page', String(r.page));
    query.set('pageSize', String(r.pageSize));
  }
  const path = r.kind === 'list' ? '/api/v1/me/cases' : `/api/v1/me/cases/${caseId}`;
  const res = await app.request(`${path}?${query}`, { headers: { authorization: `Bearer ${tokens[r.viewer]}` } });
  return { status: res.status, text: await res.text() };
}

describe('the citizen API never reveals a case the caller may not read', () => {
  it(`holds in ${WORLDS} generated worlds`, async () => {
    let requests = 0;
    let lastLogId = 0;
    await fc.assert(
      fc.asyncProperty(world, async (w) => {
        const inserted = await insertWorld(w);
        for (const r of w.requests) {
          requests++;
          const target: string = inserted.cases[r.caseIndex]?.id ?? randomUUID();
          const { status, text } = await ask(r, target, viaMandate(inserted, r));
          const { forbidden, readable, proxy } = model(inserted, w, r);
          const allowed = new Set<string>(readable.map((c) => c.id));
          // Whatever the answer: no id, reference or title of a case outside the readable set.
          for (const c of inserted.cases) {
            if (allowed.has(c.id)) continue;
            // A 404 repeats the path the caller asked for (the caller's own input, not a revelation).
            if (!(r.kind === 'detail' && c.id === target)) expect(text).not.toContain(c.id);
            expect(text).not.toContain(c.title);
            expect(text).not.toContain(c.reference);
          }
          for (const bsn of CITIZENS) expect(text).not.toContain(bsn);
          let expectedReads = 0;
          if (forbidden) {
            expect(status).toBe(403);
          } else if (r.kind === 'detail') {
            expect(status).toBe(allowed.has(target) ? 200 : 404);
            if (status === 200) expect(JSON.parse(text).id).toBe(target);
            expectedReads = status === 200 ? 1 : 0;
          } else {
            expect(status).toBe(200);
            const body = JSON.parse(text) as { count: number; next: string | null; results: { id: string; state: string }[] };
            const filtered = readable.filter((c) => r.state === undefined || (r.state === 'open') === (c.closed_at === null));
            const offset = (r.page - 1) * r.pageSize;
            expect(body.count).toBe(filtered.length);
            expect(body.results.map((c) => c.id)).toEqual(filtered.slice(offset, offset + r.pageSize).map((c) => c.id));
            expect(body.next !== null).toBe(offset + body.results.length < filtered.length);
            expectedReads = body.results.length;
          }
          const logged = await db.selectFrom('access_log').selectAll().where('id', '>', lastLogId).orderBy('id').execute();
          lastLogId = logged.at(-1)?.id ?? lastLogId;
          expect(logged).toHaveLength(expectedReads);
          for (const row of logged) {
            expect(allowed.has(row.case_id)).toBe(true);
            expect(row.actor_role).toBe(proxy ? 'proxy' : 'citizen');
            expect(row.actor).not.toMatch(/^\d{9}$/);
          }
        }
      }),
      { numRuns: WORLDS },
    );
    expect(requests).toBeGreaterThanOrEqual(WORLDS);
  }, 240_000);
});
