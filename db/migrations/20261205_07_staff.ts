// Frozen: never edit a migration that has shipped; add a new one.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Staff sign-on for the pages (/ops, /work, /kcc): a staff login in flight and a staff session.
  await sql`alter table web_sessions drop constraint if exists web_sessions_kind_check`.execute(db);
  await sql`alter table web_sessions add constraint web_sessions_kind_check check (kind in ('login', 'citizen', 'operator', 'staff-login', 'staff'))`.execute(
    db,
  );

  // A contact-centre lookup: who looked up which customer, why, and until when the same member may
  // read the answer again (15 minutes). The identifier is kept only for that re-read; rows past
  // their time are deleted (the access-log rows of each read stay, as for every other reader).
  await db.schema
    .createTable('kcc_lookups')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('staff_sub', 'text', (c) => c.notNull())
    .addColumn('staff_name', 'text', (c) => c.notNull())
    .addColumn('subject_bsn', 'text')
    .addColumn('subject_kvk', 'text')
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addCheckConstraint('kcc_lookups_one_subject', sql`(subject_bsn is null) <> (subject_kvk is null)`)
    .execute();
  await db.schema.createIndex('kcc_lookups_expiry').on('kcc_lookups').column('expires_at').execute();

  // When an order reached its final status (the eindstatus, or a closing phase): the time its
  // subcontractor set that status. Declared immutable so indexes can use it: the cast reads an ISO
  // date-time that carries its offset (what ZGW's datumStatusGezet and the partner API give), so
  // the session's time zone does not change the answer. plpgsql: never inlined, so the planner
  // matches the indexes below on the call itself.
  await sql`create function ks_order_finished_at(status jsonb) returns timestamptz language plpgsql immutable parallel safe as $$
    begin
      if status is null or not ((status->>'isEindstatus') = 'true' or (status->>'phase') in ('afgerond', 'geannuleerd')) then return null; end if;
      return (status->>'datumStatusGezet')::timestamptz;
    exception when others then return null;
    end $$`.execute(db);
  // When an order's current status was set (the last change of that part), null when unknown.
  await sql`create function ks_status_set_at(status jsonb) returns timestamptz language plpgsql immutable parallel safe as $$
    begin
      return (status->>'datumStatusGezet')::timestamptz;
    exception when others then return null;
    end $$`.execute(db);
  // Lead times (src/staff/lead-times.ts): finished orders by the time they finished, and the open
  // ones by placement, both answered from the index alone.
  await sql`create index orders_finished on orders (ks_order_finished_at(status)) include (subcontractor, product, created_at)
    where ks_order_finished_at(status) is not null`.execute(db);
  await sql`create index orders_open_age on orders (subcontractor, product, created_at)
    where state <> 'failed' and ks_order_finished_at(status) is null`.execute(db);
  // An order's statuses in order, for the time spent in each phase.
  await sql`create index timeline_order_status on timeline_entries (order_id, at) include (phase)
    where kind = 'status' and order_id is not null`.execute(db);
  // The caseworker's worklist reads open cases only.
  await sql`create index cases_open on cases (updated_at, id) where closed_at is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists cases_open`.execute(db);
  await sql`drop index if exists timeline_order_status`.execute(db);
  await sql`drop index if exists orders_open_age`.execute(db);
  await sql`drop index if exists orders_finished`.execute(db);
  await sql`drop function if exists ks_order_finished_at(jsonb)`.execute(db);
  await sql`drop function if exists ks_status_set_at(jsonb)`.execute(db);
  await db.schema.dropTable('kcc_lookups').execute();
  await sql`delete from web_sessions where kind in ('staff-login', 'staff')`.execute(db);
  await sql`alter table web_sessions drop constraint if exists web_sessions_kind_check`.execute(db);
  await sql`alter table web_sessions add constraint web_sessions_kind_check check (kind in ('login', 'citizen', 'operator'))`.execute(db);
}
