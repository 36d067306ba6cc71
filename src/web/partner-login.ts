// One-time sign-in links for the partner page (/partner): a registered contact of a portal
// organisation asks for a link by e-mail address and gets it by mail. The answer to the request is
// the same whether the address is a contact or not, and both cases do the same database work (a
// row per request, counted for the rate limit); only a contact's row has an address and is mailed.
// The database keeps only a SHA-256 of each token; a link works once, for 15 minutes.
import { createHash, createHmac } from 'node:crypto';
import { sql } from 'kysely';
import { type Database, withTransaction } from '../db/database.ts';
import { type Translate, translator } from '../i18n/index.ts';
import { LETTER_TOKEN, letterToken } from '../lib/letter-token.ts';
import type { Logger } from '../log.ts';
import { queueMail } from '../mail/index.ts';
import type { NetworkService } from '../network/service.ts';
import { isPortal, type PortalOrganisation } from '../network/types.ts';

export const LINK_MINUTES = 15;
/** Links mailed per address (contact or not) within LINK_MINUTES; more requests are answered the same and send nothing. */
export const LINKS_PER_WINDOW = 5;
/** What the mail outbox takes as an address; longer or other input is a typing error, shown on the form. */
const ADDRESS = /^[^\s@<>()",;:\\[\]]+@[^\s@<>()",;:\\[\]]+\.[^\s@<>()",;:\\[\]]+$/;
/** 43 letters (src/lib/letter-token.ts): a run of digits in a mail could pass for a BSN and be refused. */
export const LINK_TOKEN = LETTER_TOKEN;

export interface PartnerLinksDeps {
  database: Database;
  network: NetworkService;
  /** SESSION_SECRET: keys the HMAC of the addresses asked for (the rate limit's key). */
  secret: string;
  /** PUBLIC_BASE_URL: the link points there. */
  baseUrl: string;
  logger: Logger;
}

/** The address as typed, trimmed and lowercased; undefined when it cannot be an e-mail address. */
export function normaliseAddress(input: string | undefined): string | undefined {
  const address = (input ?? '').trim().toLowerCase();
  return address.length <= 254 && ADDRESS.test(address) ? address : undefined;
}

const tokenHash = (token: string) => createHash('sha256').update(token).digest('base64url');

export class PartnerLinks {
  private readonly deps: PartnerLinksDeps;
  private lastSweep = 0;

  constructor(deps: PartnerLinksDeps) {
    this.deps = deps;
  }

  /** The portal organisations whose contacts include this address (any status: the page says when one is not active). */
  organisationsOf(email: string): PortalOrganisation[] {
    const address = email.toLowerCase();
    return this.deps.network.list().filter((o): o is PortalOrganisation => isPortal(o) && o.portal.contacts.some((c) => c.email.toLowerCase() === address));
  }

  /**
   * A sign-in link for `address` (normalised): mailed when it is a contact of an active portal
   * organisation and fewer than LINKS_PER_WINDOW were asked for it lately; otherwise nothing is
   * sent. The caller answers the same either way.
   */
  async request(address: string): Promise<void> {
    await this.sweep();
    const organisations = this.organisationsOf(address).filter((o) => o.status === 'active');
    const contact = organisations[0]?.portal.contacts.find((c) => c.email.toLowerCase() === address);
    const addressHash = createHmac('sha256', this.deps.secret).update(`partner-link|${address}`).digest('base64url');
    const token = letterToken();
    await withTransaction(this.deps.database.db, async (trx) => {
      const { n } = await trx
        .selectFrom('partner_login_links')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('address_hash', '=', addressHash)
        .where('created_at', '>', sql<Date>`now() - make_interval(mins => ${LINK_MINUTES})`)
        .executeTakeFirstOrThrow();
      if (Number(n) >= LINKS_PER_WINDOW) {
        // Never the address: whoever asked, the log says only that the limit held.
        this.deps.logger.info({ reason: 'rate-limited' }, 'partner sign-in link not sent');
        return;
      }
      await trx
        .insertInto('partner_login_links')
        .values({
          token_hash: tokenHash(token),
          address_hash: addressHash,
          email: contact ? address : null,
          expires_at: sql<Date>`now() + make_interval(mins => ${LINK_MINUTES})`,
        })
        .execute();
      if (!contact) return;
      const t = translator(contact.language ?? 'nl');
      await queueMail(trx, {
        kind: 'partner.login',
        to: contact.email,
        subject: t('mail.partner.login.subject'),
        text: this.mailText(t, token, organisations),
        sensitive: true,
      });
    });
  }

  /** The address a link signs in, while it is unused and unexpired; undefined otherwise. Reading it does not use it up. */
  async peek(token: string): Promise<string | undefined> {
    if (!LINK_TOKEN.test(token)) return undefined;
    const row = await this.deps.database.db
      .selectFrom('partner_login_links')
      .select('email')
      .where('token_hash', '=', tokenHash(token))
      .where('used_at', 'is', null)
      .where('expires_at', '>', sql<Date>`now()`)
      .where('email', 'is not', null)
      .executeTakeFirst();
    return row?.email ?? undefined;
  }

  /** Uses the link up, in one statement (of two browsers at once, one wins): the address it signs in, or undefined. */
  async consume(token: string): Promise<string | undefined> {
    if (!LINK_TOKEN.test(token)) return undefined;
    const row = await this.deps.database.db
      .updateTable('partner_login_links')
      .set({ used_at: sql<Date>`now()` })
      .where('token_hash', '=', tokenHash(token))
      .where('used_at', 'is', null)
      .where('expires_at', '>', sql<Date>`now()`)
      .where('email', 'is not', null)
      .returning('email')
      .executeTakeFirst();
    return row?.email ?? undefined;
  }

  private mailText(t: Translate, token: string, organisations: PortalOrganisation[]): string {
    return [
      t('mail.partner.login.intro', { supplier: this.deps.network.self.name }),
      '',
      t('mail.partner.login.for', { organisations: organisations.map((o) => o.name).join(', ') }),
      '',
      `${this.deps.baseUrl}/partner/login/${token}`,
      '',
      t('mail.partner.login.once', { minutes: LINK_MINUTES }),
      t('mail.partner.login.ignore'),
    ].join('\n');
  }

  /** Drops rows long past their time (at most once a minute per process); the rate limit needs only the last minutes. */
  private async sweep(): Promise<void> {
    if (Date.now() - this.lastSweep < 60_000) return;
    this.lastSweep = Date.now();
    await sql`delete from partner_login_links where expires_at < now() - interval '1 hour'`.execute(this.deps.database.db);
  }
}
