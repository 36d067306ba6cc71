// Frozen: never edit a migration that has shipped; add a new one.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // The gateway's own abonnement at an organisation's Notificaties API (src/subscriptions), one per
  // organisation. `auth` is the Authorization value the gateway generated for it: the NRC sends it
  // with every notification, so it is a secret like the inline ones in organisations.config (never
  // shown, never logged). `nrc` is the Notificaties API (root and credentials) the abonnement was
  // made at, so it can still be removed after the organisation's settings changed or it left.
  await db.schema
    .createTable('nrc_subscriptions')
    .addColumn('organisation_id', 'text', (c) => c.primaryKey())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('pending', 'active', 'failed', 'removed')`))
    .addColumn('auth', 'text', (c) => c.notNull())
    .addColumn('nrc', 'jsonb')
    .addColumn('abonnement_url', 'text')
    .addColumn('callback_url', 'text')
    .addColumn('filters', 'jsonb')
    .addColumn('last_checked_at', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('nrc_subscriptions').execute();
}
