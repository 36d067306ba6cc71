// The one writer of the mail outbox. A mail is a row written in the caller's transaction together
// with its `mail.send` job, so it exists if and only if the change it is about committed.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db, Trx } from '../db/database.ts';
import { json } from '../db/json.ts';
import { purgeInBatches } from '../db/purge.ts';
import { enqueue } from '../jobs/queue.ts';
import { containsBsn } from './bsn-guard.ts';

export const MAIL_SEND_JOB = 'mail.send';
/** With the queue's backoff (1 s doubling, capped at an hour) about four to eight hours of an SMTP outage. */
export const MAIL_MAX_ATTEMPTS = 20;
export const MAIL_HEADERS = ['List-Unsubscribe', 'List-Unsubscribe-Post', 'In-Reply-To', 'References'] as const;
export type MailHeader = (typeof MAIL_HEADERS)[number];

export interface MailMessage {
  /** What the mail is about, e.g. 'partner.assignment' (lowercase words joined by dots). */
  kind: string;
  /** One address or up to 50. */
  to: string | string[];
  subject: string;
  text: string;
  html?: string;
  /** Where replies go, e.g. a reply address from `replyAddress(token, domain)`. */
  replyTo?: string;
  headers?: Partial<Record<MailHeader, string>>;
  /**
   * The mail holds a credential (a code, a sign-in or join link): once sent or dead, its subject and
   * bodies are overwritten with ERASED_MAIL_TEXT, so the outbox keeps no usable copy until retention.
   */
  sensitive?: boolean;
}

/** What a sensitive mail's subject and text say once it was sent (or given up). */
export const ERASED_MAIL_TEXT = '[erased after sending: it held a one-time credential]';

/** A mail the outbox refuses to keep: a caller's mistake, never retried. The message names no content. */
export class InvalidMailError extends Error {}
/** The subject or body holds a number that may be a BSN: no BSN is ever e-mailed. */
export class MailContainsBsnError extends InvalidMailError {}

const address = z
  .string()
  .max(254)
  .regex(/^[^\s@<>()",;:\\[\]]+@[^\s@<>()",;:\\[\]]+\.[^\s@<>()",;:\\[\]]+$/, 'not an e-mail address');
// A header line break would let a value add headers of its own.
const line = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[^\r\n]*$/, 'must be one line');
const schema = z.strictObject({
  kind: z
    .string()
    .max(64)
    .regex(/^[a-z][a-z0-9-]*(?:\.[a-z0-9-]+)*$/, 'lowercase words joined by dots'),
  to: z.union([address.transform((a) => [a]), z.array(address).min(1).max(50)]),
  subject: line(250).min(1),
  text: z.string().max(512 * 1024),
  html: z
    .string()
    .max(2 * 1024 * 1024)
    .optional(),
  replyTo: address.optional(),
  headers: z.partialRecord(z.enum(MAIL_HEADERS), line(2000)).optional(),
  sensitive: z.boolean().optional(),
});

/**
 * Puts a mail in the outbox inside `trx` and enqueues its `mail.send` job there too. Throws
 * InvalidMailError for a malformed message and MailContainsBsnError when the subject or a body
 * holds a nine-digit number passing the elfproef; the caller's transaction then fails as a whole.
 */
export async function queueMail(trx: Trx, message: MailMessage): Promise<{ id: string }> {
  const parsed = schema.safeParse(message);
  if (!parsed.success) {
    throw new InvalidMailError(`invalid mail: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('; ')}`);
  }
  const m = parsed.data;
  if ([m.subject, m.text, m.html ?? ''].some(containsBsn)) {
    throw new MailContainsBsnError(`mail '${m.kind}' refused: its subject or body holds a number that may be a BSN; no BSN is ever e-mailed`);
  }
  const id = randomUUID();
  const headers: Record<string, string> = { ...(m.replyTo ? { 'Reply-To': m.replyTo } : {}), ...m.headers };
  await trx
    .insertInto('mail_outbox')
    .values({ id, kind: m.kind, recipients: json(m.to), subject: m.subject, text: m.text, html: m.html ?? null, headers: json(headers) })
    .execute();
  // The flag rides on the job (the sender erases when it finishes), not in the row.
  await enqueue(trx, MAIL_SEND_JOB, m.sensitive ? { id, sensitive: true } : { id }, { dedupeKey: `mail:${id}`, maxAttempts: MAIL_MAX_ATTEMPTS });
  return { id };
}

/**
 * Deletes mails created before `before` that are done with — sent, dead or kept unconfigured — in
 * batches: addresses and texts are not kept longer than MESSAGE_RETENTION_DAYS. A queued mail stays.
 */
export function purgeMail(db: Db, before: Date, batchSize = 5000): Promise<number> {
  return purgeInBatches(batchSize, async (limit) => {
    const result = await sql`delete from mail_outbox where id in (
      select id from mail_outbox where state <> 'queued' and created_at < ${before} limit ${limit} for update skip locked)`.execute(db);
    return Number(result.numAffectedRows ?? 0);
  });
}
