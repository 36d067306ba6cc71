// The order's sync job — its kind, key and attempt budget — and the one way to queue it. Every
// caller (a placement, a supplier's request, a notification, the reconcile poll) goes through here.
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/database.ts';
import { enqueue } from '../jobs/queue.ts';
import { pollIntervalOf, type ZakenOrganisation } from '../network/types.ts';

export const SYNC_ORDER_JOB = 'order.sync';

/** Why a sync was queued: kept in the payload for logs and operators. */
export type SyncReason = 'placed' | 'requested' | 'notification' | 'poll';

/** Attempts before a sync job is dead: the reconcile poll queues a fresh one an interval later. */
export const SYNC_MAX_ATTEMPTS = 10;

const KEY_PREFIX = 'sync:';

/** One waiting sync per order: queueing again while one waits adds nothing. */
export const syncJobKey = (orderId: string) => `${KEY_PREFIX}${orderId}`;

/** Queues the order's sync in the caller's transaction (coalesced with one already waiting). */
export async function enqueueSync(db: Db, order: { id: string; subcontractor: string }, reason: SyncReason, delayMs?: number) {
  return enqueue(
    db,
    SYNC_ORDER_JOB,
    { orderId: order.id, reason },
    {
      dedupeKey: syncJobKey(order.id),
      groupKey: order.subcontractor,
      maxAttempts: SYNC_MAX_ATTEMPTS,
      delayMs,
    },
  );
}

/**
 * For set-based statements: `insert into jobs ${SYNC_JOB_COLUMNS} select ${syncJobValues(...)} from …
 * ${ON_WAITING_JOB} …` (jobs/queue.ts), one row per order, the same job as enqueueSync's. Constants
 * are inlined, so the statement's text (and a cached plan) stays the same.
 */
export const SYNC_JOB_COLUMNS = sql`(kind, payload, run_at, dedupe_key, group_key, max_attempts)`;

export function syncJobValues(orderId: RawBuilder<unknown>, organisationId: RawBuilder<unknown>, reason: SyncReason, runAt: RawBuilder<unknown> = sql`now()`) {
  return sql`${sql.lit(SYNC_ORDER_JOB)}, jsonb_build_object('orderId', ${orderId}, 'reason', ${sql.lit(reason)}), ${runAt},
    ${sql.lit(KEY_PREFIX)} || ${orderId}, ${organisationId}, ${sql.lit(SYNC_MAX_ATTEMPTS)}`;
}

/** The first poll lands somewhere in the interval, so a batch of new orders does not poll in step. */
export function firstPollAt(org: ZakenOrganisation, now = Date.now()): Date {
  return new Date(now + Math.random() * pollIntervalOf(org) * 1000);
}
