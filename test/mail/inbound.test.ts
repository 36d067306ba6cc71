// The reply listener over real SMTP on loopback, with nodemailer as the sending mail server.
import { connect } from 'node:net';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { type InboundMail, type InboundResult, MailInbound, newReplyToken } from '../../src/mail/index.ts';
import { createLogger } from '../../src/log.ts';
import { startTestGateway } from '../helpers/gateway.ts';
import { smtpClient } from '../helpers/smtp.ts';

const DOMAIN = 'reply.gateway.test';
const known = newReplyToken();
const closed = newReplyToken();
const received: InboundMail[] = [];
let answer: (m: InboundMail) => Promise<InboundResult> = async () => ({ stored: true });

const inbound = new MailInbound({
  host: '127.0.0.1',
  port: 0,
  maxBytes: 64 * 1024,
  domain: DOMAIN,
  logger: createLogger('silent'),
  acceptRecipient: async (token) => token === known || token === closed,
  onMessage: async (m) => {
    received.push(m);
    return answer(m);
  },
});
await inbound.start();
afterAll(() => inbound.stop());
const client = smtpClient(inbound.port);
afterAll(() => client.close());

beforeEach(() => {
  received.length = 0;
  answer = async () => ({ stored: true });
});

const REPLY = [
  'Goed, we komen dinsdag de drempel plaatsen.',
  '',
  'Met vriendelijke groet,',
  'Jan Bouwer',
  '',
  '-- ',
  'Bouwbedrijf De Steiger | 020 123 4567',
  '',
  'Op do 5 dec 2026 om 10:00 schreef Ketenstatus <noreply@gateway.test>:',
  '',
  '> Nieuwe opdracht: drempelhulp',
  '> Zaak KS-2026-ABCDEF',
].join('\r\n');

const send = (extra: Record<string, unknown> = {}) =>
  client.sendMail({ from: 'Jan Bouwer <jan@steiger.test>', to: `${known}@${DOMAIN}`, subject: 'Re: Nieuwe opdracht', text: REPLY, ...extra });

/** The error a sendMail was answered with (fails when it was accepted). */
const refusal = async (sending: Promise<unknown>) => {
  const error = (await sending.then(
    () => undefined,
    (e) => e,
  )) as { responseCode?: number; response?: string; code?: string } | undefined;
  expect(error, 'the listener accepted the mail').toBeDefined();
  return error!;
};

describe('MailInbound', () => {
  it('hands a reply to onMessage without its quoted history and signature, listing attachment names only', async () => {
    const info = await send({
      inReplyTo: '<0b6c2f7e@gateway.test>',
      attachments: [
        { filename: 'foto-drempel.jpg', content: Buffer.alloc(2048, 1) },
        { filename: 'offerte.pdf', content: 'pdf' },
      ],
    });
    expect(info.response).toMatch(/^250 /);
    expect(received).toHaveLength(1);
    const [m] = received;
    expect(m).toMatchObject({
      token: known,
      recipient: `${known}@${DOMAIN}`,
      from: 'jan@steiger.test',
      envelopeFrom: 'jan@steiger.test',
      subject: 'Re: Nieuwe opdracht',
      attachments: ['foto-drempel.jpg', 'offerte.pdf'],
      inReplyTo: '<0b6c2f7e@gateway.test>',
    });
    expect(m.text).toBe('Goed, we komen dinsdag de drempel plaatsen.\n\nMet vriendelijke groet,\nJan Bouwer');
    expect(m.messageId).toBe(info.messageId);
  });

  it('takes an HTML-only reply, its quoted part removed', async () => {
    await send({
      text: undefined,
      html: `<div>Klaar, opgeleverd.</div><div class="gmail_quote">On Thu, Dec 5, 2026 at 10:00 AM Ketenstatus &lt;noreply@gateway.test&gt; wrote:<blockquote>Nieuwe opdracht</blockquote></div>`,
    });
    expect(received[0].text).toBe('Klaar, opgeleverd.');
  });

  it('refuses an address that is no known reply token at RCPT TO with 550, and never calls onMessage', async () => {
    for (const to of [`${newReplyToken()}@${DOMAIN}`, `${known}@elsewhere.test`, `postmaster@${DOMAIN}`, `not-a-token@${DOMAIN}`]) {
      const error = await refusal(send({ to }));
      expect(error.responseCode).toBe(550);
      expect(error.code).toBe('EENVELOPE');
    }
    expect(received).toEqual([]);
  });

  it('answers 552 to a message over the size limit, declared or not', async () => {
    const error = await refusal(send({ attachments: [{ filename: 'groot.bin', content: Buffer.alloc(100 * 1024, 7) }] }));
    expect(error.responseCode).toBe(552);
    expect(received).toEqual([]);
  });

  it('answers 550 with the reason when onMessage refuses', async () => {
    answer = async () => ({ refused: 'the sender is not a registered contact of this organisation' });
    const error = await refusal(send());
    expect(error.responseCode).toBe(550);
    expect(error.response).toContain('the sender is not a registered contact of this organisation');
    expect(received).toHaveLength(1);
  });

  it('answers 451 (try again later) when onMessage fails, so the sending server keeps the mail', async () => {
    answer = async () => {
      throw new Error('database unavailable');
    };
    const error = await refusal(send());
    expect(error.responseCode).toBe(451);
  });

  it('hands each recipient of one message to onMessage; takes it when one of them stores it', async () => {
    answer = async (m) => (m.token === closed ? { refused: 'this assignment is closed' } : { stored: true });
    const info = await send({ to: [`${known}@${DOMAIN}`, `${closed}@${DOMAIN}`] });
    expect(received.map((m) => m.token).sort()).toEqual([known, closed].sort());
    expect(info.response).toContain('refused');
    const both = await refusal(send({ to: `${closed}@${DOMAIN}` }));
    expect(both.responseCode).toBe(550);
  });

  it('refuses automatic messages (out of office, bounces) with 550', async () => {
    const auto = await refusal(send({ headers: { 'Auto-Submitted': 'auto-replied' }, subject: 'Afwezig' }));
    expect(auto.responseCode).toBe(550);
    const bounce = await refusal(send({ envelope: { from: '', to: `${known}@${DOMAIN}` } }));
    expect(bounce.responseCode).toBe(550);
    expect(received).toEqual([]);
  });

  it('offers neither AUTH nor STARTTLS', async () => {
    const ehlo = await new Promise<string>((resolve, reject) => {
      const socket = connect(inbound.port, '127.0.0.1');
      let data = '';
      socket.on('data', (chunk) => {
        data += chunk;
        if (/^220 /m.test(data) && !data.includes('EHLO-SENT')) {
          data += 'EHLO-SENT\n';
          socket.write('EHLO client.test\r\n');
        } else if (/^250 /m.test(data)) {
          socket.end('QUIT\r\n');
          resolve(data);
        }
      });
      socket.on('error', reject);
    });
    expect(ehlo).toMatch(/^250-/m);
    expect(ehlo).not.toMatch(/AUTH|STARTTLS/);
    expect(ehlo).toContain(`SIZE ${64 * 1024}`);
  });
});

describe('the gateway’s reply listener (SMTP_INBOUND_PORT)', () => {
  it('refuses every recipient until a feature registers, then routes to the handler that knows the token; stops with the gateway', async () => {
    const gateway = await startTestGateway({ env: { SMTP_INBOUND_PORT: '0', MAIL_REPLY_DOMAIN: DOMAIN } });
    const port = gateway.mail.inbound.port!;
    expect(port).toBeGreaterThan(0);
    const gatewayClient = smtpClient(port);
    const token = newReplyToken();
    const mail = { from: 'jan@steiger.test', to: `${token}@${DOMAIN}`, subject: 'Re: opdracht', text: 'Komt goed.' };
    expect((await refusal(gatewayClient.sendMail(mail))).responseCode).toBe(550);

    const stored: InboundMail[] = [];
    gateway.mail.inbound.register({ name: 'other', acceptRecipient: async () => false, onMessage: async () => ({ refused: 'never asked' }) });
    gateway.mail.inbound.register({
      name: 'test.replies',
      acceptRecipient: async (t) => t === token,
      onMessage: async (m) => {
        stored.push(m);
        return { stored: true };
      },
    });
    await gatewayClient.sendMail(mail);
    expect(stored.map((m) => m.text)).toEqual(['Komt goed.']);

    gatewayClient.close();
    await gateway.close();
    const after = await refusal(smtpClient(port).sendMail(mail));
    expect(after.code).toBe('ESOCKET');
  });
});
