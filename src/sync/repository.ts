// The sync's own rows: the inbox of notifications an order's re-query settles (the order's status
// itself is written by cases/order-status.ts, with settledUpTo in the same statement).
import { sql } from 'kysely';
import type { Trx } from '../db/database.ts';

/** The order's pending notifications received up to the fetch, settled as synced. */
export const settledUpTo = (orderId: string, upTo: Date, now: Date) =>
  sql`update inbox set state = 'synced', processed_at = ${now} where order_id = ${orderId} and state = 'pending' and received_at <= ${upTo}`;

/** The order's pending notifications received up to `upTo` are settled: synced, or dead with the sync. */
export async function settleInbox(trx: Trx, orderId: string, upTo: Date, state: 'synced' | 'dead') {
  await trx
    .updateTable('inbox')
    .set({ state, processed_at: new Date() })
    .where('order_id', '=', orderId)
    .where('state', '=', 'pending')
    .where('received_at', '<=', upTo)
    .execute();
}
