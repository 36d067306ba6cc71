// Frozen: never edit a migration that has shipped; add a new one.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // A portal's or notify service's webhook. The secret is the shared signing secret (whsec_…): it
  // has to be stored to sign, is shown once at creation and never returned or logged afterwards.
  await db.schema
    .createTable('subscriptions')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('callback_url', 'text', (c) => c.notNull())
    .addColumn('events', 'jsonb', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull().check(sql`format in ('zgw', 'cloudevents')`))
    .addColumn('filters', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('secret', 'text', (c) => c.notNull())
    // After a rotation the old secret keeps signing (a second signature) until it expires.
    .addColumn('previous_secret', 'text')
    .addColumn('previous_secret_expires_at', 'timestamptz')
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('active').check(sql`state in ('active', 'disabled')`))
    .addColumn('disabled_reason', 'text')
    .addColumn('disabled_at', 'timestamptz')
    // Health: failing_since is the first failure after the last success (null while healthy).
    .addColumn('consecutive_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failing_since', 'timestamptz')
    .addColumn('last_success_at', 'timestamptz')
    .addColumn('last_failure_at', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('subscriptions_client').on('subscriptions').columns(['client_id', 'created_at']).execute();

  // One row per (subscription, outbox event), written in the transaction of the event itself.
  // webhook_id is fixed at creation: retries, restarts and re-sends all carry the same one.
  // A (subscription, case) is a lane delivered in order: its earliest open delivery is `pending`
  // (or `delivering`), the ones behind it `waiting` until it is delivered or dead.
  await db.schema
    .createTable('deliveries')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('subscription_id', 'uuid', (c) => c.notNull().references('subscriptions.id').onDelete('cascade'))
    .addColumn('event_id', 'bigint', (c) => c.notNull().references('case_events.id'))
    .addColumn('case_id', 'uuid', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('webhook_id', 'text', (c) => c.notNull().unique())
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('pending').check(sql`state in ('waiting', 'pending', 'delivering', 'delivered', 'dead')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('lease_until', 'timestamptz')
    .addColumn('locked_by', 'text')
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('delivered_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // One delivery per (event, subscription); event first, so it is no index for per-subscription scans.
    .addUniqueConstraint('deliveries_once', ['event_id', 'subscription_id'])
    .execute();
  await sql`create index deliveries_due on deliveries (subscription_id, next_attempt_at, id) where state = 'pending'`.execute(db);
  await sql`create index deliveries_leased on deliveries (lease_until) where state = 'delivering'`.execute(db);
  await sql`create index deliveries_lane on deliveries (subscription_id, case_id, id) where state in ('waiting', 'pending', 'delivering')`.execute(db);
  await sql`create index deliveries_by_state on deliveries (state, updated_at)`.execute(db);

  await db.schema
    .createTable('delivery_attempts')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('delivery_id', 'bigint', (c) => c.notNull().references('deliveries.id').onDelete('cascade'))
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('duration_ms', 'integer')
    .addColumn('status', 'integer')
    .addColumn('error', 'text')
    .execute();
  await db.schema.createIndex('delivery_attempts_delivery').on('delivery_attempts').columns(['delivery_id', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('delivery_attempts').execute();
  await db.schema.dropTable('deliveries').execute();
  await db.schema.dropTable('subscriptions').execute();
}
