// The customer's notice preferences and the codes that prove an address is theirs (docs/notices.md,
// "Preferences"). A new or changed address is unverified and gets a 6-digit code through the notice
// outbox; notices go only to verified addresses of channels that are on.
import type { Customer } from '../citizen/customer.ts';
import { type Database, type Db, type Trx, withTransaction } from '../db/database.ts';
import type { Lang } from '../i18n/index.ts';
import { normaliseEmail } from '../lib/email.ts';
import { type InvalidParam, ServiceError } from '../lib/service-error.ts';
import { CODE_RULES, codeHash, newCode, nextSend, sameHash } from '../lib/verification-code.ts';
import { queueMessage } from './outbound.ts';
import {
  customerKey,
  findPreferences,
  lockPreferences,
  type NoticeChannel,
  type NoticePreferences,
  preferencesOf,
  unsubscribeByToken,
  unsubscribeToken,
  unsubscribeTokenHash,
  upsertPreferences,
  hasUnsubscribeToken,
} from './preferences.ts';

// The code rule (tries, lifetime, how often one is sent) is src/lib's, shared with the join journey.
export { CODE_RULES, CodeRateLimited } from '../lib/verification-code.ts';

export interface PreferencesInput {
  language: Lang;
  email?: string;
  /** E.164 (+31612345678) or a Dutch mobile number 06xxxxxxxx. */
  phone?: string;
  channels: { email: boolean; sms: boolean };
}

export type VerifyResult =
  | { ok: true; preferences: NoticePreferences }
  | { ok: false; reason: 'wrong-code'; triesLeft: number }
  | { ok: false; reason: 'code-expired' | 'code-exhausted' | 'no-code' };

export const SMS_UNAVAILABLE = 'SMS is not available on this installation';

/** A Dutch mobile number 06xxxxxxxx becomes +316xxxxxxxx; E.164 stays as it is. */
export const normalisePhone = (phone: string) => (/^06\d{8}$/.test(phone) ? `+31${phone.slice(1)}` : phone);

export interface PreferenceServiceDeps {
  database: Database;
  /** SESSION_SECRET: keys the codes' HMACs and derives the unsubscribe tokens. */
  secret: string;
  /** Whether the configured transport can send SMS (NOTICE_TRANSPORT=notify). */
  smsAvailable: () => boolean;
  now?: () => Date;
}

export class PreferenceService {
  private readonly deps: PreferenceServiceDeps;
  private readonly now: () => Date;

  constructor(deps: PreferenceServiceDeps) {
    this.deps = deps;
    this.now = deps.now ?? (() => new Date());
  }

  private get db(): Db {
    return this.deps.database.db;
  }

  smsAvailable(): boolean {
    return this.deps.smsAvailable();
  }

  /** The customer's preferences; defaults (nothing on, the reader's language) when they never set any. */
  async get(customer: Customer, defaultLanguage: Lang): Promise<NoticePreferences> {
    return (await findPreferences(this.db, customer)) ?? { language: defaultLanguage, channels: { email: false, sms: false } };
  }

  /**
   * Replaces the preferences. An address left out is removed; a new or changed one is unverified and
   * gets a code (a CodeRateLimited refusal changes nothing). A channel needs an address to be on.
   */
  async update(customer: Customer, input: PreferencesInput): Promise<NoticePreferences> {
    companyWide(customer);
    const email = input.email === undefined ? null : normaliseEmail(input.email);
    const phone = input.phone === undefined ? null : normalisePhone(input.phone);
    return withTransaction(this.db, async (trx) => {
      const current = await lockPreferences(trx, customer);
      const emailChanged = email !== (current?.email ?? null);
      const phoneChanged = phone !== (current?.phone ?? null);
      const refused: InvalidParam[] = [];
      if (input.channels.email && email === null)
        refused.push({ name: 'channels.email', code: 'no-address', reason: 'give an e-mail address to receive notices by e-mail' });
      if (input.channels.sms && phone === null)
        refused.push({ name: 'channels.sms', code: 'no-address', reason: 'give a phone number to receive notices by SMS' });
      if (!this.smsAvailable() && ((phone !== null && phoneChanged) || input.channels.sms))
        refused.push({ name: phone !== null && phoneChanged ? 'phone' : 'channels.sms', code: 'sms-unavailable', reason: SMS_UNAVAILABLE });
      if (refused.length) throw new ServiceError('unprocessable', refused.map((r) => r.reason).join('; '), { invalidParams: refused });

      const row = {
        language: input.language,
        email,
        email_verified_at: emailChanged ? null : (current?.email_verified_at ?? null),
        phone,
        phone_verified_at: phoneChanged ? null : (current?.phone_verified_at ?? null),
        email_on: input.channels.email,
        sms_on: input.channels.sms,
        unsubscribe_token_hash: unsubscribeTokenHash(unsubscribeToken(this.deps.secret, customer, 'email')),
      };
      await upsertPreferences(trx, customer, row);
      if (emailChanged) await this.newCode(trx, customer, 'email', email, input.language);
      if (phoneChanged) await this.newCode(trx, customer, 'sms', phone, input.language);
      return preferencesOf(row);
    });
  }

  /** A new code for the unverified address of a channel (the old one stops working). */
  async sendCode(customer: Customer, channel: NoticeChannel): Promise<void> {
    companyWide(customer);
    await withTransaction(this.db, async (trx) => {
      const current = await lockPreferences(trx, customer);
      const address = channel === 'email' ? current?.email : current?.phone;
      const verified = channel === 'email' ? current?.email_verified_at : current?.phone_verified_at;
      const field = channel === 'email' ? 'email' : 'phone';
      if (!current || !address) throw new ServiceError('unprocessable', `There is no ${field} to verify.`, { invalidParams: [noCode(field, 'no-address')] });
      if (verified) throw new ServiceError('unprocessable', `The ${field} is verified already.`, { invalidParams: [noCode(field, 'verified')] });
      if (channel === 'sms' && !this.smsAvailable())
        throw new ServiceError('unprocessable', SMS_UNAVAILABLE, { invalidParams: [{ name: 'phone', code: 'sms-unavailable', reason: SMS_UNAVAILABLE }] });
      await this.newCode(trx, customer, channel, address, current.language);
    });
  }

  /** Checks a code: right marks the address verified; wrong takes a try (committed, whatever the answer). */
  async verify(customer: Customer, channel: NoticeChannel, code: string): Promise<VerifyResult> {
    companyWide(customer);
    return withTransaction(this.db, async (trx) => {
      const current = await lockPreferences(trx, customer);
      const pending = await lockCode(trx, customer, channel);
      const key = customerKey(customer);
      const address = channel === 'email' ? current?.email : current?.phone;
      const verified = channel === 'email' ? current?.email_verified_at : current?.phone_verified_at;
      if (!current || !pending || pending.address !== address || verified) return { ok: false, reason: 'no-code' };
      if (pending.tries_left <= 0) return { ok: false, reason: 'code-exhausted' };
      if (new Date(pending.expires_at).getTime() <= this.now().getTime()) return { ok: false, reason: 'code-expired' };
      const codeKey = { ...key, channel };
      if (!sameHash(pending.code_hash, this.codeHash(codeKey, pending.address, code))) {
        const left = pending.tries_left - 1;
        await trx
          .updateTable('notice_verification_codes')
          .set({ tries_left: left })
          .where('customer_kind', '=', key.customer_kind)
          .where('customer_id', '=', key.customer_id)
          .where('channel', '=', channel)
          .execute();
        return { ok: false, reason: 'wrong-code', triesLeft: left };
      }
      const verifiedAt = this.now();
      await trx
        .updateTable('notice_preferences')
        .set(channel === 'email' ? { email_verified_at: verifiedAt } : { phone_verified_at: verifiedAt })
        .where('customer_kind', '=', key.customer_kind)
        .where('customer_id', '=', key.customer_id)
        .execute();
      // Used up rather than deleted: the row's send counts keep limiting new codes.
      await trx
        .updateTable('notice_verification_codes')
        .set({ tries_left: 0 })
        .where('customer_kind', '=', key.customer_kind)
        .where('customer_id', '=', key.customer_id)
        .where('channel', '=', channel)
        .execute();
      return {
        ok: true,
        preferences: preferencesOf({ ...current, ...(channel === 'email' ? { email_verified_at: verifiedAt } : { phone_verified_at: verifiedAt }) }),
      };
    });
  }

  /** One-click unsubscribe: the e-mail channel of the token's customer goes off. False for an unknown token. */
  unsubscribe(token: string): Promise<boolean> {
    return unsubscribeByToken(this.db, token);
  }

  /** Whether a token is some customer's (the confirmation page asks before the POST). */
  knownToken(token: string): Promise<boolean> {
    return hasUnsubscribeToken(this.db, token);
  }

  private codeHash(key: { customer_kind: string; customer_id: string; channel: NoticeChannel }, address: string, code: string): string {
    return codeHash(this.deps.secret, `notice-code|${key.customer_kind}|${key.customer_id}|${key.channel}|${address}`, code);
  }

  /**
   * Replaces the channel's code with a new one and queues it to the address, in `trx`. At most one
   * code per 30 s and 5 an hour per customer and channel.
   */
  private async newCode(trx: Trx, customer: Customer, channel: NoticeChannel, address: string | null, language: Lang): Promise<void> {
    const key = customerKey(customer);
    // The row stays (its send counts are the rate limit's); a code for another address never matches.
    if (address === null) return;
    const now = this.now();
    const last = await lockCode(trx, customer, channel);
    const sends = nextSend(
      last ? { sentAt: new Date(last.sent_at), windowStart: new Date(last.sends_window_start), sendsInWindow: last.sends_in_window } : undefined,
      now,
    );
    const code = newCode();
    const values = {
      address,
      code_hash: this.codeHash({ ...key, channel }, address, code),
      tries_left: CODE_RULES.tries,
      expires_at: new Date(now.getTime() + CODE_RULES.ttlSeconds * 1000),
      sent_at: now,
      sends_window_start: sends.windowStart,
      sends_in_window: sends.sendsInWindow,
    };
    await trx
      .insertInto('notice_verification_codes')
      .values({ ...key, channel, ...values })
      .onConflict((oc) => oc.columns(['customer_kind', 'customer_id', 'channel']).doUpdateSet(values))
      .execute();
    await queueMessage(trx, { channel, to: address, kind: 'verification-code', language, params: { code } });
  }
}

export const BRANCH_READ_ONLY = "A login for one branch may read the company's notice preferences but not change them.";

/** A company's preferences are the whole company's: a login narrowed to one branch only reads them. */
function companyWide(customer: Customer): void {
  if ('kvk' in customer && customer.vestiging) throw new ServiceError('forbidden', BRANCH_READ_ONLY);
}

const noCode = (name: string, code: string): InvalidParam => ({
  name,
  code,
  reason: code === 'verified' ? `the ${name} is verified already` : `there is no ${name} to verify`,
});

/** The customer's code row for the channel, locked for the rest of the transaction. */
function lockCode(trx: Trx, customer: Customer, channel: NoticeChannel) {
  const key = customerKey(customer);
  return trx
    .selectFrom('notice_verification_codes')
    .selectAll()
    .where('customer_kind', '=', key.customer_kind)
    .where('customer_id', '=', key.customer_id)
    .where('channel', '=', channel)
    .forUpdate()
    .executeTakeFirst();
}
