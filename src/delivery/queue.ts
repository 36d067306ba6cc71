// The delivery queue: `deliveries` rows claimed with FOR UPDATE SKIP LOCKED under a lease, so any
// number of gateway processes can share it and a process that dies mid-attempt loses nothing.
// Ordering: only the head of a (subscription, case) lane is `pending`; the rest are `waiting` and
// the next is promoted when the head is delivered or dead, so a claim never has to look past
// the heads. Isolation: a claim gives each subscription only what is left of its cap in the
// claiming worker (`perSubscription` minus what that worker already has in flight for it).
import { type Selectable, sql } from 'kysely';
import type { CaseEventsTable, DeliveriesTable, SubscriptionsTable } from '../../db/schema.ts';
import { type Db, withTransaction, type Trx } from '../db/database.ts';
import { json } from '../db/json.ts';
import { lockCase } from '../cases/outbox.ts';
import type { Decision } from './schedule.ts';
import { DISABLE_AFTER_MS, MAX_ATTEMPTS } from './schedule.ts';

export const LEASE_EXPIRED = 'lease expired: the gateway stopped or died during this attempt';

export interface ClaimedDelivery {
  id: number;
  subscriptionId: string;
  webhookId: string;
  attempts: number;
  createdAt: Date;
  callbackUrl: string;
  format: 'zgw' | 'cloudevents';
  secrets: { secret: string; previous_secret: string | null; previous_secret_expires_at: Date | null };
  event: { id: number; type: string; caseId: string; payload: Record<string, unknown>; createdAt: Date };
}

/** A claimed delivery with its subscription and its event, columns as db/schema.ts types them. */
type ClaimRow = Pick<Selectable<DeliveriesTable>, 'id' | 'subscription_id' | 'webhook_id' | 'attempts' | 'created_at'> &
  Pick<Selectable<SubscriptionsTable>, 'callback_url' | 'format' | 'secret' | 'previous_secret' | 'previous_secret_expires_at'> &
  Pick<Selectable<CaseEventsTable>, 'case_id' | 'payload'> & {
    event_id: Selectable<CaseEventsTable>['id'];
    event_type: Selectable<CaseEventsTable>['type'];
    event_created_at: Selectable<CaseEventsTable>['created_at'];
  };

/** `busy`: attempts this worker has in flight per subscription; each subscription gets what is left of its cap. */
export async function claim(
  db: Db,
  workerId: string,
  opts: { limit: number; perSubscription: number; leaseMs: number; busy: Map<string, number> },
): Promise<ClaimedDelivery[]> {
  if (opts.limit <= 0) return [];
  const busy = json([...opts.busy].map(([id, n]) => ({ id, n })));
  // `heads` is materialised: evaluated once, not once per candidate row (as a planner without
  // statistics on young tables may choose to do with a correlated IN).
  const result = await sql<ClaimRow>`
    with busy as (
      select * from jsonb_to_recordset(${busy}) as b(id uuid, n int)
    ), heads as materialized (
      select head.id from subscriptions s left join busy on busy.id = s.id cross join lateral (
        select x.id from deliveries x
        where x.subscription_id = s.id and x.state = 'pending' and x.next_attempt_at <= now()
        order by x.next_attempt_at, x.id
        limit greatest(0, ${opts.perSubscription} - coalesce(busy.n, 0))) head
      where s.state = 'active'
    ), picked as (
      select c.id from deliveries c join heads on heads.id = c.id
      where c.state = 'pending'
      order by c.next_attempt_at, c.id
      limit ${opts.limit}
      for update of c skip locked
    )
    update deliveries d set state = 'delivering', attempts = d.attempts + 1, locked_by = ${workerId},
      lease_until = now() + ${opts.leaseMs} * interval '1 millisecond', updated_at = now()
    from picked, subscriptions sub, case_events e
    where d.id = picked.id and sub.id = d.subscription_id and e.id = d.event_id
    returning d.id, d.subscription_id, d.webhook_id, d.attempts, d.created_at, sub.callback_url, sub.format, sub.secret,
      sub.previous_secret, sub.previous_secret_expires_at, e.id as event_id, e.type as event_type, e.case_id, e.payload,
      e.created_at as event_created_at`.execute(db);
  return result.rows.map((r) => ({
    id: Number(r.id),
    subscriptionId: r.subscription_id,
    webhookId: r.webhook_id,
    attempts: r.attempts,
    createdAt: r.created_at,
    callbackUrl: r.callback_url,
    format: r.format,
    secrets: { secret: r.secret, previous_secret: r.previous_secret, previous_secret_expires_at: r.previous_secret_expires_at },
    event: { id: Number(r.event_id), type: r.event_type, caseId: r.case_id, payload: r.payload, createdAt: r.event_created_at },
  }));
}

/** Hands claimed deliveries back unattempted (over a cap, or at shutdown): the attempt does not count. */
export async function release(db: Db, workerId: string, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('deliveries')
    .set({ state: 'pending', attempts: sql<number>`attempts - 1`, lease_until: null, locked_by: null, updated_at: new Date() })
    .where('id', 'in', ids)
    .where('locked_by', '=', workerId)
    .where('state', '=', 'delivering')
    .execute();
}

export interface AttemptRecord {
  at: Date;
  durationMs: number;
  status?: number;
  error: string | null;
}

export interface Outcome {
  delivery: ClaimedDelivery;
  attempt: AttemptRecord;
  decision: Decision;
}

const STATE_AFTER: Record<Decision['kind'], 'delivered' | 'pending' | 'dead'> = { delivered: 'delivered', retry: 'pending', dead: 'dead', gone: 'dead' };
const GONE = 'gone: the subscriber answered 410 Gone';

/**
 * Attempts' outcomes, many at once (the worker commits what finished meanwhile as one group): the
 * attempt log, each delivery's next state, the lanes that move on, the subscriptions' health —
 * one transaction, a fixed number of statements whatever the batch size.
 */
export async function recordOutcomes(db: Db, workerId: string, outcomes: Outcome[]): Promise<void> {
  if (outcomes.length === 0) return;
  const finished = outcomes.filter((o) => STATE_AFTER[o.decision.kind] !== 'pending');
  await withTransaction(db, async (trx) => {
    // Case locks first, in a fixed order (as every writer of a case's events takes them): see promoteNext.
    const caseIds = [...new Set(finished.map((o) => o.delivery.event.caseId))].sort();
    if (caseIds.length > 0) await sql`select id from cases where id in (${sql.join(caseIds)}) order by id for update`.execute(trx);

    await trx
      .insertInto('delivery_attempts')
      .values(
        outcomes.map(({ delivery: d, attempt: a }) => ({
          delivery_id: d.id,
          attempt: d.attempts,
          at: a.at,
          duration_ms: a.durationMs,
          status: a.status ?? null,
          error: a.error,
        })),
      )
      .execute();

    const rows = outcomes.map(
      ({ delivery: d, attempt: a, decision }) => sql`(
      ${d.id}::bigint, ${STATE_AFTER[decision.kind]}::text, ${a.status ?? null}::int,
      ${decision.kind === 'gone' ? `${a.error}: the subscriber answered 410 Gone; subscription disabled` : a.error}::text,
      ${decision.kind === 'retry' ? decision.delayMs : 0}::float8)`,
    );
    await sql`
      update deliveries d set state = v.state, lease_until = null, locked_by = null, updated_at = now(),
        last_status = v.status, last_error = v.error,
        delivered_at = case when v.state = 'delivered' then now() else d.delivered_at end,
        next_attempt_at = case when v.state = 'pending' then now() + v.delay_ms * interval '1 millisecond' else d.next_attempt_at end
      from (values ${sql.join(rows)}) as v(id, state, status, error, delay_ms)
      where d.id = v.id and d.locked_by = ${workerId} and d.state = 'delivering'`.execute(trx);

    if (finished.length > 0)
      await promoteNext(
        trx,
        finished.map((o) => [o.delivery.subscriptionId, o.delivery.event.caseId]),
      );

    // Per subscription: a 410 disables it whatever else happened; otherwise one success makes it healthy.
    const healthy: string[] = [];
    for (const [id, os] of Map.groupBy(outcomes, (o) => o.delivery.subscriptionId)) {
      const gone = os.some((o) => o.decision.kind === 'gone');
      if (!gone && os.some((o) => o.decision.kind === 'delivered')) healthy.push(id);
      else await recordFailures(trx, id, os.length, os.at(-1)!.attempt.error ?? 'failed', gone ? GONE : undefined);
    }
    if (healthy.length > 0) {
      await trx
        .updateTable('subscriptions')
        .set({ consecutive_failures: 0, failing_since: null, last_success_at: new Date(), updated_at: new Date() })
        .where('id', 'in', healthy)
        .execute();
    }
  });
}

/** Failures; disables the subscription when it asks (`reason`) or has failed without a success for 5 days. */
async function recordFailures(trx: Trx, subscriptionId: string, count: number, error: string, reason: string | undefined): Promise<void> {
  const failingFor = `failing: no successful delivery for ${DISABLE_AFTER_MS / 86_400_000} days`;
  const disable = sql`(${reason ?? null}::text is not null or coalesce(failing_since, now()) <= now() - ${DISABLE_AFTER_MS} * interval '1 millisecond')`;
  await sql`
    update subscriptions set
      consecutive_failures = consecutive_failures + ${count},
      failing_since = coalesce(failing_since, now()),
      last_failure_at = now(), last_error = ${error.slice(0, 500)}, updated_at = now(),
      state = case when ${disable} then 'disabled' else state end,
      disabled_reason = case when state = 'disabled' then disabled_reason when ${disable} then coalesce(${reason ?? null}::text, ${failingFor}) end,
      disabled_at = case when state = 'disabled' then disabled_at when ${disable} then now() end
    where id = ${subscriptionId}`.execute(trx);
}

/**
 * The next waiting delivery of each lane becomes pending once nothing ahead of it is open. Called
 * with the cases locked, like fanOut: a delivery added to a lane concurrently is either seen here
 * or was added after this commit and found its lane empty (so it started as pending).
 */
async function promoteNext(trx: Trx, lanes: [subscriptionId: string, caseId: string][]): Promise<void> {
  const values = sql.join(lanes.map(([s, c]) => sql`(${s}::uuid, ${c}::uuid)`));
  await sql`
    update deliveries d set state = 'pending', next_attempt_at = now(), updated_at = now()
    where d.id in (
        select min(w.id) from deliveries w
        where w.state = 'waiting' and (w.subscription_id, w.case_id) in (values ${values})
        group by w.subscription_id, w.case_id)
      and not exists (
        select 1 from deliveries o
        where o.subscription_id = d.subscription_id and o.case_id = d.case_id and o.state in ('pending', 'delivering'))`.execute(trx);
}

/**
 * Deliveries whose process died mid-attempt (lease ran out): back in the queue at once with the
 * same webhook-id, the lost attempt logged; dead when that was the last allowed attempt.
 */
export async function reapExpired(db: Db): Promise<number> {
  const expired = await db
    .selectFrom('deliveries')
    .select(['id', 'subscription_id', 'case_id', 'attempts'])
    .where('state', '=', 'delivering')
    .where('lease_until', '<', sql<Date>`now()`)
    .limit(100)
    .execute();
  for (const d of expired) {
    await withTransaction(db, async (trx) => {
      await lockCase(trx, d.case_id);
      const dead = d.attempts >= MAX_ATTEMPTS;
      const updated = await trx
        .updateTable('deliveries')
        .set({
          state: dead ? 'dead' : 'pending',
          next_attempt_at: new Date(),
          lease_until: null,
          locked_by: null,
          last_status: null,
          last_error: LEASE_EXPIRED,
          updated_at: new Date(),
        })
        .where('id', '=', d.id)
        .where('state', '=', 'delivering')
        .where('lease_until', '<', sql<Date>`now()`)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) return; // finished or reclaimed meanwhile
      await trx
        .insertInto('delivery_attempts')
        .values({ delivery_id: d.id, attempt: d.attempts, at: new Date(), duration_ms: null, status: null, error: LEASE_EXPIRED })
        .execute();
      if (dead) await promoteNext(trx, [[d.subscription_id, d.case_id]]);
    });
  }
  return expired.length;
}

/** Delivered rows (and their attempts) are kept for a while for the dashboard, then dropped. */
export async function purgeDelivered(db: Db, olderThan: Date): Promise<void> {
  await db.deleteFrom('deliveries').where('state', '=', 'delivered').where('delivered_at', '<', olderThan).execute();
}
