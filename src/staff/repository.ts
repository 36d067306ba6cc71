// The staff channel's statements: the worklist's filter, the chain's lead times and the
// contact centre's lookups. Each takes the kysely handle first.
import { sql, type Insertable, type RawBuilder } from 'kysely';
import type { KccLookupsTable } from '../../db/schema.ts';
import type { CaseRow } from '../cases/repository.ts';
import { orderFinished } from '../cases/sync-state.ts';
import type { Db } from '../db/database.ts';
import { json } from '../db/json.ts';

/** What the worklist needs to know of each organisation, and each product's expected days per part. */
export interface WorklistNetwork {
  organisations: { id: string; active: boolean; intervalSeconds: number; portal: boolean }[];
  expected: { subcontractor: string; product: string; days: number }[];
  defaultDays: number;
}

export const WORKLIST_REASONS = ['citizen-action', 'stalled', 'overdue', 'failed-order', 'gap'] as const;
export type WorklistReason = (typeof WORKLIST_REASONS)[number];
export const WORKLIST_SORTS = ['updated', '-updated', 'deadline', 'reference'] as const;
export type WorklistSort = (typeof WORKLIST_SORTS)[number];

export interface WorklistQuery {
  reason?: WorklistReason;
  sort: WorklistSort;
  limit: number;
  offset: number;
  now: Date;
  /** Today in the Netherlands (YYYY-MM-DD): planned end dates and deadlines are dates. */
  today: string;
}

const REASON_COLUMN: Record<WorklistReason, string> = {
  'citizen-action': 'citizen_action',
  stalled: 'stalled',
  overdue: 'overdue',
  'failed-order': 'failed_order',
  gap: 'gap',
};

const ORDER_BY: Record<WorklistSort, RawBuilder<unknown>> = {
  updated: sql`f.updated_at asc, f.id`,
  '-updated': sql`f.updated_at desc, f.id`,
  deadline: sql`least(f.planned_end_date, f.deadline) asc nulls last, f.updated_at asc, f.id`,
  reference: sql`f.reference asc, f.id`,
};

/**
 * Open cases that need someone, with a flag per reason. The rules are those of the combined status
 * (src/cases): a gap is a part at an organisation that is not active, a failed order, a sync that
 * is unreachable or gone, or, for a part not finished (orderFinished), no successful sync within
 * twice the organisation's poll interval.
 */
export async function attentionCases(db: Db, net: WorklistNetwork, q: WorklistQuery) {
  const reason = q.reason ? sql`and ${sql.ref(`f.${REASON_COLUMN[q.reason]}`)}` : sql``;
  const inactive = net.organisations.filter((o) => !o.active).map((o) => o.id);
  // The network as two lookups the statement reads per order: organisation → standing, "org|product" → expected days.
  const orgMap = Object.fromEntries(net.organisations.map((o) => [o.id, o]));
  const expectedMap = Object.fromEntries(net.expected.map((e) => [`${e.subcontractor}|${e.product}`, e.days]));
  const { rows } = await sql<CaseRow & { citizen_action: boolean; overdue: boolean; failed_order: boolean; stalled: boolean; gap: boolean; total: number }>`
    with params as materialized (select ${json(orgMap)}::jsonb as orgs, ${json(expectedMap)}::jsonb as expected),
    -- The cases that can have a reason, each set from an index: the customer's action, a date, an
    -- order still open (stalled or a sync gap), a failed order, an order at an organisation that is
    -- not active. Their flags are then decided exactly below; the work grows with the open work,
    -- not with every case ever made.
    candidates as materialized (
      select c.id from cases c where c.closed_at is null and (c.combined_status->>'phase') = 'actie_vereist'
      union select c.id from cases c where c.closed_at is null and least(c.planned_end_date, c.deadline) < ${q.today}
      union select o.case_id from orders o where o.state <> 'failed' and o.finished_at is null
      union select o.case_id from orders o where o.state = 'failed'
      ${inactive.length ? sql`union select o.case_id from orders o where o.subcontractor in (${sql.join(inactive)})` : sql``}
    ),
    -- Per candidate (lateral, so each is an index lookup whatever the planner estimates).
    flagged as (
      select c.*,
        coalesce(c.combined_status->>'phase', '') = 'actie_vereist' as citizen_action,
        coalesce(least(c.planned_end_date, c.deadline) < ${q.today}, false) as overdue,
        coalesce(p.failed_order, false) as failed_order, coalesce(p.stalled, false) as stalled, coalesce(p.gap, false) as gap
      from candidates k
      cross join lateral (select * from cases c where c.id = k.id and c.closed_at is null offset 0) c
      cross join lateral (
        select
          bool_or(o.state = 'failed') as failed_order,
          bool_or(o.state <> 'failed' and not ${orderFinished(sql`c.phase`)}
            and coalesce(ks_status_set_at(o.status), o.created_at)
              < ${q.now}::timestamptz - make_interval(days => coalesce((x.expected->>(o.subcontractor || '|' || o.product))::int, ${net.defaultDays}::int))) as stalled,
          bool_or(not coalesce((x.orgs->o.subcontractor->>'active')::boolean, false) or o.state = 'failed'
            or (o.state = 'placed' and o.sync_state in ('unreachable', 'gone'))
            or (o.state = 'placed' and not (x.orgs->o.subcontractor->>'portal')::boolean and not ${orderFinished(sql`c.phase`)}
                and coalesce(o.last_synced_at, o.created_at)
                  < ${q.now}::timestamptz - make_interval(secs => 2 * (x.orgs->o.subcontractor->>'intervalSeconds')::int))) as gap
        from params x, orders o
        where o.case_id = c.id
      ) p
    ),
    filtered as (select f.* from flagged f where (f.citizen_action or f.overdue or f.failed_order or f.stalled or f.gap) ${reason}),
    page as (select f.* from filtered f order by ${ORDER_BY[q.sort]} limit ${q.limit} offset ${q.offset})
    select t.total, f.* from (select count(*)::int as total from filtered) t left join page f on true
    order by ${ORDER_BY[q.sort]}`.execute(db);
  return { rows: rows.filter((r) => r.id !== null), count: Number(rows[0]?.total ?? 0) };
}

export type LeadTimeGroupBy = 'subcontractor' | 'product';

const KEY: Record<LeadTimeGroupBy, RawBuilder<unknown>> = {
  subcontractor: sql`o.subcontractor, null::text as product`,
  product: sql`o.subcontractor, o.product`,
};
const GROUP: Record<LeadTimeGroupBy, RawBuilder<unknown>> = { subcontractor: sql`1`, product: sql`1, 2` };

export interface LeadTimeRow {
  subcontractor: string;
  product: string | null;
}

/**
 * Finished orders (final status set in [from, to)) per group: how many, p50 and p90 seconds from
 * placement to the final status, and the median seconds in each phase over the orders that spent
 * time in it. One index-only scan of orders_finished: each order's seconds per phase (from each of
 * its statuses to the next, summed) are kept in orders.phase_seconds by the database.
 */
export async function finishedOrders(db: Db, groupBy: LeadTimeGroupBy, from: Date, to: Date) {
  const { rows } = await sql<
    LeadTimeRow & { finished: number; p50: number; p90: number; ontvangen: number | null; in_behandeling: number | null; actie_vereist: number | null }
  >`
    select ${KEY[groupBy]}, count(*)::int as finished,
      percentile_cont(0.5) within group (order by extract(epoch from o.finished_at - o.created_at)) as p50,
      percentile_cont(0.9) within group (order by extract(epoch from o.finished_at - o.created_at)) as p90,
      percentile_cont(0.5) within group (order by (o.phase_seconds->>'ontvangen')::numeric) as ontvangen,
      percentile_cont(0.5) within group (order by (o.phase_seconds->>'in_behandeling')::numeric) as in_behandeling,
      percentile_cont(0.5) within group (order by (o.phase_seconds->>'actie_vereist')::numeric) as actie_vereist
    from orders o
    where o.finished_at >= ${from} and o.finished_at < ${to}
    group by ${GROUP[groupBy]}`.execute(db);
  return rows;
}

/**
 * Open orders (not failed, no final status yet, their case not cancelled) per group, by days since
 * placement. An anti-join of two indexes (orders_open_age_case, cases_cancelled), not a lookup per order.
 */
export async function openOrdersByAge(db: Db, groupBy: LeadTimeGroupBy, now: Date) {
  const { rows } = await sql<LeadTimeRow & { d0_7: number; d8_30: number; d31_90: number; d90: number }>`
    with open as (
      select ${KEY[groupBy]}, floor(extract(epoch from ${now}::timestamptz - o.created_at) / 86400) as days
      from orders o
      where o.state <> 'failed' and o.finished_at is null
        and not exists (select from cases c where c.id = o.case_id and c.phase = 'geannuleerd')
    )
    select subcontractor, product,
      count(*) filter (where days <= 7)::int as d0_7, count(*) filter (where days between 8 and 30)::int as d8_30,
      count(*) filter (where days between 31 and 90)::int as d31_90, count(*) filter (where days > 90)::int as d90
    from open group by 1, 2`.execute(db);
  return rows;
}

export type NewLookup = Omit<Insertable<KccLookupsTable>, 'created_at'>;

/** Stores a lookup, dropping every lookup whose time is over (they hold an identifier for nothing). */
export async function insertLookup(db: Db, row: NewLookup) {
  await db.deleteFrom('kcc_lookups').where('expires_at', '<=', new Date()).execute();
  return db.insertInto('kcc_lookups').values(row).returningAll().executeTakeFirstOrThrow();
}

/** The member's own lookup while it lasts; undefined otherwise (another member's, expired, or none). */
export async function findLookup(db: Db, id: string, staffSub: string, now: Date) {
  return db.selectFrom('kcc_lookups').selectAll().where('id', '=', id).where('staff_sub', '=', staffSub).where('expires_at', '>', now).executeTakeFirst();
}
