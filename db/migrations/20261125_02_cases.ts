// Frozen: never edit a migration that has shipped; add a new one.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('cases')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('reference', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('citizen_bsn', 'text')
    .addColumn('citizen_kvk', 'text')
    .addColumn('confidentiality', 'text', (c) => c.notNull())
    .addColumn('product', 'text')
    .addColumn('planned_end_date', 'text')
    .addColumn('deadline', 'text')
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('phase_text', 'text')
    .addColumn('closed_at', 'timestamptz')
    .addColumn('combined_status', 'jsonb', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('cases_citizen', sql`(citizen_bsn is null) <> (citizen_kvk is null)`)
    .execute();
  await db.schema.createIndex('cases_citizen_bsn').on('cases').columns(['citizen_bsn', 'updated_at']).execute();
  await db.schema.createIndex('cases_updated').on('cases').columns(['updated_at', 'id']).execute();

  await db.schema
    .createTable('orders')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('case_id', 'uuid', (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('subcontractor', 'text', (c) => c.notNull())
    .addColumn('product', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('share_citizen', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('placing', 'placed', 'failed')`))
    .addColumn('failure', 'jsonb')
    .addColumn('planned_identificatie', 'text', (c) => c.notNull())
    .addColumn('remote_zaak_url', 'text')
    .addColumn('remote_identificatie', 'text')
    .addColumn('status', 'jsonb')
    .addColumn('etag', 'text')
    .addColumn('sync_state', 'text', (c) => c.notNull().defaultTo('fresh'))
    .addColumn('sync_error', 'text')
    .addColumn('last_synced_at', 'timestamptz')
    .addColumn('last_sync_attempt_at', 'timestamptz')
    .addColumn('last_notification_at', 'timestamptz')
    .addColumn('next_poll_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('orders_case').on('orders').columns(['case_id', 'created_at']).execute();
  await sql`create unique index orders_remote_zaak on orders (remote_zaak_url) where remote_zaak_url is not null`.execute(db);
  await sql`create index orders_poll on orders (next_poll_at) where state = 'placed'`.execute(db);
  await db.schema.createIndex('orders_subcontractor').on('orders').columns(['subcontractor', 'case_id']).execute();

  await db.schema
    .createTable('timeline_entries')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('case_id', 'uuid', (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('order_id', 'uuid')
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('organisation_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('phase', 'text')
    .addColumn('text', 'text')
    .addColumn('refs', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('citizen_visible', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('dedupe_key', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('timeline_case').on('timeline_entries').columns(['case_id', 'at']).execute();
  await sql`create unique index timeline_dedupe on timeline_entries (case_id, dedupe_key) where dedupe_key is not null`.execute(db);

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('response_status', 'integer')
    .addColumn('response_body', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['client_id', 'key'])
    .execute();

  // The transactional outbox: every change someone outside may want to hear about.
  await db.schema
    .createTable('case_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('case_id', 'uuid', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('dedupe_key', 'text', (c) => c.unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('case_events_case').on('case_events').columns(['case_id', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['case_events', 'idempotency_keys', 'timeline_entries', 'orders', 'cases']) await db.schema.dropTable(table).execute();
}
