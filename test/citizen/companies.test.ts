// Companies as customers: a representative's token (KvK number, no BSN) reads the company's cases
// with every rule a citizen's read has; every representative sees the same cases, a branch login
// only its branch's (and the company-wide ones); the company's access log names who read.
import { describe, expect, it } from 'vitest';
import { startTestIssuer } from './helpers/issuer.ts';
import { accessRows, BSN, seedCases, startCitizenGateway } from './helpers/citizen.ts';

const KVK = { hostel: '12345678', other: '23456789' };
const BRANCH = { amsterdam: '000012345678', utrecht: '000087654321' };
const companyIssuer = await startTestIssuer();
const { app, db, as, asRepresentative, issuer } = await startCitizenGateway({ env: { COMPANY_OIDC_ISSUER: companyIssuer.url } });
const [hire, secret, amsterdam, utrecht, otherCompany, annaOwn] = await seedCases(db, [
  { kvk: KVK.hostel, title: 'Personeel aannemen', orders: [{ subcontractor: 'hulpmiddelen-bv', phase: 'in_behandeling' }] },
  { kvk: KVK.hostel, title: 'Geheim', confidentiality: 'geheim' },
  { kvk: KVK.hostel, vestiging: BRANCH.amsterdam, title: 'Terrasvergunning Amsterdam' },
  { kvk: KVK.hostel, vestiging: BRANCH.utrecht, title: 'Terrasvergunning Utrecht' },
  { kvk: KVK.other, title: 'Van een ander bedrijf' },
  { bsn: BSN.anna, title: 'Van Anna' },
]);

const get = async (path: string, headers: Record<string, string>) => app.request(path, { headers });
const ids = async (res: Response) => {
  expect(res.status).toBe(200);
  return (await res.json()).results.map((c: { id: string }) => c.id).sort();
};

describe('a company representative', () => {
  it("reads the company's cases (confidentiality at most the maximum), never another company's or a person's", async () => {
    const sanne = await asRepresentative(KVK.hostel, { name: 'Sanne de Vries', sub: 'eh-sanne' });
    expect(await ids(await get('/api/v1/me/cases', sanne))).toEqual([hire, amsterdam, utrecht].sort());
    const detail = await get(`/api/v1/me/cases/${hire}`, sanne);
    expect(detail.status).toBe(200);
    expect((await detail.json()).combinedStatus.phase).toBeDefined();
    for (const id of [secret, otherCompany, annaOwn]) expect((await get(`/api/v1/me/cases/${id}`, sanne)).status).toBe(404);
    // A person's login never sees the company's cases, and the company never theirs.
    expect(await ids(await get('/api/v1/me/cases', await as(BSN.anna)))).toEqual([annaOwn]);
  });

  it('is one of several: each representative sees the same cases, and the access log says which one read', async () => {
    const sanne = await asRepresentative(KVK.hostel, { name: 'Sanne de Vries', sub: 'eh-sanne' });
    const piet = await asRepresentative(KVK.hostel, { sub: 'eh-piet-0042' }); // no name claim: shown by masked sub
    const before = (await accessRows(db)).length;
    expect(await ids(await get('/api/v1/me/cases', piet))).toEqual(await ids(await get('/api/v1/me/cases', sanne)));
    const rows = (await accessRows(db)).slice(before);
    expect(rows).toHaveLength(6);
    expect(new Set(rows.map((r) => r.actor))).toEqual(new Set(['Sanne de Vries', '…t-0042']));
    for (const r of rows) expect(r).toMatchObject({ actor_role: 'representative', subject_kvk: KVK.hostel, subject_bsn: null, purpose: 'company-view' });

    const log = await (await get('/api/v1/me/access-log?pageSize=100', piet)).json();
    const actors = log.results.map((e: { actor: string }) => e.actor);
    expect(actors).toContain('Vertegenwoordiger: Sanne de Vries');
    expect(actors).toContain('Vertegenwoordiger: …t-0042');
    expect(JSON.stringify(log)).not.toContain('eh-piet-0042');
    // Anna's own log has none of the company's reads.
    const annas = await (await get('/api/v1/me/access-log?pageSize=100', await as(BSN.anna))).json();
    expect(annas.results.every((e: { role: string }) => e.role === 'citizen')).toBe(true);
  });

  it("with a branch claim sees that branch's cases and the company-wide ones, not another branch's", async () => {
    const amsterdammer = await asRepresentative(KVK.hostel, { name: 'Ali', vestiging: BRANCH.amsterdam });
    expect(await ids(await get('/api/v1/me/cases', amsterdammer))).toEqual([hire, amsterdam].sort());
    expect((await get(`/api/v1/me/cases/${utrecht}`, amsterdammer)).status).toBe(404);
  });

  it('comes from COMPANY_OIDC_ISSUER as well, checked against that issuer’s keys', async () => {
    const fromBroker = await companyIssuer.token(undefined, { claims: { kvk: KVK.hostel, sub: 'broker-1', name: 'Via makelaar' } });
    expect(await ids(await get('/api/v1/me/cases', { authorization: `Bearer ${fromBroker}` }))).toEqual([hire, amsterdam, utrecht].sort());
  });
});

describe('token attacks on the company path answer 401', () => {
  const cases: [string, () => Promise<string>][] = [
    ['a KvK claim of 7 digits', () => issuer.token(undefined, { claims: { kvk: '1234567' } })],
    ['a KvK claim that is a number, not a string', () => issuer.token(undefined, { claims: { kvk: 12345678 } })],
    ['neither BSN nor KvK', () => issuer.token(undefined)],
    ['a branch claim that is not 12 digits', () => issuer.token(undefined, { claims: { kvk: KVK.hostel, vestiging: '123' } })],
    ['a BSN token from the company broker', () => companyIssuer.token(BSN.anna)],
    ['the company issuer named, signed with the citizen issuer’s key', () => issuer.token(undefined, { claims: { iss: companyIssuer.url, kvk: KVK.hostel } })],
    ['another audience', () => issuer.token(undefined, { claims: { kvk: KVK.hostel, aud: 'someone-else' } })],
    ['expired', () => issuer.token(undefined, { claims: { kvk: KVK.hostel, exp: Math.floor(Date.now() / 1000) - 3600 } })],
    [
      'unsigned (alg none)',
      async () =>
        `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iss: issuer.url, aud: 'ketenstatus', sub: 'x', kvk: KVK.hostel, exp: 2e9 })).toString('base64url')}.`,
    ],
  ];
  for (const [name, make] of cases) {
    it(name, async () => {
      const res = await get('/api/v1/me/cases', { authorization: `Bearer ${await make()}` });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="ketenstatus", error="invalid_token"/);
    });
  }
});

describe('mandates given by a company', () => {
  const grant = async (headers: Record<string, string>, body: unknown) =>
    app.request('/api/v1/me/mandates', { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('go to an organisation that reads through this gateway, or to a person; are the company’s, not one representative’s', async () => {
    const sanne = await asRepresentative(KVK.hostel, { name: 'Sanne de Vries', sub: 'eh-sanne' });
    const res = await grant(sanne, { proxyOrganisation: { kvk: '87654321' } });
    expect(res.status).toBe(201);
    const mandate = await res.json();
    expect(mandate).toMatchObject({ proxy: { name: 'Ondernemersportaal B.V.', organisation: { kvk: '87654321' } }, case: null, state: 'active' });
    const toPerson = await grant(sanne, { proxyBsn: BSN.bram, proxyName: 'Boekhouder Bram' });
    expect(toPerson.status).toBe(201);
    // Another representative of the same company sees and may revoke them.
    const piet = await asRepresentative(KVK.hostel, { sub: 'eh-piet-0042' });
    const listed = await (await get('/api/v1/me/mandates', piet)).json();
    expect(listed.granted.map((m: { id: string }) => m.id)).toEqual(expect.arrayContaining([mandate.id]));
    expect(listed.received).toEqual([]);
    const revoke = await app.request(`/api/v1/me/mandates/${(await toPerson.json()).id}`, { method: 'DELETE', headers: piet });
    expect(revoke.status).toBe(204);
    // A person with a company's mandate reads its cases with ?onBehalfOf=<KvK number>.
    const bram = await grant(sanne, { proxyBsn: BSN.bram });
    expect(bram.status).toBe(201);
    expect(await ids(await get(`/api/v1/me/cases?onBehalfOf=${KVK.hostel}`, await as(BSN.bram)))).toEqual([hire, amsterdam, utrecht].sort());
    // Another company cannot revoke it.
    const stranger = await asRepresentative(KVK.other, { name: 'Vreemde' });
    expect((await app.request(`/api/v1/me/mandates/${mandate.id}`, { method: 'DELETE', headers: stranger })).status).toBe(404);
  });

  it('are refused with a clear 4xx when they cannot work', async () => {
    const sanne = await asRepresentative(KVK.hostel, { name: 'Sanne' });
    const unknown = await grant(sanne, { proxyOrganisation: { oin: '00000009999999999000' } });
    expect(unknown.status).toBe(422);
    expect((await unknown.json()).invalidParams).toEqual([expect.objectContaining({ name: 'proxyOrganisation', code: 'unknown' })]);
    expect((await grant(sanne, { proxyOrganisation: { kvk: KVK.hostel } })).status).toBe(422); // itself
    expect((await grant(sanne, { proxyOrganisation: { kvk: '87654321' }, proxyBsn: BSN.bram })).status).toBe(400);
    expect((await grant(sanne, {})).status).toBe(400);
    expect((await grant(sanne, { proxyOrganisation: { kvk: '8765' } })).status).toBe(400);
    // A login for one branch gives mandates for one case of that branch only.
    const ali = await asRepresentative(KVK.hostel, { name: 'Ali', vestiging: BRANCH.amsterdam });
    expect((await grant(ali, { proxyOrganisation: { kvk: '87654321' } })).status).toBe(422);
    expect((await grant(ali, { proxyOrganisation: { kvk: '87654321' }, caseId: utrecht })).status).toBe(404);
    expect((await grant(ali, { proxyOrganisation: { kvk: '87654321' }, caseId: amsterdam })).status).toBe(201);
  });
});
