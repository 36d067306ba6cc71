// The SMTP listener for replies (smtp-server + mailparser). A reply address is <token>@domain; an
// address that is not one, or a token no feature knows, is refused at RCPT TO. The message is
// parsed as it streams in: attachments are drained and only their names kept.
import type { AddressInfo } from 'node:net';
import { MailParser, type AddressObject, type Headers } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { replyText } from './reply-text.ts';
import { tokenFromAddress } from './tokens.ts';

export interface InboundMail {
  /** The reply token: the local part of the address the mail was sent to. */
  token: string;
  /** That address (`<token>@<domain>`). */
  recipient: string;
  /** The From header's address, lowercased (the envelope sender when the header has none). */
  from: string;
  /** MAIL FROM (the bounce address); '' for the null sender. */
  envelopeFrom: string;
  subject: string;
  /** The reply's own text: quoted history and signature removed (may be ''). */
  text: string;
  /** File names of the attachments; their contents are not kept. */
  attachments: string[];
  messageId?: string;
  inReplyTo?: string;
}

export type InboundResult = { stored: true } | { refused: string };

export interface MailInboundOptions {
  host: string;
  /** 0: any free port (see `port` after start). */
  port: number;
  /** Largest message taken, in bytes; above it 552. */
  maxBytes: number;
  /** MAIL_REPLY_DOMAIN: only addresses at this domain are taken. */
  domain: string;
  /** Whether a token names something that takes replies; false → 550 at RCPT TO. */
  acceptRecipient(token: string): Promise<boolean>;
  /** Called once per accepted recipient; a refusal answers 550 with its reason after DATA. */
  onMessage(message: InboundMail): Promise<InboundResult>;
  logger: Logger;
  metrics?: Metrics;
  /** Recipients one message may have (default 10). */
  maxRecipients?: number;
}

type SmtpError = Error & { responseCode: number };
const smtpError = (responseCode: number, message: string): SmtpError => Object.assign(new Error(message), { responseCode });
/** One line of printable ASCII for an SMTP reply. */
const replyLine = (text: string) =>
  text
    .replace(/[^\x20-\x7e]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);

export class MailInbound {
  private readonly options: MailInboundOptions;
  private readonly server: SMTPServer;
  private address?: AddressInfo;

  constructor(options: MailInboundOptions) {
    this.options = options;
    this.server = new SMTPServer({
      name: options.domain,
      banner: 'ketenstatus: replies only',
      // No AUTH: nobody sends through this server, it only takes replies to its own addresses.
      // No STARTTLS: it sits behind the organisation's MX, which does TLS and filtering (docs/mail.md).
      disabledCommands: ['AUTH', 'STARTTLS'],
      size: options.maxBytes,
      maxRecipients: options.maxRecipients ?? 10,
      maxClients: 100,
      disableReverseLookup: true,
      logger: false,
      onRcptTo: (address, _session, callback) => {
        this.checkRecipient(address.address).then(() => callback(), callback);
      },
      onData: (stream, session, callback) => {
        this.receive(stream, session).then(
          (message) => callback(null, message),
          (error: Error & { responseCode?: number }) => {
            if (error.responseCode) return callback(error);
            // Not a decision (say, the parser failed): the sending server keeps the mail and tries again.
            options.logger.warn({ err: error.message }, 'mail reply could not be read; answered 451');
            options.metrics?.mailInbound.inc({ outcome: 'failed' });
            callback(smtpError(451, '4.3.0 Temporary failure, try again later'));
          },
        );
      },
    });
    this.server.on('error', (error) => options.logger.warn({ err: error.message }, 'mail listener error'));
  }

  /** The port listened on (after start). */
  get port(): number {
    return this.address?.port ?? this.options.port;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const failed = (error: Error) => reject(error);
      this.server.server.once('error', failed);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.server.off('error', failed);
        resolve();
      });
    });
    this.address = this.server.server.address() as AddressInfo;
    this.options.logger.info({ host: this.options.host, port: this.port, domain: this.options.domain }, 'mail listener ready');
  }

  /** Stops listening; a session still going after `timeoutMs` is ended with 421. */
  async stop(timeoutMs = 5000): Promise<void> {
    if (!this.server.server.listening) return;
    this.server.options.closeTimeout = Math.max(1, timeoutMs);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async checkRecipient(address: string): Promise<void> {
    const token = tokenFromAddress(address, this.options.domain);
    let known = false;
    try {
      known = token !== undefined && (await this.options.acceptRecipient(token));
    } catch (error) {
      this.options.logger.warn({ err: (error as Error).message }, 'mail recipient check failed; answered 451');
      this.options.metrics?.mailInbound.inc({ outcome: 'failed' });
      throw smtpError(451, '4.3.0 Temporary failure, try again later');
    }
    if (!known) {
      this.options.metrics?.mailInbound.inc({ outcome: 'unknown-recipient' });
      throw smtpError(550, '5.1.1 No such reply address');
    }
  }

  private async receive(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<string> {
    const { logger, metrics, maxBytes } = this.options;
    const parsed = await parse(stream);
    if (stream.sizeExceeded) {
      metrics?.mailInbound.inc({ outcome: 'too-large' });
      logger.info({ bytes: stream.byteLength, max_bytes: maxBytes }, 'mail reply refused: too large');
      throw smtpError(552, `5.3.4 Message too big: replies are taken up to ${maxBytes} bytes; attachments are not kept, send the text alone`);
    }
    const envelopeFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
    const from = firstAddress(parsed.headers.get('from')) ?? envelopeFrom.toLowerCase();
    if (isAutomatic(parsed.headers, envelopeFrom)) {
      metrics?.mailInbound.inc({ outcome: 'refused' });
      logger.info({ from, message_id: parsed.messageId }, 'mail reply refused: an automatic message');
      throw smtpError(550, '5.7.1 Automatic messages are not taken here, only replies written by a person');
    }
    const text = replyText(parsed.text);
    const outcomes: { recipient: string; result: InboundResult }[] = [];
    for (const recipient of session.envelope.rcptTo.map((r) => r.address)) {
      const token = tokenFromAddress(recipient, this.options.domain);
      if (!token) continue; // checked at RCPT TO
      const message: InboundMail = {
        token,
        recipient: recipient.toLowerCase(),
        from,
        envelopeFrom,
        subject: parsed.subject,
        text,
        attachments: parsed.attachments,
        messageId: parsed.messageId,
        inReplyTo: parsed.inReplyTo,
      };
      let result: InboundResult;
      try {
        result = await this.options.onMessage(message);
      } catch (error) {
        // Nothing was decided: the sending server keeps the mail and tries again.
        metrics?.mailInbound.inc({ outcome: 'failed' });
        logger.warn({ token: token.slice(0, 6), err: (error as Error).message }, 'mail reply could not be handled; answered 451');
        throw smtpError(451, '4.3.0 Temporary failure, try again later');
      }
      outcomes.push({ recipient, result });
      const fields = { token: token.slice(0, 6), from, message_id: parsed.messageId, attachments: parsed.attachments.length };
      if ('refused' in result) logger.info({ ...fields, reason: result.refused }, 'mail reply refused');
      else logger.info(fields, 'mail reply stored');
      metrics?.mailInbound.inc({ outcome: 'refused' in result ? 'refused' : 'stored' });
    }
    const refused = outcomes.filter((o) => 'refused' in o.result).map((o) => `${o.recipient}: ${(o.result as { refused: string }).refused}`);
    if (refused.length > 0 && refused.length === outcomes.length) throw smtpError(550, replyLine(`5.7.1 ${refused.join('; ')}`));
    // One SMTP answer covers every recipient: when some took it, it is accepted, naming the others.
    return refused.length > 0
      ? replyLine(`Stored for ${outcomes.length - refused.length} of ${outcomes.length}; refused: ${refused.join('; ')}`)
      : 'Reply stored';
  }
}

interface Parsed {
  headers: Headers;
  subject: string;
  text: string;
  attachments: string[];
  messageId?: string;
  inReplyTo?: string;
}

/** Parses the message as it arrives; stops feeding the parser once the size limit is passed. */
function parse(stream: SMTPServerDataStream): Promise<Parsed> {
  return new Promise((resolve, reject) => {
    const parser = new MailParser({ skipTextToHtml: true, skipImageLinks: true, skipTextLinks: true });
    const attachments: string[] = [];
    let text = '';
    let headers: Headers = new Map();
    parser.on('headers', (h: Headers) => {
      headers = h;
    });
    parser.on('data', (data) => {
      if (data.type === 'attachment') {
        attachments.push(data.filename ?? data.contentType);
        data.content.on('end', () => data.release?.());
        data.content.resume(); // drained, never kept
      } else if (data.type === 'text') {
        text = data.text ?? '';
      }
    });
    parser.on('error', reject);
    parser.on('end', () =>
      resolve({
        headers,
        subject: parser.subject ?? '',
        text,
        attachments,
        messageId: parser.messageId,
        inReplyTo: parser.inReplyTo,
      }),
    );
    stream.on('data', (chunk: Buffer) => {
      if (!stream.sizeExceeded) parser.write(chunk);
    });
    stream.on('end', () => parser.end());
    stream.on('error', reject);
  });
}

function firstAddress(value: unknown): string | undefined {
  const list = Array.isArray(value) ? (value as AddressObject[]) : value ? [value as AddressObject] : [];
  const address = list.flatMap((a) => a.value ?? []).find((a) => a.address)?.address;
  return address?.toLowerCase();
}

/** RFC 3834 and the headers responders set before it: out-of-office notes and bounces are no replies. */
function isAutomatic(headers: Headers, envelopeFrom: string): boolean {
  if (envelopeFrom === '') return true;
  const auto = (headerText(headers.get('auto-submitted')) || 'no').toLowerCase();
  const precedence = headerText(headers.get('precedence')).toLowerCase();
  return auto !== 'no' || ['bulk', 'junk', 'list', 'auto_reply'].includes(precedence) || headers.has('x-autoreply') || headers.has('x-autorespond');
}

/** A header's value as text (mailparser gives some as `{ value, params }`). */
function headerText(value: unknown): string {
  if (typeof value === 'string') return value.trim();
  if (value && typeof value === 'object' && 'value' in value && typeof value.value === 'string') return value.value.trim();
  return '';
}
