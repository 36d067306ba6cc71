// Outbox → deliveries, inside the transaction that wrote the outbox event: one delivery per active
// subscription that wants it, so nothing can be lost between a status change and its deliveries.
// Lanes: per (subscription, case) only the earliest open delivery is `pending`; a new one behind it
// is `waiting`, and is promoted when the one ahead is delivered or dead (see queue.ts). Both sides
// hold the case row lock, so a promotion never misses a delivery being added to the same lane.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { json } from '../db/json.ts';
import { eventPhase } from './messages.ts';

export const DELIVERIES_CHANNEL = 'ketenstatus_deliveries';

export async function fanOut(trx: Db, event: { id: number; type: string; caseId: string; payload: Record<string, unknown> }): Promise<number> {
  const phase = eventPhase(event) ?? null;
  // Writers of case events hold this lock already; taking it here keeps the lane rule self-contained.
  await lockCase(trx, event.caseId);
  const result = await sql`
    insert into deliveries (subscription_id, event_id, case_id, event_type, webhook_id, state)
    select s.id, ${event.id}, ${event.caseId}, ${event.type}, 'msg_' || replace(cast(gen_random_uuid() as text), '-', ''),
      case when exists (
        select 1 from deliveries lane where lane.subscription_id = s.id and lane.case_id = ${event.caseId}
          and lane.state in ('waiting', 'pending', 'delivering')) then 'waiting' else 'pending' end
    from subscriptions s
    where s.state = 'active'
      and s.events @> ${json([event.type])}
      and (s.filters -> 'caseIds' is null or s.filters -> 'caseIds' @> ${json([event.caseId])})
      and (s.filters -> 'phases' is null or s.filters -> 'phases' @> ${json([phase])})
    order by s.id
    on conflict (event_id, subscription_id) do nothing`.execute(trx);
  const created = Number(result.numAffectedRows ?? 0);
  // Delivered on commit: wakes the delivery workers of every process.
  if (created > 0) await notifyWorkers(trx);
  return created;
}

export async function lockCase(trx: Db, caseId: string): Promise<void> {
  await sql`select 1 from cases where id = ${caseId} for update`.execute(trx);
}

export async function notifyWorkers(db: Db): Promise<void> {
  await sql`select pg_notify(${DELIVERIES_CHANNEL}, '')`.execute(db);
}
