import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { readJson } from '../http/body.ts';
import type { AppEnv } from '../http/context.ts';
import { pageOf, readPage, type Page } from '../http/pagination.ts';
import { validationProblem } from '../http/problem.ts';
import { parseWith, writtenText } from '../http/validate.ts';
import type { CitizenAuthenticator } from './auth.ts';
import { preferredLanguage } from '../i18n/index.ts';
import { requireCitizen, type CitizenEnv } from './middleware.ts';
import { language, trace } from './request.ts';
import { groupRoutes } from './group-routes.ts';
import { GroupService } from './group-service.ts';
import type { CitizenService, OnBehalfOf } from './service.ts';

const proxyParams = {
  onBehalfOf: z.string().optional(),
  mandate: z.guid().optional(),
};
const listQuery = z.strictObject({
  state: z.enum(['open', 'closed']).optional(),
  ...proxyParams,
  page: z.string().optional(),
  pageSize: z.string().optional(),
});
const detailQuery = z.strictObject(proxyParams);

/** A proxy names the grantor by BSN (?onBehalfOf=) or by the mandate (?mandate=), not both. */
function onBehalfOf(query: { onBehalfOf?: string; mandate?: string }): OnBehalfOf | undefined {
  if (query.onBehalfOf !== undefined && query.mandate !== undefined) {
    throw validationProblem([{ name: 'mandate', code: 'exclusive', reason: 'give onBehalfOf or mandate, not both' }]);
  }
  // Eight digits name a company (KvK number), nine a person (BSN).
  if (query.onBehalfOf !== undefined) return /^\d{8}$/.test(query.onBehalfOf) ? { kvk: query.onBehalfOf } : { bsn: query.onBehalfOf };
  if (query.mandate !== undefined) return { mandateId: query.mandate };
  return undefined;
}

/** pageOf, but the links never carry a BSN: a proxy's links name the mandate instead. */
function casePage<T>(c: Context, page: Page, count: number, results: T[], baseUrl: string, mandateId: string | undefined) {
  const body = pageOf(c, page, count, results, baseUrl);
  const relink = (link: string | null) => {
    if (link === null) return link;
    const url = new URL(link);
    url.searchParams.delete('onBehalfOf');
    if (mandateId !== undefined) url.searchParams.set('mandate', mandateId);
    return url.toString();
  };
  return { ...body, next: relink(body.next), previous: relink(body.previous) };
}
const pageQuery = z.strictObject({ page: z.string().optional(), pageSize: z.string().optional() });

const grantSchema = z.strictObject({
  proxyBsn: z.string().optional(),
  proxyOrganisation: z
    .union(
      [
        z.strictObject({ oin: z.string().regex(/^\d{20}$/, 'must be an OIN of 20 digits') }),
        z.strictObject({ kvk: z.string().regex(/^\d{8}$/, 'must be a KvK number of 8 digits') }),
      ],
      {
        error: 'must be { "oin": "…" } or { "kvk": "…" }',
      },
    )
    .optional(),
  proxyName: writtenText(100).optional(),
  caseId: z.guid().optional(),
  validUntil: z.union([z.iso.datetime({ offset: true }), z.iso.date()], { error: 'must be an ISO 8601 date-time with offset, or a date' }).optional(),
});

/** Proxies only read: onBehalfOf anywhere else is refused rather than ignored. */
function refuseOnBehalfOf(c: Context) {
  if (c.req.query('onBehalfOf') !== undefined || c.req.query('mandate') !== undefined) {
    throw validationProblem([{ name: 'onBehalfOf', code: 'read-only', reason: 'a proxy may only read cases (GET /me/cases and /me/cases/{id})' }]);
  }
}

export function citizenRoutes({ citizen, auth, baseUrl, minAcr }: { citizen: CitizenService; auth: CitizenAuthenticator; baseUrl: string; minAcr?: string }) {
  return new Hono<CitizenEnv>()
    .use(requireCitizen(auth, minAcr))
    .get('/cases', async (c) => {
      const query = parseWith(listQuery, c.req.query(), 'query');
      const page = readPage(c);
      const lang = language(c);
      const read = { state: query.state, onBehalfOf: onBehalfOf(query), page: page.page, pageSize: page.pageSize, lang, ...trace(c) };
      const { count, results, mandateId } = await citizen.listMyCases(c.get('viewer'), read);
      return c.json(casePage(c, page, count, results, baseUrl, mandateId));
    })
    .get('/cases/:id', async (c) => {
      const query = parseWith(detailQuery, c.req.query(), 'query');
      return c.json(await citizen.getMyCase(c.get('viewer'), c.req.param('id'), { onBehalfOf: onBehalfOf(query), lang: language(c), ...trace(c) }));
    })
    .get('/access-log', async (c) => {
      refuseOnBehalfOf(c);
      parseWith(pageQuery, c.req.query(), 'query');
      const page = readPage(c);
      const { count, results } = await citizen.accessLog(c.get('viewer'), { page: page.page, pageSize: page.pageSize, lang: language(c) });
      return c.json(pageOf(c, page, count, results, baseUrl));
    })
    .get('/mandates', async (c) => {
      refuseOnBehalfOf(c);
      language(c);
      return c.json(await citizen.listMandates(c.get('viewer')));
    })
    .post('/mandates', async (c) => {
      refuseOnBehalfOf(c);
      const input = parseWith(grantSchema, await readJson(c));
      language(c);
      const mandate = await citizen.grantMandate(c.get('viewer'), input);
      return c.json(mandate, 201, { Location: `${baseUrl}/api/v1/me/mandates/${mandate.id}` });
    })
    .delete('/mandates/:id', async (c) => {
      refuseOnBehalfOf(c);
      await citizen.revokeMandate(c.get('viewer'), c.req.param('id'));
      return c.body(null, 204);
    })
    .route('/groups', groupRoutes({ groups: new GroupService(citizen), baseUrl }));
}

/** GET /api/v1/network: public, no personal data, no URLs or secrets. */
export function networkRoutes({ citizen }: { citizen: CitizenService }) {
  return new Hono<AppEnv>().get('/', async (c) => {
    const lang = preferredLanguage(c.req.header('accept-language'));
    c.header('Content-Language', lang);
    c.header('Vary', 'Accept-Language');
    c.header('Cache-Control', 'public, max-age=10');
    return c.json(await citizen.network(lang));
  });
}
