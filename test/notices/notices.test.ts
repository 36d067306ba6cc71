// Case notices by e-mail through the whole chain and a real SMTP server over loopback: a
// subcontractor's status with `informeren` → one e-mail in the customer's stored language, with the
// case reference, the phase in words, the link and the one-click unsubscribe headers; nothing for an
// unverified address; later notices folded into one message at the window's end; never twice.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Customer } from '../../src/citizen/customer.ts';
import { json } from '../../src/db/json.ts';
import { NOTICE_SEND_JOB, noticeSendKey } from '../../src/notices/outbound.ts';
import { unsubscribeToken, unsubscribeTokenHash } from '../../src/notices/preferences.ts';
import { type Chain, startChain } from '../helpers/chain.ts';
import { type CaughtMail, startMailSink } from '../helpers/smtp.ts';

const SESSION_SECRET = 'notices-test-session-secret-0123456789abcdef';
const BASE = 'https://ketenstatus.example';
const sink = await startMailSink();
const chain = await startChain([{ id: 'hulpmiddelen-bv' }], {
  SYNC_DEBOUNCE_MS: '50',
  SMTP_URL: sink.url,
  MAIL_FROM: 'Ketenstatus <noreply@ketenstatus.example>',
  PUBLIC_BASE_URL: BASE,
  SESSION_SECRET,
});
const db = chain.gateway.database.db;
const sim = chain.sims['hulpmiddelen-bv'];

async function setPreferences(customer: Customer, p: { language: 'nl' | 'en' | 'sv' | 'fi'; email: string; verified: boolean; on?: boolean }): Promise<void> {
  const key = 'bsn' in customer ? { customer_kind: 'bsn' as const, customer_id: customer.bsn } : { customer_kind: 'kvk' as const, customer_id: customer.kvk };
  await db
    .insertInto('notice_preferences')
    .values({
      ...key,
      language: p.language,
      email: p.email,
      email_verified_at: p.verified ? new Date() : null,
      email_on: p.on ?? true,
      sms_on: false,
      unsubscribe_token_hash: unsubscribeTokenHash(unsubscribeToken(SESSION_SECRET, customer)),
    })
    .execute();
}

/** A case for the citizen with one placed order at the simulator. */
async function caseFor(bsn: string, reference?: string) {
  const c = await (
    await chain.supplier('/api/v1/cases', { body: { title: 'Traplift voor mevrouw Jansen', citizen: { bsn }, ...(reference ? { reference } : {}) } })
  ).json();
  const o = await (await chain.supplier(`/api/v1/cases/${c.id}/orders`, { body: { subcontractor: 'hulpmiddelen-bv', product: 'traplift' } })).json();
  const placed = await chain.waitFor(async () => {
    const now = await (await chain.supplier(`/api/v1/orders/${o.id}`)).json();
    return now.state === 'placed' && now;
  });
  return { caseId: c.id as string, reference: c.reference as string, zaakUrl: placed.remoteZaak.url as string };
}

/** Every notice of the case planned (turned into messages, or found no channel). */
const planned = (c: Chain, caseId: string, count: number) =>
  c.waitFor(async () => {
    const rows = await db.selectFrom('notice_outbox').select('planned_at').where('case_id', '=', caseId).execute();
    return rows.length >= count && rows.every((r) => r.planned_at !== null);
  });

const messagesOf = (caseId: string) => db.selectFrom('notice_messages').selectAll().where('case_id', '=', caseId).orderBy('send_at').execute();
const mailsTo = (address: string) => sink.messages().filter((m) => m.to.includes(address));

describe('case notices by e-mail (NOTICE_TRANSPORT=smtp)', () => {
  it('sends a status with informeren as one e-mail in the stored language: reference, phase, link, List-Unsubscribe — nothing else', async () => {
    const bsn = '111222333';
    await setPreferences({ bsn }, { language: 'en', email: 'jansen@example.org', verified: true });
    const { caseId, reference, zaakUrl } = await caseFor(bsn);

    await sim.advance(zaakUrl); // Ontvangen: informeren
    const mail: CaughtMail = await sink.waitFor((m) => m.to.includes('jansen@example.org'));
    expect(mail.subject).toBe(`News about your request ${reference}`);
    expect(mail.text).toContain(`There is news about your request ${reference}: Received.`);
    expect(mail.text).toContain(`${BASE}/cases/${caseId}`);
    const token = unsubscribeToken(SESSION_SECRET, { bsn });
    expect(mail.headers['list-unsubscribe']).toBe(`<${BASE}/unsubscribe/${token}>`);
    expect(mail.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    // Never the BSN, the case's title, the subcontractor or its status text.
    for (const text of [mail.subject, mail.text]) {
      expect(text).not.toContain(bsn);
      expect(text).not.toContain('Jansen');
      expect(text).not.toContain('Hulpmiddelen');
      expect(text).not.toContain('traplift');
    }
    // The event speaks the stored language too (webhooks see it): no more "nl until known".
    const event = await db
      .selectFrom('case_events')
      .select('payload')
      .where('case_id', '=', caseId)
      .where('type', '=', 'case.citizen-notice')
      .executeTakeFirstOrThrow();
    expect(event.payload.language).toBe('en');

    await planned(chain, caseId, 1);
    expect(mailsTo('jansen@example.org')).toHaveLength(1);
    const [message] = await messagesOf(caseId);
    expect(message).toMatchObject({ state: 'sent', transport: 'smtp', channel: 'email', notices: 1 });
  }, 60_000);

  it('sends nothing to an address that was never verified, or with the channel off', async () => {
    await setPreferences({ bsn: '999993653' }, { language: 'nl', email: 'onbevestigd@example.org', verified: false });
    await setPreferences({ bsn: '999990019' }, { language: 'nl', email: 'uit@example.org', verified: true, on: false });
    const first = await caseFor('999993653');
    const second = await caseFor('999990019');
    await sim.advance(first.zaakUrl);
    await sim.advance(second.zaakUrl);
    // The statement that writes the notice decides: with no channel on and verified, no outbox row.
    for (const { caseId } of [first, second]) {
      await chain.waitFor(() =>
        db.selectFrom('case_events').select('id').where('case_id', '=', caseId).where('type', '=', 'case.citizen-notice').executeTakeFirst(),
      );
      expect(await db.selectFrom('notice_outbox').select('event_id').where('case_id', '=', caseId).execute()).toEqual([]);
    }
    expect(await messagesOf(first.caseId)).toEqual([]);
    expect(await messagesOf(second.caseId)).toEqual([]);
    expect(mailsTo('onbevestigd@example.org')).toEqual([]);
    expect(mailsTo('uit@example.org')).toEqual([]);
  }, 60_000);

  it('folds the notices within the window into one message sent when it ends, naming the latest phase; a crash or retry never doubles', async () => {
    const bsn = '999990020';
    const address = 'fold@example.org';
    await setPreferences({ bsn }, { language: 'nl', email: address, verified: true });
    const { caseId, reference, zaakUrl } = await caseFor(bsn);
    await sim.advance(zaakUrl); // Ontvangen: at once
    await sink.waitFor((m) => m.to.includes(address));
    await sim.advance(zaakUrl); // In behandeling: no notice
    await sim.advance(zaakUrl); // Aanvullende informatie nodig: notice (actie_vereist)
    await sim.advance(zaakUrl); // Geleverd: notice (afgerond)
    await planned(chain, caseId, 3);

    const [first, second] = await messagesOf(caseId);
    expect(first).toMatchObject({ state: 'sent', notices: 1 });
    expect(second).toMatchObject({ state: 'pending', notices: 2, params: { phase: 'afgerond', reference } });
    // Due when the window the first message opened ends (NOTICE_FOLD_WINDOW_SECONDS, 15 minutes).
    expect(new Date(second.send_at).getTime() - new Date(first.send_at).getTime()).toBe(15 * 60_000);
    expect(mailsTo(address)).toHaveLength(1);

    // The planner runs again over the same notices (a crash after sending, before marking): the
    // (notice, channel) key keeps every notice where it was.
    await db.updateTable('notice_outbox').set({ planned_at: null }).where('case_id', '=', caseId).execute();
    await chain.gateway.notices.planPending();
    expect((await messagesOf(caseId)).map((m) => [m.id, m.notices])).toEqual([
      [first.id, 1],
      [second.id, 2],
    ]);

    // The window ends: move the schedule instead of waiting a quarter of an hour.
    await db.updateTable('notice_messages').set({ send_at: new Date() }).where('id', '=', second.id).execute();
    await sql`update jobs set run_at = now() where dedupe_key = ${noticeSendKey(second.id)}`.execute(db);
    const folded = await sink.waitFor((m) => m.to.includes(address) && m.text.includes('Afgerond'));
    expect(folded.subject).toBe(`Nieuws over uw aanvraag ${reference}`);
    expect(folded.text).toContain(`Er is nieuws over uw aanvraag ${reference}: Afgerond.`);

    // The send job of a sent message runs again (a retried job): no second mail.
    await db
      .insertInto('jobs')
      .values({ kind: NOTICE_SEND_JOB, payload: json({ id: second.id }), dedupe_key: noticeSendKey(second.id) })
      .execute();
    await chain.waitFor(async () => !(await db.selectFrom('jobs').select('id').where('dedupe_key', '=', noticeSendKey(second.id)).executeTakeFirst()));
    await planned(chain, caseId, 3);
    expect(mailsTo(address)).toHaveLength(2);
    expect((await messagesOf(caseId)).map((m) => m.state)).toEqual(['sent', 'sent']);
  }, 60_000);

  it('cancels a waiting message when the customer unsubscribes before it goes (one-click, RFC 8058)', async () => {
    const bsn = '999990044';
    const address = 'stop@example.org';
    await setPreferences({ bsn }, { language: 'nl', email: address, verified: true });
    const { caseId, zaakUrl } = await caseFor(bsn);
    await sim.advance(zaakUrl); // Ontvangen: at once
    const first = await sink.waitFor((m) => m.to.includes(address));
    await sim.advance(zaakUrl);
    await sim.advance(zaakUrl); // actie_vereist: waits for the window's end
    await planned(chain, caseId, 2);
    const waiting = (await messagesOf(caseId)).find((m) => m.state === 'pending');
    expect(waiting).toBeDefined();

    // The mail client's one-click unsubscribe: a POST to the List-Unsubscribe URL.
    const url = new URL(first.headers['list-unsubscribe'].slice(1, -1));
    const res = await chain.gateway.app.request(url.pathname, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(res.status).toBe(200);

    await db.updateTable('notice_messages').set({ send_at: new Date() }).where('id', '=', waiting!.id).execute();
    await sql`update jobs set run_at = now() where dedupe_key = ${noticeSendKey(waiting!.id)}`.execute(db);
    const cancelled = await chain.waitFor(async () => (await messagesOf(caseId)).find((m) => m.id === waiting!.id && m.state === 'cancelled'));
    expect(cancelled.last_error).toMatch(/switched this channel off/);
    expect(mailsTo(address)).toHaveLength(1);
  }, 60_000);

  it('never mails a BSN: a reference that holds one makes the notice dead, with the reason for the operator', async () => {
    const bsn = '999990032';
    await setPreferences({ bsn }, { language: 'nl', email: 'guard@example.org', verified: true });
    const { caseId, zaakUrl } = await caseFor(bsn, `ZAAK-${bsn}`);
    await sim.advance(zaakUrl);
    const dead = await chain.waitFor(async () => (await messagesOf(caseId)).find((m) => m.state === 'dead'));
    expect(dead.last_error).toMatch(/BSN/);
    expect(mailsTo('guard@example.org')).toEqual([]);
  }, 60_000);
});
