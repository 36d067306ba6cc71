// SMTP over loopback for tests: the gateway's own MailSink (a real server), closed after the file,
// and a nodemailer client for talking to a listener the way a mail server would.
import { createTransport } from 'nodemailer';
import { afterAll } from 'vitest';
import { type MailSinkOptions, MailSink } from '../../src/mail/sink.ts';

export { type CaughtMail, MailSink } from '../../src/mail/sink.ts';

/** A MailSink on a free loopback port (or the one given), stopped after the file. */
export async function startMailSink(options: MailSinkOptions = {}): Promise<MailSink> {
  const sink = await MailSink.start(options);
  afterAll(() => sink.stop());
  return sink;
}

/** A plain SMTP client for a listener on this machine (no TLS, no login), as another mail server would connect. */
export function smtpClient(port: number) {
  return createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, connectionTimeout: 5000, socketTimeout: 10_000 });
}
