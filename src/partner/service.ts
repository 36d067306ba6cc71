// Subcontractors without a case system: a portal organisation's assignments, read and reported on
// through the partner API (or the partner page), the messages about an order both ways, and the
// replies its contacts mail back. Every verb is scoped to the caller's organisation: another
// organisation's assignment is "not found", exactly like one that does not exist.
import { randomBytes } from 'node:crypto';
import { recordAccess, PURPOSES, type Access } from '../access-log/access-log.ts';
import { isUuid } from '../cases/identifiers.ts';
import { applyOrderStatus, withToelichting } from '../cases/order-status.ts';
import * as cases from '../cases/repository.ts';
import { inCaseTransaction } from '../cases/status-refresh.ts';
import { type Database, type Db, type Trx, withTransaction } from '../db/database.ts';
import { notFound, ServiceError } from '../lib/service-error.ts';
import type { Logger } from '../log.ts';
import { newReplyToken, type ReplyHandler } from '../mail/index.ts';
import type { NetworkService } from '../network/service.ts';
import { isPortal, type Organisation, type PortalOrganisation } from '../network/types.ts';
import { type AssignmentFacts, mailPartner, type MailSettings } from './mail.ts';
import { allowedStatuses, assignmentDetail, assignmentSummary, messageResource } from './presenter.ts';
import * as repo from './repository.ts';
import type { MessageInput } from './schemas.ts';

/** Who acts for a portal organisation: an API client with role subcontractor, or a contact signed in on the partner page. */
export interface Partner {
  /** The organisation's id in the trust network. */
  organisation: string;
  /** The API client's id, or the contact's address. */
  actor: string;
  channel: 'api' | 'portal';
  requestId?: string;
  traceId?: string;
}

export interface PartnerDeps {
  database: Database;
  network: NetworkService;
  logger: Logger;
  /** PUBLIC_BASE_URL. */
  baseUrl: string;
  /** MAIL_REPLY_DOMAIN: replies to <token>@ it land on the case. */
  replyDomain?: string;
}

/** A mailed reply longer than this is refused (answered at SMTP), not cut: nothing is dropped silently. */
export const REPLY_MAX = 20_000;
const ATTACHMENTS_MAX = 50;

export type ReplyOutcome =
  | { stored: true; orderId: string; messageId: number }
  | { stored: false; reason: 'unknown-token' | 'not-a-contact' | 'organisation-inactive' | 'empty' | 'too-long' };

export class PartnerService {
  private readonly deps: PartnerDeps;
  constructor(deps: PartnerDeps) {
    this.deps = deps;
  }

  private get db() {
    return this.deps.database.db;
  }

  private get mail(): MailSettings {
    return { supplierName: this.deps.network.self.name, baseUrl: this.deps.baseUrl, replyDomain: this.deps.replyDomain };
  }

  /**
   * CaseService's assignment hook, in the transaction that placed the order: the assignment with
   * its reply token, and the mail to the organisation's contacts.
   */
  readonly assignmentPlaced = async (trx: Trx, order: cases.OrderRow, org: PortalOrganisation): Promise<void> => {
    const replyToken = newReplyToken();
    await repo.insertAssignment(trx, { order_id: order.id, organisation_id: org.id, reply_token: replyToken });
    const c = (await cases.findCase(trx, order.case_id))!;
    await mailPartner(trx, this.mail, org, this.facts(org, order, c, replyToken), { kind: 'assignment' });
  };

  /** The organisation's assignments, newest first: a summary each (no customer, no messages), so nothing here is a read of the customer's data. */
  async list(partner: Partner, query: { state?: repo.AssignmentState; limit: number; offset: number }) {
    const org = this.member(partner);
    const { rows, count } = await repo.listAssignments(this.db, org.id, query.state, query.limit, query.offset);
    return { count, results: rows.map((a) => assignmentSummary(a, org, this.deps.baseUrl)) };
  }

  /** One assignment with the customer (only with shareCitizen; that read is access-logged) and the messages. */
  async get(partner: Partner, id: string) {
    const org = this.member(partner);
    return withTransaction(this.db, (trx) => this.detail(trx, partner, org, id));
  }

  /** Sets one of the product's statuses; a final one closes the assignment. Applied like a zaak's status (cases/order-status.ts). */
  async setStatus(partner: Partner, id: string, input: { status: string; text?: string }) {
    const org = this.member(partner);
    const found = await this.find(this.db, org, id);
    const statuses = allowedStatuses(org, found.product);
    const index = statuses.findIndex((s) => s.code === input.status);
    if (index < 0) {
      throw new ServiceError('unprocessable', `Status ${input.status} is not one of product ${found.product}'s statuses.`, {
        invalidParams: [{ name: 'status', code: 'unknown', reason: `allowed: ${statuses.map((s) => s.code).join(', ') || 'none'}` }],
      });
    }
    const status = statuses[index];
    return inCaseTransaction(this.db, found.case_id, async (trx, lockedCase) => {
      const assignment = await repo.lockAssignment(trx, id);
      if (assignment?.closed_at) throw new ServiceError('conflict', 'The assignment is closed: it reached a final status.');
      if (lockedCase?.closed_at) throw new ServiceError('conflict', 'The case is closed: its assignments take no new status.');
      const now = new Date();
      const key = `partner-status:${randomBytes(12).toString('base64url')}`;
      await applyOrderStatus(
        trx,
        this.deps.network,
        {
          orderId: id,
          caseId: found.case_id,
          organisationId: org.id,
          observedAt: now,
          status: {
            phase: status.phase,
            url: null,
            statustype: null,
            code: status.code,
            omschrijving: status.name.nl,
            statustekst: null,
            toelichting: input.text ?? null,
            volgnummer: index + 1,
            isEindstatus: status.final === true,
            datumStatusGezet: now.toISOString(),
          },
          currentKey: key,
          entries: [{ at: now, phase: status.phase, text: withToelichting(status.name.nl, input.text, Object.values(status.name), ' — '), dedupeKey: key }],
          reason: 'partner-status',
          repollAt: null,
        },
        { lockedCase },
      );
      if (status.final) await repo.closeAssignment(trx, id, now);
      return this.detail(trx, partner, org, id);
    });
  }

  /** A message from the organisation to the supplier, on the case's timeline (citizen-visible only when marked so). */
  async addMessage(partner: Partner, id: string, input: MessageInput) {
    const org = this.member(partner);
    const found = await this.find(this.db, org, id);
    const message = await inCaseTransaction(this.db, found.case_id, async (trx) => {
      const row = await repo.insertMessage(
        trx,
        {
          order_id: id,
          case_id: found.case_id,
          organisation_id: org.id,
          direction: 'from-subcontractor',
          channel: partner.channel,
          author: partner.actor,
          text: input.text,
          citizen_visible: input.visibleToCitizen,
        },
        input.text,
      );
      await cases.updateCase(trx, found.case_id, {});
      return row;
    });
    return messageResource(message, (o) => this.named(o));
  }

  /** Marks one of the assignment's messages citizen-visible (or not), e.g. a reply that came by mail; returns the message. */
  async setMessageVisibility(partner: Partner, id: string, messageId: number | string, visible: boolean) {
    const org = this.member(partner);
    const found = await this.find(this.db, org, id);
    // A path's id: anything but a positive integer the database can hold names no message.
    const n = typeof messageId === 'number' ? messageId : /^[1-9]\d{0,14}$/.test(messageId) ? Number(messageId) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < 1) throw notFound(`message ${messageId}`);
    const message = await inCaseTransaction(this.db, found.case_id, async (trx) => {
      const row = await repo.setMessageVisibility(trx, id, n, visible);
      if (!row) throw notFound(`message ${messageId}`);
      await cases.updateCase(trx, found.case_id, {});
      return row;
    });
    return messageResource(message, (o) => this.named(o));
  }

  /**
   * The supplier writes to the subcontractor about an order. Any order takes one; for an
   * assignment it is also mailed to the organisation's contacts, for a zaak it only lands on the case's timeline.
   */
  async messageFromSupplier(orderId: string, input: MessageInput, author: string) {
    const order = isUuid(orderId) ? await cases.findOrder(this.db, orderId) : undefined;
    if (!order) throw notFound(`order ${orderId}`);
    const message = await inCaseTransaction(this.db, order.case_id, async (trx, c) => {
      const row = await repo.insertMessage(
        trx,
        {
          order_id: order.id,
          case_id: order.case_id,
          organisation_id: this.deps.network.self.id,
          direction: 'to-subcontractor',
          channel: 'api',
          author,
          text: input.text,
          citizen_visible: input.visibleToCitizen,
        },
        input.text,
      );
      await cases.updateCase(trx, order.case_id, {});
      const assignment = await repo.findAssignmentOfOrder(trx, order.id);
      const org = this.deps.network.get(order.subcontractor);
      if (assignment && c && org && isPortal(org) && org.status === 'active') {
        await mailPartner(trx, this.mail, org, this.facts(org, order, c, assignment.reply_token), { kind: 'supplier-message', text: input.text });
      }
      return row;
    });
    return messageResource(message, (o) => this.named(o));
  }

  /** Whether a reply address's token names an assignment (the inbound listener refuses others at RCPT TO). */
  async isReplyToken(token: string): Promise<boolean> {
    return (await repo.findAssignmentByToken(this.db, token.toLowerCase())) !== undefined;
  }

  /**
   * A mailed reply to <token>@MAIL_REPLY_DOMAIN: stored as a message from the organisation when
   * `from` is one of its registered contacts (not citizen-visible; the partner may mark it so).
   * `text`: the reply without quoted history; `attachments`: their file names (not kept).
   * Anything else is refused and nothing is stored.
   */
  async receiveReply(token: string, from: string, text: string, attachments: string[] = []): Promise<ReplyOutcome> {
    const refuse = (reason: Exclude<ReplyOutcome, { stored: true }>['reason'], organisation?: string): ReplyOutcome => {
      // Never the sender's address or the text: whoever wrote, the log says only what was refused and why.
      this.deps.logger.warn({ organisation, reason }, 'mailed reply refused; nothing stored');
      return { stored: false, reason };
    };
    const assignment = await repo.findAssignmentByToken(this.db, token.toLowerCase());
    if (!assignment) return refuse('unknown-token');
    const org = this.deps.network.get(assignment.organisation_id);
    if (!org || !isPortal(org) || org.status !== 'active') return refuse('organisation-inactive', assignment.organisation_id);
    const sender = bareAddress(from);
    if (!org.portal.contacts.some((c) => c.email.toLowerCase() === sender)) return refuse('not-a-contact', org.id);
    const body = text.trim();
    const names = attachments.slice(0, ATTACHMENTS_MAX).map((n) => n.slice(0, 200));
    if (!body && names.length === 0) return refuse('empty', org.id);
    if (body.length > REPLY_MAX) return refuse('too-long', org.id);
    const order = (await cases.findOrder(this.db, assignment.order_id))!;
    const listed = names.length > 0 ? `\n[bijlagen niet bewaard / attachments not kept: ${names.join(', ')}]` : '';
    const message = await inCaseTransaction(this.db, order.case_id, async (trx) => {
      const row = await repo.insertMessage(
        trx,
        {
          order_id: order.id,
          case_id: order.case_id,
          organisation_id: org.id,
          direction: 'from-subcontractor',
          channel: 'mail',
          author: sender,
          text: body,
          citizen_visible: false,
          attachments: names,
        },
        `${body}${listed}`.trim(),
      );
      await cases.updateCase(trx, order.case_id, {});
      return row;
    });
    return { stored: true, orderId: order.id, messageId: message.id };
  }

  /** This feature's part of the mail component's reply listener: `mail.inbound.register(partner.replyHandler())`. */
  replyHandler(): ReplyHandler {
    return {
      name: 'partner.assignment-replies',
      acceptRecipient: (token) => this.isReplyToken(token),
      onMessage: async (m) => {
        const outcome = await this.receiveReply(m.token, m.from, m.text, m.attachments);
        return outcome.stored ? { stored: true } : { refused: REFUSALS[outcome.reason] };
      },
    };
  }

  /** The caller's organisation; 403 when it is not an active member (a suspended one's clients stop, as its notifications do). */
  private member(partner: Partner): Organisation {
    const org = this.deps.network.get(partner.organisation);
    if (!org) throw new ServiceError('forbidden', `Organisation ${partner.organisation} is not in the trust network.`);
    if (org.status !== 'active') throw new ServiceError('forbidden', `Organisation ${org.id} is ${org.status}; only active members work on assignments.`);
    return org;
  }

  private async find(db: Db, org: Organisation, id: string) {
    const found = isUuid(id) ? await repo.findAssignment(db, org.id, id) : undefined;
    if (!found) throw notFound(`assignment ${id}`);
    return found;
  }

  private async detail(trx: Trx, partner: Partner, org: Organisation, id: string) {
    const a = await this.find(trx, org, id);
    const messages = await repo.messagesOf(trx, id);
    // The customer's data is in the answer only with shareCitizen: then it is a read of it, logged like any other.
    if (a.share_citizen) await recordAccess(trx, this.access(partner), [{ id: a.case_id, citizen_bsn: a.citizen_bsn, citizen_kvk: a.citizen_kvk }]);
    return assignmentDetail(a, messages, org, this.deps.baseUrl, (o) => this.named(o));
  }

  private access(partner: Partner): Access {
    return {
      role: 'subcontractor',
      actor: partner.actor,
      purpose: PURPOSES.subcontractor,
      organisation: partner.organisation,
      requestId: partner.requestId,
      traceId: partner.traceId,
    };
  }

  private facts(org: PortalOrganisation, order: cases.OrderRow, c: cases.CaseRow, replyToken: string): AssignmentFacts {
    return {
      orderId: order.id,
      replyToken,
      productName: org.products.find((p) => p.code === order.product)?.name ?? { nl: order.product },
      reference: c.reference,
      description: order.description,
      plannedEndDate: c.planned_end_date,
      deadline: c.deadline,
    };
  }

  private named(id: string) {
    const { network } = this.deps;
    return { id, name: id === network.self.id ? network.self.name : (network.get(id)?.name ?? id) };
  }
}

/** What the sender reads in the bounce. */
const REFUSALS: Record<Exclude<ReplyOutcome, { stored: true }>['reason'], string> = {
  'unknown-token': 'this reply address names no assignment',
  'not-a-contact': 'the sender is not a registered contact of the organisation; answer from your registered address or through the partner page',
  'organisation-inactive': 'the organisation does not take part in the network at the moment',
  empty: 'the reply holds no text',
  'too-long': `the reply is longer than ${REPLY_MAX} characters; shorten it or answer through the partner page`,
};

/** `Name <a@b>` or `a@b`, lowercased. */
function bareAddress(from: string): string {
  return (/<([^<>]+)>\s*$/.exec(from)?.[1] ?? from).trim().toLowerCase();
}
