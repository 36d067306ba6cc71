// Frozen: never edit a migration that has shipped; add a new one.
import { type Kysely, sql } from 'kysely';

// The trigger's statement has no parameters, so PL/pgSQL plans it once per connection and keeps that
// plan. Planned while timeline_entries was small, the 07_staff version joined the new entries to a
// scan of the whole status index, and every later sync paid for all statuses there are. Here each
// new entry's order is looked up by its own order_id, which only an index lookup can answer well.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create or replace function ks_timeline_phase_seconds() returns trigger language plpgsql as $$
    begin
      update orders o set phase_seconds = p.seconds
      from (
        select n.order_id, s.seconds
        from (select distinct order_id from new_entries where kind = 'status' and order_id is not null) n
        cross join lateral (
          select jsonb_object_agg(phase, secs) as seconds from (
            select phase, sum(secs) as secs from (
              select te.phase, extract(epoch from lead(te.at) over (order by te.at, te.id) - te.at) as secs
              from timeline_entries te
              where te.kind = 'status' and te.order_id = n.order_id) w
            where secs is not null and phase is not null group by phase) q) s
        where s.seconds is not null) p
      where o.id = p.order_id and o.phase_seconds is distinct from p.seconds;
      return null;
    end $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`create or replace function ks_timeline_phase_seconds() returns trigger language plpgsql as $$
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
}
