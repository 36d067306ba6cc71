// Frozen: never edit a migration that has shipped; add a new one.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Lead times' open orders leave out those of cancelled cases (src/staff/repository.ts openOrdersByAge):
  // the open orders' index carries case_id, and the few cancelled cases have their own, so the anti-join
  // reads two indexes alone instead of looking each open order's case up.
  await sql`create index orders_open_age_case on orders (subcontractor, product, created_at) include (case_id)
    where state <> 'failed' and finished_at is null`.execute(db);
  await sql`drop index if exists orders_open_age`.execute(db);
  await sql`create index cases_cancelled on cases (id) where phase = 'geannuleerd'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists cases_cancelled`.execute(db);
  await sql`create index if not exists orders_open_age on orders (subcontractor, product, created_at) where state <> 'failed' and finished_at is null`.execute(
    db,
  );
  await sql`drop index if exists orders_open_age_case`.execute(db);
}
