// Catalogi API 1.3.3 subset: read-only catalogus, zaaktypen, statustypen and roltypen.
import { Hono } from 'hono';
import type { SimulatorCore } from './core.ts';
import { jsonWithEtag, notFound, pageOrProblem } from './http-util.ts';

export function catalogiRoutes(core: SimulatorCore): Hono {
  const app = new Hono();
  const { catalogue, baseUrl: base, catalogiApiRoot: root } = core;
  const entries = catalogue.entries;

  // Every simulated zaaktype is published (concept false), so status=concept yields nothing.
  const statusFilter = (status: string | undefined): boolean => status === undefined || status !== 'concept';

  app.get('/catalogussen', (c) => pageOrProblem(c, [catalogue.catalogus], base, core.pageSize));
  app.get('/catalogussen/:uuid', (c) =>
    catalogue.catalogusUrl === `${root}catalogussen/${c.req.param('uuid')}` ? jsonWithEtag(c, catalogue.catalogus) : notFound(base),
  );

  app.get('/zaaktypen', (c) => {
    const catalogus = c.req.query('catalogus');
    const identificatie = c.req.query('identificatie');
    const items = entries
      .filter(() => statusFilter(c.req.query('status')))
      .filter((e) => catalogus === undefined || e.zaaktype.catalogus === catalogus)
      .filter((e) => identificatie === undefined || e.zaaktype.identificatie === identificatie)
      .map((e) => e.zaaktype);
    return pageOrProblem(c, items, base, core.pageSize);
  });

  app.get('/zaaktypen/:uuid', (c) => {
    const entry = catalogue.zaaktypen.get(`${root}zaaktypen/${c.req.param('uuid')}`);
    return entry ? jsonWithEtag(c, entry.zaaktype) : notFound(base);
  });

  app.get('/statustypen', (c) => {
    const zaaktype = c.req.query('zaaktype');
    const zaaktypeIdentificatie = c.req.query('zaaktypeIdentificatie');
    const items = entries
      .filter(() => statusFilter(c.req.query('status')))
      .filter((e) => zaaktype === undefined || e.zaaktype.url === zaaktype)
      .filter((e) => zaaktypeIdentificatie === undefined || e.zaaktype.identificatie === zaaktypeIdentificatie)
      .flatMap((e) => e.statustypen);
    return pageOrProblem(c, items, base, core.pageSize);
  });

  app.get('/statustypen/:uuid', (c) => {
    const found = catalogue.statustypen.get(`${root}statustypen/${c.req.param('uuid')}`);
    return found ? jsonWithEtag(c, found.statustype) : notFound(base);
  });

  app.get('/roltypen', (c) => {
    const zaaktype = c.req.query('zaaktype');
    const generiek = c.req.query('omschrijvingGeneriek');
    const items = entries
      .filter(() => statusFilter(c.req.query('status')))
      .filter((e) => zaaktype === undefined || e.zaaktype.url === zaaktype)
      .map((e) => e.roltype)
      .filter((r) => generiek === undefined || r.omschrijvingGeneriek === generiek);
    return pageOrProblem(c, items, base, core.pageSize);
  });

  app.get('/roltypen/:uuid', (c) => {
    const entry = catalogue.roltypen.get(`${root}roltypen/${c.req.param('uuid')}`);
    return entry ? jsonWithEtag(c, entry.roltype) : notFound(base);
  });

  return app;
}
