// The partner feature's rows: assignments (an order placed with a portal organisation, with its
// reply token) and the messages about an order, both ways. Every read of an assignment is scoped
// to one organisation in the query itself: another organisation's assignment is never loaded.
import { sql, type Selectable } from 'kysely';
import type { OrderMessagesTable } from '../../db/schema.ts';
import type { Db, Trx } from '../db/database.ts';
import { json } from '../db/json.ts';

export type AssignmentState = 'open' | 'closed';

/** An assignment with its order and what of its case the partner may see. */
export interface AssignmentRow {
  order_id: string;
  organisation_id: string;
  reply_token: string;
  closed_at: Date | null;
  created_at: Date;
  case_id: string;
  product: string;
  description: string | null;
  share_citizen: boolean;
  status: Record<string, unknown> | null;
  updated_at: Date;
  reference: string;
  title: string;
  citizen_bsn: string | null;
  citizen_kvk: string | null;
  citizen_vestiging: string | null;
  planned_end_date: string | null;
  deadline: string | null;
  case_closed_at: Date | null;
}

export type MessageRow = Selectable<OrderMessagesTable>;

function assignments(db: Db) {
  return db
    .selectFrom('assignments as a')
    .innerJoin('orders as o', 'o.id', 'a.order_id')
    .innerJoin('cases as c', 'c.id', 'o.case_id')
    .select([
      'a.order_id',
      'a.organisation_id',
      'a.reply_token',
      'a.closed_at',
      'a.created_at',
      'o.case_id',
      'o.product',
      'o.description',
      'o.share_citizen',
      'o.status',
      'o.updated_at',
      'c.reference',
      'c.title',
      'c.citizen_bsn',
      'c.citizen_kvk',
      'c.citizen_vestiging',
      'c.planned_end_date',
      'c.deadline',
      'c.closed_at as case_closed_at',
    ]);
}

export async function insertAssignment(trx: Trx, row: { order_id: string; organisation_id: string; reply_token: string }) {
  await trx.insertInto('assignments').values(row).execute();
}

/** One organisation's assignments, newest first. Open: no final status yet and the case not closed. */
export async function listAssignments(db: Db, organisationId: string, state: AssignmentState | undefined, limit: number, offset: number) {
  let q = assignments(db).where('a.organisation_id', '=', organisationId);
  if (state === 'open') q = q.where('a.closed_at', 'is', null).where('c.closed_at', 'is', null);
  if (state === 'closed') q = q.where((eb) => eb.or([eb('a.closed_at', 'is not', null), eb('c.closed_at', 'is not', null)]));
  const [rows, count] = await Promise.all([
    q.orderBy('a.created_at', 'desc').orderBy('a.order_id').limit(limit).offset(offset).execute(),
    q
      .clearSelect()
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return { rows: rows as AssignmentRow[], count: Number(count.n) };
}

/** The assignment when it is this organisation's; undefined otherwise (another's, or no assignment). */
export async function findAssignment(db: Db, organisationId: string, orderId: string): Promise<AssignmentRow | undefined> {
  return (await assignments(db).where('a.order_id', '=', orderId).where('a.organisation_id', '=', organisationId).executeTakeFirst()) as
    | AssignmentRow
    | undefined;
}

/** The assignment, locked until the transaction ends (taken after the case lock, like every writer of a case's parts). */
export async function lockAssignment(trx: Trx, orderId: string) {
  return trx.selectFrom('assignments').selectAll().where('order_id', '=', orderId).forUpdate().executeTakeFirst();
}

export async function findAssignmentByToken(db: Db, token: string) {
  return db.selectFrom('assignments').selectAll().where('reply_token', '=', token).executeTakeFirst();
}

export async function findAssignmentOfOrder(db: Db, orderId: string) {
  return db.selectFrom('assignments').selectAll().where('order_id', '=', orderId).executeTakeFirst();
}

export async function closeAssignment(trx: Trx, orderId: string, at: Date) {
  await trx.updateTable('assignments').set({ closed_at: at }).where('order_id', '=', orderId).execute();
}

export interface NewMessage {
  order_id: string;
  case_id: string;
  organisation_id: string;
  direction: MessageRow['direction'];
  channel: MessageRow['channel'];
  author: string;
  text: string;
  citizen_visible: boolean;
  attachments?: string[];
}

/** The message and its timeline entry (kind 'message', keyed by the message) in one statement. */
export async function insertMessage(trx: Trx, m: NewMessage, timelineText: string): Promise<MessageRow> {
  const { rows } = await sql<MessageRow>`
    with m as (
      insert into order_messages (order_id, case_id, organisation_id, direction, channel, author, text, citizen_visible, attachments)
      values (${m.order_id}, ${m.case_id}, ${m.organisation_id}, ${m.direction}, ${m.channel}, ${m.author}, ${m.text}, ${m.citizen_visible},
        ${json(m.attachments ?? [])})
      returning *
    ), t as (
      insert into timeline_entries (case_id, order_id, at, organisation_id, kind, text, citizen_visible, dedupe_key)
      select m.case_id, m.order_id, m.created_at, m.organisation_id, 'message', ${timelineText}, m.citizen_visible, 'message:' || m.id from m
    )
    select * from m`.execute(trx);
  return { ...rows[0], id: Number(rows[0].id) };
}

export async function messagesOf(db: Db, orderId: string): Promise<MessageRow[]> {
  const rows = await db.selectFrom('order_messages').selectAll().where('order_id', '=', orderId).orderBy('id').execute();
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/** Makes a message (and its timeline entry) citizen-visible or not: the message after it, or undefined when the order has no such message. */
export async function setMessageVisibility(trx: Trx, orderId: string, messageId: number, visible: boolean): Promise<MessageRow | undefined> {
  const updated = await trx
    .updateTable('order_messages')
    .set({ citizen_visible: visible })
    .where('id', '=', messageId)
    .where('order_id', '=', orderId)
    .returningAll()
    .executeTakeFirst();
  if (!updated) return undefined;
  await trx
    .updateTable('timeline_entries')
    .set({ citizen_visible: visible })
    .where('case_id', '=', updated.case_id)
    .where('dedupe_key', '=', `message:${messageId}`)
    .execute();
  return { ...updated, id: Number(updated.id) } as MessageRow;
}
