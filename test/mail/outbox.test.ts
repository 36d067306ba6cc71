// The outbox through real SMTP over loopback: a committed mail arrives with its headers, a rolled-back
// one never exists, an outage is waited out without sending twice, a permanent refusal ends it.
import { describe, expect, it } from 'vitest';
import { withTransaction } from '../../src/db/database.ts';
import { JobQueue } from '../../src/jobs/queue.ts';
import { MAIL_SEND_JOB } from '../../src/mail/outbox.ts';
import { ERASED_MAIL_TEXT, InvalidMailError, MailContainsBsnError, queueMail, newReplyToken, replyAddress } from '../../src/mail/index.ts';
import { MailSink } from '../../src/mail/sink.ts';
import { startTestGateway } from '../helpers/gateway.ts';
import { freePort } from '../helpers/ports.ts';
import { startMailSink } from '../helpers/smtp.ts';
import { waitFor } from '../helpers/wait.ts';

const sink = await startMailSink();
const gateway = await startTestGateway({
  env: { SMTP_URL: sink.url, MAIL_FROM: 'Ketenstatus <noreply@gateway.test>', MAIL_REPLY_DOMAIN: 'reply.gateway.test' },
});
const db = gateway.database.db;
const queue = new JobQueue(db);

const row = (id: string) => db.selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
/** The mail jobs are done (none queued or running): whatever they would send has been sent. */
const mailJobsDone = () =>
  waitFor(async () => (await queue.counts()).every((c) => c.kind !== MAIL_SEND_JOB || c.state === 'dead'), 15_000, 'no mail.send job queued or running');

const message = (subject: string) => ({
  kind: 'test.notice',
  to: ['jan@bouwbedrijf.test', 'piet@bouwbedrijf.test'],
  subject,
  text: `Nieuwe opdracht: drempelhulp (${subject})`,
  html: `<p>Nieuwe opdracht: <b>drempelhulp</b></p>`,
});

describe('queueMail through SMTP', () => {
  it('sends a committed mail with its Reply-To, List-Unsubscribe and a Message-ID made from the row id', async () => {
    const token = newReplyToken();
    const { id } = await withTransaction(db, (trx) =>
      queueMail(trx, {
        ...message('committed'),
        replyTo: replyAddress(token, 'reply.gateway.test'),
        headers: { 'List-Unsubscribe': '<https://gateway.test/unsubscribe/abc>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      }),
    );
    const mail = await sink.waitFor((m) => m.subject === 'committed');
    expect(mail.messageId).toBe(`<${id}@gateway.test>`);
    expect(mail.replyTo).toBe(`${token}@reply.gateway.test`);
    expect(mail.from).toBe('noreply@gateway.test');
    expect(mail.envelope.to.sort()).toEqual(['jan@bouwbedrijf.test', 'piet@bouwbedrijf.test']);
    expect(mail.headers['list-unsubscribe']).toBe('<https://gateway.test/unsubscribe/abc>');
    expect(mail.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    expect(mail.headers['auto-submitted']).toBe('auto-generated');
    expect(mail.text).toContain('Nieuwe opdracht: drempelhulp (committed)');
    expect(mail.html).toContain('<b>drempelhulp</b>');
    const sent = await waitFor(async () => {
      const r = await row(id);
      return r.state === 'sent' && r;
    });
    expect(sent).toMatchObject({ message_id: `<${id}@gateway.test>`, attempts: 1, last_error: null, kind: 'test.notice' });
    expect(sent.sent_at).toBeInstanceOf(Date);
  });

  it('sends nothing for a transaction that rolled back: no row, no job', async () => {
    let queued: string | undefined;
    await expect(
      withTransaction(db, async (trx) => {
        queued = (await queueMail(trx, message('rolled back'))).id;
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    const before = sink.received;
    await mailJobsDone();
    expect(await db.selectFrom('mail_outbox').select('id').where('id', '=', queued!).executeTakeFirst()).toBeUndefined();
    expect(sink.received).toBe(before);
    expect(sink.messages().some((m) => m.subject === 'rolled back')).toBe(false);
  });

  it('erases a sensitive mail once sent: the outbox keeps no copy of the credential it carried', async () => {
    const secret = 'Uw code: 482913 en uw link https://gateway.test/join/abcdefghijklmnop';
    const { id } = await withTransaction(db, (trx) =>
      queueMail(trx, { ...message('sensitive sent'), text: secret, html: `<p>${secret}</p>`, sensitive: true }),
    );
    const mail = await sink.waitFor((m) => m.subject === 'sensitive sent');
    expect(mail.text).toContain('482913');
    const sent = await waitFor(async () => {
      const r = await row(id);
      return r.state === 'sent' && r;
    });
    expect(sent).toMatchObject({ subject: ERASED_MAIL_TEXT, text: ERASED_MAIL_TEXT, html: null });
    expect(JSON.stringify(sent)).not.toContain('482913');
    expect(JSON.stringify(sent)).not.toContain('abcdefghijklmnop');
    // A mail without the flag is kept as it was written.
    const { id: plain } = await withTransaction(db, (trx) => queueMail(trx, message('plain sent')));
    expect(await waitFor(async () => (await row(plain)).state === 'sent')).toBe(true);
    expect((await row(plain)).text).toContain('plain sent');
  });

  it('erases a sensitive mail refused for good, and an operator’s retry sends no blank mail', async () => {
    sink.respond = (m) => (m.subject === 'sensitive refused' ? { code: 554, message: '5.7.1 Rejected by policy' } : undefined);
    try {
      const { id } = await withTransaction(db, (trx) => queueMail(trx, { ...message('sensitive refused'), text: 'code 482913', sensitive: true }));
      const dead = await waitFor(async () => {
        const r = await row(id);
        return r.state === 'dead' && r;
      });
      expect(dead).toMatchObject({ subject: ERASED_MAIL_TEXT, text: ERASED_MAIL_TEXT });
      sink.respond = undefined;
      const job = (await queue.list('dead', 100)).rows.find((j) => j.kind === MAIL_SEND_JOB && (j.payload as { id: string }).id === id);
      expect(job).toBeDefined();
      expect(await queue.retryDead(job!.id)).toBe(true);
      await waitFor(async () => (await queue.list('dead', 100)).rows.some((j) => j.id === job!.id && j.attempts > 0), 15_000, 'the retried job died again');
      expect(sink.messages().some((m) => m.subject === ERASED_MAIL_TEXT)).toBe(false);
      expect((await row(id)).state).toBe('dead');
    } finally {
      sink.respond = undefined;
    }
  });

  it('refuses a mail holding a BSN, in any usual spelling, and the transaction with it', async () => {
    for (const text of ['BSN 999993653', 'burger 9999.93.653', 'nummer 999 993 653']) {
      await expect(withTransaction(db, (trx) => queueMail(trx, { ...message('bsn'), text }))).rejects.toThrow(MailContainsBsnError);
    }
    await expect(withTransaction(db, (trx) => queueMail(trx, { ...message('BSN 999993653 in the subject') }))).rejects.toThrow(MailContainsBsnError);
    await expect(withTransaction(db, (trx) => queueMail(trx, { ...message('bsn'), html: '<p>999993653</p>' }))).rejects.toThrow(MailContainsBsnError);
    const error = (await withTransaction(db, (trx) => queueMail(trx, { ...message('bsn'), text: 'BSN 999993653' })).catch((e: unknown) => e)) as Error;
    expect(error.message).not.toContain('999993653');
    // Nine digits failing the elfproef, and longer numbers, are not a BSN.
    const { id } = await withTransaction(db, (trx) =>
      queueMail(trx, { ...message('not a bsn'), text: 'order 123456789, telefoon 0612345678, iban 1234567890123' }),
    );
    expect((await row(id)).kind).toBe('test.notice');
    expect(await db.selectFrom('mail_outbox').select('id').where('subject', '=', 'bsn').execute()).toEqual([]);
  });

  it('refuses a malformed mail: no recipient, a bad address, a header with a line break, an unknown header', async () => {
    const bad = [
      { ...message('x'), to: [] },
      { ...message('x'), to: 'not an address' },
      { ...message('x'), subject: 'two\r\nBcc: someone@else.test' },
      { ...message('x'), replyTo: 'nobody' },
      { ...message('x'), headers: { Bcc: 'someone@else.test' } as never },
      { ...message('x'), kind: 'Not A Kind' },
    ];
    for (const m of bad) await expect(withTransaction(db, (trx) => queueMail(trx, m))).rejects.toThrow(InvalidMailError);
  });

  it('marks a mail dead on a permanent (5xx) answer; an operator’s retry of its job sends it', async () => {
    sink.respond = (m) => (m.subject === 'refused for good' ? { code: 554, message: '5.7.1 Rejected by policy' } : undefined);
    try {
      const { id } = await withTransaction(db, (trx) => queueMail(trx, message('refused for good')));
      const dead = await waitFor(async () => {
        const r = await row(id);
        return r.state === 'dead' && r;
      });
      expect(dead.attempts).toBe(1);
      expect(dead.last_error).toContain('554');
      expect(dead.sent_at).toBeNull();
      const jobs = await queue.list('dead', 100);
      const job = jobs.rows.find((j) => j.kind === MAIL_SEND_JOB && (j.payload as { id: string }).id === id);
      expect(job).toBeDefined();

      // An operator's retry of the dead job sends it again, once the server takes it.
      sink.respond = undefined;
      expect(await queue.retryDead(job!.id)).toBe(true);
      const mail = await sink.waitFor((m) => m.subject === 'refused for good');
      expect(mail.messageId).toBe(`<${id}@gateway.test>`);
      expect(await waitFor(async () => (await row(id)).state === 'sent')).toBe(true);
    } finally {
      sink.respond = undefined;
    }
  });
});

describe('an SMTP outage', () => {
  it('is retried with backoff and delivered once the server is back, once, with the same Message-ID', async () => {
    const port = await freePort(); // nothing listens here yet
    const outage = await startTestGateway({ env: { SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_FROM: 'noreply@gateway.test' } });
    const odb = outage.database.db;
    const { id } = await withTransaction(odb, (trx) => queueMail(trx, message('after the outage')));
    const failed = await waitFor(async () => {
      const r = await odb.selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      return r.attempts >= 1 && r;
    });
    expect(failed.state).toBe('queued');
    expect(failed.last_error).toMatch(/ECONNREFUSED|ECONNECTION|ESOCKET/);
    const late = await MailSink.start({ port });
    try {
      const mail = await late.waitFor((m) => m.subject === 'after the outage', 20_000);
      expect(mail.messageId).toBe(`<${id}@gateway.test>`);
      const sent = await waitFor(async () => {
        const r = await odb.selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
        return r.state === 'sent' && r;
      });
      expect(sent.attempts).toBeGreaterThanOrEqual(2);
      await waitFor(async () => (await new JobQueue(odb).counts()).every((c) => c.kind !== MAIL_SEND_JOB), 15_000, 'mail job gone');
      expect(late.received).toBe(1);
    } finally {
      await late.stop();
    }
  });
});

describe('without SMTP_URL', () => {
  it('keeps every mail, marked unconfigured, and sends none', async () => {
    const off = await startTestGateway();
    expect(off.mail.enabled).toBe(false);
    const odb = off.database.db;
    const { id } = await withTransaction(odb, (trx) => queueMail(trx, message('nowhere to go')));
    const kept = await waitFor(async () => {
      const r = await odb.selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      return r.state !== 'queued' && r;
    });
    expect(kept).toMatchObject({ state: 'unconfigured', attempts: 0, message_id: null, sent_at: null, subject: 'nowhere to go' });
    await waitFor(async () => (await new JobQueue(odb).counts()).every((c) => c.kind !== MAIL_SEND_JOB), 15_000, 'mail job gone');
  });
});
