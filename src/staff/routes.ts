// The staff channel's API: the contact centre's lookups (/api/v1/kcc), the worklist
// (/api/v1/cases?attention=true) and the chain's lead times (/api/v1/analytics).
import { Hono, type Context } from 'hono';
import { PURPOSES, type Access } from '../access-log/access-log.ts';
import { preferredLanguage } from '../i18n/index.ts';
import { personalAnswer } from '../citizen/request.ts';
import { readJson } from '../http/body.ts';
import type { AppEnv, StaffMember } from '../http/context.ts';
import { pageOf, readPage } from '../http/pagination.ts';
import { HttpProblem, validationProblem } from '../http/problem.ts';
import { parseWith } from '../http/validate.ts';
import type { RoleGuard } from '../http/zgw-auth.ts';
import type { KccService } from './kcc.ts';
import { leadTimesCsv, type LeadTimeService } from './lead-times.ts';
import { leadTimesQuery, lookupSchema, worklistQuery } from './schemas.ts';
import type { WorklistService } from './worklist.ts';

/** A lookup is made by a person: the access log names them, so a ZGW client cannot make one. */
function memberOf(c: Context<AppEnv>): StaffMember {
  const staff = c.get('client')?.staff;
  if (!staff) throw new HttpProblem({ status: 403, detail: 'A contact-centre lookup needs a staff member signed on through the staff identity provider.' });
  return staff;
}

export function kccRoutes({ kcc, guard }: { kcc: KccService; guard: RoleGuard }) {
  return new Hono<AppEnv>()
    .use(guard('kcc'))
    .post('/lookups', async (c) => {
      const member = memberOf(c);
      const input = parseWith(lookupSchema, await readJson(c));
      const answer = await kcc.lookup(member, input, personalAnswer(c));
      return c.json(answer, 201, { Location: answer.url });
    })
    .get('/lookups/:id', async (c) => c.json(await kcc.read(memberOf(c), c.req.param('id'), personalAnswer(c))));
}

/**
 * GET /api/v1/cases?attention=true, registered before the supplier's case routes: it answers only
 * when `attention=true` and hands every other request on to them.
 */
export function worklistRoutes({ worklist, guard, baseUrl }: { worklist: WorklistService; guard: RoleGuard; baseUrl: string }) {
  const admit = guard('supplier', 'caseworker');
  return new Hono<AppEnv>().get('/', async (c, next) => {
    if (c.req.query('attention') !== 'true') {
      // reason and sort belong to the worklist: said plainly rather than as an unknown parameter.
      const stray = ['reason', 'sort'].filter((name) => c.req.query(name) !== undefined);
      if (stray.length) throw validationProblem(stray.map((name) => ({ name, code: 'attention-only', reason: 'only with attention=true' })));
      return next();
    }
    let admitted = false;
    await admit(c, async () => {
      admitted = true;
    });
    if (!admitted) return next();
    const query = parseWith(worklistQuery, c.req.query(), 'query');
    const page = readPage(c);
    const { lang, requestId, traceId } = personalAnswer(c);
    const client = c.get('client')!;
    const access: Access =
      client.role === 'caseworker'
        ? { role: 'caseworker', actor: client.staff?.name ?? client.clientId, purpose: PURPOSES.caseworker, requestId, traceId }
        : { role: 'supplier', actor: client.clientId, purpose: PURPOSES.supplier, requestId, traceId };
    const { count, results } = await worklist.list({ reason: query.reason, sort: query.sort, limit: page.limit, offset: page.offset, lang }, access);
    return c.json(pageOf(c, page, count, results, baseUrl));
  });
}

export function analyticsRoutes({ leadTimes, guard }: { leadTimes: LeadTimeService; guard: RoleGuard }) {
  return new Hono<AppEnv>().use(guard('supplier', 'caseworker', 'operator')).get('/lead-times', async (c) => {
    const query = parseWith(leadTimesQuery, c.req.query(), 'query');
    const lang = preferredLanguage(c.req.header('accept-language'));
    const report = await leadTimes.report({ ...query, lang });
    c.header('Vary', 'Accept, Accept-Language');
    if (wantsCsv(c.req.header('accept'))) {
      return c.body(leadTimesCsv(report), 200, {
        'content-type': 'text/csv; charset=utf-8; header=present',
        'content-disposition': `attachment; filename="lead-times-${report.from}-${report.to}-${report.groupBy}.csv"`,
      });
    }
    return c.json(report);
  });
}

/** text/csv when the Accept header ranks it above JSON (or names it alone). */
function wantsCsv(accept: string | undefined): boolean {
  const q = (type: string) => {
    for (const part of (accept ?? '').toLowerCase().split(',')) {
      const [name, ...params] = part.trim().split(';');
      if (name.trim() !== type) continue;
      const value = Number(
        params
          .map((p) => p.trim())
          .find((p) => p.startsWith('q='))
          ?.slice(2) ?? '1',
      );
      return Number.isFinite(value) ? value : 0;
    }
    return 0;
  };
  return q('text/csv') > 0 && q('text/csv') > q('application/json');
}
