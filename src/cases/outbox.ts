// Outbox → deliveries, inside the transaction that wrote the outbox event: one delivery per active
// subscription that wants it, so nothing can be lost between a status change and its deliveries.
// Lanes: per (subscription, case) only the earliest open delivery is `pending`; a new one behind it
// is `waiting`, and is promoted when the one ahead is delivered or dead (see queue.ts). Both sides
// hold the case row lock, so a promotion never misses a delivery being added to the same lane.
import { sql } from 'kysely';
import type { Db, Trx } from '../db/database.ts';
import { json } from '../db/json.ts';
import { ON_WAITING_JOB, WAKE_WORKERS } from '../jobs/queue.ts';
import { eventPhase } from './events.ts';

export const DELIVERIES_CHANNEL = 'ketenstatus_deliveries';
/** The job that turns notice_outbox rows into messages to the customer (src/notices). */
export const NOTICE_PLAN_JOB = 'notice.plan';
/**
 * One waiting plan job per case, not one for all: the upsert locks its job row to commit (so no
 * worker claims it before the notice is visible), and only this case's writers, serialised on the
 * case row already, ever wait for that lock. A plan job already running does not block: a new one is queued.
 */
export const noticePlanKey = (caseId: string) => `${NOTICE_PLAN_JOB}:${caseId}`;

/** The locked case's customer's row of notice_preferences (np). */
const CUSTOMERS_PREFERENCES = sql`np.customer_kind = case when locked.citizen_bsn is not null then 'bsn' else 'kvk' end
  and np.customer_id = coalesce(locked.citizen_bsn, locked.citizen_kvk)`;
/**
 * A channel on AND verified (reachableChannels in src/notices/preferences.ts, which decides per
 * channel): a notice for a customer who cannot be reached is not queued, so no planner runs for it.
 */
const REACHABLE = sql`((np.email_on and np.email_verified_at is not null) or (np.sms_on and np.phone_verified_at is not null))`;

export interface NewCaseEvent {
  type: string;
  caseId: string;
  payload: Record<string, unknown>;
  /** An event with a key already present is not written again (and fans out nothing). */
  dedupeKey?: string;
}

/**
 * Writes the event and its deliveries in one statement (a sync writes one or two events, and each
 * round trip to the database costs the gateway a socket write): the case row lock, the event, one
 * delivery per matching subscription, and a wake-up for the delivery workers when there is any.
 * Returns the event's id, or undefined when the dedupe key was taken.
 */
export async function addEventWithDeliveries(trx: Trx, event: NewCaseEvent): Promise<{ id: number; deliveries: number } | undefined> {
  const phase = eventPhase(event) ?? null;
  const notice = event.type === 'case.citizen-notice';
  // A citizen notice speaks the customer's stored language (Dutch when they chose none) and, when the
  // customer has a channel to reach them on, goes into the notice outbox with a wake-up for its
  // planner: the notices feature sends it.
  const payload = notice
    ? sql`${json(event.payload)} || jsonb_build_object('language', coalesce((select np.language from notice_preferences np
        where ${CUSTOMERS_PREFERENCES}), 'nl'))`
    : json(event.payload);
  const noticed = notice
    ? sql`, noticed as (
      insert into notice_outbox (event_id, case_id, phase)
      select event.id, event.case_id, ${phase} from event cross join locked
      where exists (select 1 from notice_preferences np where ${CUSTOMERS_PREFERENCES} and ${REACHABLE})
      returning event_id
    ),
    planned as (
      insert into jobs (kind, payload, dedupe_key)
      select ${NOTICE_PLAN_JOB}, '{}'::jsonb, ${noticePlanKey(event.caseId)} from noticed
      ${ON_WAITING_JOB} do update set run_at = least(jobs.run_at, excluded.run_at)
      returning ${WAKE_WORKERS}
    )`
    : sql``;
  // Writers of case events hold the case lock already; taking it here keeps the lane rule self-contained.
  const { rows } = await sql<{ id: number; deliveries: number }>`
    with locked as (select id, citizen_bsn, citizen_kvk from cases where id = ${event.caseId} for update),
    event as (
      insert into case_events (type, case_id, payload, dedupe_key)
      select ${event.type}, locked.id, ${payload}, ${event.dedupeKey ?? null} from locked
      on conflict (dedupe_key) do nothing
      returning id, case_id
    )${noticed},
    fanned as (
      insert into deliveries (subscription_id, event_id, case_id, event_type, webhook_id, state)
      select s.id, event.id, event.case_id, ${event.type}, 'msg_' || replace(cast(gen_random_uuid() as text), '-', ''),
        case when exists (
          select 1 from deliveries lane where lane.subscription_id = s.id and lane.case_id = event.case_id
            and lane.state in ('waiting', 'pending', 'delivering')) then 'waiting' else 'pending' end
      from event cross join subscriptions s
      where s.state = 'active'
        and s.events @> ${json([event.type])}
        and (s.filters -> 'caseIds' is null or s.filters -> 'caseIds' @> ${json([event.caseId])})
        and (s.filters -> 'phases' is null or s.filters -> 'phases' @> ${json([phase])})
      order by s.id
      on conflict (event_id, subscription_id) do nothing
      returning 1
    ),
    counted as (select count(*)::int as n from fanned)
    -- Delivered on commit: wakes the delivery workers of every process.
    select event.id, counted.n as deliveries, case when counted.n > 0 then pg_notify(${DELIVERIES_CHANNEL}, '')::text end as woken
    from event cross join counted`.execute(trx);
  return rows[0] ? { id: Number(rows[0].id), deliveries: Number(rows[0].deliveries) } : undefined;
}

export async function lockCase(trx: Trx, caseId: string): Promise<void> {
  await sql`select 1 from cases where id = ${caseId} for update`.execute(trx);
}

export async function notifyWorkers(db: Db): Promise<void> {
  await sql`select pg_notify(${DELIVERIES_CHANNEL}, '')`.execute(db);
}
