import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCatalogues, startSimulator } from '../../src/simulator/index.ts';
import type { Simulator } from '../../src/simulator/index.ts';
import { violations } from '../../src/simulator/oas-validator.ts';
import { bearer, call, CRS } from '../../src/simulator/test-client.ts';

const auth = bearer('gemeente', 'geheim');
let sim: Simulator;
let other: Simulator;

const zaakBody = (overrides: Record<string, unknown> = {}) => ({
  bronorganisatie: '123456782',
  verantwoordelijkeOrganisatie: '111222333',
  zaaktype: sim.zaaktypeUrl('vijf'),
  startdatum: '2026-03-01',
  omschrijving: 'Aanpassing badkamer',
  kenmerken: [{ kenmerk: 'GEM-1', bron: 'gemeente' }],
  ...overrides,
});
const postZaak = (overrides: Record<string, unknown> = {}) =>
  call('POST', `${sim.zakenApiRoot}zaken`, { body: zaakBody(overrides), headers: { ...auth, ...CRS } });

beforeAll(async () => {
  sim = await startSimulator({
    name: 'Test B.V.',
    rsin: '123456782',
    clients: { gemeente: 'geheim' },
    pageSize: 2,
    zaaktypen: [
      ...demoCatalogues['hulpmiddelen-bv'],
      { key: 'vijf', omschrijving: 'Vijf stappen', statustypen: ['Een', 'Twee', 'Drie', 'Vier', 'Vijf'].map((omschrijving) => ({ omschrijving })) },
    ],
  });
  other = await startSimulator({ name: 'Ander', rsin: '111222333', clients: {}, zaaktypen: demoCatalogues['bouwbedrijf-de-steiger'] });
});
afterAll(async () => Promise.all([sim.close(), other.close()]));

describe('zaken', () => {
  it('creates a zaak that matches the official Zaak schema', async () => {
    const res = await postZaak();
    expect(res.status).toBe(201);
    expect(violations('zaken', 'Zaak', res.body)).toEqual([]);
    expect(violations('zaken17', 'Zaak', res.body)).toEqual([]);
    expect(res.headers.location).toBe(res.body.url);
    expect(res.headers['content-crs']).toBe('EPSG:4326');
    expect(res.body).toMatchObject({
      status: null,
      einddatum: null,
      rollen: [],
      bronorganisatie: '123456782',
      vertrouwelijkheidaanduiding: 'zaakvertrouwelijk',
    });
    expect(res.body.url).toBe(`${sim.zakenApiRoot}zaken/${res.body.uuid}`);
    expect(res.body.identificatie).toMatch(/^ZAAK-\d{4}-\d{10}$/);
  });

  it('demands the CRS headers on POST zaken (412)', async () => {
    const res = await call('POST', `${sim.zakenApiRoot}zaken`, { body: zaakBody(), headers: auth });
    expect(res.status).toBe(412);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(violations('zaken', 'Fout', res.body)).toEqual([]);
  });

  it('rejects a zaaktype of another catalogue and invalid fields with a ValidatieFout', async () => {
    const res = await postZaak({
      zaaktype: other.zaaktypeUrl('woningaanpassing'),
      startdatum: '2026-02-30',
      omschrijving: 'x'.repeat(81),
      bronorganisatie: '12345678',
    });
    expect(res.status).toBe(400);
    expect(violations('zaken', 'ValidatieFout', res.body)).toEqual([]);
    const codes = Object.fromEntries(res.body.invalidParams.map((p: { name: string; code: string }) => [p.name, p.code]));
    expect(codes).toEqual({ zaaktype: 'bad-url', startdatum: 'invalid', omschrijving: 'max_length', bronorganisatie: 'invalid-length' });
  });

  it('keeps identificatie unique per bronorganisatie and finds zaken by it', async () => {
    expect((await postZaak({ identificatie: 'UNIEK-1' })).status).toBe(201);
    const dup = await postZaak({ identificatie: 'UNIEK-1' });
    expect(dup.status).toBe(400);
    expect(dup.body.invalidParams).toEqual([expect.objectContaining({ name: 'identificatie', code: 'identificatie-niet-uniek' })]);
    expect((await postZaak({ identificatie: 'UNIEK-1', bronorganisatie: '111222333' })).status).toBe(201);

    const found = await call('GET', `${sim.zakenApiRoot}zaken?identificatie=UNIEK-1&bronorganisatie=123456782`, { headers: auth });
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ count: 1, next: null, previous: null });
    expect(violations('zaken', 'PaginatedZaakList', found.body)).toEqual([]);
    expect(found.body.results[0].identificatie).toBe('UNIEK-1');
  });

  it('answers 304 on a matching If-None-Match and changes the ETag with the status', async () => {
    const zaak = (await postZaak()).body;
    const first = await call('GET', zaak.url, { headers: auth });
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^"[0-9a-f]+"$/);
    const cached = await call('GET', zaak.url, { headers: { ...auth, 'if-none-match': etag } });
    expect(cached.status).toBe(304);
    expect(cached.body).toBeUndefined();
    await sim.advance(zaak.url, { notify: false });
    const changed = await call('GET', zaak.url, { headers: { ...auth, 'if-none-match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
    expect(changed.body.status).toBe(sim.statussen(zaak.url)[0].url);
  });

  it('plays servers whose zaak ETag cannot be trusted (fault etags)', async () => {
    try {
      sim.setFaults({ etags: 'stale' });
      const zaak = (await postZaak()).body;
      const etag = String((await call('GET', zaak.url, { headers: auth })).headers.etag);
      await sim.advance(zaak.url, { notify: false });
      const stale = await call('GET', zaak.url, { headers: { ...auth, 'if-none-match': etag } });
      expect(stale.status).toBe(304); // as Open Zaak 1.25.0: same tag, though `status` changed
      sim.setFaults({ etags: 'missing' });
      const bare = await call('GET', zaak.url, { headers: { ...auth, 'if-none-match': etag } });
      expect(bare.status).toBe(200);
      expect(bare.headers.etag).toBeUndefined();
      expect(bare.body.status).toBe(sim.statussen(zaak.url)[0].url);
    } finally {
      sim.setFaults({ etags: 'content' });
    }
  });

  it('pages statussen in datumStatusGezet order and closes the zaak on the eindstatus', async () => {
    const zaak = (await postZaak()).body;
    const types = sim.statustypeUrls('vijf');
    for (const i of [4, 0, 2, 1, 3]) {
      const datumStatusGezet = `2026-03-0${i + 1}T10:00:00Z`;
      const res = await call('POST', `${sim.zakenApiRoot}statussen`, { body: { zaak: zaak.url, statustype: types[i], datumStatusGezet }, headers: auth });
      expect(res.status).toBe(201);
    }
    const seen: { statustype: string; indicatieLaatstGezetteStatus: boolean }[] = [];
    let next: string | null = `${sim.zakenApiRoot}statussen?zaak=${encodeURIComponent(zaak.url)}`;
    let pages = 0;
    while (next) {
      const page = await call('GET', next, { headers: auth });
      expect(page.status).toBe(200);
      expect(violations('zaken', 'PaginatedStatusList', page.body)).toEqual([]);
      expect(page.body.count).toBe(5);
      if (pages > 0) expect(page.body.previous).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/zaken\/api\/v1\/statussen\?/);
      seen.push(...page.body.results);
      next = page.body.next;
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen.map((s) => s.statustype)).toEqual(types);
    expect(seen.map((s) => s.indicatieLaatstGezetteStatus)).toEqual([false, false, false, false, true]);
    const after = await call('GET', zaak.url, { headers: auth });
    expect(after.body.einddatum).toBe('2026-03-05');
    expect(await sim.advance(zaak.url).catch((e: Error) => e.message)).toMatch(/eindstatus/);
  });

  it('rejects a statustype of another zaaktype', async () => {
    const zaak = (await postZaak()).body;
    const res = await call('POST', `${sim.zakenApiRoot}statussen`, {
      body: { zaak: zaak.url, statustype: sim.statustypeUrls('traplift')[0], datumStatusGezet: new Date().toISOString() },
      headers: auth,
    });
    expect(res.status).toBe(400);
    expect(res.body.invalidParams[0]).toMatchObject({ name: 'nonFieldErrors', code: 'zaaktype-mismatch' });
  });

  it('stores rollen that match the natuurlijk_persoon Rol schema', async () => {
    const zaak = (await postZaak()).body;
    const res = await call('POST', `${sim.zakenApiRoot}rollen`, {
      body: {
        zaak: zaak.url,
        betrokkeneType: 'natuurlijk_persoon',
        roltype: sim.roltypeUrl('vijf', 'initiator'),
        roltoelichting: 'Aanvrager',
        betrokkeneIdentificatie: { inpBsn: '999993653' },
      },
      headers: auth,
    });
    expect(res.status).toBe(201);
    expect(violations('zaken', 'natuurlijk_persoon_Rol', res.body)).toEqual([]);
    expect(res.body).toMatchObject({ omschrijvingGeneriek: 'initiator', betrokkeneIdentificatie: { inpBsn: '999993653' } });
    expect((await call('GET', zaak.url, { headers: auth })).body.rollen).toEqual([res.body.url]);
    const list = await call('GET', `${sim.zakenApiRoot}rollen?zaak=${encodeURIComponent(zaak.url)}`, { headers: auth });
    expect(list.body.results.map((r: { url: string }) => r.url)).toEqual([res.body.url]);
  });

  it('reads a naive datumStatusGezet as Dutch local time, like Open Zaak', async () => {
    const zaak = (await postZaak()).body;
    const body = { zaak: zaak.url, statustype: sim.statustypeUrls('vijf')[0], datumStatusGezet: '2026-01-15T10:00:00' };
    const res = await call('POST', `${sim.zakenApiRoot}statussen`, { body, headers: auth });
    expect(res.body.datumStatusGezet).toBe('2026-01-15T09:00:00.000Z');
  });

  it('applies the 11-proef and demands Accept-Crs on GET when configured strict', async () => {
    const strict = await startSimulator({
      name: 'Strikt',
      rsin: '123456782',
      clients: { gemeente: 'geheim' },
      zaaktypen: demoCatalogues['hulpmiddelen-bv'],
      strictRsin: true,
      strictCrs: true,
    });
    try {
      const body = zaakBody({ zaaktype: strict.zaaktypeUrl('traplift'), bronorganisatie: '123456789' });
      const res = await call('POST', `${strict.zakenApiRoot}zaken`, { body, headers: { ...auth, ...CRS } });
      expect(res.body.invalidParams).toEqual([expect.objectContaining({ name: 'bronorganisatie', code: 'invalid' })]);
      expect((await call('GET', `${strict.zakenApiRoot}zaken`, { headers: auth })).status).toBe(412);
      expect((await call('GET', `${strict.zakenApiRoot}zaken`, { headers: { ...auth, ...CRS } })).status).toBe(200);
    } finally {
      await strict.close();
    }
  });

  it('answers 404 for unknown and deleted zaken', async () => {
    const zaak = (await postZaak()).body;
    sim.deleteZaak(zaak.url);
    const res = await call('GET', zaak.url, { headers: auth });
    expect(res.status).toBe(404);
    expect(violations('zaken', 'Fout', res.body)).toEqual([]);
  });
});

describe('authentication', () => {
  it.each([
    ['no token', {}],
    ['a wrong secret', bearer('gemeente', 'fout')],
    ['an unknown client', bearer('onbekend', 'geheim')],
  ])('answers 401 with %s', async (_name, headers) => {
    const res = await call('GET', `${sim.zakenApiRoot}zaken`, { headers });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('not_authenticated');
    expect(violations('zaken', 'Fout', res.body)).toEqual([]);
  });
});

describe('catalogi', () => {
  it('serves zaaktypen, statustypen and roltypen that match the Catalogi 1.3.3 schemas', async () => {
    const zaaktype = await call('GET', sim.zaaktypeUrl('traplift'), { headers: auth });
    expect(violations('catalogi', 'ZaakType', zaaktype.body)).toEqual([]);
    expect(zaaktype.body.statustypen).toEqual(sim.statustypeUrls('traplift'));
    const catalogus = await call('GET', zaaktype.body.catalogus, { headers: auth });
    expect(violations('catalogi', 'Catalogus', catalogus.body)).toEqual([]);
    expect(catalogus.body.zaaktypen).toContain(zaaktype.body.url);

    const list = await call('GET', `${sim.catalogiApiRoot}statustypen?zaaktype=${encodeURIComponent(sim.zaaktypeUrl('traplift'))}&page=2`, { headers: auth });
    expect(list.body.count).toBe(4);
    for (const st of list.body.results) expect(violations('catalogi', 'StatusType', st)).toEqual([]);
    expect(list.body.results.map((s: { volgnummer: number; isEindstatus: boolean }) => [s.volgnummer, s.isEindstatus])).toEqual([
      [3, false],
      [4, true],
    ]);
    expect(list.body.results[0]).toMatchObject({ omschrijving: 'Aanvullende informatie nodig', informeren: true });

    const roltype = await call('GET', sim.roltypeUrl('traplift', 'initiator'), { headers: auth });
    expect(violations('catalogi', 'RolType', roltype.body)).toEqual([]);
    expect(roltype.body).toMatchObject({ omschrijving: 'Aanvrager', omschrijvingGeneriek: 'initiator' });
  });

  it('derives catalogue URLs from name and key, so they survive a restart on the same port', async () => {
    const port = Number(new URL(other.url).port);
    const urls = other.statustypeUrls('woningaanpassing');
    await other.close();
    other = await startSimulator({ name: 'Ander', rsin: '111222333', port, clients: {}, zaaktypen: demoCatalogues['bouwbedrijf-de-steiger'] });
    expect(other.statustypeUrls('woningaanpassing')).toEqual(urls);
  });
});
