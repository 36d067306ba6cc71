// Messages to customers hold their addresses: kept MESSAGE_RETENTION_DAYS, then deleted in batches.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { purgeInBatches } from '../db/purge.ts';

/**
 * Deletes the messages created before `before` that are done with (sent, dead, cancelled; their
 * notice_message_events go with them) and the notice outbox rows planned before it. A message still
 * pending or being sent, and a notice not yet planned, stay whatever their age.
 */
export async function purgeNotices(db: Db, before: Date, batchSize = 5000): Promise<number> {
  const messages = await purgeInBatches(batchSize, async (limit) => {
    const result = await sql`delete from notice_messages where id in (
      select id from notice_messages where state in ('sent', 'dead', 'cancelled') and created_at < ${before}
      limit ${limit} for update skip locked)`.execute(db);
    return Number(result.numAffectedRows ?? 0);
  });
  const outbox = await purgeInBatches(batchSize, async (limit) => {
    const result = await sql`delete from notice_outbox where event_id in (
      select event_id from notice_outbox where planned_at < ${before} limit ${limit} for update skip locked)`.execute(db);
    return Number(result.numAffectedRows ?? 0);
  });
  return messages + outbox;
}
