// The partner page (/partner) through HTTP as a browser uses it: sign-in with a one-time link mailed
// through a real SMTP sink (works once, expires, the same answer for an address that is no contact,
// rate-limited per address), the organisation's assignments, one assignment with its forms (status,
// message, showing a mailed reply to the customer), CSRF and origin checks, another organisation's
// assignment 404, several organisations for one address, Dutch and English.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { portalOrganisation } from '../helpers/fixtures.ts';
import { authHeader, startTestGateway, subcontractorClient, testNetwork } from '../helpers/gateway.ts';
import { freePort } from '../helpers/ports.ts';
import { startMailSink } from '../helpers/smtp.ts';
import { csrfOf } from './helpers/web-chain.ts';
import { textOf, WebClient } from './helpers/web-client.ts';

const BOUWER = 'klusbedrijf-test';
const ANDER = 'ander-bv';
const DUBBEL = 'dubbel-bv';
const CONTACT = `planning@${BOUWER}.example`;
/** A contact of two organisations. */
const SHARED = 'gedeeld@voorbeeld.example';

const sink = await startMailSink();
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const network = testNetwork(
  [
    portalOrganisation(BOUWER, { name: 'Klusbedrijf Test', portal: { contacts: [{ name: 'Planning', email: 'Planning@Klusbedrijf-Test.example' }] } }),
    portalOrganisation(ANDER, {
      name: 'Ander Bouw',
      portal: {
        contacts: [
          { name: 'Planning', email: `planning@${ANDER}.example` },
          { name: 'Gedeeld', email: SHARED },
        ],
      },
    }),
    portalOrganisation(DUBBEL, { name: 'Dubbel Bouw', portal: { contacts: [{ name: 'Gedeeld', email: SHARED }] } }),
  ],
  [subcontractorClient(BOUWER)],
);
const gateway = await startTestGateway({
  network,
  listen: true,
  env: {
    PORT: String(port),
    PUBLIC_BASE_URL: base,
    SMTP_URL: sink.url,
    MAIL_FROM: 'Gemeente Test <noreply@gemeente.example>',
    MAIL_REPLY_DOMAIN: 'reply.gemeente.example',
  },
});
const db = gateway.database.db;

const api = async (path: string, body?: unknown, client: 'zac' | 'bouwer' = 'zac') => {
  const res = await gateway.app.request(path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { ...authHeader(client), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as any;
};

/** A case with an assignment at `organisation` (product drempelhulp). */
async function assignment(organisation = BOUWER, description = 'Drempel achterdeur weghalen') {
  const c = await api('/api/v1/cases', {
    title: 'Woningaanpassing',
    citizen: { bsn: '111222333' },
    reference: `ZK-${Math.random().toString(36).slice(2, 8)}`,
    plannedEndDate: '2027-01-31',
    deadline: '2027-02-28',
  });
  const o = await api(`/api/v1/cases/${c.id}/orders`, { subcontractor: organisation, product: 'drempelhulp', description });
  return { caseId: c.id as string, orderId: o.id as string, reference: c.reference as string };
}

const seen = new Set<string>();
/** The next sign-in mail to `address` not taken before, and its link's token. */
async function nextLoginMail(address: string) {
  const mail = await sink.waitFor((m) => m.to.includes(address) && m.subject.includes('partnerpagina') && !seen.has(m.messageId ?? ''));
  seen.add(mail.messageId ?? '');
  const token = /\/partner\/login\/([a-zA-Z]{43})\b/.exec(mail.text)?.[1];
  if (!token) throw new Error(`no link in the mail: ${mail.text}`);
  return { mail, token };
}

const loginMails = async () =>
  Number(
    (
      await db
        .selectFrom('mail_outbox')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('kind', '=', 'partner.login')
        .executeTakeFirstOrThrow()
    ).n,
  );

/** Asks for a link on the sign-in page; the raw answer to the POST (303) and where it leads. */
async function askLink(client: WebClient, email: string) {
  const page = await (await client.request(`${base}/partner`)).text();
  const res = await client.request(`${base}/partner/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base },
    body: new URLSearchParams({ _csrf: csrfOf(page), email }).toString(),
  });
  return res;
}

/** The rate limit's window passes: earlier requests no longer count (the tests sign in more often than five times in fifteen minutes). */
const windowPasses = () =>
  db
    .updateTable('partner_login_links')
    .set({ created_at: new Date(Date.now() - 3_600_000) })
    .execute();

/** Signs a new browser in through the mailed link. */
async function signedIn(address = CONTACT, headers: Record<string, string> = { 'accept-language': 'nl' }) {
  await windowPasses();
  const client = new WebClient(headers);
  await askLink(client, address);
  const { token } = await nextLoginMail(address);
  const confirm = await (await client.request(`${base}/partner/login/${token}`)).text();
  const done = await client.post(`${base}/partner/login/${token}`, { _csrf: csrfOf(confirm) });
  if (done.res.status !== 200) throw new Error(`sign-in: ${done.res.status} at ${done.url}`);
  return { client, page: await done.res.text() };
}

const first = await assignment();

describe('signing in with a mailed link', () => {
  it('mails a link to a registered contact that signs in once, after a button (opening it uses nothing up)', async () => {
    const client = new WebClient({ 'accept-language': 'nl' });
    const start = await (await client.request(`${base}/partner`)).text();
    expect(start).toMatch(/<h1>Partnerpagina<\/h1>/);
    expect(start).toMatch(/<label for="email">Uw e-mailadres<\/label>/);
    // Case does not matter; the mail goes to the address as registered.
    const asked = await askLink(client, ` ${CONTACT.toUpperCase()} `);
    expect(asked.status).toBe(303);
    expect(asked.headers.get('location')).toBe('/partner/sent');
    const { mail, token } = await nextLoginMail('planning@klusbedrijf-test.example');
    expect(mail.to).toEqual(['planning@klusbedrijf-test.example']);
    expect(mail.text).toContain('Klusbedrijf Test');
    expect(mail.text).toContain(`${base}/partner/login/${token}`);
    expect(mail.replyTo).toBeUndefined();
    // Only the token's hash is stored.
    const rows = await db.selectFrom('partner_login_links').selectAll().execute();
    expect(rows.some((r) => r.token_hash === createHash('sha256').update(token).digest('base64url'))).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(token);

    // A mail scanner may open the link first: a GET shows a button and uses nothing up.
    const browser = new WebClient({ 'accept-language': 'nl' });
    await browser.request(`${base}/partner/login/${token}`);
    const confirm = await browser.request(`${base}/partner/login/${token}`);
    expect(confirm.status).toBe(200);
    const confirmPage = await confirm.text();
    expect(textOf(confirmPage)).toContain(`U logt in als ${'planning@klusbedrijf-test.example'}.`);
    const done = await browser.request(`${base}/partner/login/${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base },
      body: new URLSearchParams({ _csrf: csrfOf(confirmPage) }).toString(),
    });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/partner');
    expect(browser.cookie('ks_partner')?.attributes).toMatch(/HttpOnly/);
    const list = await (await browser.request(`${base}/partner`)).text();
    expect(list).toMatch(/<h1>Open opdrachten<\/h1>/);
    expect(textOf(list)).toContain(first.reference);
    expect(textOf(list)).toContain('Ingelogd als planning@klusbedrijf-test.example (Klusbedrijf Test)');

    // The second use, from any browser, is refused.
    const again = new WebClient();
    expect((await again.request(`${base}/partner/login/${token}`)).status).toBe(410);
    const second = await again.post(`${base}/partner/login/${token}`, { _csrf: csrfOf(confirmPage) });
    expect(second.res.status).toBe(403); // another browser: its form token is not this one's
    const replay = await browser.post(`${base}/partner/login/${token}`, { _csrf: csrfOf(confirmPage) });
    expect(replay.res.status).toBe(410);
    expect(textOf(await replay.res.text())).toContain('De link is verlopen of al gebruikt.');
  });

  it('refuses an expired link', async () => {
    const client = new WebClient();
    await askLink(client, CONTACT);
    const { token } = await nextLoginMail(CONTACT);
    await db
      .updateTable('partner_login_links')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('token_hash', '=', createHash('sha256').update(token).digest('base64url'))
      .execute();
    const page = await client.request(`${base}/partner/login/${token}`);
    expect(page.status).toBe(410);
    const post = await client.post(`${base}/partner/login/${token}`, { _csrf: csrfOf(await (await client.request(`${base}/partner`)).text()) });
    expect(post.res.status).toBe(410);
    expect(client.cookie('ks_partner')).toBeUndefined();
  });

  it('answers an unknown address exactly as a contact, and mails nothing', async () => {
    const before = await loginMails();
    const stranger = await askLink(new WebClient(), 'iemand@elders.example');
    const contact = await askLink(new WebClient(), CONTACT);
    expect([stranger.status, stranger.headers.get('location')]).toEqual([contact.status, contact.headers.get('location')]);
    const sentPage = async () => (await new WebClient().request(`${base}/partner/sent`)).text();
    expect(textOf(await sentPage())).toContain('Als dit adres bij ons is geregistreerd, is er een inloglink naar onderweg.');
    await nextLoginMail(CONTACT);
    expect(await loginMails()).toBe(before + 1);
    // The request is kept all the same (its token never sent), for the same work and the rate limit.
    const strangers = await db.selectFrom('partner_login_links').select('email').where('email', 'is', null).execute();
    expect(strangers.length).toBeGreaterThan(0);
  });

  it('sends at most five links per address in fifteen minutes, answering the same', async () => {
    const address = `planning@${ANDER}.example`;
    const before = await loginMails();
    for (let i = 0; i < 7; i++) expect((await askLink(new WebClient(), address)).headers.get('location')).toBe('/partner/sent');
    expect(await loginMails()).toBe(before + 5);
  });

  it('shows a typing error next to the field, and refuses a post without the form token or from another site', async () => {
    const client = new WebClient({ 'accept-language': 'nl' });
    const page = await (await client.request(`${base}/partner`)).text();
    const bad = await client.post(`${base}/partner/login`, { _csrf: csrfOf(page), email: 'geen adres' });
    expect(bad.res.status).toBe(400);
    const html = await bad.res.text();
    expect(html).toMatch(/<div class="error-summary" role="alert"[\s\S]*<a href="#email">Vul een geldig e-mailadres in/);
    expect(html).toMatch(/<input type="email" id="email"[^>]*aria-describedby="email-hint email-error" aria-invalid="true">/);
    const before = await loginMails();
    expect((await client.post(`${base}/partner/login`, { email: CONTACT })).res.status).toBe(403);
    expect((await client.post(`${base}/partner/login`, { _csrf: csrfOf(page), email: CONTACT }, 'https://evil.example')).res.status).toBe(403);
    expect((await new WebClient().post(`${base}/partner/login`, { _csrf: csrfOf(page), email: CONTACT })).res.status).toBe(403);
    expect(await loginMails()).toBe(before);
  });
});

describe('the assignments', () => {
  it('shows one with what the job needs, and takes a status from the product’s list', async () => {
    const { client } = await signedIn();
    const a = await assignment(BOUWER, 'Drempel voordeur, let op de hond');
    const page = await (await client.request(`${base}/partner/assignments/${a.orderId}`)).text();
    const text = textOf(page);
    expect(page).toMatch(/<h1>Drempelhulp — ZK-/);
    for (const fact of [a.reference, 'Drempel voordeur, let op de hond', '31 januari 2027', '28 februari 2027', 'Nog geen status'])
      expect(text).toContain(fact);
    expect(page).toMatch(/<label for="status">Nieuwe status<\/label>/);
    expect(page).toMatch(/<option value="bezig">Wordt geplaatst \(klant ziet: In behandeling\)<\/option>/);
    expect(page).toMatch(/<label for="text">Uw bericht aan de opdrachtgever<\/label>/);

    // Nothing chosen, an unknown code, a note too long: shown at the field, nothing set.
    const csrf = csrfOf(page);
    const none = await client.post(`${base}/partner/assignments/${a.orderId}/status`, { _csrf: csrf, status: '', text: '' });
    expect(none.res.status).toBe(400);
    expect(await none.res.text()).toMatch(/<a href="#status">Kies een status uit de lijst\.<\/a>/);
    expect((await client.post(`${base}/partner/assignments/${a.orderId}/status`, { _csrf: csrf, status: 'gesloopt', text: '' })).res.status).toBe(422);
    const long = await client.post(`${base}/partner/assignments/${a.orderId}/status`, { _csrf: csrf, status: 'bezig', text: 'x'.repeat(1001) });
    expect(long.res.status).toBe(400);
    expect(await long.res.text()).toMatch(/<textarea id="statusText"[^>]*aria-invalid="true">x{1001}<\/textarea>/);
    expect((await api(`/api/v1/orders/${a.orderId}`)).status).toBeNull();

    const set = await client.post(`${base}/partner/assignments/${a.orderId}/status`, { _csrf: csrf, status: 'bezig', text: 'Start maandag' });
    expect(set.url).toBe(`${base}/partner/assignments/${a.orderId}?done=status`);
    expect(textOf(await set.res.text())).toContain('De status is doorgegeven.');
    const order = await api(`/api/v1/orders/${a.orderId}`);
    expect(order.status).toMatchObject({ code: 'bezig', phase: 'in_behandeling', toelichting: 'Start maandag' });
    const timeline = (await api(`/api/v1/cases/${a.caseId}`)).timeline;
    expect(timeline.some((e: any) => e.kind === 'status' && e.text === 'Wordt geplaatst — Start maandag')).toBe(true);
  });

  it('closes with a final status: listed under closed, no more statuses', async () => {
    const { client } = await signedIn();
    const a = await assignment();
    const csrf = csrfOf(await (await client.request(`${base}/partner/assignments/${a.orderId}`)).text());
    await client.post(`${base}/partner/assignments/${a.orderId}/status`, { _csrf: csrf, status: 'klaar', text: '' });
    expect(textOf(await (await client.request(`${base}/partner`)).text())).not.toContain(a.reference);
    expect(textOf(await (await client.request(`${base}/partner?state=closed`)).text())).toContain(a.reference);
    const closed = await (await client.request(`${base}/partner/assignments/${a.orderId}`)).text();
    expect(textOf(closed)).toContain('Deze opdracht is afgerond: er kan geen status meer bij.');
    expect(closed).not.toContain('<select id="status"');
    const late = await client.post(`${base}/partner/assignments/${a.orderId}/status`, { _csrf: csrf, status: 'bezig', text: '' });
    expect(late.res.status).toBe(409);
  });

  it('writes a message to the supplier, for the customer too when ticked', async () => {
    const { client } = await signedIn();
    const a = await assignment();
    const csrf = csrfOf(await (await client.request(`${base}/partner/assignments/${a.orderId}`)).text());
    const empty = await client.post(`${base}/partner/assignments/${a.orderId}/messages`, { _csrf: csrf, text: '   ' });
    expect(empty.res.status).toBe(400);
    expect(await empty.res.text()).toMatch(/<a href="#text">Schrijf een bericht van hoogstens 4000 tekens\.<\/a>/);
    await client.post(`${base}/partner/assignments/${a.orderId}/messages`, { _csrf: csrf, text: 'Sleutel bij de buren?' });
    const done = await client.post(`${base}/partner/assignments/${a.orderId}/messages`, { _csrf: csrf, text: 'Wij komen dinsdag.', visibleToCitizen: 'yes' });
    expect(done.url).toMatch(/\?done=message#message-\d+$/);
    const messages = (await api(`/api/v1/partner/assignments/${a.orderId}`, undefined, 'bouwer')).messages;
    expect(messages).toMatchObject([
      { text: 'Sleutel bij de buren?', channel: 'portal', author: 'planning@klusbedrijf-test.example', visibleToCitizen: false },
      { text: 'Wij komen dinsdag.', channel: 'portal', visibleToCitizen: true },
    ]);
    const page = textOf(await done.res.text());
    expect(page).toContain('Van Klusbedrijf Test (u)');
    expect(page).toContain('Wij komen dinsdag.');
  });

  it('shows a reply that came by e-mail to the customer on request, and hides it again', async () => {
    const { client } = await signedIn();
    const a = await assignment();
    const { reply_token } = await db.selectFrom('assignments').select('reply_token').where('order_id', '=', a.orderId).executeTakeFirstOrThrow();
    const reply = await gateway.partner.receiveReply(reply_token, 'planning@klusbedrijf-test.example', 'Donderdag lukt, 8 uur.', ['foto.jpg']);
    if (!reply.stored) throw new Error(reply.reason);
    const page = await (await client.request(`${base}/partner/assignments/${a.orderId}`)).text();
    expect(textOf(page)).toContain('Bijlagen (niet bewaard): foto.jpg');
    expect(page).toContain(`action="/partner/assignments/${a.orderId}/messages/${reply.messageId}/visibility"`);
    const shown = await client.post(`${base}/partner/assignments/${a.orderId}/messages/${reply.messageId}/visibility`, {
      _csrf: csrfOf(page),
      visible: 'true',
    });
    expect(textOf(await shown.res.text())).toContain('Het bericht is nu zichtbaar voor de klant.');
    const visible = async () => (await api(`/api/v1/partner/assignments/${a.orderId}`, undefined, 'bouwer')).messages[0].visibleToCitizen;
    expect(await visible()).toBe(true);
    await client.post(`${base}/partner/assignments/${a.orderId}/messages/${reply.messageId}/visibility`, { _csrf: csrfOf(page), visible: 'false' });
    expect(await visible()).toBe(false);
  });

  it("answers another organisation's assignment and an unknown id with the same 404, reading or writing", async () => {
    const { client, page } = await signedIn();
    const theirs = await assignment(ANDER);
    const csrf = csrfOf(page);
    for (const id of [theirs.orderId, '00000000-0000-4000-8000-000000000000', 'geen-id']) {
      const res = await client.request(`${base}/partner/assignments/${id}`);
      expect(res.status).toBe(404);
      expect(textOf(await res.text())).toContain('Deze opdracht bestaat niet, of is niet voor uw organisatie.');
      expect((await client.post(`${base}/partner/assignments/${id}/status`, { _csrf: csrf, status: 'bezig', text: '' })).res.status).toBe(404);
      expect((await client.post(`${base}/partner/assignments/${id}/messages`, { _csrf: csrf, text: 'Hallo' })).res.status).toBe(404);
    }
    expect((await api(`/api/v1/orders/${theirs.orderId}`)).status).toBeNull();
    expect(textOf(await (await client.request(`${base}/partner`)).text())).not.toContain(theirs.reference);
  });

  it('refuses every form without the session’s CSRF token or from another site', async () => {
    const { client, page } = await signedIn();
    const csrf = csrfOf(page);
    const other = csrfOf((await signedIn()).page);
    const path = `${base}/partner/assignments/${first.orderId}`;
    for (const [url, fields] of [
      [`${path}/status`, { status: 'bezig' }],
      [`${path}/messages`, { text: 'Hallo' }],
      [`${base}/partner/logout`, {}],
    ] as const) {
      expect((await client.post(url, fields)).res.status, url).toBe(403);
      expect((await client.post(url, { ...fields, _csrf: other })).res.status, url).toBe(403);
      expect((await client.post(url, { ...fields, _csrf: csrf }, 'https://evil.example')).res.status, url).toBe(403);
    }
    expect((await api(`/api/v1/orders/${first.orderId}`)).status).toBeNull();
  });

  it('needs a sign-in, and ends with the logout', async () => {
    const anonymous = new WebClient();
    const res = await anonymous.request(`${base}/partner/assignments/${first.orderId}`);
    expect([res.status, res.headers.get('location')]).toEqual([303, '/partner']);
    const { client, page } = await signedIn();
    const out = await client.post(`${base}/partner/logout`, { _csrf: csrfOf(page) });
    expect(out.url).toBe(`${base}/partner?done=logged-out`);
    expect(textOf(await out.res.text())).toContain('U bent uitgelogd.');
    expect((await client.request(`${base}/partner/assignments/${first.orderId}`)).status).toBe(303);
  });

  it('lets an address of two organisations choose, and acts for the one chosen only', async () => {
    const ours = await assignment(DUBBEL);
    const { client, page } = await signedIn(SHARED);
    expect(page).toMatch(/<h1>Kies uw organisatie<\/h1>/);
    expect((await client.request(`${base}/partner/assignments/${ours.orderId}`)).status).toBe(303);
    const chosen = await client.post(`${base}/partner/organisation`, { _csrf: csrfOf(page), organisation: DUBBEL });
    const list = textOf(await chosen.res.text());
    expect(list).toContain('Opdrachten voor Dubbel Bouw');
    expect(list).toContain(ours.reference);
    expect((await client.request(`${base}/partner/assignments/${ours.orderId}`)).status).toBe(200);
    // Not an organisation of this address: refused.
    const csrf = csrfOf(await (await client.request(`${base}/partner`)).text());
    expect((await client.post(`${base}/partner/organisation`, { _csrf: csrf, organisation: BOUWER })).res.status).toBe(400);
  });

  it('signs out a contact the operator removes, at the next request', async () => {
    const { client, page } = await signedIn(SHARED);
    await client.post(`${base}/partner/organisation`, { _csrf: csrfOf(page), organisation: DUBBEL });
    // Removed at one of its organisations: the other is left to choose.
    const dubbel = network.organisations.find((o) => o.id === DUBBEL)!;
    await gateway.network.put(DUBBEL, { ...dubbel, portal: { contacts: [{ name: 'Planning', email: `planning@${DUBBEL}.example` }] } }, 'beheer');
    const left = await client.request(`${base}/partner`);
    expect(await left.text()).toMatch(/<h1>Kies uw organisatie<\/h1>[\s\S]*Ander Bouw/);
    const ander = network.organisations.find((o) => o.id === ANDER)!;
    await gateway.network.put(ANDER, { ...ander, portal: { contacts: [{ name: 'Planning', email: `planning@${ANDER}.example` }] } }, 'beheer');
    const out = await client.follow(`${base}/partner`);
    expect(out.url).toBe(`${base}/partner?done=ended`);
    expect(textOf(await out.res.text())).toContain('U bent uitgelogd: uw e-mailadres staat niet meer bij een organisatie geregistreerd.');
    expect(client.cookie('ks_partner')).toBeUndefined();
  });
});

describe('in English', () => {
  it('shows the pages in English when asked, and the statuses by their English names', async () => {
    const { client } = await signedIn(CONTACT, { 'accept-language': 'en' });
    const list = await (await client.request(`${base}/partner`)).text();
    expect(list).toMatch(/<html lang="en">/);
    expect(list).toMatch(/<h1>Open assignments<\/h1>/);
    const detail = await (await client.request(`${base}/partner/assignments/${first.orderId}`)).text();
    expect(detail).toMatch(/<h1>Threshold ramp — /);
    expect(detail).toMatch(/<option value="bezig">Being installed \(customer sees: In progress\)<\/option>/);
    expect(textOf(detail)).toContain('Pass on a status');
    const dutch = await (await client.request(`${base}/partner/assignments/${first.orderId}?lang=nl`)).text();
    expect(dutch).toMatch(/<html lang="nl">/);
    expect(textOf(dutch)).toContain('Status doorgeven');
  });
});
