// What the partner feature e-mails, in one place: a new assignment and each message from the
// supplier go to the organisation's contacts, with Reply-To <the order's reply token>@MAIL_REPLY_DOMAIN
// so a reply lands on the case (PartnerService.receiveReply). Written to the mail outbox in the
// caller's transaction: the mail exists if and only if the change it is about committed. Only
// what the job needs: never the case's title or the customer (they may name the citizen), no BSN.
import type { Trx } from '../db/database.ts';
import { ServiceError } from '../lib/service-error.ts';
import { containsBsn, MailContainsBsnError, queueMail, replyAddress } from '../mail/index.ts';
import type { PortalOrganisation } from '../network/types.ts';

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
  productName: string;
  reference: string;
  description: string | null;
  plannedEndDate: string | null;
  deadline: string | null;
}

export type PartnerMail = { kind: 'assignment' } | { kind: 'supplier-message'; text: string };

/** Queues the mail about `about` to every contact of `org`. A text that may hold a BSN is refused (422): it would be mailed. */
export async function mailPartner(trx: Trx, settings: MailSettings, org: PortalOrganisation, about: AssignmentFacts, mail: PartnerMail): Promise<void> {
  const field = mail.kind === 'assignment' ? 'description' : 'text';
  const supplied = mail.kind === 'assignment' ? (about.description ?? '') : mail.text;
  if (containsBsn(supplied)) throw bsnProblem(field);
  const replyTo = settings.replyDomain ? replyAddress(about.replyToken, settings.replyDomain) : undefined;
  const { subject, text } = mail.kind === 'assignment' ? assignmentMail(settings, about, replyTo) : messageMail(settings, about, mail.text, replyTo);
  try {
    await queueMail(trx, {
      kind: mail.kind === 'assignment' ? 'partner.assignment' : 'partner.message',
      to: org.portal.contacts.map((c) => c.email),
      subject,
      text,
      ...(replyTo ? { replyTo } : {}),
    });
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

function assignmentMail(s: MailSettings, a: AssignmentFacts, replyTo: string | undefined) {
  const facts = [
    `Zaak / Case: ${a.reference}`,
    ...(a.description ? [`Omschrijving / Description: ${a.description}`] : []),
    ...(a.plannedEndDate ? [`Gewenste einddatum / Planned end: ${a.plannedEndDate}`] : []),
    ...(a.deadline ? [`Uiterste datum / Deadline: ${a.deadline}`] : []),
  ];
  return {
    subject: `Nieuwe opdracht / New assignment: ${a.productName} (${a.reference})`,
    text: [
      `${s.supplierName} heeft een opdracht voor u: ${a.productName}.`,
      `${s.supplierName} has an assignment for you: ${a.productName}.`,
      '',
      ...facts,
      '',
      ...footer(s, a, replyTo),
    ].join('\n'),
  };
}

function messageMail(s: MailSettings, a: AssignmentFacts, text: string, replyTo: string | undefined) {
  return {
    subject: `Bericht over opdracht / Message about assignment: ${a.productName} (${a.reference})`,
    text: [`${s.supplierName} schreef / wrote:`, '', text, '', ...footer(s, a, replyTo)].join('\n'),
  };
}

function footer(s: MailSettings, a: AssignmentFacts, replyTo: string | undefined) {
  return [
    `Opdracht / Assignment: ${s.baseUrl}/partner (API: ${s.baseUrl}/api/v1/partner/assignments/${a.orderId})`,
    replyTo
      ? 'Beantwoord deze e-mail om te reageren: uw antwoord komt bij de zaak. / Reply to this e-mail to answer: your reply lands on the case.'
      : 'Reageer via de partnerpagina. / Answer through the partner page.',
  ];
}
