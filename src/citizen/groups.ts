// The customer's own case groups (kundärende) in SQL. A group belongs to a person (BSN) or a
// company (KvK number); its members are case ids. Whoever reads a group sees only the members they
// may read now (their cases or their branch's, confidentiality ≤ the maximum): a member that became
// unreadable stays in the table and out of every answer. A read is one statement that also writes
// the access-log rows of the cases it shows.
import { sql, type RawBuilder } from 'kysely';
import type { Db, Trx } from '../db/database.ts';
import { insertAccessRows, type Access } from '../access-log/access-log.ts';
import { ownsCase, type Customer } from './customer.ts';
import {
  ORDERS,
  SUPPLIER_SINCE,
  toCaseRow,
  toTimelineRow,
  type CitizenCaseRow,
  type CitizenTimelineRow,
  type JsonTimeline,
  type RawRow,
  type Scope,
} from './repository.ts';

/** Whose groups: a person's, or a company's (every representative, whatever branch, shares them). */
export type GroupOwner = { bsn: string } | { kvk: string };

export const groupOwnerOf = (customer: Customer): GroupOwner => ('bsn' in customer ? { bsn: customer.bsn } : { kvk: customer.kvk });

function ownedBy(owner: GroupOwner, alias = 'g'): RawBuilder<unknown> {
  return 'bsn' in owner ? sql`${sql.ref(`${alias}.owner_bsn`)} = ${owner.bsn}` : sql`${sql.ref(`${alias}.owner_kvk`)} = ${owner.kvk}`;
}

/** Case alias `c` is one the scope may read now. */
function readable(scope: Pick<Scope, 'subject' | 'levels'>, alias = 'c'): RawBuilder<unknown> {
  return sql`${ownsCase(scope.subject, alias)} and ${sql.ref(`${alias}.confidentiality`)} in (${sql.join([...scope.levels])})`;
}

export interface GroupRow {
  id: string;
  name: string;
  created_at: Date;
  updated_at: Date;
  /** The members the reader may read, in the group's order. */
  cases: CitizenCaseRow[];
  /** The newest citizen-visible timeline entry of those cases. */
  latest: (CitizenTimelineRow & { case_id: string; reference: string }) | null;
}

type RawGroup = {
  total: number;
  id: string | null;
  name: string;
  created_at: Date | string;
  updated_at: Date | string;
  cases: RawRow[] | null;
  latest: (JsonTimeline & { case_id: string; reference: string }) | null;
};

/** One group (`{ id }`) or a page of them, newest first, with the access-log rows of every case shown. */
export async function readGroups(
  db: Db,
  scope: Pick<Scope, 'subject' | 'levels'>,
  access: Access,
  which: { id: string } | { limit: number; offset: number },
): Promise<{ count: number; rows: GroupRow[] }> {
  const owner = groupOwnerOf(scope.subject);
  const slice = 'id' in which ? sql`and g.id = ${which.id}` : sql`order by g.created_at desc, g.id limit ${which.limit} offset ${which.offset}`;
  const logged = access.unlogged
    ? sql`logged as (select 1 where false)`
    : sql`logged as (${insertAccessRows(access, sql`(select distinct s.id as case_id, s.citizen_bsn as subject_bsn, s.citizen_kvk as subject_kvk, null::uuid as mandate_id from shown s)`)} returning 1)`;
  const { rows } = await sql<RawGroup>`
    with grp as (select g.id, g.name, g.created_at, g.updated_at from case_groups g where ${ownedBy(owner)} ${slice}),
    shown as (
      select gc.group_id, gc.position, c.id, c.reference, c.title, c.product, c.citizen_bsn, c.citizen_kvk, c.phase, c.phase_text,
             c.closed_at, c.created_at, c.updated_at
      from grp join case_group_cases gc on gc.group_id = grp.id join cases c on c.id = gc.case_id
      where ${readable(scope)}),
    ${logged}
    select (select count(*)::int from case_groups g where ${ownedBy(owner)}) as total, g.id, g.name, g.created_at, g.updated_at,
      coalesce((select jsonb_agg(jsonb_build_object(
          'id', p.id, 'reference', p.reference, 'title', p.title, 'product', p.product, 'phase', p.phase, 'phase_text', p.phase_text,
          'closed_at', p.closed_at, 'created_at', p.created_at, 'updated_at', p.updated_at,
          'supplier_since', ${SUPPLIER_SINCE}, 'orders', ${ORDERS}) order by p.position, p.id)
        from shown p where p.group_id = g.id), '[]'::jsonb) as cases,
      (select jsonb_build_object('at', te.at, 'organisation_id', te.organisation_id, 'order_id', te.order_id, 'kind', te.kind,
          'phase', te.phase, 'text', te.text, 'refs', te.refs, 'case_id', p.id, 'reference', p.reference)
        from shown p join timeline_entries te on te.case_id = p.id and te.citizen_visible
        where p.group_id = g.id order by te.at desc, te.id desc limit 1) as latest
    from (select 1) one left join grp g on true
    order by g.created_at desc, g.id`.execute(db);
  return {
    count: Number(rows[0]?.total ?? 0),
    rows: rows
      .filter((r) => r.id !== null)
      .map((r) => ({
        id: r.id!,
        name: r.name,
        created_at: new Date(r.created_at),
        updated_at: new Date(r.updated_at),
        cases: (r.cases ?? []).map(toCaseRow),
        latest: r.latest ? { ...toTimelineRow(r.latest), case_id: r.latest.case_id, reference: r.latest.reference } : null,
      })),
  };
}

/** Serialises the writes of one owner, so two creates at once cannot pass the limit together. */
export async function lockOwner(trx: Trx, owner: GroupOwner): Promise<void> {
  const key = 'bsn' in owner ? `case_groups:bsn:${owner.bsn}` : `case_groups:kvk:${owner.kvk}`;
  await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(trx);
}

export async function countGroups(db: Db, owner: GroupOwner): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from case_groups g where ${ownedBy(owner)}`.execute(db);
  return Number(rows[0]?.n ?? 0);
}

/** Which of `ids` the scope may read now (key-share locked: inside a transaction none of them can go before it commits). */
export async function readableAmong(trx: Trx, scope: Pick<Scope, 'subject' | 'levels'>, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { rows } = await sql<{ id: string }>`select c.id from cases c where c.id in (${sql.join([...ids])}) and ${readable(scope)}
    for key share`.execute(trx);
  return new Set(rows.map((r) => r.id));
}

export async function insertGroup(trx: Trx, group: { id: string; owner: GroupOwner; name: string }): Promise<void> {
  await trx
    .insertInto('case_groups')
    .values({
      id: group.id,
      owner_bsn: 'bsn' in group.owner ? group.owner.bsn : null,
      owner_kvk: 'kvk' in group.owner ? group.owner.kvk : null,
      name: group.name,
    })
    .execute();
}

/** Locks the owner's group for a change; false when the owner has no group with this id. */
export async function lockGroup(trx: Trx, id: string, owner: GroupOwner): Promise<boolean> {
  const { rows } = await sql`select g.id from case_groups g where g.id = ${id} and ${ownedBy(owner)} for update`.execute(trx);
  return rows.length > 0;
}

export async function updateGroup(trx: Trx, id: string, change: { name?: string }): Promise<void> {
  await trx
    .updateTable('case_groups')
    .set({ ...(change.name !== undefined ? { name: change.name } : {}), updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .execute();
}

/** The group's members the scope may not read now, in the group's order: a change of the members leaves them be. */
export async function hiddenMembers(trx: Trx, groupId: string, scope: Pick<Scope, 'subject' | 'levels'>): Promise<string[]> {
  const { rows } = await sql<{ case_id: string }>`select gc.case_id from case_group_cases gc join cases c on c.id = gc.case_id
    where gc.group_id = ${groupId} and not (${readable(scope)}) order by gc.position, gc.case_id`.execute(trx);
  return rows.map((r) => r.case_id);
}

/** Makes `caseIds` the group's members, in this order. */
export async function replaceMembers(trx: Trx, groupId: string, caseIds: readonly string[]): Promise<void> {
  await trx.deleteFrom('case_group_cases').where('group_id', '=', groupId).execute();
  if (caseIds.length === 0) return;
  await trx
    .insertInto('case_group_cases')
    .values(caseIds.map((caseId, position) => ({ group_id: groupId, case_id: caseId, position })))
    .execute();
}

/** Deletes the owner's group (its memberships go with it); false when there is none. */
export async function deleteGroup(db: Db, id: string, owner: GroupOwner): Promise<boolean> {
  const { rows } = await sql`delete from case_groups g where g.id = ${id} and ${ownedBy(owner)} returning g.id`.execute(db);
  return rows.length > 0;
}
