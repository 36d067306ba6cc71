// Notification intake: authenticated and validated by the route, then stored with one statement
// that writes the inbox rows, stamps the orders and queues debounced re-queries — or does nothing
// for a duplicate or an untracked zaak. The facts are fetched later; the notification is only a hint.
//
// Group commit: notifications that arrive while a statement is in flight wait for the next one and
// go in together, so a burst costs one round trip and one WAL flush per batch instead of one per
// notification. A lone notification is written at once (no timer, no added latency). Each caller
// is answered only after the statement holding its notification has committed.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '../db/database.ts';
import { json } from '../db/json.ts';
import { isConnectionLost } from '../db/postgres-client.ts';
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

/** The database's answer did not match the statement; the notifications are not acknowledged (503). */
export class IntakeResultError extends Error {
  readonly code = 'QUERY_TIMEOUT'; // answered like a database that did not answer: 503, try again
}

interface Pending {
  organisationId: string;
  n: Notification;
  resolve: (outcome: IntakeOutcome) => void;
  reject: (error: unknown) => void;
}

/** One row of a batch: the notification's identity and the order it may belong to. */
interface Item {
  ord: number;
  org: string;
  zaak: string;
  kanaal: string;
  resource_url: string;
  actie: string;
  aanmaakdatum: string;
}

const MAX_BATCH = 256;
/** Statements in flight at once: one can wait for its WAL flush while the next executes. */
const MAX_IN_FLIGHT = 2;
const RETRYABLE = new Set(['40P01', '40001']); // deadlock, serialization failure
const isDatabaseUnavailable = (error: unknown) => {
  const code = (error as { code?: unknown })?.code;
  return code === 'QUERY_TIMEOUT' || isConnectionLost(error);
};

export class IntakeService {
  private readonly database: Database;
  private readonly debounceMs: number;
  private readonly metrics: Metrics;
  private queue: Pending[] = [];
  private inFlight = 0;

  constructor(deps: { database: Database; debounceMs: number; metrics: Metrics }) {
    this.database = deps.database;
    this.debounceMs = deps.debounceMs;
    this.metrics = deps.metrics;
  }

  accept(organisationId: string, n: Notification): Promise<IntakeOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ organisationId, n, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.queue.length > 0) {
      const batch = this.queue.length <= MAX_BATCH ? this.queue : this.queue.slice(0, MAX_BATCH);
      this.queue = this.queue.length <= MAX_BATCH ? [] : this.queue.slice(MAX_BATCH);
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async run(batch: Pending[]): Promise<void> {
    // The same notification twice in one batch: store it once; the second copy is a duplicate.
    const byKey = new Map<string, Item>();
    const itemOf: Item[] = [];
    for (const p of batch) {
      const key = identity(p.organisationId, p.n);
      let item = byKey.get(key);
      if (item === undefined) {
        item = { ord: 0, org: p.organisationId, zaak: p.n.hoofdObject, kanaal: p.n.kanaal, resource_url: p.n.resourceUrl, actie: p.n.actie, aanmaakdatum: p.n.aanmaakdatum };
        byKey.set(key, item);
      }
      itemOf.push(item);
    }
    // One order of inserts for every statement keeps concurrent statements from deadlocking.
    const items = [...byKey.values()].sort(compare);
    items.forEach((item, k) => (item.ord = k));
    let outcomes: IntakeOutcome[];
    try {
      outcomes = await this.store(items);
    } catch (error) {
      for (const p of batch) p.reject(error);
      // The database did not answer: those waiting for the next statement would wait as long for
      // the same answer. Tell them now (503, try again), so no sender waits longer than one deadline.
      if (isDatabaseUnavailable(error)) for (const p of this.queue.splice(0)) p.reject(error);
      return;
    }
    const answered = new Set<Item>();
    batch.forEach((p, k) => {
      const item = itemOf[k];
      const first = !answered.has(item);
      answered.add(item);
      const outcome = outcomes[item.ord] === 'stored' && !first ? 'duplicate' : outcomes[item.ord];
      this.metrics.notifications.inc({ organisation: p.organisationId, outcome });
      p.resolve(outcome);
    });
  }

  /** Outcome per item, indexed by the item's `ord`. */
  private async store(items: Item[]): Promise<IntakeOutcome[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        // A nonce in every row: the answer is checked to be this statement's (see below).
        const nonce = randomUUID();
        const { rows } = await sql<{ nonce: string; ord: number; tracked: boolean; stored: boolean }>`
          with n as (
            select * from jsonb_to_recordset(${json(items)})
              as t(ord int, org text, zaak text, kanaal text, resource_url text, actie text, aanmaakdatum text)
          ), o as (
            select n.*, orders.id as order_id from n
            join orders on orders.remote_zaak_url = n.zaak and orders.subcontractor = n.org
          ), i as (
            insert into inbox (organisation_id, kanaal, resource_url, actie, aanmaakdatum, order_id)
            select org, kanaal, resource_url, actie, aanmaakdatum, order_id from o order by ord
            on conflict do nothing
            returning organisation_id, kanaal, resource_url, actie, aanmaakdatum, order_id
          ), s as (
            select o.ord, o.org, o.order_id from o
            join i on i.order_id = o.order_id and i.resource_url = o.resource_url and i.aanmaakdatum = o.aanmaakdatum
                  and i.kanaal = o.kanaal and i.actie = o.actie and i.organisation_id = o.org
          ), u as (
            update orders set last_notification_at = now()
            from (select distinct order_id from s order by order_id) x where orders.id = x.order_id
          ), j as (
            insert into jobs (kind, payload, run_at, dedupe_key, group_key, max_attempts)
            select distinct on (order_id) ${SYNC_ORDER_JOB}, jsonb_build_object('orderId', order_id, 'reason', 'notification'),
                   now() + ${this.debounceMs} * interval '1 millisecond', 'sync:' || order_id, org, 20
            from s order by order_id
            on conflict (dedupe_key) where state = 'queued' and dedupe_key is not null do nothing
          )
          select ${nonce}::text as nonce, n.ord, (o.ord is not null) as tracked, (s.ord is not null) as stored
          from n left join o on o.ord = n.ord left join s on s.ord = n.ord`.execute(this.database.db);
        const outcomes: (IntakeOutcome | undefined)[] = new Array(items.length).fill(undefined);
        let stored = false;
        for (const r of rows) {
          if (r.nonce !== nonce || !Number.isInteger(r.ord) || r.ord < 0 || r.ord >= items.length) continue;
          outcomes[r.ord] = !r.tracked ? 'untracked' : r.stored ? 'stored' : 'duplicate';
          stored ||= r.stored === true;
        }
        // Acknowledge only what the database answered for: an answer that is not this statement's
        // (postgres.js can hand one query's result to another after connection trouble, R2) must
        // not become a 204 for a notification that was never stored.
        if (outcomes.some((o) => o === undefined)) {
          throw new IntakeResultError(`the intake statement returned ${rows.length} rows for ${items.length} notifications: ${JSON.stringify(rows.slice(0, 3))}`);
        }
        if (stored && this.debounceMs === 0) await sql`select pg_notify(${JOBS_CHANNEL}, '')`.execute(this.database.db);
        return outcomes as IntakeOutcome[];
      } catch (error) {
        if (attempt >= 3 || !RETRYABLE.has((error as { code?: string }).code ?? '')) throw error;
      }
    }
  }
}

function identity(org: string, n: Notification): string {
  return JSON.stringify([org, n.kanaal, n.resourceUrl, n.actie, n.aanmaakdatum]);
}

function compare(a: Item, b: Item): number {
  return a.org < b.org ? -1 : a.org > b.org ? 1
    : a.resource_url < b.resource_url ? -1 : a.resource_url > b.resource_url ? 1
    : a.aanmaakdatum < b.aanmaakdatum ? -1 : a.aanmaakdatum > b.aanmaakdatum ? 1
    : a.kanaal < b.kanaal ? -1 : a.kanaal > b.kanaal ? 1
    : a.actie < b.actie ? -1 : a.actie > b.actie ? 1 : 0;
}
