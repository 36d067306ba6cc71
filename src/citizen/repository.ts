// The citizen's reads. Each is ONE statement: the visibility rules (BSN, confidentiality,
// mandate), the page, the orders and the access-log insert (a data-modifying CTE, so the log
// row and the read commit or fail together) — one round trip per request at any scale.
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/database.ts';
import type { CaseRow } from '../cases/repository.ts';
import type { CombinedOrder } from '../cases/status-refresh.ts';
import { insertAccessRows, type Access } from '../access-log/access-log.ts';
import { grantedBy, heldBy, ownsCase, type Customer, type MandateHolder } from './customer.ts';

export interface Scope {
  /** Whose cases are read. */
  subject: Customer;
  /** Confidentiality levels a citizen may see. */
  levels: readonly string[];
  /** Reading as a proxy: only cases a valid mandate from the subject to this proxy covers. */
  proxy?: MandateHolder;
  /** Reading through this one mandate only (the consumer API names it). */
  mandateId?: string;
}

export interface CitizenCaseRow {
  id: string;
  reference: string;
  title: string;
  product: string | null;
  phase: string;
  phase_text: string | null;
  closed_at: Date | null;
  created_at: Date;
  updated_at: Date;
  supplier_since: Date | null;
  orders: CitizenOrderRow[];
}

export type CitizenOrderRow = CombinedOrder & { product: string };

export interface CitizenTimelineRow {
  at: Date;
  organisation_id: string;
  order_id: string | null;
  kind: string;
  phase: string | null;
  text: string | null;
  refs: unknown[];
}

/** A case's orders as JSON, for a query whose case alias is `p`. */
export const ORDERS = sql`coalesce((select jsonb_agg(jsonb_build_object(
    'id', o.id, 'subcontractor', o.subcontractor, 'product', o.product, 'state', o.state, 'status', o.status,
    'sync_state', o.sync_state, 'last_synced_at', o.last_synced_at, 'created_at', o.created_at, 'updated_at', o.updated_at
  ) order by o.created_at, o.id) from orders o where o.case_id = p.id), '[]'::jsonb)`;

/** When the supplier's own part last changed, for a query whose case alias is `p`. */
export const SUPPLIER_SINCE = sql`(select max(te.at) from timeline_entries te where te.case_id = p.id and te.order_id is null and te.kind = 'status')`;

const TIMELINE = sql`coalesce((select jsonb_agg(jsonb_build_object(
    'at', te.at, 'organisation_id', te.organisation_id, 'order_id', te.order_id, 'kind', te.kind,
    'phase', te.phase, 'text', te.text, 'refs', te.refs
  ) order by te.at, te.id) from timeline_entries te where te.case_id = p.id and te.citizen_visible), '[]'::jsonb)`;

function mandateCte(scope: Scope): RawBuilder<unknown> {
  if (!scope.proxy) return sql`mandate as (select null::uuid as id, null::uuid as case_id where false)`;
  const one = scope.mandateId ? sql`and m.id = ${scope.mandateId}` : sql``;
  return sql`mandate as (select m.id, m.case_id from mandates m
    where ${grantedBy(scope.subject)} and ${heldBy(scope.proxy)} ${one}
      and m.revoked_at is null and m.valid_from <= now() and m.valid_until > now())`;
}

/** The cases the scope may read, with the mandate that allows it (null when reading one's own). */
function visible(scope: Scope, extra: RawBuilder<unknown>): RawBuilder<unknown> {
  const mandateOf = scope.proxy
    ? sql`(select m.id from mandate m where m.case_id = c.id or m.case_id is null order by m.case_id nulls last limit 1)`
    : sql`null::uuid`;
  const mandated = scope.proxy ? sql`and exists (select 1 from mandate m where m.case_id is null or m.case_id = c.id)` : sql``;
  return sql`visible as (
    select c.id, c.reference, c.title, c.product, c.citizen_bsn, c.citizen_kvk, c.phase, c.phase_text, c.closed_at, c.created_at, c.updated_at,
           ${mandateOf} as mandate_id
    from cases c
    where ${ownsCase(scope.subject)} and c.confidentiality in (${sql.join([...scope.levels])}) ${mandated} ${extra})`;
}

function logged(access: Access): RawBuilder<unknown> {
  if (access.unlogged) return sql`logged as (select 1 where false)`;
  return sql`logged as (${insertAccessRows(access, sql`(select p.id as case_id, p.citizen_bsn as subject_bsn, p.citizen_kvk as subject_kvk, p.mandate_id from page p)`)} returning 1)`;
}

export interface ListResult {
  /** How many valid mandates cover the read (proxies only; null when reading one's own). */
  mandates: number | null;
  /** One of them: a handle for links that must not carry the grantor's BSN. */
  mandateId: string | null;
  count: number;
  rows: CitizenCaseRow[];
}

export async function listVisibleCases(
  db: Db,
  scope: Scope,
  state: 'open' | 'closed' | undefined,
  limit: number,
  offset: number,
  access: Access,
): Promise<ListResult> {
  const stateFilter = state === 'open' ? sql`and c.closed_at is null` : state === 'closed' ? sql`and c.closed_at is not null` : sql``;
  const { rows } = await sql<RawRow & { total: number; mandates: number; mandate_id: string | null }>`
    with ${mandateCte(scope)}, ${visible(scope, stateFilter)},
    page as (select * from visible order by updated_at desc, id limit ${limit} offset ${offset}),
    ${logged(access)}
    select t.total, (select count(*)::int from mandate) as mandates, (select id from mandate order by id limit 1) as mandate_id,
           p.id, p.reference, p.title, p.product, p.phase, p.phase_text, p.closed_at, p.created_at, p.updated_at,
           ${SUPPLIER_SINCE} as supplier_since, ${ORDERS} as orders
    from (select count(*)::int as total from visible) t left join page p on true
    order by p.updated_at desc, p.id`.execute(db);
  return {
    mandates: scope.proxy ? Number(rows[0]?.mandates ?? 0) : null,
    mandateId: rows[0]?.mandate_id ?? null,
    count: Number(rows[0]?.total ?? 0),
    rows: rows.filter((r) => r.id !== null).map(toCaseRow),
  };
}

export interface DetailResult {
  mandates: number | null;
  row: (CitizenCaseRow & { timeline: CitizenTimelineRow[] }) | undefined;
}

export async function findVisibleCase(db: Db, scope: Scope, id: string, access: Access): Promise<DetailResult> {
  const { rows } = await sql<RawRow & { mandates: number; timeline: unknown[] | null }>`
    with ${mandateCte(scope)}, ${visible(scope, sql`and c.id = ${id}`)},
    page as (select * from visible),
    ${logged(access)}
    select (select count(*)::int from mandate) as mandates,
           p.id, p.reference, p.title, p.product, p.phase, p.phase_text, p.closed_at, p.created_at, p.updated_at,
           ${SUPPLIER_SINCE} as supplier_since, ${ORDERS} as orders, ${TIMELINE} as timeline
    from (select 1) one left join page p on true`.execute(db);
  const r = rows[0];
  return {
    mandates: scope.proxy ? Number(r?.mandates ?? 0) : null,
    row: r?.id ? { ...toCaseRow(r), timeline: ((r.timeline ?? []) as JsonTimeline[]).map(toTimelineRow) } : undefined,
  };
}

/** A case as the citizen's reads select it (timestamps are text on PGlite inside json). */
export type RawRow = Pick<CaseRow, 'reference' | 'title' | 'product' | 'phase' | 'phase_text'> & {
  id: string | null;
  closed_at: Date | string | null;
  created_at: Date | string;
  updated_at: Date | string;
  supplier_since: Date | string | null;
  orders: JsonOrder[] | null;
};

type JsonOrder = Omit<CitizenOrderRow, 'last_synced_at' | 'created_at' | 'updated_at'> & {
  last_synced_at: string | null;
  created_at: string;
  updated_at: string;
};
export type JsonTimeline = Omit<CitizenTimelineRow, 'at'> & { at: string };

const date = (v: Date | string) => (v instanceof Date ? v : new Date(v));
const dateOrNull = (v: Date | string | null) => (v === null ? null : date(v));

export function toCaseRow(r: RawRow): CitizenCaseRow {
  return {
    id: r.id!,
    reference: r.reference,
    title: r.title,
    product: r.product,
    phase: r.phase,
    phase_text: r.phase_text,
    closed_at: dateOrNull(r.closed_at),
    created_at: date(r.created_at),
    updated_at: date(r.updated_at),
    supplier_since: dateOrNull(r.supplier_since),
    orders: (r.orders ?? []).map((o) => ({
      ...o,
      last_synced_at: dateOrNull(o.last_synced_at),
      created_at: date(o.created_at),
      updated_at: date(o.updated_at),
    })),
  };
}

export function toTimelineRow(t: JsonTimeline): CitizenTimelineRow {
  return { ...t, at: date(t.at), refs: Array.isArray(t.refs) ? t.refs : [] };
}
