// The security property of the partner API (BOLA): no answer ever reveals, or lets a client change,
// another organisation's assignment. One world — four portal organisations, each with its client,
// a dozen assignments placed through the supplier API (some sharing the customer, some closed), an
// organisation with a Zaken API whose client has none, and its orders — then fast-check generates
// sequences of requests from any client at any id (theirs, another's, an order that is no
// assignment, one that does not exist), compared with a model of who owns what.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signZgwJwt } from '../../src/lib/zgw-jwt.ts';
import { organisation, portalOrganisation } from '../helpers/fixtures.ts';
import { authHeader, startTestGateway, subcontractorClient, testNetwork } from '../helpers/gateway.ts';

const ORGS = ['steiger', 'tegel', 'dak', 'verf'].map((n) => `${n}-bv`);
const ZGW = 'hulpmiddelen-bv';
const secret = (i: number) => `test-secret-partner-${i}-0123456789abcdef`;
const CLIENTS = [...ORGS, ZGW].map((org, i) => ({ id: `client-${i}`, org }));

const gateway = await startTestGateway({
  network: testNetwork(
    [...ORGS.map((id) => portalOrganisation(id)), organisation(ZGW)],
    CLIENTS.map((c, i) => subcontractorClient(c.org, c.id, secret(i))),
  ),
});
const { app } = gateway;
const db = gateway.database.db;
const headers = CLIENTS.map((c, i) => ({ authorization: `Bearer ${signZgwJwt({ client_id: c.id }, secret(i))}` }));

const request = (path: string, init: { as?: Record<string, string>; body?: unknown } = {}) =>
  app.request(path, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers: { ...(init.as ?? authHeader('zac')), ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });

interface Target {
  id: string;
  /** Index of the owning organisation in ORGS; null: not an assignment (a zaak's order, or nothing). */
  owner: number | null;
  closed: boolean;
  /** The case's title: what only the owner may ever see (with shareCitizen). */
  title: string;
}

// ---- the world --------------------------------------------------------------------------------

const targets: Target[] = [];
for (let n = 0; n < 12; n++) {
  const owner = n % ORGS.length;
  const title = `Aanvraag ${randomUUID()}`;
  const c = await request('/api/v1/cases', { body: { title, citizen: { bsn: '111222333' } } });
  const caseId = ((await c.json()) as { id: string }).id;
  const o = await request(`/api/v1/cases/${caseId}/orders`, { body: { subcontractor: ORGS[owner], product: 'drempelhulp', shareCitizen: n % 3 === 0 } });
  expect(o.status).toBe(202);
  const id = ((await o.json()) as { id: string }).id;
  const closed = n % 5 === 4;
  if (closed) expect((await request(`/api/v1/partner/assignments/${id}/status`, { as: headers[owner], body: { status: 'klaar' } })).status).toBe(200);
  targets.push({ id, owner, closed, title });
}
for (let n = 0; n < 2; n++) {
  // Orders at the organisation with a Zaken API, as placed (no outbound call needed for the property).
  const title = `Zaak ${randomUUID()}`;
  const c = await request('/api/v1/cases', { body: { title, citizen: { bsn: '111222333' } } });
  const caseId = ((await c.json()) as { id: string }).id;
  const id = randomUUID();
  await db
    .insertInto('orders')
    .values({
      id,
      case_id: caseId,
      subcontractor: ZGW,
      product: 'traplift',
      state: 'placed',
      planned_identificatie: `KS-${n}`,
      remote_zaak_url: `https://zaken.example/z/${n}`,
    })
    .execute();
  targets.push({ id, owner: null, closed: false, title });
}
targets.push({ id: randomUUID(), owner: null, closed: false, title: 'nothing' });

// ---- requests and the model -------------------------------------------------------------------

type Kind = 'list' | 'detail' | 'status' | 'message';
interface Req {
  client: number;
  kind: Kind;
  target: number;
  state?: 'open' | 'closed';
  page: number;
  pageSize: number;
}

const requests = fc.array(
  fc.record({
    client: fc.integer({ min: 0, max: CLIENTS.length - 1 }),
    kind: fc.constantFrom<Kind>('list', 'detail', 'status', 'message'),
    target: fc.integer({ min: 0, max: targets.length - 1 }),
    state: fc.constantFrom<'open' | 'closed' | undefined>(undefined, 'open', 'closed'),
    page: fc.integer({ min: 1, max: 3 }),
    pageSize: fc.integer({ min: 1, max: 5 }),
  }),
  { minLength: 1, maxLength: 5 },
);

function send(r: Req, id: string) {
  const as = headers[r.client];
  if (r.kind === 'list') {
    const query = new URLSearchParams({ page: String(r.page), pageSize: String(r.pageSize), ...(r.state ? { state: r.state } : {}) });
    return request(`/api/v1/partner/assignments?${query}`, { as });
  }
  if (r.kind === 'detail') return request(`/api/v1/partner/assignments/${id}`, { as });
  if (r.kind === 'status') return request(`/api/v1/partner/assignments/${id}/status`, { as, body: { status: 'bezig' } });
  return request(`/api/v1/partner/assignments/${id}/messages`, { as, body: { text: 'Wij plannen het in.' } });
}

async function check(r: Req) {
  const mine = (t: Target) => t.owner !== null && ORGS[t.owner] === CLIENTS[r.client].org;
  const target = targets[r.target];
  const res = await send(r, target.id);
  // The id the request named may come back (a 404 names what was not found); nothing else may.
  const text = r.kind === 'list' ? await res.text() : (await res.text()).replaceAll(target.id, '<id>');

  // Nothing of another organisation's assignment, or of an order that is no assignment, ever shows.
  for (const t of targets.filter((t) => !mine(t))) {
    expect(text, `${r.kind} by ${CLIENTS[r.client].id}`).not.toContain(t.id);
    expect(text).not.toContain(t.title);
  }
  if (r.kind === 'list') {
    expect(res.status).toBe(200);
    const body = JSON.parse(text) as { count: number; results: { id: string; state: string }[] };
    const expected = targets.filter((t) => mine(t) && (!r.state || (r.state === 'closed') === t.closed));
    expect(body.count).toBe(expected.length);
    expect(body.results.length).toBe(Math.max(0, Math.min(r.pageSize, expected.length - (r.page - 1) * r.pageSize)));
    for (const a of body.results) expect(expected.map((t) => t.id)).toContain(a.id);
    return;
  }
  if (!mine(target)) {
    expect(res.status, `${r.kind} of another's ${target.id}`).toBe(404);
    // Word for word the answer for an id that does not exist: no existence oracle.
    const nothing = randomUUID();
    expect(text).toBe((await (await send(r, nothing)).text()).replaceAll(nothing, '<id>'));
    return;
  }
  const expected = { detail: 200, message: 201, status: target.closed ? 409 : 200 }[r.kind];
  expect(res.status).toBe(expected);
}

describe('the partner API', () => {
  it('never reveals or changes another organisation’s assignment', async () => {
    await fc.assert(
      fc.asyncProperty(requests, async (rs) => {
        for (const r of rs) await check(r);
      }),
      { numRuns: 150 },
    );
    // The refused writes changed nothing: every status and message is the owner's own.
    const written = await db
      .selectFrom('order_messages as m')
      .innerJoin('orders as o', 'o.id', 'm.order_id')
      .select(['m.organisation_id', 'o.subcontractor'])
      .execute();
    for (const m of written) expect(m.organisation_id).toBe(m.subcontractor);
  }, 120_000);
});
