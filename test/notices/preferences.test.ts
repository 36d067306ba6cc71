// The customer's notice preferences through the HTTP surface: validation, the 6-digit codes that
// confirm an address (received from a real SMTP server over loopback), a company's preferences
// shared by its representatives, a proxy refused, and the one-click unsubscribe (RFC 8058).
import { describe, expect, it } from 'vitest';
import { findPreferences, unsubscribeToken } from '../../src/notices/preferences.ts';
import { normalisePhone } from '../../src/notices/preference-service.ts';
import { BSN, startCitizenGateway } from '../citizen/helpers/citizen.ts';
import { startNotifyStandIn } from '../helpers/notify-stand-in.ts';
import { startMailSink } from '../helpers/smtp.ts';
import { waitFor } from '../helpers/wait.ts';

const SESSION_SECRET = 'preferences-test-session-secret-0123456789';
const sink = await startMailSink();
const { app, db, as, asRepresentative } = await startCitizenGateway({
  env: { SMTP_URL: sink.url, MAIL_FROM: 'Ketenstatus <noreply@ketenstatus.example>', SESSION_SECRET, PUBLIC_BASE_URL: 'https://ketenstatus.example' },
});

// A second installation that can send SMS: NOTICE_TRANSPORT=notify against a Notify stand-in on loopback.
const notify = await startNotifyStandIn();
const template = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const withSms = await startCitizenGateway({
  env: {
    NOTICE_TRANSPORT: 'notify',
    NOTIFY_API_URL: notify.url,
    NOTIFY_API_KEY: notify.apiKey,
    NOTIFY_TEMPLATES: JSON.stringify({
      'case-notice': { email: { nl: template(1) }, sms: { nl: template(2) } },
      'verification-code': { email: { nl: template(3) }, sms: { nl: template(4) } },
    }),
    SESSION_SECRET,
  },
});

const PATH = '/api/v1/me/preferences';
const send = async (method: string, path: string, headers: Record<string, string>, body?: unknown) =>
  app.request(path, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const put = (headers: Record<string, string>, body: unknown) => send('PUT', PATH, headers, body);

/** The code in the newest mail to `address` (after `after` mails to it). */
async function codeMailedTo(address: string, after = 0): Promise<string> {
  const mail = await sink.waitFor(
    (m) =>
      m.to.includes(address) &&
      sink
        .messages()
        .filter((x) => x.to.includes(address))
        .indexOf(m) >= after,
  );
  const code = /\b(\d{6})\b/.exec(mail.text)?.[1];
  expect(code, mail.text).toBeDefined();
  return code!;
}
const mailsTo = (address: string) => sink.messages().filter((m) => m.to.includes(address)).length;

/** Moves the code's clock: as if it was sent (and expires) `seconds` earlier. */
async function age(customerId: string, channel: 'email' | 'sms', seconds: number) {
  const row = await db
    .selectFrom('notice_verification_codes')
    .selectAll()
    .where('customer_id', '=', customerId)
    .where('channel', '=', channel)
    .executeTakeFirstOrThrow();
  const back = (d: Date) => new Date(new Date(d).getTime() - seconds * 1000);
  await db
    .updateTable('notice_verification_codes')
    .set({ sent_at: back(row.sent_at), expires_at: back(row.expires_at) })
    .where('customer_id', '=', customerId)
    .where('channel', '=', channel)
    .execute();
}

const otherThan = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

describe('PUT /api/v1/me/preferences', () => {
  it('refuses what is not valid, with the field named', async () => {
    const me = await as(BSN.dirk);
    const cases: [unknown, string][] = [
      [{ language: 'de', channels: { email: false, sms: false } }, 'language'],
      [{ language: 'nl', email: 'geen-adres', channels: { email: false, sms: false } }, 'email'],
      [{ language: 'nl', email: `${'a'.repeat(250)}@x.nl`, channels: { email: false, sms: false } }, 'email'],
      [{ language: 'nl', phone: '0201234567', channels: { email: false, sms: false } }, 'phone'],
      [{ language: 'nl', phone: '+31 6 1234', channels: { email: false, sms: false } }, 'phone'],
      [{ language: 'nl', channels: { email: 'true', sms: false } }, 'channels.email'],
      [{ language: 'nl', channels: { email: false } }, 'channels.sms'],
      [{ language: 'nl', channels: { email: false, sms: false }, extra: 1 }, 'body'],
    ];
    for (const [body, name] of cases) {
      const res = await put(me, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await res.json()).invalidParams.map((p: { name: string }) => p.name)).toContain(name);
    }
    expect(await findPreferences(db, { bsn: BSN.dirk })).toBeUndefined();
  });

  it('refuses a channel switched on without its address, and SMS where the installation has none (422)', async () => {
    const me = await as(BSN.dirk);
    const noAddress = await put(me, { language: 'nl', channels: { email: true, sms: false } });
    expect(noAddress.status).toBe(422);
    expect((await noAddress.json()).invalidParams).toEqual([expect.objectContaining({ name: 'channels.email', code: 'no-address' })]);
    const sms = await put(me, { language: 'nl', phone: '0612345678', channels: { email: false, sms: true } });
    expect(sms.status).toBe(422);
    const problem = await sms.json();
    expect(problem.detail).toContain('SMS is not available on this installation');
    expect(problem.invalidParams).toEqual([expect.objectContaining({ name: 'phone', code: 'sms-unavailable' })]);
    expect(await findPreferences(db, { bsn: BSN.dirk })).toBeUndefined();
  });

  it('writes a Dutch 06 number as E.164', () => {
    expect(normalisePhone('0612345678')).toBe('+31612345678');
    expect(normalisePhone('+46701234567')).toBe('+46701234567');
  });

  it('answers defaults before anything is set, in the reader language', async () => {
    const res = await send('GET', PATH, { ...(await as(BSN.carla)), 'accept-language': 'sv' });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ language: 'sv', channels: { email: false, sms: false } });
  });
});

describe('the code that confirms an address', () => {
  it('is mailed to a new address; five wrong tries use it up; a new one is rate-limited; an expired one is refused; the right one confirms', async () => {
    const me = await as(BSN.anna);
    const address = 'anna@voorbeeld.nl';
    const set = await put(me, { language: 'en', email: address, channels: { email: true, sms: false } });
    expect(set.status).toBe(200);
    expect(await set.json()).toEqual({ language: 'en', email: { address, verified: false }, channels: { email: true, sms: false } });
    const first = await codeMailedTo(address);
    // Only an HMAC of the code is stored.
    const row = await db.selectFrom('notice_verification_codes').selectAll().where('customer_id', '=', BSN.anna).executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(first);
    // Once sent, neither the message nor its mail keeps the code.
    const message = await waitFor(async () => {
      const m = await db.selectFrom('notice_messages').selectAll().where('recipient', '=', address).where('kind', '=', 'verification-code').executeTakeFirst();
      return m?.state === 'sent' && m;
    });
    expect(JSON.stringify(message)).not.toContain(first);
    const mail = await waitFor(async () => {
      const m = await db.selectFrom('mail_outbox').selectAll().where('id', '=', message.provider_id!).executeTakeFirst();
      return m?.state === 'sent' && m;
    });
    expect(JSON.stringify(mail)).not.toContain(first);

    for (let left = 4; left >= 0; left--) {
      const wrong = await send('POST', `${PATH}/email/verify`, me, { code: otherThan(first) });
      expect(wrong.status).toBe(422);
      expect(await wrong.json()).toMatchObject({ code: 'wrong-code', triesLeft: left });
    }
    const exhausted = await send('POST', `${PATH}/email/verify`, me, { code: first });
    expect(exhausted.status).toBe(422);
    expect((await exhausted.json()).code).toBe('code-exhausted');

    // A new code only after 30 s.
    const tooSoon = await send('POST', `${PATH}/email/code`, me);
    expect(tooSoon.status).toBe(429);
    expect(Number(tooSoon.headers.get('retry-after'))).toBeGreaterThan(0);
    await age(BSN.anna, 'email', 31);
    const before = mailsTo(address);
    expect((await send('POST', `${PATH}/email/code`, me)).status).toBe(204);
    const second = await codeMailedTo(address, before);

    // Past its 15 minutes the code is dead.
    await age(BSN.anna, 'email', 15 * 60);
    const expired = await send('POST', `${PATH}/email/verify`, me, { code: second });
    expect(expired.status).toBe(422);
    expect((await expired.json()).code).toBe('code-expired');

    const before3 = mailsTo(address);
    expect((await send('POST', `${PATH}/email/code`, me)).status).toBe(204);
    const third = await codeMailedTo(address, before3);
    const ok = await send('POST', `${PATH}/email/verify`, me, { code: third });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ language: 'en', email: { address, verified: true }, channels: { email: true, sms: false } });
    expect(await findPreferences(db, { bsn: BSN.anna })).toMatchObject({ email: { address, verified: true } });
    // Used: the same code again confirms nothing.
    expect((await send('POST', `${PATH}/email/verify`, me, { code: third })).status).toBe(422);

    // The language changes, the address stays confirmed; another address starts unconfirmed.
    const same = await put(me, { language: 'fi', email: address, channels: { email: true, sms: false } });
    expect((await same.json()).email).toEqual({ address, verified: true });
    await age(BSN.anna, 'email', 60);
    const changed = await put(me, { language: 'fi', email: 'anna@elders.nl', channels: { email: true, sms: false } });
    expect((await changed.json()).email).toEqual({ address: 'anna@elders.nl', verified: false });
    expect(await findPreferences(db, { bsn: BSN.anna })).toMatchObject({ email: { verified: false } });
  });

  it('is not sent more than once in 30 seconds, even for a changed address', async () => {
    const me = await as(BSN.bram);
    expect((await put(me, { language: 'nl', email: 'bram@voorbeeld.nl', channels: { email: false, sms: false } })).status).toBe(200);
    const again = await put(me, { language: 'nl', email: 'bram2@voorbeeld.nl', channels: { email: false, sms: false } });
    expect(again.status).toBe(429);
    expect(await findPreferences(db, { bsn: BSN.bram })).toMatchObject({ email: { address: 'bram@voorbeeld.nl' } });
  });
});

describe('a company', () => {
  it('has one set of preferences, shared by its representatives; a branch login reads them but cannot change them (403)', async () => {
    const sanne = await asRepresentative('12345678', { name: 'Sanne', sub: 'eh-sanne' });
    const kees = await asRepresentative('12345678', { name: 'Kees', sub: 'eh-kees' });
    const piet = await asRepresentative('12345678', { name: 'Piet', sub: 'eh-piet', vestiging: '000012345678' });
    const address = 'info@hostel.example';
    expect((await put(sanne, { language: 'en', email: address, channels: { email: true, sms: false } })).status).toBe(200);
    const code = await codeMailedTo(address);
    // A login narrowed to one branch speaks for that branch, not for the company's preferences.
    const refused = [
      await put(piet, { language: 'nl', email: 'piet@hostel.example', channels: { email: true, sms: false } }),
      await send('POST', `${PATH}/email/verify`, piet, { code }),
      await send('POST', `${PATH}/email/code`, piet),
    ];
    for (const r of refused) {
      expect(r.status).toBe(403);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
    }
    expect(mailsTo('piet@hostel.example')).toBe(0);
    // Another representative of the whole company confirms the code the first one asked for.
    const verified = await send('POST', `${PATH}/email/verify`, kees, { code });
    expect(verified.status).toBe(200);
    expect(await (await send('GET', PATH, piet)).json()).toEqual({ language: 'en', email: { address, verified: true }, channels: { email: true, sms: false } });
    expect(await findPreferences(db, { kvk: '12345678' })).toMatchObject({ email: { verified: true } });
    expect(await findPreferences(db, { kvk: '23456789' })).toBeUndefined();
  });
});

describe('a proxy', () => {
  it("cannot read or change the grantor's preferences", async () => {
    const anna = await as(BSN.anna);
    const granted = await send('POST', '/api/v1/me/mandates', anna, { proxyBsn: BSN.carla, proxyName: 'Carla' });
    expect(granted.status).toBe(201);
    const carla = await as(BSN.carla);
    const before = await findPreferences(db, { bsn: BSN.anna });
    for (const query of [`?onBehalfOf=${BSN.anna}`, `?mandate=${(await granted.json()).id}`]) {
      const res = await send('PUT', `${PATH}${query}`, carla, { language: 'nl', channels: { email: false, sms: false } });
      expect(res.status).toBe(400);
      expect((await res.json()).invalidParams[0].code).toBe('read-only');
      expect((await send('GET', `${PATH}${query}`, carla)).status).toBe(400);
    }
    expect(await findPreferences(db, { bsn: BSN.anna })).toEqual(before);
  });
});

describe('one-click unsubscribe', () => {
  it('shows a button on GET and changes nothing; the POST with List-Unsubscribe=One-Click turns e-mail off', async () => {
    const me = await as(BSN.anna);
    await put(me, { language: 'nl', email: 'anna@elders.nl', channels: { email: true, sms: false } });
    const url = `/unsubscribe/${unsubscribeToken(SESSION_SECRET, { bsn: BSN.anna })}`;

    const page = await app.request(url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('name="List-Unsubscribe" value="One-Click"');
    expect((await findPreferences(db, { bsn: BSN.anna }))?.channels.email).toBe(true);

    const noBody = await app.request(url, { method: 'POST' });
    expect(noBody.status).toBe(400);
    // Bodies that do not parse are refused as bad requests too, never a 500.
    for (const [type, body] of [
      ['application/x-www-form-urlencoded', 'List-Unsubscribe=One-Click%'],
      ['multipart/form-data', 'List-Unsubscribe=One-Click'],
    ] as const) {
      const bad = await app.request(url, { method: 'POST', headers: { 'content-type': type }, body });
      expect(bad.status, `${type} ${String(body)}`).toBe(400);
    }
    const unknown = await app.request(`/unsubscribe/${'x'.repeat(43)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(unknown.status).toBe(404);
    expect((await findPreferences(db, { bsn: BSN.anna }))?.channels.email).toBe(true);

    // As a mail client sends it: no cookie, no CSRF token, a foreign origin.
    const done = await app.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://mail.example' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(done.status).toBe(200);
    expect((await findPreferences(db, { bsn: BSN.anna }))?.channels).toEqual({ email: false, sms: false });
    // Another customer's preferences are untouched.
    expect((await findPreferences(db, { kvk: '12345678' }))?.channels.email).toBe(true);
  });
});

describe('a phone number (NOTICE_TRANSPORT=notify)', () => {
  it('is stored in E.164, gets its code by SMS, and is confirmed with it', async () => {
    const me = await withSms.as(BSN.anna);
    const request = (method: string, path: string, body?: unknown) =>
      withSms.app.request(path, {
        method,
        headers: { ...me, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const set = await request('PUT', PATH, { language: 'nl', phone: '0612345678', channels: { email: false, sms: true } });
    expect(set.status).toBe(200);
    expect(await set.json()).toEqual({ language: 'nl', phone: { number: '+31612345678', verified: false }, channels: { email: false, sms: true } });
    const sms = await notify.waitFor((m) => m.channel === 'sms' && m.body.phone_number === '+31612345678');
    expect(sms.body.template_id).toBe(template(4));
    const code = sms.body.personalisation?.code;
    expect(code).toMatch(/^\d{6}$/);
    const message = await waitFor(async () => {
      const m = await withSms.db.selectFrom('notice_messages').selectAll().where('recipient', '=', '+31612345678').executeTakeFirst();
      return m?.state === 'sent' && m;
    });
    expect(JSON.stringify(message)).not.toContain(code);
    // The e-mail route does not confirm a phone number.
    expect((await request('POST', `${PATH}/email/verify`, { code })).status).toBe(422);
    const ok = await request('POST', `${PATH}/phone/verify`, { code });
    expect(ok.status).toBe(200);
    expect((await ok.json()).phone).toEqual({ number: '+31612345678', verified: true });
    expect(await findPreferences(withSms.db, { bsn: BSN.anna })).toMatchObject({ phone: { verified: true }, channels: { sms: true } });
  });
});
