// Frozen: never edit a migration that has shipped; add a new one.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Verwerkingenlogging: one row per read of a case (by the citizen, a proxy, the supplier, an operator).
  await db.schema
    .createTable('access_log')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('actor_role', 'text', (c) => c.notNull().check(sql`actor_role in ('citizen', 'proxy', 'supplier', 'operator')`))
    // citizen: 'self'; proxy: masked BSN (never the full one); supplier/operator: client_id.
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('mandate_id', 'uuid')
    .addColumn('organisation', 'text')
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('case_id', 'uuid', (c) => c.notNull())
    // Whose data was read, so that citizen can list it; null for cases of a KvK number.
    .addColumn('subject_bsn', 'text')
    .addColumn('request_id', 'text')
    .addColumn('trace_id', 'text')
    .execute();
  await sql`create index access_log_subject on access_log (subject_bsn, at desc, id desc) where subject_bsn is not null`.execute(db);
  await db.schema.createIndex('access_log_at').on('access_log').column('at').execute();

  await db.schema
    .createTable('mandates')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('grantor_bsn', 'text', (c) => c.notNull())
    // The proxy's own reads look mandates up by it; it is shown to others only masked.
    .addColumn('proxy_bsn', 'text', (c) => c.notNull())
    .addColumn('proxy_name', 'text')
    .addColumn('case_id', 'uuid', (c) => c.references('cases.id').onDelete('cascade'))
    .addColumn('valid_from', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('valid_until', 'timestamptz', (c) => c.notNull())
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('mandates_not_self', sql`grantor_bsn <> proxy_bsn`)
    .execute();
  await db.schema.createIndex('mandates_grantor').on('mandates').columns(['grantor_bsn', 'created_at']).execute();
  await db.schema.createIndex('mandates_proxy').on('mandates').columns(['proxy_bsn', 'grantor_bsn']).execute();

  // The public network listing asks which organisations have unreachable orders; keep that cheap.
  await sql`create index orders_unreachable on orders (subcontractor) where sync_state = 'unreachable' and state = 'placed'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists orders_unreachable`.execute(db);
  await db.schema.dropTable('mandates').execute();
  await db.schema.dropTable('access_log').execute();
}
