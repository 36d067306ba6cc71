// The consumer's event feed: a customer's case events (citizen-visible timeline entries and
// notices) in commit order, read through one mandate. Rows carry their writing transaction (`tx`);
// a read takes only rows of transactions that had all finished when it began (below its
// snapshot's xmin), ordered by (tx, source, id), so a cursor never passes an event that commits later.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { insertAccessRows, type Access } from '../access-log/access-log.ts';
import { grantedBy, heldBy, ownsCase } from './customer.ts';
import type { Scope } from './repository.ts';

/** Where a consumer is in the feed: after this row. `source` t = timeline entry, n = notice. */
export interface FeedPosition {
  tx: string;
  source: 't' | 'n';
  id: number;
}

export interface FeedRow {
  tx: string;
  source: 't' | 'n';
  id: number;
  case_id: string;
  reference: string;
  at: Date | string;
  kind: string;
  organisation_id: string | null;
  order_id: string | null;
  phase: string | null;
  text: string | null;
  refs: unknown[] | null;
}

const START: FeedPosition = { tx: '0', source: 'n', id: 0 };

/**
 * One statement: the mandate (valid now), the cases it covers, the page of events after `after`
 * and an access-log row per case the page shows. `mandates` 0: no valid mandate.
 */
export async function readFeed(
  db: Db,
  scope: Scope & { proxy: NonNullable<Scope['proxy']>; mandateId: string },
  after: FeedPosition | undefined,
  limit: number,
  access: Access,
) {
  const from = after ?? START;
  const position = sql`(${from.tx}::bigint, ${from.source}::text, ${from.id}::bigint)`;
  const log = access.unlogged
    ? sql`logged as (select 1 where false)`
    : sql`logged as (${insertAccessRows(access, sql`(select distinct p.case_id, c.citizen_bsn as subject_bsn, c.citizen_kvk as subject_kvk, ${scope.mandateId}::uuid as mandate_id from page p join covered c on c.id = p.case_id)`)} returning 1)`;
  const { rows } = await sql<FeedRow & { mandates: number }>`
    with mandate as (select m.id, m.case_id from mandates m
      where m.id = ${scope.mandateId} and ${grantedBy(scope.subject)} and ${heldBy(scope.proxy)}
        and m.revoked_at is null and m.valid_from <= now() and m.valid_until > now()),
    covered as (select c.id, c.reference, c.citizen_bsn, c.citizen_kvk from cases c
      where ${ownsCase(scope.subject)} and c.confidentiality in (${sql.join([...scope.levels])})
        and exists (select 1 from mandate m where m.case_id is null or m.case_id = c.id)),
    bound as (select pg_snapshot_xmin(pg_current_snapshot())::text::bigint as xmin),
    page as (
      select * from (
        select te.tx, 't'::text as source, te.id, te.case_id, te.at, te.kind, te.organisation_id, te.order_id, te.phase, te.text, te.refs
        from timeline_entries te join covered c on c.id = te.case_id cross join bound
        where te.citizen_visible and te.tx < bound.xmin and (te.tx, 't'::text, te.id) > ${position}
        union all
        select ce.tx, 'n'::text, ce.id, ce.case_id, ce.created_at, 'notice', null, null, ce.payload->>'phase', null, null
        from case_events ce join covered c on c.id = ce.case_id cross join bound
        where ce.type = 'case.citizen-notice' and ce.tx < bound.xmin and (ce.tx, 'n'::text, ce.id) > ${position}
      ) e order by e.tx, e.source, e.id limit ${limit}
    ),
    ${log}
    select (select count(*)::int from mandate) as mandates, p.tx::text as tx, p.source, p.id, p.case_id, c.reference, p.at, p.kind,
           p.organisation_id, p.order_id, p.phase, p.text, p.refs
    from (select 1) one left join page p on true left join covered c on c.id = p.case_id
    order by p.tx, p.source, p.id`.execute(db);
  return { mandates: Number(rows[0]?.mandates ?? 0), rows: rows.filter((r) => r.id !== null).map((r) => ({ ...r, id: Number(r.id) })) };
}

/** Cursors are opaque to consumers: a base64url of the position. */
export function encodeCursor(p: FeedPosition): string {
  return Buffer.from(`${p.tx}.${p.source}.${p.id}`).toString('base64url');
}

export function decodeCursor(cursor: string): FeedPosition | undefined {
  const m = /^(\d{1,19})\.([tn])\.(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) return undefined;
  return { tx: m[1]!, source: m[2] as 't' | 'n', id: Number(m[3]) };
}
