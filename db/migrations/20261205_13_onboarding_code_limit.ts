// Frozen: never edit a migration that has shipped; add a new one.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // The signer's codes are limited per invitation like the notice codes (src/lib/verification-code.ts):
  // when the last was sent and how many in the current hour's window.
  await db.schema
    .alterTable('onboarding_invitations')
    .addColumn('signer_code_sent_at', 'timestamptz')
    .addColumn('signer_code_window_start', 'timestamptz')
    .addColumn('signer_code_sends', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('onboarding_invitations')
    .dropColumn('signer_code_sent_at')
    .dropColumn('signer_code_window_start')
    .dropColumn('signer_code_sends')
    .execute();
}
