// Case notices by e-mail and SMS through a Notify API (NOTICE_TRANSPORT=notify), against a stand-in
// over loopback that checks the API key's JWT as Notify does: sent with the right template and
// values, retried after 429 and sent once, refused for a bad key (dead, shown to the operator), and
// an SMS at 23:00 in the Netherlands held until 07:00.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { withTransaction } from '../../src/db/database.ts';
import type { Gateway } from '../../src/gateway.ts';
import { localParts, zonedTime } from '../../src/notices/folding.ts';
import { NOTICE_SEND_JOB, queueMessage } from '../../src/notices/outbound.ts';
import { notifyToken } from '../../src/notices/transport/notify-client.ts';
import { authHeader, startTestGateway } from '../helpers/gateway.ts';
import { startNotifyStandIn } from '../helpers/notify-stand-in.ts';
import { waitFor } from '../helpers/wait.ts';

const BASE = 'https://ketenstatus.example';
const notify = await startNotifyStandIn();
const template = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const TEMPLATES = {
  'case-notice': { email: { nl: template(1), en: template(2) }, sms: { nl: template(3), en: template(4) } },
  'verification-code': { email: { nl: template(5) }, sms: { nl: template(6) } },
};
const env = (apiKey: string) => ({
  NOTICE_TRANSPORT: 'notify',
  NOTIFY_API_URL: notify.url,
  NOTIFY_API_KEY: apiKey,
  NOTIFY_TEMPLATES: JSON.stringify(TEMPLATES),
  NOTICE_RETRY_BASE_SECONDS: '0.05',
  PUBLIC_BASE_URL: BASE,
  SESSION_SECRET: 'notify-test-session-secret-0123456789abcdef',
});

// The planner's clock: a Wednesday morning, unless a test moves it.
let clock = new Date('2026-01-14T10:00:00Z');
const gateway = await startTestGateway({ env: env(notify.apiKey), now: () => clock });
// A second installation whose key's secret is not the service's: Notify refuses its every call.
const wrongKey = `ketenstatus-test-${notify.serviceId}-00000000-0000-4000-8000-000000000000`;
const refused = await startTestGateway({ env: env(wrongKey), now: () => clock });

const request = (g: Gateway, path: string, body: unknown) =>
  g.app.request(path, { method: 'POST', headers: { ...authHeader('zac'), 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** A case of `bsn` whose customer has a verified e-mail address and phone number, both switched on; then a notice. */
async function noticeFor(g: Gateway, bsn: string, language: 'nl' | 'en' = 'en') {
  await g.database.db
    .insertInto('notice_preferences')
    .values({
      customer_kind: 'bsn',
      customer_id: bsn,
      language,
      email: `${bsn}@example.org`,
      email_verified_at: new Date(),
      phone: '+31612345678',
      phone_verified_at: new Date(),
      email_on: true,
      sms_on: true,
    })
    .execute();
  const res = await request(g, '/api/v1/cases', { title: 'Woningaanpassing', citizen: { bsn } });
  expect(res.status).toBe(201);
  const c = await res.json();
  // The supplier closes the case: the combined phase becomes afgerond, a citizen notice.
  expect((await request(g, `/api/v1/cases/${c.id}/status`, { phase: 'afgerond' })).status).toBe(200);
  return { caseId: c.id as string, reference: c.reference as string };
}

const messagesOf = (g: Gateway, caseId: string) =>
  g.database.db.selectFrom('notice_messages').selectAll().where('case_id', '=', caseId).orderBy('channel').execute();

describe('notices through a Notify API', () => {
  it('sends the e-mail and the SMS with the template of the stored language, the values, the reference and the unsubscribe URL', async () => {
    const { caseId, reference } = await noticeFor(gateway, '999990007');
    const email = await notify.waitFor((m) => m.channel === 'email' && m.body.personalisation?.reference === reference);
    const sms = await notify.waitFor((m) => m.channel === 'sms' && m.body.personalisation?.reference === reference);
    const values = { reference, phase: 'Completed', url: `${BASE}/cases/${caseId}` };
    expect(email.body).toMatchObject({ email_address: '999990007@example.org', template_id: template(2), personalisation: values });
    expect(email.body.one_click_unsubscribe_url).toMatch(new RegExp(`^${BASE}/unsubscribe/[A-Za-z0-9_-]+$`));
    expect(sms.body).toMatchObject({ phone_number: '+31612345678', template_id: template(4), personalisation: values });
    expect(JSON.stringify([email.body.personalisation, sms.body.personalisation])).not.toContain('999990007');

    const rows = await waitFor(async () => {
      const r = await messagesOf(gateway, caseId);
      return r.length === 2 && r.every((m) => m.state === 'sent') && r;
    });
    expect(rows.map((m) => [m.channel, m.transport, m.provider_id])).toEqual([
      ['email', 'notify', email.id],
      ['sms', 'notify', sms.id],
    ]);
    // Notify's reference is the message's id: a message is findable on both sides.
    expect([email.body.reference, sms.body.reference]).toEqual([rows[0].id, rows[1].id]);
  });

  it('retries after 429 (RateLimitError) with backoff and sends once', async () => {
    notify.failNext(2, 429);
    const before = notify.requests;
    const { caseId, reference } = await noticeFor(gateway, '999990019', 'nl');
    const rows = await waitFor(async () => {
      const r = await messagesOf(gateway, caseId);
      return r.length === 2 && r.every((m) => m.state === 'sent') && r;
    });
    expect(notify.messages().filter((m) => m.body.personalisation?.reference === reference)).toHaveLength(2);
    // Two refused attempts, then one each.
    expect(notify.requests - before).toBe(4);
    expect(rows.reduce((n, m) => n + m.attempts, 0)).toBe(4);
    const metrics = await (await gateway.app.request('/metrics')).text();
    expect(metrics).toMatch(/ketenstatus_notices_outbound_total\{channel="(email|sms)",outcome="retry"\} [1-9]/);
    expect(metrics).toMatch(/ketenstatus_notices_outbound_total\{channel="sms",outcome="sent"\} [1-9]/);
    expect(notify.messages().find((m) => m.channel === 'email' && m.body.personalisation?.reference === reference)?.body.template_id).toBe(template(1));
  });

  it('retries after a 500 and sends once', async () => {
    notify.failNext(1, 500);
    const before = notify.requests;
    const { caseId, reference } = await noticeFor(gateway, '999990056');
    await waitFor(async () => {
      const r = await messagesOf(gateway, caseId);
      return r.length === 2 && r.every((m) => m.state === 'sent');
    });
    expect(notify.messages().filter((m) => m.body.personalisation?.reference === reference)).toHaveLength(2);
    expect(notify.requests - before).toBe(3);
  });

  it('cancels a message waiting for a retry when the customer switched its channel off meanwhile', async () => {
    notify.failNext(1000, 500);
    try {
      const { caseId, reference } = await noticeFor(gateway, '999990093');
      // Both messages refused once: each waits in `sending` for its retry.
      await waitFor(async () => {
        const r = await messagesOf(gateway, caseId);
        return r.length === 2 && r.every((m) => m.state === 'sending' && m.last_error !== null);
      });
      await gateway.database.db.updateTable('notice_preferences').set({ email_on: false, sms_on: false }).where('customer_id', '=', '999990093').execute();
      notify.failNext(0, 500);
      const rows = await waitFor(async () => {
        const r = await messagesOf(gateway, caseId);
        return r.every((m) => m.state !== 'sending') && r;
      });
      expect(rows.map((m) => m.state)).toEqual(['cancelled', 'cancelled']);
      expect(notify.messages().filter((m) => m.body.personalisation?.reference === reference)).toEqual([]);
    } finally {
      notify.failNext(0, 500);
    }
  });

  it('refuses a bad API key (403): the notice is dead at once, with Notify\u2019s error for the operator', async () => {
    const before = notify.requests;
    const { caseId } = await noticeFor(refused, '999990020');
    const rows = await waitFor(async () => {
      const r = await messagesOf(refused, caseId);
      return r.length === 2 && r.every((m) => m.state === 'dead') && r;
    });
    for (const m of rows) expect(m.last_error).toBe('HTTP 403: AuthError: Invalid token: API key not found');
    expect(notify.requests - before).toBe(2); // not retried
    // The operator sees them among the dead jobs, with the reason and no recipient.
    const dead = await (await refused.app.request('/api/v1/ops/jobs?state=dead', { headers: authHeader('beheer') })).json();
    const notices = dead.results.filter((j: { kind: string }) => j.kind === NOTICE_SEND_JOB);
    expect(notices).toHaveLength(2);
    expect(JSON.stringify(notices)).toContain('Invalid token: API key not found');
    expect(JSON.stringify(notices)).not.toContain('999990020');
    expect(JSON.stringify(notices)).not.toContain('+31612345678');
  });

  it('sends a verification code (queueMessage) with its template and the code as its only value, never held', async () => {
    await withTransaction(gateway.database.db, (trx) =>
      queueMessage(trx, { channel: 'sms', to: '+31687654321', kind: 'verification-code', language: 'sv', params: { code: '402913' } }),
    );
    const sms = await notify.waitFor((m) => m.channel === 'sms' && m.body.phone_number === '+31687654321');
    // No Swedish template configured: the Dutch one.
    expect(sms.body).toMatchObject({ template_id: template(6), personalisation: { code: '402913' } });
  });

  it('holds an SMS at 23:00 in the Netherlands until 07:00; the e-mail is not held', async () => {
    // 23:00 tomorrow in the Netherlands, whatever the date and season the test runs in.
    const tomorrow = localParts(new Date(Date.now() + 24 * 3_600_000));
    clock = zonedTime(tomorrow.year, tomorrow.month, tomorrow.day, 23);
    try {
      expect(localParts(clock).hour).toBe(23);
      const { caseId } = await noticeFor(gateway, '999990032');
      const rows = await waitFor(async () => {
        const r = await messagesOf(gateway, caseId);
        return r.length === 2 && r;
      });
      const [email, sms] = rows;
      expect(new Date(email.send_at).getTime()).toBe(clock.getTime());
      const held = localParts(new Date(sms.send_at));
      expect([held.hour, held.minute]).toEqual([7, 0]);
      expect(new Date(sms.send_at).getTime() - clock.getTime()).toBe(8 * 3_600_000);
      // Its job waits as long.
      const job = await gateway.database.db.selectFrom('jobs').select('run_at').where('dedupe_key', '=', `notice:${sms.id}`).executeTakeFirstOrThrow();
      expect(new Date(job.run_at).getTime()).toBe(new Date(sms.send_at).getTime());
      expect(sms.state).toBe('pending');

      // 07:00 comes: move the schedule, and it goes.
      await gateway.database.db.updateTable('notice_messages').set({ send_at: new Date() }).where('case_id', '=', caseId).execute();
      await sql`update jobs set run_at = now() where dedupe_key in (${`notice:${email.id}`}, ${`notice:${sms.id}`})`.execute(gateway.database.db);
      await waitFor(async () => (await messagesOf(gateway, caseId)).every((m) => m.state === 'sent'));
    } finally {
      clock = new Date('2026-01-14T10:00:00Z');
    }
  });
});

describe('the API key JWT', () => {
  const post = (authorization?: string) =>
    fetch(`${notify.url}/v2/notifications/sms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify({ phone_number: '+31611111111', template_id: template(3), personalisation: {}, reference: 'jwt-test' }),
    });

  it('is HS256 with iss = the service id and iat = now, signed with the secret', async () => {
    const [header, payload] = (await notifyToken(notify.apiKey, new Date(1_800_000_000_000)))
      .split('.')
      .slice(0, 2)
      .map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()));
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toEqual({ iss: notify.serviceId, iat: 1_800_000_000 });
    expect((await post(`Bearer ${await notifyToken(notify.apiKey)}`)).status).toBe(201);
  });

  it('is refused as Notify refuses it: none (401), not Bearer (401), 31 s old (403), another secret (403)', async () => {
    const refusal = async (res: Response) => ({ status: res.status, body: await res.json() });
    expect(await refusal(await post())).toEqual({
      status: 401,
      body: { status_code: 401, errors: [{ error: 'AuthError', message: 'Unauthorized: authentication token must be provided' }] },
    });
    expect((await refusal(await post(`Basic ${await notifyToken(notify.apiKey)}`))).status).toBe(401);
    const stale = await refusal(await post(`Bearer ${await notifyToken(notify.apiKey, new Date(Date.now() - 31_000))}`));
    expect(stale).toMatchObject({ status: 403, body: { errors: [{ error: 'AuthError', message: expect.stringContaining('30 seconds') }] } });
    expect((await refusal(await post(`Bearer ${await notifyToken(wrongKey)}`))).status).toBe(403);
  });
});

describe('NOTICE_TRANSPORT=notify configuration', () => {
  const base = { NETWORK_FILE: 'network.json', SESSION_SECRET: 'x'.repeat(32), NOTICE_TRANSPORT: 'notify' };
  it('names what is missing, and where the templates are wrong', () => {
    expect(() => parseConfig(base)).toThrow(/NOTIFY_API_URL, NOTIFY_API_KEY, NOTIFY_TEMPLATES: required when NOTICE_TRANSPORT=notify/);
    const full = { ...base, NOTIFY_API_URL: notify.url, NOTIFY_API_KEY: notify.apiKey };
    expect(() => parseConfig({ ...full, NOTIFY_API_KEY: 'not-a-key' })).toThrow(/NOTIFY_API_KEY: must be \{key_name\}-\{service_id\}-\{secret\}/);
    expect(() => parseConfig({ ...full, NOTIFY_TEMPLATES: '{' })).toThrow(/NOTIFY_TEMPLATES: not JSON/);
    const noDutch = { ...TEMPLATES, 'case-notice': { ...TEMPLATES['case-notice'], sms: { en: template(4) } } };
    expect(() => parseConfig({ ...full, NOTIFY_TEMPLATES: JSON.stringify(noDutch) })).toThrow(/NOTIFY_TEMPLATES\.case-notice\.sms\.nl/);
    expect(parseConfig({ ...full, NOTIFY_TEMPLATES: JSON.stringify(TEMPLATES) }).notices).toMatchObject({
      transport: 'notify',
      notify: { apiUrl: notify.url, templates: TEMPLATES },
    });
    // The default: e-mail over SMTP, no Notify.
    expect(parseConfig({ NETWORK_FILE: 'network.json', SESSION_SECRET: 'x'.repeat(32) }).notices).toMatchObject({
      transport: 'smtp',
      notify: undefined,
      foldWindowMs: 900_000,
    });
  });
});
