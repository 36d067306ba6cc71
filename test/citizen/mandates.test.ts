// Read mandates: a citizen lets a proxy read all or one of their cases, for at most a year,
// revocable at once. Proxies read with ?onBehalfOf=<bsn>, only what the mandate covers, never
// write; without a valid mandate 403. The BSN in the query string never reaches a log line.
import { beforeEach, describe, expect, it } from 'vitest';
import { maskBsn } from '../../src/cases/identifiers.ts';
import { CitizenService } from '../../src/citizen/service.ts';
import { accessRows, BSN, seedCases, startCitizenGateway } from './helpers/citizen.ts';

const logLines: string[] = [];
const { app, db, as, gateway } = await startCitizenGateway({
  env: { CITIZEN_MANDATE_LIMIT: '3' },
  logDestination: { write: (chunk: string) => void logLines.push(...chunk.split('\n').filter(Boolean)) },
});
const [annaA, annaB, annaSecret, bramOwn] = await seedCases(db, [
  { bsn: BSN.anna, title: 'Traplift', orders: [{ subcontractor: 'hulpmiddelen-bv', phase: 'in_behandeling' }] },
  { bsn: BSN.anna, title: 'Woningaanpassing' },
  { bsn: BSN.anna, title: 'Geheim', confidentiality: 'geheim' },
  { bsn: BSN.bram, title: 'Eigen zaak van Bram' },
]);

const request = async (method: string, path: string, bsn: string, body?: unknown) =>
  app.request(path, {
    method,
    headers: await as(bsn, body === undefined ? {} : { 'content-type': 'application/json' }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const grant = (grantor: string, body: Record<string, unknown>) => request('POST', '/api/v1/me/mandates', grantor, body);
const ids = async (res: Response) => (await res.json()).results.map((c: { id: string }) => c.id).sort();

beforeEach(() => void logLines.splice(0));

describe('granting and using a mandate for all cases', () => {
  it("lets the proxy read the grantor's readable cases, read-only, and logs the proxy masked", async () => {
    const res = await grant(BSN.anna, { proxyBsn: BSN.bram, proxyName: 'Bram (zoon)' });
    expect(res.status).toBe(201);
    const mandate = await res.json();
    expect(res.headers.get('location')).toMatch(new RegExp(`/api/v1/me/mandates/${mandate.id}$`));
    expect(mandate).toMatchObject({ proxy: { name: 'Bram (zoon)', bsn: maskBsn(BSN.bram) }, case: null, state: 'active', revokedAt: null });
    const year = Date.parse(mandate.validUntil) - Date.parse(mandate.validFrom);
    expect(year).toBeGreaterThanOrEqual(365 * 86_400_000);
    expect(year).toBeLessThanOrEqual(366 * 86_400_000);
    expect(JSON.stringify(mandate)).not.toContain(BSN.bram);

    const before = (await accessRows(db)).length;
    const list = await request('GET', `/api/v1/me/cases?onBehalfOf=${BSN.anna}`, BSN.bram);
    expect(list.status).toBe(200);
    expect(await ids(list)).toEqual([annaA, annaB].sort());
    const detail = await request('GET', `/api/v1/me/cases/${annaA}?onBehalfOf=${BSN.anna}`, BSN.bram);
    expect(detail.status).toBe(200);
    expect((await detail.json()).timeline.length).toBeGreaterThan(0);
    expect((await request('GET', `/api/v1/me/cases/${annaSecret}?onBehalfOf=${BSN.anna}`, BSN.bram)).status).toBe(404);
    expect((await request('GET', `/api/v1/me/cases/${bramOwn}?onBehalfOf=${BSN.anna}`, BSN.bram)).status).toBe(404);
    expect(await ids(await request('GET', '/api/v1/me/cases', BSN.bram))).toEqual([bramOwn]);

    const rows = (await accessRows(db)).slice(before);
    expect(rows.filter((r) => r.actor_role === 'proxy')).toHaveLength(3);
    for (const r of rows.filter((r) => r.actor_role === 'proxy')) {
      expect(r).toMatchObject({ actor: maskBsn(BSN.bram), mandate_id: mandate.id, purpose: 'proxy-view', subject_bsn: BSN.anna });
    }
    const log = await (await request('GET', '/api/v1/me/access-log?pageSize=100', BSN.anna)).json();
    const proxyEntries = log.results.filter((e: { role: string }) => e.role === 'proxy');
    expect(proxyEntries).toHaveLength(3);
    expect(proxyEntries[0]).toMatchObject({ actor: `Bram (zoon) (${maskBsn(BSN.bram)})`, purpose: 'proxy-view' });
    expect(JSON.stringify(log)).not.toContain(BSN.bram);
  });

  it("hands out pagination links that name the mandate, never the grantor's BSN", async () => {
    const first = await (await request('GET', `/api/v1/me/cases?onBehalfOf=${BSN.anna}&pageSize=1`, BSN.bram)).json();
    expect(first.count).toBe(2);
    const next = new URL(first.next);
    expect(next.searchParams.get('onBehalfOf')).toBeNull();
    expect(next.searchParams.get('mandate')).toMatch(/^[0-9a-f-]{36}$/);
    const second = await request('GET', next.pathname + next.search, BSN.bram);
    expect(second.status).toBe(200);
    const body = await second.json();
    expect(body.results).toHaveLength(1);
    expect(body.previous).not.toContain(BSN.anna);
    expect((await request('GET', `${next.pathname}${next.search}`, BSN.dirk)).status).toBe(403); // the handle is no key for others
    expect((await request('GET', `/api/v1/me/cases?onBehalfOf=${BSN.anna}&mandate=${next.searchParams.get('mandate')}`, BSN.bram)).status).toBe(400);
  });

  it('never lets onBehalfOf reach a log line: the route pattern is logged, not the query string', async () => {
    await request('GET', `/api/v1/me/cases?onBehalfOf=${BSN.anna}&state=open`, BSN.bram);
    await request('GET', `/api/v1/me/cases/${annaA}?onBehalfOf=${BSN.anna}`, BSN.bram);
    await request('GET', `/api/v1/me/cases?onBehalfOf=${BSN.dirk}`, BSN.carla); // a refused one too
    const requests = logLines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request');
    expect(requests.map((l) => [l.route, l.status])).toEqual([
      ['/api/v1/me/cases', 200],
      ['/api/v1/me/cases/:id', 200],
      ['/api/v1/me/cases', 403],
    ]);
    for (const line of logLines) {
      expect(line).not.toContain('onBehalfOf');
      expect(line).not.toContain('*********'); // the logger's last-resort BSN mask never had to act
      for (const bsn of Object.values(BSN)) expect(line).not.toContain(bsn);
    }
  });

  it('is read-only: onBehalfOf on anything but reading cases is refused', async () => {
    expect((await request('POST', `/api/v1/me/mandates?onBehalfOf=${BSN.anna}`, BSN.bram, { proxyBsn: BSN.carla })).status).toBe(400);
    expect((await request('GET', `/api/v1/me/access-log?onBehalfOf=${BSN.anna}`, BSN.bram)).status).toBe(400);
    expect((await request('GET', `/api/v1/me/mandates?onBehalfOf=${BSN.anna}`, BSN.bram)).status).toBe(400);
    expect((await request('DELETE', `/api/v1/me/mandates/00000000-0000-4000-8000-000000000000?onBehalfOf=${BSN.anna}`, BSN.bram)).status).toBe(400);
    const granted = (await (await request('GET', '/api/v1/me/mandates', BSN.anna)).json()).granted;
    expect(granted.every((m: { proxy: { bsn: string } }) => m.proxy.bsn !== maskBsn(BSN.carla))).toBe(true);
  });
});

describe('without a valid mandate', () => {
  it('answers 403 on both case endpoints, whatever the case', async () => {
    for (const path of [
      `/api/v1/me/cases?onBehalfOf=${BSN.anna}`,
      `/api/v1/me/cases/${annaA}?onBehalfOf=${BSN.anna}`,
      `/api/v1/me/cases/nonsense?onBehalfOf=${BSN.anna}`,
    ]) {
      const res = await request('GET', path, BSN.dirk);
      expect(res.status).toBe(403);
      expect(await res.text()).not.toContain('Traplift');
    }
    expect((await request('GET', '/api/v1/me/cases?onBehalfOf=123456789', BSN.dirk)).status).toBe(400);
  });

  it('a mandate for one case covers only that case', async () => {
    expect((await grant(BSN.anna, { proxyBsn: BSN.carla, caseId: annaB })).status).toBe(201);
    expect(await ids(await request('GET', `/api/v1/me/cases?onBehalfOf=${BSN.anna}`, BSN.carla))).toEqual([annaB]);
    expect((await request('GET', `/api/v1/me/cases/${annaA}?onBehalfOf=${BSN.anna}`, BSN.carla)).status).toBe(404);
    expect((await request('GET', `/api/v1/me/cases/${annaB}?onBehalfOf=${BSN.anna}`, BSN.carla)).status).toBe(200);
  });

  it('an expired mandate no longer counts', async () => {
    const m = await (await grant(BSN.bram, { proxyBsn: BSN.dirk })).json();
    expect((await request('GET', `/api/v1/me/cases?onBehalfOf=${BSN.bram}`, BSN.dirk)).status).toBe(200);
    await db
      .updateTable('mandates')
      .set({ valid_from: new Date(Date.now() - 7200_000), valid_until: new Date(Date.now() - 1000) })
      .where('id', '=', m.id)
      .execute();
    expect((await request('GET', `/api/v1/me/cases?onBehalfOf=${BSN.bram}`, BSN.dirk)).status).toBe(403);
    const received = (await (await request('GET', '/api/v1/me/mandates', BSN.dirk)).json()).received;
    expect(received.find((r: { id: string }) => r.id === m.id)).toMatchObject({ state: 'expired', grantor: { bsn: maskBsn(BSN.bram) } });
  });
});

describe('revoking', () => {
  it('is immediate and only for the grantor', async () => {
    const m = await (await grant(BSN.carla, { proxyBsn: BSN.anna })).json();
    await seedCases(db, [{ bsn: BSN.carla, title: 'Zaak van Carla' }]);
    expect((await request('GET', `/api/v1/me/cases?onBehalfOf=${BSN.carla}`, BSN.anna)).status).toBe(200);
    expect((await request('DELETE', `/api/v1/me/mandates/${m.id}`, BSN.anna)).status).toBe(404); // the proxy cannot
    expect((await request('DELETE', '/api/v1/me/mandates/00000000-0000-4000-8000-000000000000', BSN.carla)).status).toBe(404);
    const revoke = await request('DELETE', `/api/v1/me/mandates/${m.id}`, BSN.carla);
    expect(revoke.status).toBe(204);
    expect((await request('GET', `/api/v1/me/cases?onBehalfOf=${BSN.carla}`, BSN.anna)).status).toBe(403);
    expect((await request('DELETE', `/api/v1/me/mandates/${m.id}`, BSN.carla)).status).toBe(204);
    const granted = (await (await request('GET', '/api/v1/me/mandates', BSN.carla)).json()).granted;
    expect(granted.find((g: { id: string }) => g.id === m.id)).toMatchObject({ state: 'revoked', revokedAt: expect.any(String) });
  });
});

describe('GET /api/v1/me/mandates', () => {
  it('separates mandates given from mandates held, with masked BSNs and references only while active', async () => {
    const anna = await (await request('GET', '/api/v1/me/mandates', BSN.anna)).json();
    expect(anna.granted.map((m: { proxy: { bsn: string } }) => m.proxy.bsn).sort()).toEqual([maskBsn(BSN.bram), maskBsn(BSN.carla)].sort());
    const carla = await (await request('GET', '/api/v1/me/mandates', BSN.carla)).json();
    expect(carla.received).toEqual([
      expect.objectContaining({ grantor: { bsn: maskBsn(BSN.anna) }, case: { id: annaB, reference: expect.any(String) }, state: 'active' }),
    ]);
    for (const body of [anna, carla]) for (const bsn of Object.values(BSN)) expect(JSON.stringify(body)).not.toContain(bsn);
  });
});

describe('validation', () => {
  it.each([
    ['a BSN failing the elfproef', { proxyBsn: '123456789' }, 400, 'proxyBsn'],
    ['a missing proxyBsn', {}, 400, 'proxyBsn'],
    ['an unknown field', { proxyBsn: BSN.bram, scope: 'write' }, 400, 'body'],
    ['the grantor themself', { proxyBsn: BSN.dirk }, 422, 'proxyBsn'],
    ['validUntil in the past', { proxyBsn: BSN.bram, validUntil: '2020-01-01T00:00:00Z' }, 422, 'validUntil'],
    ['validUntil beyond one year', { proxyBsn: BSN.bram, validUntil: new Date(Date.now() + 367 * 86_400_000).toISOString() }, 422, 'validUntil'],
    ['validUntil that is no date', { proxyBsn: BSN.bram, validUntil: 'next week' }, 400, 'validUntil'],
  ])('refuses %s', async (_name, body, status, field) => {
    const res = await grant(BSN.dirk, body);
    expect(res.status).toBe(status);
    expect((await res.json()).invalidParams.map((p: { name: string }) => p.name)).toContain(field);
  });

  it("refuses someone else's case, a too-confidential case and an unknown case with 404", async () => {
    for (const caseId of [bramOwn, annaSecret, '00000000-0000-4000-8000-000000000000']) {
      expect((await grant(BSN.anna, { proxyBsn: BSN.dirk, caseId })).status).toBe(404);
    }
    // Not a case id at all (the contract: format uuid) is a bad request, as in the other APIs.
    expect((await grant(BSN.anna, { proxyBsn: BSN.dirk, caseId: 'x' })).status).toBe(400);
  });

  it('takes a plain date as "through that day", at most a year', async () => {
    const inAMonth = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    const m = await (await grant(BSN.dirk, { proxyBsn: BSN.anna, validUntil: inAMonth })).json();
    expect(m.validUntil.slice(0, 10)).toBe(inAMonth);
    const nextYear = new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10);
    const capped = await (await grant(BSN.dirk, { proxyBsn: BSN.bram, validUntil: nextYear })).json();
    expect(Date.parse(capped.validUntil) - Date.now()).toBeLessThanOrEqual(366 * 86_400_000);
  });

  it('limits how many active mandates a citizen gives (CITIZEN_MANDATE_LIMIT)', async () => {
    // Dirk gave two above; the limit is three.
    expect((await grant(BSN.dirk, { proxyBsn: BSN.carla })).status).toBe(201);
    const over = await grant(BSN.dirk, { proxyBsn: BSN.carla });
    expect(over.status).toBe(422);
  });
});

describe("the page's handle: onBehalfOf by mandate id", () => {
  it('reads through a mandate the viewer holds, and refuses one they do not', async () => {
    const citizen = new CitizenService({ database: gateway.database, network: gateway.network, maxConfidentiality: 'zaakvertrouwelijk' });
    const held = (await citizen.listMandates({ bsn: BSN.carla, sub: 'c' })).received.find((m) => 'bsn' in m.grantor && m.grantor.bsn === maskBsn(BSN.anna))!;
    const read = await citizen.listMyCases({ bsn: BSN.carla, sub: 'c' }, { onBehalfOf: { mandateId: held.id } });
    expect(read.results.map((c) => c.id)).toEqual([annaB]);
    await expect(citizen.listMyCases({ bsn: BSN.dirk, sub: 'd' }, { onBehalfOf: { mandateId: held.id } })).rejects.toMatchObject({ kind: 'forbidden' });
    await expect(citizen.getMyCase({ bsn: BSN.carla, sub: 'c' }, annaA, { onBehalfOf: { mandateId: held.id } })).rejects.toMatchObject({ kind: 'not_found' });
  });
});
