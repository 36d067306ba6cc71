// Notification intake: authenticated and validated by the route, then one statement that stores
// the inbox row, stamps the order and queues a debounced re-query — or does nothing for a
// duplicate or an untracked zaak. The facts are fetched later; the notification is only a hint.
import { sql } from 'kysely';
import type { Database } from '../db/database.ts';
import { JOBS_CHANNEL } from '../jobs/queue.ts';
import type { Metrics } from '../metrics.ts';
import { SYNC_ORDER_JOB } from '../cases/service.ts';

export interface Notification {
  kanaal: string;
  hoofdObject: string;
  resource: string;
  resourceUrl: string;
  actie: string;
  aanmaakdatum: string;
  kenmerken?: Record<string, string>;
}

export type IntakeOutcome = 'stored' | 'duplicate' | 'untracked';

export class IntakeService {
  private readonly database: Database;
  private readonly debounceMs: number;
  private readonly metrics: Metrics;
  constructor(deps: { database: Database; debounceMs: number; metrics: Metrics }) {
    this.database = deps.database;
    this.debounceMs = deps.debounceMs;
    this.metrics = deps.metrics;
  }

  async accept(organisationId: string, n: Notification): Promise<IntakeOutcome> {
    const { rows } = await sql<{ tracked: number; stored: number }>`
      with o as (
        select id from orders where remote_zaak_url = ${n.hoofdObject} and subcontractor = ${organisationId}
      ), i as (
        insert into inbox (organisation_id, kanaal, resource_url, actie, aanmaakdatum, order_id)
        select ${organisationId}, ${n.kanaal}, ${n.resourceUrl}, ${n.actie}, ${n.aanmaakdatum}, o.id from o
        on conflict do nothing
        returning order_id
      ), u as (
        update orders set last_notification_at = now() where id in (select order_id from i)
      ), j as (
        insert into jobs (kind, payload, run_at, dedupe_key, group_key, max_attempts)
        select ${SYNC_ORDER_JOB}, jsonb_build_object('orderId', order_id, 'reason', 'notification'),
               now() + ${this.debounceMs} * interval '1 millisecond', 'sync:' || order_id, ${organisationId}, 20
        from i
        on conflict (dedupe_key) where state = 'queued' and dedupe_key is not null do nothing
      )
      select (select count(*) from o)::int as tracked, (select count(*) from i)::int as stored`.execute(this.database.db);
    const { tracked, stored } = rows[0]!;
    const outcome: IntakeOutcome = Number(tracked) === 0 ? 'untracked' : Number(stored) === 0 ? 'duplicate' : 'stored';
    this.metrics.notifications.inc({ organisation: organisationId, outcome });
    if (outcome === 'stored' && this.debounceMs === 0) await sql`select pg_notify(${JOBS_CHANNEL}, '')`.execute(this.database.db);
    return outcome;
  }
}
