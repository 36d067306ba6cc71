// Frozen: never edit a migration that has shipped; add a new one.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // An order placed with a portal organisation (no case system) is an assignment: it picks it up
  // through the partner API (src/partner). `reply_token` names the order in the Reply-To address of
  // the mail about it (<token>@MAIL_REPLY_DOMAIN): unguessable, so a reply can only come from
  // someone who got that mail. `closed_at`: the organisation set a final status.
  await db.schema
    .createTable('assignments')
    .addColumn('order_id', 'uuid', (c) => c.primaryKey().references('orders.id').onDelete('cascade'))
    .addColumn('organisation_id', 'text', (c) => c.notNull())
    .addColumn('reply_token', 'text', (c) => c.notNull().unique())
    .addColumn('closed_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // The partner's list: its open (or closed) assignments, newest first.
  await sql`create index assignments_organisation on assignments (organisation_id, created_at desc, order_id)`.execute(db);

  // Messages about an order between the supplier and the subcontractor, both ways. Each is also a
  // timeline entry of kind 'message' (citizen-visible only when marked so). `organisation_id`: the
  // writer's organisation (the gateway's own for the supplier's); `author`: the API client, or the
  // contact's address a mailed reply came from; `attachments`: the names of a
  // mail's attachments (the files are not kept).
  await db.schema
    .createTable('order_messages')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('order_id', 'uuid', (c) => c.notNull().references('orders.id').onDelete('cascade'))
    .addColumn('case_id', 'uuid', (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('organisation_id', 'text', (c) => c.notNull())
    .addColumn('direction', 'text', (c) => c.notNull().check(sql`direction in ('to-subcontractor', 'from-subcontractor')`))
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('api', 'mail', 'portal')`))
    .addColumn('author', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('citizen_visible', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('attachments', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('order_messages_order').on('order_messages').columns(['order_id', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('order_messages').execute();
  await db.schema.dropTable('assignments').execute();
}
