// Frozen: never edit a migration that has shipped; add a new one.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // The zaak's ETag is no longer kept: a server may keep it when a status is added (Open Zaak
  // 1.25.0 does), so the sync reads the zaak and its statussen unconditionally.
  await sql`alter table orders drop column if exists etag`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table orders add column if not exists etag text`.execute(db);
}
