// The operator API under /api/v1/ops: the overview, jobs, and (from delivery) webhook operations.
import { Hono } from 'hono';
import { z } from 'zod';
import { deliveryOpsRoutes } from '../delivery/routes.ts';
import type { DeliveryOps } from '../delivery/ops.ts';
import type { AppEnv } from '../http/context.ts';
import { pageOf, readPage } from '../http/pagination.ts';
import { parseWith } from '../http/validate.ts';
import type { RoleGuard } from '../http/zgw-auth.ts';
import { notFound } from '../lib/service-error.ts';
import type { OpsService } from './service.ts';

export const listJobsQuery = z.strictObject({
  state: z.enum(['dead', 'queued']).default('dead'),
  page: z.string().optional(),
  pageSize: z.string().optional(),
});

export function opsRoutes(deps: { ops: OpsService; deliveries: DeliveryOps; guard: RoleGuard; baseUrl: string }) {
  const { ops } = deps;
  return new Hono<AppEnv>()
    .use(deps.guard('operator'))
    .get('/overview', async (c) => c.json(await ops.overview()))
    .route('/', deliveryOpsRoutes({ ops: deps.deliveries, baseUrl: deps.baseUrl }))
    .get('/jobs', async (c) => {
      const { state } = parseWith(listJobsQuery, c.req.query(), 'query');
      const page = readPage(c);
      const { count, results } = await ops.jobs(state, page.limit, page.offset);
      return c.json(pageOf(c, page, count, results, deps.baseUrl));
    })
    .post('/jobs/:id/retry', async (c) => {
      const raw = c.req.param('id');
      if (!/^\d{1,15}$/.test(raw)) throw notFound(`dead job ${raw}`);
      return c.json(await ops.retryJob(Number(raw)), 202);
    });
}
