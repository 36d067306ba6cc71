// /api/v1/consumer: an organisation reads for customers who gave it a mandate (a portal client whose
// trust-network entry names the organisation). A portal client without one is refused (403).
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../http/context.ts';
import { pageOf, readPage } from '../http/pagination.ts';
import { HttpProblem } from '../http/problem.ts';
import { parseWith } from '../http/validate.ts';
import type { RoleGuard } from '../http/zgw-auth.ts';
import type { Consumer, ConsumerService } from './consumer.ts';
import { personalAnswer } from './request.ts';

const pageQuery = z.strictObject({ page: z.string().optional(), pageSize: z.string().optional() });
const casesQuery = pageQuery.extend({ state: z.enum(['open', 'closed']).optional() });
const eventsQuery = z.strictObject({
  after: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

function consumerOf(c: Context<AppEnv>): Consumer {
  const client = c.get('client');
  if (!client?.organisation) {
    throw new HttpProblem({
      status: 403,
      detail: 'This client reads for no organisation: its trust-network entry needs organisation { name, oin | kvk } to use mandates.',
    });
  }
  return { clientId: client.clientId, organisation: client.organisation };
}

export function consumerRoutes({ consumer, guard, baseUrl }: { consumer: ConsumerService; guard: RoleGuard; baseUrl: string }) {
  return new Hono<AppEnv>()
    .use(guard('portal'))
    .get('/mandates', async (c) => {
      parseWith(pageQuery, c.req.query(), 'query');
      const page = readPage(c);
      personalAnswer(c);
      const { count, results } = await consumer.mandates(consumerOf(c), page);
      return c.json(pageOf(c, page, count, results, baseUrl));
    })
    .get('/mandates/:id/cases', async (c) => {
      const query = parseWith(casesQuery, c.req.query(), 'query');
      const page = readPage(c);
      const read = { state: query.state, page: page.page, pageSize: page.pageSize, ...personalAnswer(c) };
      const { count, results } = await consumer.cases(consumerOf(c), c.req.param('id'), read);
      return c.json(pageOf(c, page, count, results, baseUrl));
    })
    .get('/mandates/:id/cases/:caseId', async (c) => {
      return c.json(await consumer.case(consumerOf(c), c.req.param('id'), c.req.param('caseId'), personalAnswer(c)));
    })
    .get('/mandates/:id/events', async (c) => {
      const query = parseWith(eventsQuery, c.req.query(), 'query');
      const feed = await consumer.events(consumerOf(c), c.req.param('id'), { ...query, ...personalAnswer(c) });
      const next = new URL(`${baseUrl}/api/v1/consumer/mandates/${c.req.param('id')}/events`);
      if (feed.cursor) next.searchParams.set('after', feed.cursor);
      next.searchParams.set('limit', String(query.limit));
      return c.json({ ...feed, next: next.toString() });
    });
}
