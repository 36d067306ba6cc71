// Frozen: never edit a migration that has shipped; add a new one.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // A company case may name the branch (vestigingsnummer, 12 digits) it is registered for.
  await db.schema
    .alterTable('cases')
    .addColumn('citizen_vestiging', 'text', (c) => c.check(sql`citizen_vestiging ~ '^[0-9]{12}$'`))
    .execute();
  await sql`alter table cases add constraint cases_vestiging_of_company check (citizen_vestiging is null or citizen_kvk is not null)`.execute(db);
  await db.schema.createIndex('cases_citizen_kvk').on('cases').columns(['citizen_kvk', 'updated_at']).where(sql.ref('citizen_kvk'), 'is not', null).execute();

  // A company's access log: the reads of its cases, whichever representative or proxy read them.
  await db.schema.alterTable('access_log').addColumn('subject_kvk', 'text').execute();
  await sql`create index access_log_subject_kvk on access_log (subject_kvk, at desc, id desc) where subject_kvk is not null`.execute(db);
  await sql`alter table access_log drop constraint if exists access_log_actor_role_check`.execute(db);
  await sql`alter table access_log add constraint access_log_actor_role_check check (actor_role in
    ('citizen', 'proxy', 'supplier', 'operator', 'representative', 'organisation-proxy', 'subcontractor', 'kcc', 'caseworker'))`.execute(db);

  // Mandates: the grantor is a person (BSN) or a company (KvK); the proxy a person (BSN) or an
  // organisation (OIN or KvK) that reads through the consumer API.
  await sql`alter table mandates alter column grantor_bsn drop not null, alter column proxy_bsn drop not null`.execute(db);
  await sql`alter table mandates drop constraint if exists mandates_not_self`.execute(db);
  await db.schema.alterTable('mandates').addColumn('grantor_kvk', 'text').addColumn('proxy_oin', 'text').addColumn('proxy_kvk', 'text').execute();
  await sql`alter table mandates
    add constraint mandates_one_grantor check ((grantor_bsn is null) <> (grantor_kvk is null)),
    add constraint mandates_one_proxy check (num_nonnulls(proxy_bsn, proxy_oin, proxy_kvk) = 1),
    add constraint mandates_not_self check (coalesce(grantor_bsn <> proxy_bsn, true) and coalesce(grantor_kvk <> proxy_kvk, true))`.execute(db);
  await sql`create index mandates_grantor_kvk on mandates (grantor_kvk, created_at) where grantor_kvk is not null`.execute(db);
  await sql`create index mandates_proxy_organisation on mandates (proxy_oin, proxy_kvk, created_at)
    where proxy_oin is not null or proxy_kvk is not null`.execute(db);

  // The consumer event feed reads in commit order: every row remembers its writing transaction, and
  // a reader takes only rows of transactions that have all finished (below its snapshot's xmin).
  for (const table of ['timeline_entries', 'case_events']) {
    await sql`alter table ${sql.table(table)} add column tx bigint not null default (pg_current_xact_id()::text::bigint)`.execute(db);
    await sql`create index ${sql.id(`${table}_case_tx`)} on ${sql.table(table)} (case_id, tx, id)`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['timeline_entries', 'case_events']) {
    await sql`drop index if exists ${sql.id(`${table}_case_tx`)}`.execute(db);
    await sql`alter table ${sql.table(table)} drop column tx`.execute(db);
  }
  await sql`drop index if exists mandates_proxy_organisation`.execute(db);
  await sql`drop index if exists mandates_grantor_kvk`.execute(db);
  await sql`delete from mandates where grantor_bsn is null or proxy_bsn is null`.execute(db);
  await sql`alter table mandates drop constraint mandates_one_grantor, drop constraint mandates_one_proxy, drop constraint mandates_not_self`.execute(db);
  await db.schema.alterTable('mandates').dropColumn('grantor_kvk').dropColumn('proxy_oin').dropColumn('proxy_kvk').execute();
  await sql`alter table mandates alter column grantor_bsn set not null, alter column proxy_bsn set not null,
    add constraint mandates_not_self check (grantor_bsn <> proxy_bsn)`.execute(db);
  await sql`alter table access_log drop constraint access_log_actor_role_check`.execute(db);
  await sql`delete from access_log where actor_role not in ('citizen', 'proxy', 'supplier', 'operator')`.execute(db);
  await sql`alter table access_log add constraint access_log_actor_role_check check (actor_role in ('citizen', 'proxy', 'supplier', 'operator'))`.execute(db);
  await sql`drop index if exists access_log_subject_kvk`.execute(db);
  await db.schema.alterTable('access_log').dropColumn('subject_kvk').execute();
  await sql`drop index if exists cases_citizen_kvk`.execute(db);
  await sql`alter table cases drop constraint cases_vestiging_of_company`.execute(db);
  await db.schema.alterTable('cases').dropColumn('citizen_vestiging').execute();
}
