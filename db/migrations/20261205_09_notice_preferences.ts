// Frozen: never edit a migration that has shipped; add a new one.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // How a customer wants to hear about their cases: a person's (bsn) or a company's (kvk; every
  // representative of the company shares them). An address counts only once its code was entered.
  await db.schema
    .createTable('notice_preferences')
    .addColumn('customer_kind', 'text', (c) => c.notNull().check(sql`customer_kind in ('bsn', 'kvk')`))
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull().check(sql`language in ('nl', 'en', 'sv', 'fi')`))
    .addColumn('email', 'text', (c) => c.check(sql`char_length(email) <= 254`))
    .addColumn('email_verified_at', 'timestamptz')
    .addColumn('phone', 'text', (c) => c.check(sql`phone ~ '^\\+[1-9][0-9]{6,14}$'`))
    .addColumn('phone_verified_at', 'timestamptz')
    .addColumn('email_on', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('sms_on', 'boolean', (c) => c.notNull().defaultTo(false))
    // SHA-256 of the one-click unsubscribe token (the token itself is derived from SESSION_SECRET, never stored).
    .addColumn('unsubscribe_token_hash', 'text', (c) => c.unique())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('notice_preferences_pk', ['customer_kind', 'customer_id'])
    .execute();

  // The open verification code of a new address, one per customer and channel. Only an HMAC of the
  // code is kept; a wrong try takes one of tries_left, and a code past expires_at is dead.
  await db.schema
    .createTable('notice_verification_codes')
    .addColumn('customer_kind', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('email', 'sms')`))
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('tries_left', 'integer', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    // When the last code was sent, and how many were sent in the current hour: the resend rate limit.
    .addColumn('sent_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('sends_window_start', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('sends_in_window', 'integer', (c) => c.notNull().defaultTo(1))
    .addPrimaryKeyConstraint('notice_verification_codes_pk', ['customer_kind', 'customer_id', 'channel'])
    .addForeignKeyConstraint(
      'notice_verification_codes_preferences',
      ['customer_kind', 'customer_id'],
      'notice_preferences',
      ['customer_kind', 'customer_id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('notice_verification_codes').execute();
  await db.schema.dropTable('notice_preferences').execute();
}
