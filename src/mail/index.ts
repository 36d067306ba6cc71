// The one mail component (docs/mail.md): the outbox and its `mail.send` job, the reply listener
// and the seam features plug their replies into. The gateway creates one; features use the
// exports below.
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import type { JobHandler } from '../jobs/worker.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { type InboundMail, type InboundResult, MailInbound } from './inbound.ts';
import { createMailSender } from './sender.ts';

export { containsBsn } from './bsn-guard.ts';
export { type InboundMail, type InboundResult, MailInbound, type MailInboundOptions } from './inbound.ts';
export { ERASED_MAIL_TEXT, InvalidMailError, MAIL_SEND_JOB, MailContainsBsnError, type MailMessage, purgeMail, queueMail } from './outbox.ts';
export { replyText } from './reply-text.ts';
export { newReplyToken, REPLY_TOKEN, replyAddress, tokenFromAddress } from './tokens.ts';

/** What a feature registers to take replies sent to its reply addresses. */
export interface ReplyHandler {
  /** Names the feature in log lines, e.g. 'partner.assignment-replies'. */
  name: string;
  /** Whether the token is one of this feature's (and still takes replies). */
  acceptRecipient(token: string): Promise<boolean>;
  /** Store the reply, or refuse it with a reason the sender will read in the bounce. */
  onMessage(message: InboundMail): Promise<InboundResult>;
}

export interface Mail {
  /** SMTP_URL is set: mails are sent (otherwise kept as `unconfigured`). */
  readonly enabled: boolean;
  /** MAIL_REPLY_DOMAIN, for `replyAddress(token, domain)`; undefined: no reply addresses. */
  readonly replyDomain?: string;
  /** The `mail.send` job handler, registered with the worker. */
  readonly sendHandler: JobHandler;
  readonly inbound: {
    /** Adds a reply handler (at any time; handlers are asked in the order they were added). */
    register(handler: ReplyHandler): void;
    /** The port the listener took (after start; SMTP_INBOUND_PORT=0 picks a free one). */
    readonly port?: number;
  };
  start(): Promise<void>;
  close(timeoutMs?: number): Promise<void>;
}

export interface MailOptions {
  config: Config['mail'];
  database: Database;
  logger: Logger;
  metrics?: Metrics;
}

export function createMail({ config, database, logger, metrics }: MailOptions): Mail {
  const sender = createMailSender({ database, logger, metrics, smtpUrl: config.smtpUrl, from: config.from });
  const handlers: ReplyHandler[] = [];
  let listener: MailInbound | undefined;

  const owner = async (token: string) => {
    for (const handler of handlers) if (await handler.acceptRecipient(token)) return handler;
    return undefined;
  };

  return {
    enabled: sender.enabled,
    replyDomain: config.replyDomain,
    sendHandler: sender.handler,
    inbound: {
      register(handler) {
        handlers.push(handler);
      },
      get port() {
        return listener?.port;
      },
    },
    async start() {
      if (!sender.enabled) logger.warn('SMTP_URL is not set: mail is off; every mail is kept in the outbox as unconfigured, none is sent');
      const inbound = config.inbound;
      if (!inbound || !config.replyDomain) return;
      if (handlers.length === 0) logger.warn('SMTP_INBOUND_PORT is set but no feature takes replies yet: every recipient is refused (550) until one registers');
      listener = new MailInbound({
        ...inbound,
        domain: config.replyDomain,
        logger,
        metrics,
        acceptRecipient: async (token) => (await owner(token)) !== undefined,
        // The token was accepted at RCPT TO; ask again, it may have closed since.
        onMessage: async (message) => (await owner(message.token))?.onMessage(message) ?? { refused: 'this reply address no longer takes replies' },
      });
      await listener.start();
    },
    async close(timeoutMs = 5000) {
      await listener?.stop(timeoutMs);
      sender.close();
    },
  };
}
