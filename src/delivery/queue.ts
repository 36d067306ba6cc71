// The delivery queue: `deliveries` rows claimed with FOR UPDATE SKIP LOCKED under a lease, so any
// number of gateway processes can share it and a process that dies mid-attempt loses nothing.
// Ordering: only the head of a (subscription, case) lane is `pending`; the rest are `waiting` and
// the next is promoted when the head is delivered or dead, so a claim never has to look past
// the heads. Isolation: a claim takes at most `perSubscription` rows of one subscription, and
// none of the subscriptions the caller says are saturated.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { lockCase } from './fanout.ts';
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

interface ClaimRow {
  id: number;
  subscription_id: string;
  webhook_id: string;
  attempts: number;
  created_at: Date;
  callback_url: string;
  format: 'zgw' | 'cloudevents';
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
  event_id: number;
  event_type: string;
  case_id: string;
  payload: Record<string, unknown>;
  event_created_at: Date;
}

export async function claim(db: Db, workerId: string, opts: { limit: number; perSubscription: number; leaseMs: number; exclude: string[] }): Promise<ClaimedDelivery[]> {
  if (opts.limit <= 0) return [];
  const exclude = opts.exclude.length > 0 ? sql`and s.id not in (${sql.join(opts.exclude)})` : sql``;
  // `heads` is materialised: evaluated once, not once per candidate row (as a planner without
  // statistics on young tables may choose to do with a correlated IN).
  const result = await sql<ClaimRow>`
    with heads as materialized (
      select head.id from subscriptions s cross join lateral (
        select x.id from deliveries x
        where x.subscription_id = s.id and x.state = 'pending' and x.next_attempt_at <= now()
        order by x.next_attempt_at, x.id
        limit ${opts.perSubscription}) head
      where s.state = 'active' ${exclude}
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
    id: Number(r.id), subscriptionId: r.subscription_id, webhookId: r.webhook_id, attempts: r.attempts, createdAt: r.created_at,
    callbackUrl: r.callback_url, format: r.format,
    secrets: { secret: r.secret, previous_secret: r.previous_secret, previous_secret_expires_at: r.previous_secret_expires_at },
    event: { id: Number(r.event_id), type: r.event_type, caseId: r.case_id, payload: r.payload, createdAt: r.event_created_at },
  }));
}

/** Hands claimed deliveries back unattempted (over a cap, or at shutdown): the attempt does not count. */
export async function release(db: Db, workerId: string, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('deliveries')
    .set({ state: 'pending', attempts: sql<number>`attempts - 1`, lease_until: null, locked_by: null, updated_at: new Date() })
    .where('id', 'in', ids).where('locked_by', '=', workerId).where('state', '=', 'delivering').execute();
}

export interface AttemptRecord {
  at: Date;
  durationMs: number;
  status?: number;
  error: string | null;
}

/** One attempt's outcome: the attempt log, the delivery's next state and the subscription's health, in one transaction. */
export async function recordAttempt(db: Db, workerId: string, d: ClaimedDelivery, attempt: AttemptRecord, decision: Decision): Promise<void> {
  await db.transaction().execute(async (trx) => {
    // The case lock first (as every writer of the case's events takes it): see promoteNext.
    await lockCase(trx, d.event.caseId);
    await trx.insertInto('delivery_attempts').values({
      delivery_id: d.id, attempt: d.attempts, at: attempt.at, duration_ms: attempt.durationMs, status: attempt.status ?? null, error: attempt.error,
    }).execute();
    const state = decision.kind === 'delivered' ? 'delivered' : decision.kind === 'retry' ? 'pending' : 'dead';
    const now = new Date();
    await trx.updateTable('deliveries').set({
      state,
      lease_until: null, locked_by: null, updated_at: now,
      last_status: attempt.status ?? null,
      last_error: decision.kind === 'gone' ? `${attempt.error}: the subscriber answered 410 Gone; subscription disabled` : attempt.error,
      ...(decision.kind === 'delivered' ? { delivered_at: now } : {}),
      ...(decision.kind === 'retry' ? { next_attempt_at: new Date(now.getTime() + decision.delayMs) } : {}),
    }).where('id', '=', d.id).where('locked_by', '=', workerId).where('state', '=', 'delivering').execute();
    if (state !== 'pending') await promoteNext(trx, d.subscriptionId, d.event.caseId);

    if (decision.kind === 'delivered') {
      await trx.updateTable('subscriptions')
        .set({ consecutive_failures: 0, failing_since: null, last_success_at: now, updated_at: now })
        .where('id', '=', d.subscriptionId).execute();
      return;
    }
    await recordFailure(trx, d.subscriptionId, attempt.error ?? 'failed', decision.kind === 'gone' ? 'gone: the subscriber answered 410 Gone' : undefined);
  });
}

/** A failure; disables the subscription when it asks (`reason`) or has failed without a success for 5 days. */
async function recordFailure(trx: Db, subscriptionId: string, error: string, reason: string | undefined): Promise<void> {
  const failingFor = `failing: no successful delivery for ${DISABLE_AFTER_MS / 86_400_000} days`;
  await sql`
    update subscriptions set
      consecutive_failures = consecutive_failures + 1,
      failing_since = coalesce(failing_since, now()),
      last_failure_at = now(), last_error = ${error.slice(0, 500)}, updated_at = now(),
      state = case when ${reason ?? null}::text is not null
                     or coalesce(failing_since, now()) <= now() - ${DISABLE_AFTER_MS} * interval '1 millisecond'
                   then 'disabled' else state end,
      disabled_reason = case when state = 'disabled' then disabled_reason
                             when ${reason ?? null}::text is not null then ${reason ?? null}::text
                             when coalesce(failing_since, now()) <= now() - ${DISABLE_AFTER_MS} * interval '1 millisecond' then ${failingFor}
                             else null end,
      disabled_at = case when state = 'disabled' then disabled_at
                         when ${reason ?? null}::text is not null
                           or coalesce(failing_since, now()) <= now() - ${DISABLE_AFTER_MS} * interval '1 millisecond' then now()
                         else null end
    where id = ${subscriptionId}`.execute(trx);
}

/**
 * The next waiting delivery of a lane becomes pending once nothing ahead of it is open. Called with
 * the case row locked, like fanOut: a delivery added to the lane concurrently is either seen here
 * or was added after this commit and found the lane empty (so it started as pending).
 */
async function promoteNext(trx: Db, subscriptionId: string, caseId: string): Promise<void> {
  await sql`
    update deliveries set state = 'pending', next_attempt_at = now(), updated_at = now()
    where id = (select min(id) from deliveries where subscription_id = ${subscriptionId} and case_id = ${caseId} and state = 'waiting')
      and not exists (select 1 from deliveries where subscription_id = ${subscriptionId} and case_id = ${caseId} and state in ('pending', 'delivering'))`.execute(trx);
}

/**
 * Deliveries whose process died mid-attempt (lease ran out): back in the queue at once with the
 * same webhook-id, the lost attempt logged; dead when that was the last allowed attempt.
 */
export async function reapExpired(db: Db): Promise<number> {
  const expired = await db.selectFrom('deliveries').select(['id', 'subscription_id', 'case_id', 'attempts'])
    .where('state', '=', 'delivering').where('lease_until', '<', new Date()).limit(100).execute();
  for (const d of expired) {
    await db.transaction().execute(async (trx) => {
      await lockCase(trx, d.case_id);
      const dead = d.attempts >= MAX_ATTEMPTS;
      const updated = await trx.updateTable('deliveries').set({
        state: dead ? 'dead' : 'pending', next_attempt_at: new Date(), lease_until: null, locked_by: null, last_status: null,
        last_error: LEASE_EXPIRED, updated_at: new Date(),
      }).where('id', '=', d.id).where('state', '=', 'delivering').where('lease_until', '<', new Date()).executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) return; // finished or reclaimed meanwhile
      await trx.insertInto('delivery_attempts').values({ delivery_id: d.id, attempt: d.attempts, at: new Date(), duration_ms: null, status: null, error: LEASE_EXPIRED }).execute();
      if (dead) await promoteNext(trx, d.subscription_id, d.case_id);
    });
  }
  return expired.length;
}

/** Delivered rows (and their attempts) are kept for a while for the dashboard, then dropped. */
export async function purgeDelivered(db: Db, olderThan: Date): Promise<void> {
  await db.deleteFrom('deliveries').where('state', '=', 'delivered').where('delivered_at', '<', olderThan).execute();
}
