// Reconcile polling: every order that can still change (not pollingDone) is re-queried at least once per
// its organisation's pollIntervalSeconds, whatever notifications did or did not arrive. Each tick moves
// due orders' next_poll_at one interval on and queues a sync job, and nulls it for those done (not
// polled); SKIP LOCKED lets replicas share the work.
import { sql } from 'kysely';
import type { OrderRow } from '../cases/repository.ts';
import { pollingDone } from '../cases/sync-state.ts';
import { type Database, withTransaction } from '../db/database.ts';
import { json } from '../db/json.ts';
import type { Logger } from '../log.ts';
import type { NetworkService } from '../network/service.ts';
import { isPortal, pollIntervalOf } from '../network/types.ts';
import { SYNC_JOB_COLUMNS, syncJobValues } from '../cases/sync-job.ts';
import { ON_WAITING_JOB, wakeWorkers } from '../jobs/queue.ts';

export interface PollerOptions {
  database: Database;
  network: NetworkService;
  logger: Logger;
  tickMs?: number;
  batchSize?: number;
}

export class ReconcilePoller {
  private readonly options: Required<PollerOptions>;
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  constructor(options: PollerOptions) {
    this.options = { tickMs: 1000, batchSize: 500, ...options };
  }

  start(): void {
    this.timer = setInterval(() => {
      if (!this.running)
        this.running = this.tick()
          .catch((e) => {
            this.options.logger.warn({ err: (e as Error).message }, 'reconcile tick failed');
            return 0;
          })
          .finally(() => (this.running = undefined));
    }, this.options.tickMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Queues sync jobs for due orders; returns how many. */
  async tick(now = new Date()): Promise<number> {
    const { database, network, batchSize } = this.options;
    return withTransaction(database.db, async (trx) => {
      // Orders done with polling are not filtered out here but taken out of the range (next_poll_at
      // nulled below): filtered, they would stay due and be walked in the index on every tick.
      const due = await sql<Pick<OrderRow, 'id' | 'subcontractor'> & { next_poll_at: Date; done: boolean }>`
        select o.id, o.subcontractor, o.next_poll_at, ${pollingDone()} as done from orders o
        where o.state = 'placed' and o.next_poll_at <= ${now}
        order by o.next_poll_at limit ${batchSize}
        for update skip locked`.execute(trx);
      if (due.rows.length === 0) return 0;
      const updates = due.rows.map((o) => {
        // A sync that succeeds or fails later (order-status.ts, apply.ts) puts it back in range.
        if (o.done) return { id: o.id, next: null, org: o.subcontractor, active: false };
        const member = network.get(o.subcontractor);
        // A portal organisation's assignments are never polled: nothing to ask, and no next poll.
        if (member && isPortal(member)) return { id: o.id, next: null, org: o.subcontractor, active: false };
        const org = member;
        const intervalMs = (org ? pollIntervalOf(org) : 3600) * 1000;
        // Keep each order's place in the interval; after a long stop, start again from now.
        let next = o.next_poll_at.getTime() + intervalMs;
        if (next <= now.getTime()) next = now.getTime() + Math.random() * intervalMs;
        return { id: o.id, next: new Date(next).toISOString(), org: o.subcontractor, active: org?.status === 'active' };
      });
      await sql`update orders set next_poll_at = u.next::timestamptz
        from jsonb_to_recordset(${json(updates.map(({ id, next }) => ({ id, next })))}) as u(id uuid, next text)
        where orders.id = u.id`.execute(trx);
      const jobs = updates.filter((u) => u.active);
      if (jobs.length > 0) {
        await sql`insert into jobs ${SYNC_JOB_COLUMNS}
          select ${syncJobValues(sql`u.id`, sql`u.org`, 'poll')}
          from jsonb_to_recordset(${json(jobs.map(({ id, org }) => ({ id, org })))}) as u(id text, org text)
          ${ON_WAITING_JOB} do nothing`.execute(trx);
        await wakeWorkers(trx);
      }
      return jobs.length;
    });
  }
}
