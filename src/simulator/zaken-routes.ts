// Zaken API 1.5.1 subset: zaken, statussen, rollen (create, retrieve, list).
import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import type { Context } from 'hono';
import type { SimulatorCore } from './core.ts';
import type { EtagMode, Zaak } from './types.ts';
import { jsonWithEtag, notFound, pageOrProblem, problem, problemResponse, readJsonObject, validationProblem } from './http-util.ts';
import { validateRol, validateStatus, validateZaak } from './zaken-input.ts';

const CRS = 'EPSG:4326';
const CRS_HEADERS = { 'Content-Crs': CRS };

/** Accept-Crs / Content-Crs negotiation of the ZGW geo endpoints (412 when missing, 406 when unsupported). */
function crsProblem(c: Context, base: string, needContentCrs: boolean): Response | undefined {
  const checks: [string, string | undefined][] = needContentCrs ? [['Content-Crs', c.req.header('content-crs')]] : [];
  checks.push(['Accept-Crs', c.req.header('accept-crs')]);
  for (const [name, value] of checks) {
    if (value === undefined) return problemResponse(problem(base, 412, 'precondition_failed', `'${name}' header ontbreekt`));
    if (value.trim() !== CRS) return problemResponse(problem(base, 406, 'not_acceptable', `CRS '${value}' is niet ondersteund`));
  }
  return undefined;
}

export function zakenRoutes(core: SimulatorCore): Hono {
  const app = new Hono();
  const base = core.baseUrl;
  const input = { catalogue: core.catalogue, store: core.store, strictRsin: core.options.strictRsin ?? false };
  const optionalCrs = (c: Context): Response | undefined =>
    core.options.strictCrs || c.req.header('accept-crs') !== undefined ? crsProblem(c, base, false) : undefined;

  app.post('/zaken', async (c) => {
    const crs = crsProblem(c, base, true);
    if (crs) return crs;
    const body = await readJsonObject(c, base);
    if (body instanceof Response) return body;
    const result = validateZaak(body, input);
    if ('errors' in result) return validationProblem(base, result.errors);
    const zaak = core.createZaak(result.ok);
    return c.json(zaak, 201, { Location: zaak.url, ...CRS_HEADERS });
  });

  app.get('/zaken', (c) => {
    const crs = optionalCrs(c);
    if (crs) return crs;
    const q = (name: string): string | undefined => c.req.query(name);
    const bronIn = q('bronorganisatie__in')?.split(',');
    const bsn = q('rol__betrokkeneIdentificatie__natuurlijkPersoon__inpBsn');
    const zaken = core.store
      .zaakRecords(q('identificatie'))
      .filter(
        (z) =>
          (q('bronorganisatie') === undefined || z.bronorganisatie === q('bronorganisatie')) &&
          (bronIn === undefined || bronIn.includes(z.bronorganisatie)) &&
          (q('zaaktype') === undefined || z.zaaktype === q('zaaktype')) &&
          (bsn === undefined || core.store.rollen(z.url).some((r) => r.betrokkeneIdentificatie?.inpBsn === bsn)),
      );
    return pageOrProblem(c, zaken, base, core.pageSize, CRS_HEADERS, (z) => core.store.getZaak(z.uuid)!);
  });

  app.get('/zaken/:uuid', (c) => {
    const crs = optionalCrs(c);
    if (crs) return crs;
    const zaak = core.store.getZaak(c.req.param('uuid'));
    return zaak ? jsonWithEtag(c, zaak, CRS_HEADERS, (contentTag) => zaakEtag(core.faults.etags, zaak, contentTag)) : notFound(base);
  });

  app.post('/statussen', async (c) => {
    const body = await readJsonObject(c, base);
    if (body instanceof Response) return body;
    const result = validateStatus(body, input);
    if ('errors' in result) return validationProblem(base, result.errors);
    const { zaak, statustype, time, statustoelichting, gezetdoor } = result.ok;
    const status = core.createStatus(zaak, statustype, time, { toelichting: statustoelichting, gezetdoor });
    return c.json(status, 201, { Location: status.url });
  });

  app.get('/statussen', (c) => {
    const zaak = c.req.query('zaak');
    const statustype = c.req.query('statustype');
    const laatst = c.req.query('indicatieLaatstGezetteStatus');
    const statussen = core.store
      .statussen(zaak)
      .filter(
        (s) =>
          (statustype === undefined || s.statustype === statustype) &&
          (laatst === undefined || String(s.indicatieLaatstGezetteStatus) === laatst.toLowerCase()),
      );
    return pageOrProblem(c, statussen, base, core.pageSize);
  });

  app.get('/statussen/:uuid', (c) => {
    const status = core.store.getStatus(c.req.param('uuid'));
    return status ? jsonWithEtag(c, status) : notFound(base);
  });

  app.post('/rollen', async (c) => {
    const body = await readJsonObject(c, base);
    if (body instanceof Response) return body;
    const result = validateRol(body, input);
    if ('errors' in result) return validationProblem(base, result.errors);
    const rol = core.store.addRol(result.ok);
    return c.json(rol, 201, { Location: rol.url });
  });

  app.get('/rollen', (c) => {
    const q = (name: string): string | undefined => c.req.query(name);
    const bsn = q('betrokkeneIdentificatie__natuurlijkPersoon__inpBsn');
    const rollen = core.store
      .rollen(q('zaak'))
      .filter(
        (r) =>
          (q('betrokkeneType') === undefined || r.betrokkeneType === q('betrokkeneType')) &&
          (q('omschrijvingGeneriek') === undefined || r.omschrijvingGeneriek === q('omschrijvingGeneriek')) &&
          (q('roltype') === undefined || r.roltype === q('roltype')) &&
          (bsn === undefined || r.betrokkeneIdentificatie?.inpBsn === bsn),
      );
    return pageOrProblem(c, rollen, base, core.pageSize);
  });

  app.get('/rollen/:uuid', (c) => {
    const rol = core.store.getRol(c.req.param('uuid'));
    return rol ? jsonWithEtag(c, rol) : notFound(base);
  });

  return app;
}

/** The zaak's ETag under the fault `etags` (see Faults). The stale tag is over what never changes. */
function zaakEtag(mode: EtagMode, zaak: Zaak, contentTag: string): string | undefined {
  if (mode === 'content') return contentTag;
  if (mode === 'missing') return undefined;
  const stale = `"${createHash('md5').update(`${zaak.url}|${zaak.registratiedatum}`).digest('hex')}"`;
  return mode === 'stale' || Math.random() < 0.5 ? stale : contentTag;
}
