// Frozen: never edit a migration that has shipped; add a new one.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // An invitation to join (src/onboarding): a link for one organisation. Only the token's SHA-256 is
  // kept, so a copy of the table joins no one. The signer's e-mail confirmation lives on it: the
  // code's hash, its tries left and its expiry; `completed_at` once the member is active (used up).
  await db.schema
    .createTable('onboarding_invitations')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('completed_at', 'timestamptz')
    .addColumn('signer', 'jsonb')
    .addColumn('signer_code_hash', 'text')
    .addColumn('signer_code_expires_at', 'timestamptz')
    .addColumn('signer_code_tries', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('signer_confirmed_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('onboarding_invitations_organisation').on('onboarding_invitations').columns(['organisation_id', 'created_at']).execute();

  // A connection test and each step's verdict. `notification_at`: when the member's `kanaal: test`
  // notification arrived while this test ran (the intake records it; src/gateway.ts wires it).
  await db.schema
    .createTable('onboarding_connection_tests')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    .addColumn('passed', 'boolean')
    .addColumn('steps', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('notification_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('onboarding_connection_tests_organisation')
    .on('onboarding_connection_tests')
    .columns(['organisation_id', 'started_at'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('onboarding_connection_tests').ifExists().execute();
  await db.schema.dropTable('onboarding_invitations').ifExists().execute();
}
