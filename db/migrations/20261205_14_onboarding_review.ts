// Frozen: never edit a migration that has shipped; add a new one.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // A connection test counts only for the connection it tested (src/onboarding): the digest of the
  // connection it ran against. Older rows have none and no longer count.
  await db.schema.alterTable('onboarding_connection_tests').addColumn('connection_digest', 'text').execute();
  // An invitation to join (a pending member), or to re-accept the agreement (an active or suspended one).
  await db.schema
    .alterTable('onboarding_invitations')
    .addColumn('purpose', 'text', (c) => c.notNull().defaultTo('join').check(sql`purpose in ('join', 'reaccept')`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('onboarding_invitations').dropColumn('purpose').execute();
  await db.schema.alterTable('onboarding_connection_tests').dropColumn('connection_digest').execute();
}
