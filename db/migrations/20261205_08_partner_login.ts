// Frozen: never edit a migration that has shipped; add a new one.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // The partner page (/partner): a partner's sign-in through PARTNER_OIDC_ISSUER in flight, and a
  // partner session (a registered contact of a portal organisation).
  await sql`alter table web_sessions drop constraint if exists web_sessions_kind_check`.execute(db);
  await sql`alter table web_sessions add constraint web_sessions_kind_check
    check (kind in ('login', 'citizen', 'operator', 'staff-login', 'staff', 'partner-login', 'partner'))`.execute(db);

  // One-time sign-in links mailed to a contact. Only the token's SHA-256 is kept, so a copy of the
  // table signs no one in. A request for an address that is no contact is kept too (email null, its
  // token never sent): the same work either way, and the per-address rate limit counts it.
  await db.schema
    .createTable('partner_login_links')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    // HMAC of the address as asked for (lowercase), keyed by SESSION_SECRET: the rate limit's key, no address in clear.
    .addColumn('address_hash', 'text', (c) => c.notNull())
    // The contact's address as registered; null when the address asked for is no contact.
    .addColumn('email', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('partner_login_links_address').on('partner_login_links').columns(['address_hash', 'created_at']).execute();
  await db.schema.createIndex('partner_login_links_expiry').on('partner_login_links').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('partner_login_links').ifExists().execute();
  await sql`delete from web_sessions where kind in ('partner-login', 'partner')`.execute(db);
  await sql`alter table web_sessions drop constraint if exists web_sessions_kind_check`.execute(db);
  await sql`alter table web_sessions add constraint web_sessions_kind_check check (kind in ('login', 'citizen', 'operator', 'staff-login', 'staff'))`.execute(
    db,
  );
}
