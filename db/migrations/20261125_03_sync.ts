// Frozen: never edit a migration that has shipped; add a new one.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Every accepted notification, once: the dedupe key is the notification's own identity.
  await db.schema
    .createTable('inbox')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('organisation_id', 'text', (c) => c.notNull())
    .addColumn('kanaal', 'text', (c) => c.notNull())
    .addColumn('resource_url', 'text', (c) => c.notNull())
    .addColumn('actie', 'text', (c) => c.notNull())
    .addColumn('aanmaakdatum', 'text', (c) => c.notNull())
    .addColumn('order_id', 'uuid', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('pending').check(sql`state in ('pending', 'synced', 'dead')`))
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('processed_at', 'timestamptz')
    .execute();
  await sql`create unique index inbox_identity on inbox (organisation_id, kanaal, resource_url, actie, aanmaakdatum)`.execute(db);
  await sql`create index inbox_pending on inbox (order_id) where state = 'pending'`.execute(db);
  await db.schema.createIndex('inbox_received').on('inbox').columns(['organisation_id', 'received_at']).execute();

  await db.schema
    .createTable('organisation_health')
    .addColumn('organisation_id', 'text', (c) => c.primaryKey())
    .addColumn('consecutive_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('last_failure_at', 'timestamptz')
    .addColumn('last_success_at', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('organisation_health').execute();
  await db.schema.dropTable('inbox').execute();
}
