// A small real SMTP server that keeps the last messages it took, parsed, in memory: for tests and
// the demo, never for production mail. It takes any sender, recipient and login.
import type { AddressInfo } from 'node:net';
import { type AddressObject, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface CaughtMail {
  envelope: { from: string; to: string[] };
  /** Header values by lowercase name, as sent (unfolded); the first of repeated ones. */
  headers: Record<string, string>;
  messageId?: string;
  from?: string;
  to: string[];
  replyTo?: string;
  subject: string;
  text: string;
  html?: string;
  attachments: string[];
  receivedAt: Date;
}

/** An SMTP answer to give instead of 250 after DATA, e.g. { code: 550, message: '5.1.1 no such user' }. */
export interface SinkAnswer {
  code: number;
  message: string;
}

export interface MailSinkOptions {
  host?: string;
  /** 0 or unset: any free port. */
  port?: number;
  /** How many messages are kept (oldest go first); default 100. */
  keep?: number;
}

export class MailSink {
  readonly host: string;
  readonly port: number;
  /** Messages taken since start (also those no longer kept). */
  received = 0;
  /** Decides the answer to each message; undefined (or answering undefined) takes it. */
  respond?: (mail: CaughtMail) => SinkAnswer | undefined;
  private readonly server: SMTPServer;
  private readonly keep: number;
  private readonly kept: CaughtMail[] = [];
  private readonly waiters = new Set<(mail: CaughtMail) => void>();

  private constructor(server: SMTPServer, host: string, port: number, keep: number) {
    this.server = server;
    this.host = host;
    this.port = port;
    this.keep = keep;
  }

  static async start(options: MailSinkOptions = {}): Promise<MailSink> {
    const host = options.host ?? '127.0.0.1';
    let sink: MailSink | undefined;
    const server = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      authOptional: true,
      allowInsecureAuth: true,
      disableReverseLookup: true,
      logger: false,
      onAuth: (_auth, _session, callback) => callback(null, { user: 'sink' }),
      onData: (stream, session, callback) => {
        simpleParser(stream)
          .then((parsed) => {
            const mail: CaughtMail = {
              envelope: { from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address) },
              headers: Object.fromEntries(
                [...parsed.headerLines].reverse().map((h) => [
                  h.key,
                  h.line
                    .slice(h.line.indexOf(':') + 1)
                    .replace(/\r?\n\s+/g, ' ')
                    .trim(),
                ]),
              ),
              messageId: parsed.messageId,
              from: addresses(parsed.from)[0],
              to: addresses(parsed.to),
              replyTo: addresses(parsed.replyTo)[0],
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: parsed.html || undefined,
              attachments: parsed.attachments.map((a) => a.filename ?? a.contentType),
              receivedAt: new Date(),
            };
            const answer = sink?.respond?.(mail);
            if (answer) return callback(Object.assign(new Error(answer.message), { responseCode: answer.code }));
            sink?.take(mail);
            callback();
          })
          .catch(callback);
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(options.port ?? 0, host, () => resolve());
    });
    sink = new MailSink(server, host, (server.server.address() as AddressInfo).port, options.keep ?? 100);
    return sink;
  }

  /** `smtp://host:port`, for SMTP_URL. */
  get url(): string {
    return `smtp://${this.host}:${this.port}`;
  }

  /** The kept messages, oldest first. */
  messages(): CaughtMail[] {
    return [...this.kept];
  }

  clear(): void {
    this.kept.length = 0;
  }

  /** The first kept or arriving message that matches; rejects after `timeoutMs`, naming what did arrive. */
  waitFor(predicate: (mail: CaughtMail) => boolean = () => true, timeoutMs = 10_000): Promise<CaughtMail> {
    const found = this.kept.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = (mail: CaughtMail) => {
        if (!predicate(mail)) return;
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve(mail);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const seen = this.kept.map((m) => JSON.stringify(m.subject)).join(', ') || 'none';
        reject(new Error(`no matching mail within ${timeoutMs} ms (kept: ${seen})`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  async stop(): Promise<void> {
    if (!this.server.server.listening) return;
    this.server.options.closeTimeout = 1000;
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private take(mail: CaughtMail): void {
    this.received++;
    this.kept.push(mail);
    if (this.kept.length > this.keep) this.kept.shift();
    for (const waiter of [...this.waiters]) waiter(mail);
  }
}

function addresses(value: AddressObject | AddressObject[] | undefined): string[] {
  const list = Array.isArray(value) ? value : value ? [value] : [];
  return list.flatMap((a) => a.value.map((v) => v.address?.toLowerCase() ?? '')).filter(Boolean);
}
