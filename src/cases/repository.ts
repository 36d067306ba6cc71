import { sql, type Selectable } from 'kysely';
import type { CasesTable, OrdersTable, TimelineEntriesTable } from '../../db/schema.ts';
import type { Db, Trx } from '../db/database.ts';
import { json } from '../db/json.ts';
import { addEventWithDeliveries } from './outbox.ts';

export type CaseRow = Selectable<CasesTable>;
export type OrderRow = Selectable<OrdersTable>;
export type TimelineRow = Selectable<TimelineEntriesTable>;

export interface CaseFilters {
  phase?: string;
  subcontractor?: string;
  updatedSince?: string;
  reference?: string;
}

export async function insertCase(db: Db, row: Omit<CaseRow, 'created_at' | 'updated_at' | 'closed_at'>) {
  return db
    .insertInto('cases')
    .values({ ...row, combined_status: json(row.combined_status) })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findCase(db: Db, id: string) {
  return db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The case row, locked until the transaction ends: writers of a case's status and events take it. */
export async function findCaseForUpdate(trx: Trx, id: string) {
  return trx.selectFrom('cases').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function listCases(db: Db, filters: CaseFilters, limit: number, offset: number) {
  let q = db.selectFrom('cases');
  if (filters.phase) q = q.where(sql`combined_status->>'phase'`, '=', filters.phase);
  if (filters.reference) q = q.where('reference', '=', filters.reference);
  if (filters.updatedSince) q = q.where('updated_at', '>=', new Date(filters.updatedSince));
  if (filters.subcontractor) {
    const sub = filters.subcontractor;
    q = q.where((eb) =>
      eb.exists(eb.selectFrom('orders').select('orders.id').whereRef('orders.case_id', '=', 'cases.id').where('orders.subcontractor', '=', sub)),
    );
  }
  const [rows, count] = await Promise.all([
    q.selectAll().orderBy('updated_at', 'desc').orderBy('id').limit(limit).offset(offset).execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, count: Number(count.n) };
}

export async function updateCase(db: Db, id: string, values: Partial<Omit<CaseRow, 'id'>>) {
  const { combined_status, ...rest } = values;
  await db
    .updateTable('cases')
    .set({ ...rest, ...(combined_status ? { combined_status: json(combined_status) } : {}), updated_at: new Date() })
    .where('id', '=', id)
    .execute();
}

export async function ordersOfCase(db: Db, caseId: string) {
  return db.selectFrom('orders').selectAll().where('case_id', '=', caseId).orderBy('created_at').orderBy('id').execute();
}

export async function ordersOfCases(db: Db, caseIds: string[]) {
  if (caseIds.length === 0) return [];
  return db.selectFrom('orders').selectAll().where('case_id', 'in', caseIds).orderBy('created_at').orderBy('id').execute();
}

export async function insertOrder(
  db: Db,
  row: Pick<OrderRow, 'id' | 'case_id' | 'subcontractor' | 'product' | 'description' | 'share_citizen' | 'planned_identificatie'>,
) {
  return db
    .insertInto('orders')
    .values({ ...row, state: 'placing' })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findOrder(db: Db, id: string) {
  return db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findOrderForUpdate(trx: Trx, id: string) {
  return trx.selectFrom('orders').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function updateOrder(db: Db, id: string, values: Partial<Omit<OrderRow, 'id' | 'case_id'>>) {
  const { status, failure, ...rest } = values;
  await db
    .updateTable('orders')
    .set({
      ...rest,
      ...(status !== undefined ? { status: status === null ? null : json(status) } : {}),
      ...(failure !== undefined ? { failure: failure === null ? null : json(failure) } : {}),
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .execute();
}

export interface NewTimelineEntry {
  case_id: string;
  order_id?: string | null;
  at: Date;
  organisation_id: string;
  kind: string;
  phase?: string | null;
  text?: string | null;
  refs?: unknown[];
  citizen_visible?: boolean;
  dedupe_key?: string | null;
}

/** Adds an entry; an entry with a dedupe key already present is left as it is. True when added. */
export async function addTimelineEntry(db: Db, entry: NewTimelineEntry): Promise<boolean> {
  const row = await db
    .insertInto('timeline_entries')
    .values({ ...entry, refs: json(entry.refs ?? []) })
    .onConflict((oc) => oc.columns(['case_id', 'dedupe_key']).where('dedupe_key', 'is not', null).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function timelineOfCase(db: Db, caseId: string, citizenOnly = false) {
  let q = db.selectFrom('timeline_entries').selectAll().where('case_id', '=', caseId);
  if (citizenOnly) q = q.where('citizen_visible', '=', true);
  return q.orderBy('at').orderBy('id').execute();
}

/** Writes an outbox event and, in the same transaction, its webhook deliveries. Undefined when deduplicated. */
export async function addCaseEvent(trx: Trx, type: string, caseId: string, payload: Record<string, unknown>, dedupeKey?: string) {
  return addEventWithDeliveries(trx, { type, caseId, payload, dedupeKey });
}
