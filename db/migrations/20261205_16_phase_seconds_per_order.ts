// Frozen: never edit a migration that has shipped; add a new one.
import { type Kysely, sql } from 'kysely';

// orders.phase_seconds is read only for finished orders (src/staff/repository.ts), so it is written
// only for them — an open order's sync no longer updates its row twice — and looked up by order id,
// which no cached plan can turn into a scan of every status.
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
