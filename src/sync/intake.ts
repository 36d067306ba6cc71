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
import { INTAKE_CONNECTIONS, type Database } from '../db/database.ts';
import { json } from '../db/json.ts';
import { isConnectionLost } from '../db/postgres-client.ts';
import { ON_WAITING_JOB, wakeWorkers } from '../jobs/queue.ts';
import type { Metrics } from '../metrics.ts';
import { SYNC_JOB_COLUMNS, syncJobValues } from '../cases/sync-job.ts';

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
export interface Item {
  ord: number;
  org: string;
  zaak: string;
  kanaal: string;
  resource_url: string;
  actie: string;
  aanmaakdatum: string;
}

const MAX_BATCH = 256;
/** Statements in flight at once: as many as the intake's own connections. */
const MAX_IN_FLIGHT = INTAKE_CONNECTIONS;
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
        item = {
          ord: 0,
          org: p.organisationId,
          zaak: p.n.hoofdObject,
          kanaal: p.n.kanaal,
          resource_url: p.n.resourceUrl,
          actie: p.n.actie,
          aanmaakdatum: p.n.aanmaakdatum,
        };
        byKey.set(key, item);
      }
      itemOf.push(item);
    }
    // One order of inserts for every statement keeps concurrent statements from deadlocking.
    const items = [...byKey.values()].sort(compare);
    for (const [k, item] of items.entries()) item.ord = k;
    let outcomes: IntakeOutcome[];
    const endTimer = this.metrics.intakeStatements.startTimer();
    try {
      outcomes = await this.store(items, byKey);
      endTimer();
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
  /** `byKey`: the items by their identity (see `identity`), for matching the inserted rows. */
  private async store(items: Item[], byKey: Map<string, Item>): Promise<IntakeOutcome[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        // A nonce in the answer: it is checked to be this statement's (see below).
        const nonce = randomUUID();
        // `limit` tells the planner how few rows the batch holds (a set-returning function is
        // otherwise guessed at 100 rows, and a hash join over every order wins). Inserted rows are
        // matched to their notifications here, by identity, rather than by a join in SQL. The answer
        // is one row — a letter per notification and the inserted rows as one JSON array — instead
        // of a row per notification and per inserted row, each parsed by the driver.
        const { rows } = await sql<IntakeRow>`
          with n as (
            select * from jsonb_to_recordset(${json(items)})
              as t(ord int, org text, zaak text, kanaal text, resource_url text, actie text, aanmaakdatum text)
            limit ${items.length}
          ), o as (
            select n.*, orders.id as order_id from n
            join orders on orders.remote_zaak_url = n.zaak and orders.subcontractor = n.org
          ), i as (
            insert into inbox (organisation_id, kanaal, resource_url, actie, aanmaakdatum, order_id)
            select org, kanaal, resource_url, actie, aanmaakdatum, order_id from o order by ord
            on conflict do nothing
            returning organisation_id, kanaal, resource_url, actie, aanmaakdatum, order_id
          ), u as (
            update orders set last_notification_at = now()
            from (select distinct order_id from i order by order_id) x where orders.id = x.order_id
          ), j as (
            insert into jobs ${SYNC_JOB_COLUMNS}
            select distinct on (order_id) ${syncJobValues(sql`order_id`, sql`organisation_id`, 'notification', sql`now() + ${this.debounceMs} * interval '1 millisecond'`)}
            from i order by order_id
            -- A queued sync of the order stays the one job, but is locked (updated never) until this
            -- commits: claimed before, it could settle the order's inbox rows before this row is
            -- visible, and leave it pending with no job to come (R1).
            ${ON_WAITING_JOB} do update set run_at = jobs.run_at where false
          )
          select ${nonce}::text as nonce,
                 (select string_agg(case when o.ord is null then 'u' else 't' end, '' order by n.ord)
                  from n left join o on o.ord = n.ord) as tracked,
                 (select coalesce(json_agg(json_build_array(organisation_id, kanaal, resource_url, actie, aanmaakdatum)), '[]'::json)
                  from i) as inserted`.execute(this.database.intakeDb);
        const outcomes = matchOutcomes(items, byKey, rows, nonce);
        const stored = outcomes.includes('stored');
        if (stored && this.debounceMs === 0) await wakeWorkers(this.database.intakeDb);
        return outcomes;
      } catch (error) {
        if (attempt >= 3 || !RETRYABLE.has((error as { code?: string }).code ?? '')) throw error;
      }
    }
  }
}

/** A notification's identity: the columns of the inbox's unique index, as one string. */
function identity(org: string, n: Notification): string {
  return identityKey(org, n.kanaal, n.resourceUrl, n.actie, n.aanmaakdatum);
}

export const identityKey = (...columns: (string | null)[]) => JSON.stringify(columns);

/** The intake statement's answer: per notification (by `ord`) `t` tracked or `u` untracked; the inserted rows' identities. */
export interface IntakeRow {
  nonce: string;
  tracked: string | null;
  inserted: unknown;
}

/**
 * Outcome per item (indexed by `ord`), only from an answer that carries this statement's nonce.
 * Anything that does not add up — a letter too many or too few, an inserted row no notification
 * asked for — throws: postgres.js can hand one query's result to another after connection trouble
 * (R2), and such an answer must never become a 204 for a notification that was never stored.
 */
export function matchOutcomes(items: Item[], byKey: Map<string, Item>, rows: IntakeRow[], nonce: string): IntakeOutcome[] {
  const mismatch = () =>
    new IntakeResultError(`the intake statement answered ${JSON.stringify(rows.slice(0, 2)).slice(0, 500)} for ${items.length} notifications`);
  const answer = rows.length === 1 ? rows[0] : undefined;
  if (answer?.nonce !== nonce || typeof answer.tracked !== 'string' || answer.tracked.length !== items.length || !Array.isArray(answer.inserted))
    throw mismatch();
  const outcomes: IntakeOutcome[] = new Array(items.length);
  for (let k = 0; k < items.length; k++) {
    const letter = answer.tracked[k];
    if (letter === 't') outcomes[k] = 'duplicate';
    else if (letter === 'u') outcomes[k] = 'untracked';
    else throw mismatch();
  }
  for (const row of answer.inserted as unknown[]) {
    const item = Array.isArray(row) && row.length === 5 ? byKey.get(identityKey(...(row as (string | null)[]))) : undefined;
    if (item === undefined || outcomes[item.ord] !== 'duplicate') throw mismatch();
    outcomes[item.ord] = 'stored';
  }
  return outcomes;
}

/** The order of the inbox's unique key; the same for every statement (see the sort above). */
const ORDER_KEYS = ['org', 'resource_url', 'aanmaakdatum', 'kanaal', 'actie'] as const;

function compare(a: Item, b: Item): number {
  for (const key of ORDER_KEYS) {
    if (a[key] !== b[key]) return a[key] < b[key] ? -1 : 1;
  }
  return 0;
}
