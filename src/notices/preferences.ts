// The customer's notice preferences: the one repository of notice_preferences and its codes. A
// company's preferences are the company's (keyed by KvK number), whichever representative set them.
import { createHash, createHmac } from 'node:crypto';
import { sql } from 'kysely';
import type { Customer } from '../citizen/customer.ts';
import type { Db, Trx } from '../db/database.ts';
import { LANGS, type Lang } from '../i18n/index.ts';
import type { NoticeChannel } from './outbound.ts';

export type { NoticeChannel };
/** The languages a notice can be written in: the gateway's catalogues. */
export const NOTICE_LANGUAGES = LANGS;

export interface NoticePreferences {
  language: Lang;
  email?: { address: string; verified: boolean };
  phone?: { number: string; verified: boolean };
  channels: { email: boolean; sms: boolean };
}

/** The row key of a customer: a branch login shares the company's preferences. */
export function customerKey(customer: Customer): { customer_kind: 'bsn' | 'kvk'; customer_id: string } {
  return 'bsn' in customer ? { customer_kind: 'bsn', customer_id: customer.bsn } : { customer_kind: 'kvk', customer_id: customer.kvk };
}

export type PreferencesRow = {
  language: Lang;
  email: string | null;
  email_verified_at: Date | null;
  phone: string | null;
  phone_verified_at: Date | null;
  email_on: boolean;
  sms_on: boolean;
};

export function preferencesOf(row: PreferencesRow): NoticePreferences {
  return {
    language: row.language,
    ...(row.email !== null ? { email: { address: row.email, verified: row.email_verified_at !== null } } : {}),
    ...(row.phone !== null ? { phone: { number: row.phone, verified: row.phone_verified_at !== null } } : {}),
    channels: { email: row.email_on, sms: row.sms_on },
  };
}

/**
 * The channels a notice can reach the customer on: on AND verified. The outbox writes a notice only
 * for a customer with one of them (src/cases/outbox.ts, the same rule in SQL; a test holds the two together).
 */
export function reachableChannels(preferences: NoticePreferences): { channel: NoticeChannel; to: string }[] {
  const targets: { channel: NoticeChannel; to: string }[] = [];
  if (preferences.channels.email && preferences.email?.verified) targets.push({ channel: 'email', to: preferences.email.address });
  if (preferences.channels.sms && preferences.phone?.verified) targets.push({ channel: 'sms', to: preferences.phone.number });
  return targets;
}

const columns = ['language', 'email', 'email_verified_at', 'phone', 'phone_verified_at', 'email_on', 'sms_on'] as const;

/** The customer's preferences, or undefined when they never set any. A channel counts only when on AND verified. */
export async function findPreferences(db: Db | Trx, customer: Customer): Promise<NoticePreferences | undefined> {
  const key = customerKey(customer);
  const row = await db
    .selectFrom('notice_preferences')
    .select(columns)
    .where('customer_kind', '=', key.customer_kind)
    .where('customer_id', '=', key.customer_id)
    .executeTakeFirst();
  return row && preferencesOf(row);
}

/** The row, locked for an update in `trx`. */
export async function lockPreferences(trx: Trx, customer: Customer) {
  const key = customerKey(customer);
  return trx
    .selectFrom('notice_preferences')
    .selectAll()
    .where('customer_kind', '=', key.customer_kind)
    .where('customer_id', '=', key.customer_id)
    .forUpdate()
    .executeTakeFirst();
}

export async function upsertPreferences(trx: Trx, customer: Customer, row: PreferencesRow & { unsubscribe_token_hash: string }): Promise<void> {
  const key = customerKey(customer);
  const values = { ...key, ...row, updated_at: sql<Date>`now()` };
  await trx
    .insertInto('notice_preferences')
    .values(values)
    .onConflict((oc) => oc.columns(['customer_kind', 'customer_id']).doUpdateSet({ ...row, updated_at: sql<Date>`now()` }))
    .execute();
}

// ---- One-click unsubscribe (RFC 8058) ------------------------------------------------------------

/**
 * A stable token per customer and channel, derived from the session secret: every mail to the
 * customer carries the same link, and the table holds only its SHA-256 (a copy of it unsubscribes no one).
 */
export function unsubscribeToken(secret: string, customer: Customer, channel: NoticeChannel = 'email'): string {
  const key = customerKey(customer);
  return createHmac('sha256', secret).update(`notice-unsubscribe|${key.customer_kind}|${key.customer_id}|${channel}`).digest('base64url');
}

export const unsubscribeTokenHash = (token: string) => createHash('sha256').update(token).digest('base64url');

/** The List-Unsubscribe address of the customer's notice e-mails: `{publicBaseUrl}/unsubscribe/{token}`. */
export function unsubscribeUrl(keys: { secret: string; publicBaseUrl: string }, customer: Customer): string {
  return `${keys.publicBaseUrl}/unsubscribe/${unsubscribeToken(keys.secret, customer, 'email')}`;
}

/** Turns the e-mail channel off for the customer whose token this is; false when no customer has it. */
export async function unsubscribeByToken(db: Db | Trx, token: string): Promise<boolean> {
  const result = await db
    .updateTable('notice_preferences')
    .set({ email_on: false, updated_at: sql<Date>`now()` })
    .where('unsubscribe_token_hash', '=', unsubscribeTokenHash(token))
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function hasUnsubscribeToken(db: Db | Trx, token: string): Promise<boolean> {
  const row = await db
    .selectFrom('notice_preferences')
    .select('customer_id')
    .where('unsubscribe_token_hash', '=', unsubscribeTokenHash(token))
    .executeTakeFirst();
  return row !== undefined;
}
