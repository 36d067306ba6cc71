import { Hono } from 'hono';
import { z } from 'zod';
import { sql } from 'kysely';
import type { RoleGuard } from '../http/zgw-auth.ts';
import type { Database } from '../db/database.ts';
import type { DeliveryOps } from '../delivery/ops.ts';
import { deliveryOpsRoutes } from '../delivery/routes.ts';
import type { AppEnv } from '../http/context.ts';
import { pageOf, readPage } from '../http/pagination.ts';
import { parseWith } from '../http/validate.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { notFound } from '../lib/service-error.ts';
import type { NetworkService } from '../network/service.ts';
import { pollIntervalOf } from '../network/types.ts';
import type { Breakers } from '../outbound/breaker.ts';

export async function operationsOverview(database: Database, network: NetworkService, breakers: Breakers) {
  const [health, notifications, syncs, jobs, nrc] = await Promise.all([
    database.db.selectFrom('organisation_health').selectAll().execute(),
    lastNotifications(database, network.list().map((org) => org.id)),
    sql<{ subcontractor: string; last: Date | null; open: number; unreachable: number }>`
      select subcontractor, max(last_synced_at) as last,
             count(*) filter (where coalesce((status->>'isEindstatus')::boolean, false) = false)::int as open,
             count(*) filter (where sync_state in ('unreachable', 'gone'))::int as unreachable
      from orders where state = 'placed' group by subcontractor`.execute(database.db),
    sql<{ group_key: string; state: string; n: number }>`select group_key, state, count(*)::int as n from jobs where group_key is not null group by group_key, state`.execute(database.db),
    database.db.selectFrom('nrc_subscriptions').select(['organisation_id', 'state', 'last_error', 'last_checked_at']).execute(),
  ]);
  return network.list().map((org) => {
    const h = health.find((r) => r.organisation_id === org.id);
    const s = syncs.rows.find((r) => r.subcontractor === org.id);
    const jobCount = (state: string) => Number(jobs.rows.find((r) => r.group_key === org.id && r.state === state)?.n ?? 0);
    const lastSync = s?.last ?? null;
    return {
      id: org.id,
      name: org.name,
      status: org.status,
      agreement: org.agreement ?? null,
      notifications: org.notifications.mode,
      pollIntervalSeconds: pollIntervalOf(org),
      lastNotificationAt: notifications.get(org.id) ?? null,
      lastSuccessfulSyncAt: h?.last_success_at ?? lastSync,
      syncLagSeconds: lastSync ? Math.round((Date.now() - new Date(lastSync).getTime()) / 1000) : null,
      consecutiveFailures: h?.consecutive_failures ?? 0,
      lastError: h?.last_error ?? null,
      breaker: breakers.state(org.id),
      openOrders: Number(s?.open ?? 0),
      unreachableOrders: Number(s?.unreachable ?? 0),
      jobs: { queued: jobCount('queued'), running: jobCount('running'), dead: jobCount('dead') },
      // The gateway's abonnement at the organisation's NRC (src/subscriptions); null when it has none.
      notificationSubscription: subscriptionSummary(nrc.find((r) => r.organisation_id === org.id)),
    };
  });
}

function subscriptionSummary(row: { state: string; last_error: string | null; last_checked_at: Date | null } | undefined) {
  return row ? { state: row.state, lastCheckedAt: row.last_checked_at, lastError: row.last_error } : null;
}

/**
 * The newest notification per organisation: one backward step in inbox_received (organisation_id,
 * received_at) each, instead of a group-by over every notification ever stored.
 */
async function lastNotifications(database: Database, organisationIds: string[]): Promise<Map<string, Date>> {
  if (organisationIds.length === 0) return new Map();
  const { rows } = await sql<{ id: string; last: Date | null }>`
    select o.id, (select max(received_at) from inbox where inbox.organisation_id = o.id) as last
    from (values ${sql.join(organisationIds.map((id) => sql`(${id}::text)`))}) as o(id)`.execute(database.db);
  return new Map(rows.filter((r) => r.last !== null).map((r) => [r.id, r.last!]));
}

export const listJobsQuery = z.strictObject({
  state: z.enum(['dead', 'queued']).default('dead'),
  page: z.string().optional(),
  pageSize: z.string().optional(),
});

export function opsRoutes(deps: { database: Database; network: NetworkService; breakers: Breakers; jobs: JobQueue; deliveries: DeliveryOps; guard: RoleGuard; baseUrl: string }) {
  const { database, jobs } = deps;
  return new Hono<AppEnv>()
    .use(deps.guard('operator'))
    .get('/overview', async (c) => {
      const [organisations, subscriptions] = await Promise.all([operationsOverview(database, deps.network, deps.breakers), deps.deliveries.summary()]);
      return c.json({ organisations, subscriptions });
    })
    .route('/', deliveryOpsRoutes({ ops: deps.deliveries, baseUrl: deps.baseUrl }))
    .get('/jobs', async (c) => {
      const { state } = parseWith(listJobsQuery, c.req.query(), 'query');
      const page = readPage(c);
      const base = database.db.selectFrom('jobs').where('state', '=', state);
      const [rows, count] = await Promise.all([
        base.selectAll().orderBy('updated_at', 'desc').limit(page.limit).offset(page.offset).execute(),
        base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      const results = rows.map((j) => ({
        id: j.id, kind: j.kind, state: j.state, organisation: j.group_key, attempts: j.attempts, runAt: j.run_at,
        updatedAt: j.updated_at, payload: j.payload, errors: j.errors,
      }));
      return c.json(pageOf(c, page, Number(count.n), results, deps.baseUrl));
    })
    .post('/jobs/:id/retry', async (c) => {
      const id = Number(c.req.param('id'));
      if (!Number.isSafeInteger(id) || !(await jobs.retryDead(id))) throw notFound(`dead job ${c.req.param('id')}`);
      return c.json({ id, state: 'queued' }, 202);
    });
}
