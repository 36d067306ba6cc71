// The `mail.send` job: one outbox row to the SMTP server. The Message-ID comes from the row id,
// so a mail sent again (the process died between the server's 250 and the row being marked) is the
// same message to every mail system that deduplicates; SMTP itself cannot promise exactly once.
import { createTransport, type Transporter } from 'nodemailer';
import { type Database, withTransaction } from '../db/database.ts';
import { PermanentJobError } from '../jobs/errors.ts';
import type { JobHandler } from '../jobs/worker.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { ERASED_MAIL_TEXT } from './outbox.ts';

export interface SenderOptions {
  database: Database;
  logger: Logger;
  metrics?: Metrics;
  /** SMTP_URL; unset: every mail is marked `unconfigured`. */
  smtpUrl?: string;
  /** MAIL_FROM: an address or "Name <address>". */
  from?: string;
  /** Connect, greeting and idle-socket deadline of one attempt. */
  timeoutMs?: number;
}

export interface MailSender {
  /** SMTP_URL and MAIL_FROM are set. */
  enabled: boolean;
  handler: JobHandler;
  close(): void;
}

/** What a mail system may say about one mail: code and text, never the mail's content. */
interface SmtpError {
  code?: string;
  responseCode?: number;
  response?: string;
  message?: string;
}

export function createMailSender(options: SenderOptions): MailSender {
  const { database, logger, metrics } = options;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const transport: Transporter | undefined =
    options.smtpUrl && options.from
      ? createTransport({
          url: options.smtpUrl,
          connectionTimeout: timeoutMs,
          greetingTimeout: timeoutMs,
          socketTimeout: timeoutMs,
          // Mail content comes from our own code, but never let a value reach the disk or the network.
          disableFileAccess: true,
          disableUrlAccess: true,
        })
      : undefined;
  const idDomain = (options.from?.match(/@([^>\s]+)>?$/)?.[1] ?? 'ketenstatus.invalid').toLowerCase();

  const handler: JobHandler = async (job, context) => {
    const id = String(job.payload.id);
    const sensitive = job.payload.sensitive === true;
    // A sensitive mail's text is kept only until it went (or was given up): it held a credential.
    const erased = sensitive ? { subject: ERASED_MAIL_TEXT, text: ERASED_MAIL_TEXT, html: null } : {};
    const row = await database.db.selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirst();
    // Sent already, or kept as unconfigured: nothing to do. A dead row runs again only when an operator retries its job.
    if (!row || row.state === 'sent' || row.state === 'unconfigured') return;
    // A dead sensitive mail retried by an operator: its credential is gone, nothing left to send.
    if (sensitive && row.text === ERASED_MAIL_TEXT) throw new PermanentJobError('its text was erased when it died (it held a one-time credential)');
    if (!transport) {
      await withTransaction(database.db, async (trx) => {
        await trx
          .updateTable('mail_outbox')
          .set({ state: 'unconfigured', ...erased })
          .where('id', '=', id)
          .execute();
        await context.completeWithin(trx);
      });
      metrics?.mailOutbound.inc({ outcome: 'unconfigured' });
      return;
    }
    const messageId = `<${id}@${idDomain}>`;
    let rejected: string[];
    try {
      const info = await transport.sendMail({
        from: options.from,
        to: row.recipients,
        subject: row.subject,
        text: row.text,
        ...(row.html ? { html: row.html } : {}),
        replyTo: row.headers['Reply-To'],
        messageId,
        date: new Date(row.created_at),
        // RFC 3834: out-of-office responders do not answer it.
        headers: { ...withoutReplyTo(row.headers), 'Auto-Submitted': 'auto-generated' },
      });
      rejected = (info.rejected ?? []).map(String);
    } catch (error) {
      const reason = describe(error as SmtpError);
      const permanent = isPermanent(error as SmtpError);
      const dead = permanent || job.attempts >= job.maxAttempts;
      await database.db
        .updateTable('mail_outbox')
        .set({ state: dead ? 'dead' : row.state, attempts: (eb) => eb('attempts', '+', 1), last_error: reason, ...(dead ? erased : {}) })
        .where('id', '=', id)
        .execute();
      if (!dead) {
        metrics?.mailOutbound.inc({ outcome: 'retry' });
        throw new Error(reason); // the queue retries with its backoff
      }
      metrics?.mailOutbound.inc({ outcome: 'dead' });
      logger.warn(
        { mail_id: id, kind: row.kind, attempts: job.attempts, err: reason },
        permanent ? 'mail refused by the SMTP server' : 'mail not sent: attempts used up',
      );
      throw new PermanentJobError(reason);
    }
    await withTransaction(database.db, async (trx) => {
      await trx
        .updateTable('mail_outbox')
        .set({
          state: 'sent',
          message_id: messageId,
          sent_at: new Date(),
          attempts: (eb) => eb('attempts', '+', 1),
          // Some recipients refused while others took it: the mail went, the refusals are recorded.
          last_error: rejected.length > 0 ? `refused recipients: ${rejected.join(', ')}` : null,
          ...erased,
        })
        .where('id', '=', id)
        .execute();
      await context.completeWithin(trx);
    });
    metrics?.mailOutbound.inc({ outcome: 'sent' });
    if (rejected.length > 0) logger.warn({ mail_id: id, kind: row.kind, rejected: rejected.length }, 'mail sent, but some recipients were refused');
  };

  return { enabled: transport !== undefined, handler, close: () => transport?.close() };
}

/**
 * A 5xx answer is the server's final word on this mail (RFC 5321), except 503 (a session out of
 * step) and a refused login, which says nothing about the mail: fix the credentials and it goes.
 */
function isPermanent(error: SmtpError): boolean {
  const code = error.responseCode ?? 0;
  return code >= 500 && code < 600 && code !== 503 && error.code !== 'EAUTH';
}

function describe(error: SmtpError): string {
  const text = (error.response ?? error.message ?? String(error)).replace(/\s+/g, ' ').slice(0, 500);
  return error.code ? `${text} (${error.code})` : text;
}

function withoutReplyTo(headers: Record<string, string>): Record<string, string> {
  const { 'Reply-To': _, ...rest } = headers;
  return rest;
}
