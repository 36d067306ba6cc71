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
  // subcontractor set that status. Immutable so a generated column can use it: the cast reads an ISO
  // date-time that carries its offset (what ZGW's datumStatusGezet and the partner API give), so the
  // session's time zone does not change the answer; a value that is no date-time gives null. Not
  // parallel safe: the exception block needs a subtransaction.
  await sql`create function ks_order_finished_at(status jsonb) returns timestamptz language plpgsql immutable as $$
    begin
      if status is null or not ((status->>'isEindstatus') = 'true' or (status->>'phase') in ('afgerond', 'geannuleerd')) then return null; end if;
      return (status->>'datumStatusGezet')::timestamptz;
    exception when others then return null;
    end $$`.execute(db);
  // When an order's current status was set (the last change of that part), null when unknown.
  await sql`create function ks_status_set_at(status jsonb) returns timestamptz language plpgsql immutable as $$
    begin
      return (status->>'datumStatusGezet')::timestamptz;
    exception when others then return null;
    end $$`.execute(db);
  // Lead times (src/staff/lead-times.ts) are read from orders alone, so they stay fast at scale:
  // finished_at follows the status; phase_seconds (seconds spent in each phase: from each status
  // entry of the order to the next, summed per phase) is kept by a trigger on timeline_entries,
  // whichever code writes the statuses and in whatever order they arrive.
  await sql`alter table orders add column finished_at timestamptz generated always as (ks_order_finished_at(status)) stored`.execute(db);
  await sql`alter table orders add column phase_seconds jsonb`.execute(db);
  // Set-based: one pass over the statuses of the orders a statement touched (one order for the
  // sync, a million for a bulk load).
  await sql`create function ks_timeline_phase_seconds() returns trigger language plpgsql as $$
    begin
      update orders o set phase_seconds = p.seconds
      from (
        select order_id, jsonb_object_agg(phase, secs) as seconds from (
          select order_id, phase, sum(secs) as secs from (
            select te.order_id, te.phase, extract(epoch from lead(te.at) over (partition by te.order_id order by te.at, te.id) - te.at) as secs
            from timeline_entries te
            where te.kind = 'status' and te.order_id in (select n.order_id from new_entries n where n.kind = 'status' and n.order_id is not null)) s
          where secs is not null and phase is not null group by 1, 2) q
        group by 1) p
      where o.id = p.order_id and o.phase_seconds is distinct from p.seconds;
      return null;
    end $$`.execute(db);
  await sql`create trigger timeline_phase_seconds after insert on timeline_entries referencing new table as new_entries
    for each statement execute function ks_timeline_phase_seconds()`.execute(db);
  // The orders there are: the same computation once over all statuses.
  await sql`update orders o set phase_seconds = p.seconds
    from (
      select order_id, jsonb_object_agg(phase, secs) as seconds from (
        select order_id, phase, sum(secs) as secs from (
          select te.order_id, te.phase, extract(epoch from lead(te.at) over (partition by te.order_id order by te.at, te.id) - te.at) as secs
          from timeline_entries te where te.kind = 'status' and te.order_id is not null) s
        where secs is not null and phase is not null group by 1, 2) q
      group by 1) p
    where o.id = p.order_id`.execute(db);
  // Finished orders by the time they finished and the open ones by placement, answered from the index alone.
  await sql`create index orders_finished on orders (finished_at) include (subcontractor, product, created_at, phase_seconds)
    where finished_at is not null`.execute(db);
  await sql`create index orders_open_age on orders (subcontractor, product, created_at) where state <> 'failed' and finished_at is null`.execute(db);
  // An order's statuses in order, for its phase_seconds.
  await sql`create index timeline_order_status on timeline_entries (order_id, at) include (phase)
    where kind = 'status' and order_id is not null`.execute(db);
  // The caseworker's worklist (src/staff/repository.ts attentionCases) finds its candidates through
  // these: open cases waiting for the customer or past a date, open orders, failed orders.
  await sql`create index cases_open_action on cases (id) where closed_at is null and (combined_status->>'phase') = 'actie_vereist'`.execute(db);
  await sql`create index cases_open_due on cases ((least(planned_end_date, deadline))) where closed_at is null`.execute(db);
  await sql`create index orders_open_case on orders (case_id) where state <> 'failed' and finished_at is null`.execute(db);
  await sql`create index orders_failed on orders (case_id) where state = 'failed'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const index of ['cases_open_action', 'cases_open_due', 'orders_open_case', 'orders_failed'])
    await sql`drop index if exists ${sql.id(index)}`.execute(db);
  await sql`drop index if exists timeline_order_status`.execute(db);
  await sql`drop index if exists orders_open_age`.execute(db);
  await sql`drop index if exists orders_finished`.execute(db);
  await sql`drop trigger if exists timeline_phase_seconds on timeline_entries`.execute(db);
  await sql`drop function if exists ks_timeline_phase_seconds()`.execute(db);
  await sql`alter table orders drop column if exists phase_seconds, drop column if exists finished_at`.execute(db);
  await sql`drop function if exists ks_order_finished_at(jsonb)`.execute(db);
  await sql`drop function if exists ks_status_set_at(jsonb)`.execute(db);
  await db.schema.dropTable('kcc_lookups').execute();
  await sql`delete from web_sessions where kind in ('staff-login', 'staff')`.execute(db);
  await sql`alter table web_sessions drop constraint if exists web_sessions_kind_check`.execute(db);
  await sql`alter table web_sessions add constraint web_sessions_kind_check check (kind in ('login', 'citizen', 'operator'))`.execute(db);
}
