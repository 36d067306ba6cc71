// What the partner feature e-mails, in one place: a new assignment and each message from the
// supplier go to the organisation's contacts, with Reply-To <the order's reply token>@MAIL_REPLY_DOMAIN
// so a reply lands on the case (PartnerService.receiveReply). Written to the mail outbox in the
// caller's transaction: the mail exists if and only if the change it is about committed. Only
// what the job needs: never the case's title or the customer (they may name the citizen), no BSN.
import type { Trx } from '../db/database.ts';
import { dateText, type Lang, localName, type Translate, translator } from '../i18n/index.ts';
import { ServiceError } from '../lib/service-error.ts';
import { containsBsn, MailContainsBsnError, queueMail, replyAddress } from '../mail/index.ts';
import type { PortalOrganisation, ProductName } from '../network/types.ts';

export interface MailSettings {
  /** The gateway's own organisation: who the mail is from. */
  supplierName: string;
  /** PUBLIC_BASE_URL: the partner page and API are linked from the mail. */
  baseUrl: string;
  /** MAIL_REPLY_DOMAIN; unset: no Reply-To, and the mail says to answer through the partner page. */
  replyDomain: string | undefined;
}

/** What a mail is about: the assignment as its organisation knows it. */
export interface AssignmentFacts {
  orderId: string;
  replyToken: string;
  /** The product's name per language, from the network. */
  productName: ProductName;
  reference: string;
  description: string | null;
  plannedEndDate: string | null;
  deadline: string | null;
}

export type PartnerMail = { kind: 'assignment' } | { kind: 'supplier-message'; text: string };

/**
 * Queues the mail about `about` to every contact of `org`, one mail per language the contacts read
 * (a contact's `language`, else Dutch). A text that may hold a BSN is refused (422): it would be mailed.
 */
export async function mailPartner(trx: Trx, settings: MailSettings, org: PortalOrganisation, about: AssignmentFacts, mail: PartnerMail): Promise<void> {
  const field = mail.kind === 'assignment' ? 'description' : 'text';
  const supplied = mail.kind === 'assignment' ? (about.description ?? '') : mail.text;
  if (containsBsn(supplied)) throw bsnProblem(field);
  const replyTo = settings.replyDomain ? replyAddress(about.replyToken, settings.replyDomain) : undefined;
  const byLanguage = new Map<Lang, string[]>();
  for (const contact of org.portal.contacts) {
    const lang = contact.language ?? 'nl';
    byLanguage.set(lang, [...(byLanguage.get(lang) ?? []), contact.email]);
  }
  try {
    for (const [lang, to] of byLanguage) {
      const t = translator(lang);
      const { subject, text } =
        mail.kind === 'assignment' ? assignmentMail(t, lang, settings, about, replyTo) : messageMail(t, lang, settings, about, mail.text, replyTo);
      await queueMail(trx, { kind: mail.kind === 'assignment' ? 'partner.assignment' : 'partner.message', to, subject, text, ...(replyTo ? { replyTo } : {}) });
    }
  } catch (error) {
    // The reference or product name may hold such a number too.
    if (error instanceof MailContainsBsnError) throw bsnProblem('reference');
    throw error;
  }
}

function bsnProblem(field: string) {
  return new ServiceError('unprocessable', 'This would e-mail a number that may be a BSN to the subcontractor; no BSN is ever e-mailed.', {
    invalidParams: [{ name: field, code: 'bsn', reason: 'holds a nine-digit number that passes the elfproef' }],
  });
}

function assignmentMail(t: Translate, lang: Lang, s: MailSettings, a: AssignmentFacts, replyTo: string | undefined) {
  const product = localName(a.productName, lang);
  const facts = [
    t('mail.partner.case', { reference: a.reference }),
    ...(a.description ? [t('mail.partner.description', { description: a.description })] : []),
    ...(a.plannedEndDate ? [t('mail.partner.plannedEnd', { date: dateText(lang, a.plannedEndDate, { year: true }) })] : []),
    ...(a.deadline ? [t('mail.partner.deadline', { date: dateText(lang, a.deadline, { year: true }) })] : []),
  ];
  return {
    subject: t('mail.partner.assignment.subject', { product, reference: a.reference }),
    text: [t('mail.partner.assignment.intro', { supplier: s.supplierName, product }), '', ...facts, '', ...footer(t, s, a, replyTo)].join('\n'),
  };
}

function messageMail(t: Translate, lang: Lang, s: MailSettings, a: AssignmentFacts, text: string, replyTo: string | undefined) {
  return {
    subject: t('mail.partner.message.subject', { product: localName(a.productName, lang), reference: a.reference }),
    text: [t('mail.partner.message.intro', { supplier: s.supplierName }), '', text, '', ...footer(t, s, a, replyTo)].join('\n'),
  };
}

function footer(t: Translate, s: MailSettings, a: AssignmentFacts, replyTo: string | undefined) {
  return [
    t('mail.partner.link', { page: `${s.baseUrl}/partner`, api: `${s.baseUrl}/api/v1/partner/assignments/${a.orderId}` }),
    replyTo ? t('mail.partner.reply') : t('mail.partner.replyPage'),
  ];
}
