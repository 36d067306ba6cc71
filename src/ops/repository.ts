// What the operations overview reads besides jobs: per organisation, its orders, its newest
// notification, its health row and its abonnement's state.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';

/** Per subcontractor: placed orders not at their eindstatus, those unreachable or gone, the newest sync. */
export async function orderCountsBySubcontractor(db: Db) {
  const { rows } = await sql<{ subcontractor: string; last: Date | null; open: number; unreachable: number }>`
    select subcontractor, max(last_synced_at) as last,
           count(*) filter (where coalesce((status->>'isEindstatus')::boolean, false) = false)::int as open,
           count(*) filter (where sync_state in ('unreachable', 'gone'))::int as unreachable
    from orders where state = 'placed' group by subcontractor`.execute(db);
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
