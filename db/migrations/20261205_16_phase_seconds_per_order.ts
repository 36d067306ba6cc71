// Frozen: never edit a migration that has shipped; add a new one.
import { type Kysely, sql } from 'kysely';

// orders.phase_seconds is read only for finished orders (lead times, src/staff/repository.ts). The
// 07_staff trigger wrote it on every new status of every order: a second update of the order row in
// each sync, never in place (the column is in orders_finished), and a statement planned once per
// connection — while timeline_entries was small, as a scan of the whole status index, which every
// later sync paid for. Now it is written when a finished order gets a status entry and when an
// order becomes finished, one order at a time by its id, so each lookup is an index lookup.
export async function up(db: Kysely<any>): Promise<void> {
  // Seconds spent in each phase: from each status entry of the order to the next, summed per phase.
  await sql`create function ks_phase_seconds(order_id uuid) returns jsonb language sql stable as $$
    select jsonb_object_agg(phase, secs) from (
      select phase, sum(secs) as secs from (
        select te.phase, extract(epoch from lead(te.at) over (order by te.at, te.id) - te.at) as secs
        from timeline_entries te
        where te.kind = 'status' and te.order_id = ks_phase_seconds.order_id) w
      where secs is not null and phase is not null group by phase) q
    $$`.execute(db);
  await sql`create or replace function ks_timeline_phase_seconds() returns trigger language plpgsql as $$
    declare
      finished uuid;
    begin
      for finished in
        select distinct n.order_id from new_entries n where n.kind = 'status' and n.order_id is not null
      loop
        update orders o set phase_seconds = ks_phase_seconds(o.id)
        where o.id = finished and o.finished_at is not null and o.phase_seconds is distinct from ks_phase_seconds(o.id);
      end loop;
      return null;
    end $$`.execute(db);
  await sql`create function ks_order_phase_seconds() returns trigger language plpgsql as $$
    begin
      update orders o set phase_seconds = ks_phase_seconds(o.id)
      where o.id = new.id and o.phase_seconds is distinct from ks_phase_seconds(o.id);
      return null;
    end $$`.execute(db);
  await sql`create trigger order_finished_phase_seconds after update of status on orders for each row
    when (old.finished_at is null and new.finished_at is not null) execute function ks_order_phase_seconds()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger if exists order_finished_phase_seconds on orders`.execute(db);
  await sql`drop function if exists ks_order_phase_seconds()`.execute(db);
  // 07_staff's rule again (every order, on every status entry), written with ks_phase_seconds, which stays.
  await sql`create or replace function ks_timeline_phase_seconds() returns trigger language plpgsql as $$
    begin
      update orders o set phase_seconds = p.seconds
      from (select n.order_id, ks_phase_seconds(n.order_id) as seconds
        from (select distinct order_id from new_entries where kind = 'status' and order_id is not null) n) p
      where o.id = p.order_id and p.seconds is not null and o.phase_seconds is distinct from p.seconds;
      return null;
    end $$`.execute(db);
}
