// Frozen: never edit a migration that has shipped; add a new one.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // The agreement members sign, one row per version: immutable once posted (the trigger below
  // refuses updates and deletes), `hash` the SHA-256 of its canonical JSON. The latest posted
  // (highest seq) is the current one.
  await db.schema
    .createTable('agreements')
    .addColumn('version', 'text', (c) => c.primaryKey())
    .addColumn('seq', 'serial', (c) => c.notNull().unique())
    .addColumn('summary', 'jsonb', (c) => c.notNull())
    .addColumn('legal_text', 'jsonb', (c) => c.notNull())
    .addColumn('terms', 'jsonb', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('reaccept_by', 'timestamptz')
    .addColumn('published_by', 'text', (c) => c.notNull())
    .addColumn('published_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create function ks_agreements_immutable() returns trigger language plpgsql as $$
    begin
      raise exception 'an agreement version is immutable';
    end $$`.execute(db);
  await sql`create trigger agreements_immutable before update or delete on agreements
    for each row execute function ks_agreements_immutable()`.execute(db);

  // Every acceptance of an agreement version by an organisation: electronic (the signer through
  // the join journey) or paper (recorded by an operator, with the scan's SHA-256), with the receipt.
  await db.schema
    .createTable('agreement_acceptances')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('agreement_version', 'text', (c) => c.notNull().references('agreements.version'))
    .addColumn('agreement_hash', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull().check(sql`method in ('electronic', 'paper')`))
    .addColumn('signer', 'jsonb', (c) => c.notNull())
    .addColumn('paper', 'jsonb')
    .addColumn('accepted_at', 'timestamptz', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('receipt', 'text', (c) => c.notNull())
    .addColumn('kid', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('agreement_acceptances_organisation').on('agreement_acceptances').columns(['organisation_id', 'recorded_at']).execute();

  // The gateway's own receipt-signing keys (ES256). A generated key's private half is sealed with a
  // key derived from SESSION_SECRET; a configured one (RECEIPT_SIGNING_KEY) keeps only its public
  // half here. Old keys stay, so receipts they signed stay verifiable through the JWKS.
  await db.schema
    .createTable('receipt_signing_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('public_jwk', 'jsonb', (c) => c.notNull())
    .addColumn('private_key', 'jsonb')
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('generated', 'configured')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('receipt_signing_keys').ifExists().execute();
  await db.schema.dropTable('agreement_acceptances').ifExists().execute();
  await db.schema.dropTable('agreements').ifExists().execute();
  await sql`drop function if exists ks_agreements_immutable()`.execute(db);
}
