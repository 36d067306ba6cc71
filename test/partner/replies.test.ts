// Replies by e-mail: PartnerService.receiveReply (what the mail component's listener calls) stores a
// registered contact's reply as a message from the organisation and refuses everything else with
// nothing stored; the partner may show it to the citizen. Once end to end: the assignment mail over
// SMTP to a sink, and the answer to its Reply-To through the gateway's own listener.
import { describe, expect, it } from 'vitest';
import { smtpClient, startMailSink } from '../helpers/smtp.ts';
import { waitFor } from '../helpers/wait.ts';
import { ANDER, BOUWER, REPLY_DOMAIN, startPartnerGateway } from './helpers.ts';

const sink = await startMailSink();
const { gateway, call, order, db, issuer } = await startPartnerGateway({
  SMTP_URL: sink.url,
  MAIL_FROM: 'Gemeente Test <noreply@gemeente.example>',
  SMTP_INBOUND_PORT: '0',
});
const { partner } = gateway;
const CONTACT = `planning@${BOUWER}.example`;

const tokenOf = async (orderId: string) =>
  (await db.selectFrom('assignments').select('reply_token').where('order_id', '=', orderId).executeTakeFirstOrThrow()).reply_token;
const messageCount = async () =>
  Number(
    (
      await db
        .selectFrom('order_messages')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
const detail = async (orderId: string) => (await (await call('bouwer', `/api/v1/partner/assignments/${orderId}`)).json()) as any;

describe('a mailed reply', () => {
  it('from a registered contact lands on the case as a message from the organisation, not shown to the citizen', async () => {
    const { caseId, orderId } = await order(BOUWER);
    const token = await tokenOf(orderId);
    expect(await partner.isReplyToken(token)).toBe(true);
    expect(await partner.isReplyToken(token.toUpperCase())).toBe(true);
    const outcome = await partner.receiveReply(token, `Jan Bouwer <${CONTACT.toUpperCase()}>`, '  Dinsdag om 9 uur.  ', ['foto.jpg', 'offerte.pdf']);
    expect(outcome).toMatchObject({ stored: true, orderId });
    expect((await detail(orderId)).messages).toMatchObject([
      {
        direction: 'from-subcontractor',
        organisation: { id: BOUWER },
        author: CONTACT,
        channel: 'mail',
        text: 'Dinsdag om 9 uur.',
        visibleToCitizen: false,
        attachments: ['foto.jpg', 'offerte.pdf'],
      },
    ]);
    const supplier = (await (await call('zac', `/api/v1/cases/${caseId}`)).json()) as any;
    expect(supplier.timeline.filter((t: any) => t.kind === 'message')).toMatchObject([
      { organisation: { id: BOUWER }, text: 'Dinsdag om 9 uur.\n[bijlagen niet bewaard / attachments not kept: foto.jpg, offerte.pdf]' },
    ]);
    const citizen = { authorization: `Bearer ${await issuer.token('111222333')}` };
    const seen = async () =>
      ((await (await gateway.app.request(`/api/v1/me/cases/${caseId}`, { headers: citizen })).json()) as any).timeline.filter((t: any) => t.kind === 'message');
    expect(await seen()).toEqual([]);

    // The partner shows it to the citizen; another organisation cannot.
    const messageId = (await detail(orderId)).messages[0].id as number;
    const other = { organisation: ANDER, actor: 'ander', channel: 'api' as const };
    await expect(partner.setMessageVisibility(other, orderId, messageId, true)).rejects.toMatchObject({ kind: 'not_found' });
    const me = { organisation: BOUWER, actor: CONTACT, channel: 'portal' as const };
    await expect(partner.setMessageVisibility(me, orderId, messageId + 1000, true)).rejects.toMatchObject({ kind: 'not_found' });
    await partner.setMessageVisibility(me, orderId, messageId, true);
    expect(await seen()).toMatchObject([{ organisation: { id: BOUWER }, text: expect.stringContaining('Dinsdag om 9 uur.') }]);
    expect((await detail(orderId)).messages[0].visibleToCitizen).toBe(true);
  });

  it('is refused, with nothing stored, for an unknown token, a sender who is no contact, an empty or an over-long text', async () => {
    const { orderId } = await order(BOUWER);
    const token = await tokenOf(orderId);
    const before = await messageCount();
    expect(await partner.isReplyToken('aaaaaaaaaaaaaaaaaaaaaaaaaa')).toBe(false);
    expect(await partner.receiveReply('aaaaaaaaaaaaaaaaaaaaaaaaaa', CONTACT, 'Hallo')).toEqual({ stored: false, reason: 'unknown-token' });
    expect(await partner.receiveReply(token, 'iemand@elders.example', 'Hallo')).toEqual({ stored: false, reason: 'not-a-contact' });
    // A contact of another portal organisation is not a contact of this one.
    expect(await partner.receiveReply(token, `planning@${ANDER}.example`, 'Hallo')).toEqual({ stored: false, reason: 'not-a-contact' });
    expect(await partner.receiveReply(token, CONTACT, '   ')).toEqual({ stored: false, reason: 'empty' });
    expect(await partner.receiveReply(token, CONTACT, 'x'.repeat(20_001))).toEqual({ stored: false, reason: 'too-long' });
    expect(await messageCount()).toBe(before);
    // What the mail component's listener gets: a refusal the sender reads in the bounce.
    const handler = partner.replyHandler();
    expect(await handler.acceptRecipient(token)).toBe(true);
    const refused = await handler.onMessage({
      token,
      recipient: `${token}@${REPLY_DOMAIN}`,
      from: 'iemand@elders.example',
      envelopeFrom: '',
      subject: 'Re',
      text: 'Hallo',
      attachments: [],
    });
    expect(refused).toEqual({ refused: expect.stringContaining('not a registered contact') });
    expect(await messageCount()).toBe(before);
  });
});

describe('the whole way over SMTP', () => {
  it('mails the assignment with its reply address, and an answer to it lands on the case', async () => {
    const { orderId } = await order(BOUWER, { description: 'Drempel bij de achterdeur' });
    const token = await tokenOf(orderId);
    const mail = await sink.waitFor((m) => m.text.includes(orderId));
    expect(mail.to).toEqual([CONTACT]);
    expect(mail.replyTo).toBe(`${token}@${REPLY_DOMAIN}`);
    expect(mail.text).toContain('Drempel bij de achterdeur');

    const client = smtpClient(gateway.mail.inbound.port!);
    try {
      await client.sendMail({
        from: `Planning <${CONTACT}>`,
        to: mail.replyTo,
        subject: `Re: ${mail.subject}`,
        text: ['Komt in orde, donderdag.', '', `Op 5 dec schreef Gemeente Test <noreply@gemeente.example>:`, '> Nieuwe opdracht'].join('\r\n'),
      });
      const stranger = await client.sendMail({ from: 'iemand@elders.example', to: mail.replyTo, subject: 'Re', text: 'Ik ook' }).then(
        () => undefined,
        (e: { responseCode?: number }) => e.responseCode,
      );
      expect(stranger).toBe(550);
    } finally {
      client.close();
    }
    const messages = await waitFor(async () => {
      const m = (await detail(orderId)).messages;
      return m.length > 0 && m;
    });
    expect(messages).toMatchObject([{ channel: 'mail', author: CONTACT, text: 'Komt in orde, donderdag.' }]);
  }, 30_000);
});
