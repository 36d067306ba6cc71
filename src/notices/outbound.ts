// The one writer of messages to customers (docs/notices.md). A message is a row in notice_messages
// written in the caller's transaction together with its `notice.send` job, so it exists if and
// only if the change it is about committed; the job sends it once through the configured transport.
import { randomUUID } from 'node:crypto';
import type { Trx } from '../db/database.ts';
import { json } from '../db/json.ts';
import type { Lang } from '../i18n/index.ts';
import { enqueue } from '../jobs/queue.ts';

export const NOTICE_SEND_JOB = 'notice.send';
/** The first attempt and 7 retries at base·4^n (src/delivery/schedule.ts), as webhooks. */
export const NOTICE_MAX_ATTEMPTS = 8;

export type NoticeChannel = 'email' | 'sms';
export type MessageKind = 'verification-code' | 'case-notice';
/** A verification code is a credential: its `code` param is removed once the message is sent or dead. */
export const isSensitive = (kind: MessageKind): boolean => kind === 'verification-code';
/** NOTICE_TRANSPORT: smtp sends e-mail only; notify sends e-mail and SMS. */
export type NoticeTransportName = 'smtp' | 'notify';

export interface OutboundMessage {
  channel: NoticeChannel;
  /** An e-mail address, or a phone number in E.164 (+31612345678). */
  to: string;
  kind: MessageKind;
  language: Lang;
  /** The template's values: `code` for a verification code; `reference`, `phase`, `url` for a case notice. */
  params: Record<string, string>;
  /** The one-click unsubscribe URL (RFC 8058) for an e-mail's List-Unsubscribe header. */
  unsubscribeUrl?: string;
}

/** Whether the transport can send SMS at all (only Notify can). */
export const smsAvailable = (transport: NoticeTransportName): boolean => transport === 'notify';

/**
 * Puts a message in the outbox inside `trx` and enqueues its `notice.send` job there too: sent once
 * the transaction commits, retried on the transport's temporary failures, dead (and shown to the
 * operator) when refused for good.
 */
export async function queueMessage(trx: Trx, m: OutboundMessage, options: { caseId?: string; sendAt?: Date; notices?: number } = {}): Promise<{ id: string }> {
  const id = randomUUID();
  const sendAt = options.sendAt ?? new Date();
  await trx
    .insertInto('notice_messages')
    .values({
      id,
      kind: m.kind,
      channel: m.channel,
      recipient: m.to,
      language: m.language,
      params: json(m.params),
      unsubscribe_url: m.unsubscribeUrl ?? null,
      case_id: options.caseId ?? null,
      notices: options.notices ?? 0,
      send_at: sendAt,
    })
    .execute();
  await enqueueSend(trx, id, sendAt);
  return { id };
}

/** The send job's key: one job per message. */
export const noticeSendKey = (id: string): string => `notice:${id}`;

/** The send job of a message, due at `sendAt`. */
export async function enqueueSend(trx: Trx, id: string, sendAt: Date): Promise<void> {
  await enqueue(
    trx,
    NOTICE_SEND_JOB,
    { id },
    { dedupeKey: noticeSendKey(id), maxAttempts: NOTICE_MAX_ATTEMPTS, ...(sendAt.getTime() > Date.now() ? { runAt: sendAt } : {}) },
  );
}
