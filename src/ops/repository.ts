// What the operations overview reads besides jobs: per organisation, its orders, its newest
// notification, its health row and its abonnement's state.
import { sql } from 'kysely';
import { orderFinished } from '../cases/sync-state.ts';
import type { Db } from '../db/database.ts';

/** Per subcontractor: placed orders not finished (orderFinished), those of them unreachable or gone, the newest sync. */
export async function orderCountsBySubcontractor(db: Db) {
  const { rows } = await sql<{ subcontractor: string; last: Date | null; open: number; unreachable: number }>`
    select o.subcontractor, max(o.last_synced_at) as last,
           count(*) filter (where not ${orderFinished(sql`c.phase`)})::int as open,
           count(*) filter (where o.sync_state in ('unreachable', 'gone') and not ${orderFinished(sql`c.phase`)})::int as unreachable
    from orders o join cases c on c.id = o.case_id where o.state = 'placed' group by o.subcontractor`.execute(db);
  return rows;
}

/**
 * The newest notification per organisation: one backward step in inbox_received (organisation_id,
 * received_at) each, instead of a group-by over every notification ever stored.
 */
export async function lastNotifications(db: Db, organisationIds: string[]): Promise<Map<string, Date>> {
  if (organisationIds.length === 0) return new Map();
  const { rows } = await sql<{ id: string; last: Date | null }>`
    select o.id, (select max(received_at) from inbox where inbox.organisation_id = o.id) as last
    from (values ${sql.join(organisationIds.map((id) => sql`(${id}::text)`))}) as o(id)`.execute(db);
  return new Map(rows.filter((r) => r.last !== null).map((r) => [r.id, r.last!]));
}

export async function organisationHealth(db: Db) {
  return db.selectFrom('organisation_health').selectAll().execute();
}

export async function subscriptionStates(db: Db) {
  return db.selectFrom('nrc_subscriptions').select(['organisation_id', 'state', 'last_error', 'last_checked_at']).execute();
}
