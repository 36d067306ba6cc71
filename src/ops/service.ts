// Operations: what an operator sees of every organisation (health, orders, jobs, abonnement) and
// the jobs they can act on. Used by the operator API (ops/routes.ts) and the /ops page alike.
import type { Database } from '../db/database.ts';
import type { DeliveryOps } from '../delivery/ops.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { notFound } from '../lib/service-error.ts';
import type { NetworkService } from '../network/service.ts';
import { isPortal, pollIntervalOf } from '../network/types.ts';
import type { Breakers } from '../outbound/breaker.ts';
import * as repo from './repository.ts';

export interface OpsDeps {
  database: Database;
  network: NetworkService;
  breakers: Breakers;
  jobs: JobQueue;
  deliveries: DeliveryOps;
}

export type OrganisationOverview = Awaited<ReturnType<OpsService['organisations']>>[number];

export class OpsService {
  private readonly deps: OpsDeps;
  constructor(deps: OpsDeps) {
    this.deps = deps;
  }

  async overview() {
    const [organisations, subscriptions] = await Promise.all([this.organisations(), this.deps.deliveries.summary()]);
    return { organisations, subscriptions };
  }

  async organisations() {
    const {
      database: { db },
      network,
      breakers,
      jobs,
    } = this.deps;
    const orgs = network.list();
    const [health, notifications, orders, jobCounts, abonnementen] = await Promise.all([
      repo.organisationHealth(db),
      repo.lastNotifications(
        db,
        orgs.map((o) => o.id),
      ),
      repo.orderCountsBySubcontractor(db),
      jobs.countsByGroup(),
      repo.subscriptionStates(db),
    ]);
    return orgs.map((org) => {
      const h = health.find((r) => r.organisation_id === org.id);
      const o = orders.find((r) => r.subcontractor === org.id);
      const jobCount = (state: string) => jobCounts.find((r) => r.group === org.id && r.state === state)?.n ?? 0;
      const lastSync = o?.last ?? null;
      const abonnement = abonnementen.find((r) => r.organisation_id === org.id);
      return {
        id: org.id,
        name: org.name,
        status: org.status,
        agreement: org.agreement ?? null,
        // A portal organisation reports through the partner API: it neither notifies nor is polled.
        notifications: isPortal(org) ? ('portal' as const) : org.notifications.mode,
        pollIntervalSeconds: isPortal(org) ? null : pollIntervalOf(org),
        lastNotificationAt: notifications.get(org.id) ?? null,
        lastSuccessfulSyncAt: h?.last_success_at ?? lastSync,
        syncLagSeconds: lastSync ? Math.round((Date.now() - new Date(lastSync).getTime()) / 1000) : null,
        consecutiveFailures: h?.consecutive_failures ?? 0,
        lastError: h?.last_error ?? null,
        breaker: breakers.state(org.id),
        openOrders: Number(o?.open ?? 0),
        unreachableOrders: Number(o?.unreachable ?? 0),
        jobs: { queued: jobCount('queued'), running: jobCount('running'), dead: jobCount('dead') },
        // The gateway's abonnement at the organisation's NRC (src/subscriptions); null when it has none.
        notificationSubscription: abonnement ? { state: abonnement.state, lastCheckedAt: abonnement.last_checked_at, lastError: abonnement.last_error } : null,
      };
    });
  }

  async jobs(state: 'queued' | 'dead', limit: number, offset: number) {
    const { rows, count } = await this.deps.jobs.list(state, limit, offset);
    const results = rows.map((j) => ({
      id: j.id,
      kind: j.kind,
      state: j.state,
      organisation: j.group_key,
      attempts: j.attempts,
      runAt: j.run_at,
      updatedAt: j.updated_at,
      payload: j.payload,
      errors: j.errors,
    }));
    return { count, results };
  }

  /** A dead job queued again with fresh attempts; not found when there is no such dead job. */
  async retryJob(id: number) {
    if (!Number.isSafeInteger(id) || id <= 0 || !(await this.deps.jobs.retryDead(id))) throw notFound(`dead job ${id}`);
    return { id, state: 'queued' as const };
  }
}
