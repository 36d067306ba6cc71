// The citizen page over real HTTP, without a browser: the OIDC round trip through the demo identity
// provider, the session cookie, my cases with the combined status, gaps and timelines, languages,
// HTML errors, and the access log. (The Chromium walk-through is test/browser/.)
import { describe, expect, it } from 'vitest';
import { CITIZEN, csrfOf, loginAs, startWebChain } from './helpers/web-chain.ts';
import { textOf, WebClient } from './helpers/web-client.ts';

const { chain, base, seed } = await startWebChain();
const seeded = await seed();
const db = chain.gateway.database.db;

const loggedIn = async (headers: Record<string, string> = { 'accept-language': 'nl' }) => {
  const client = new WebClient(headers);
  const result = await loginAs(client, base, CITIZEN.id);
  expect(result.res.status).toBe(200);
  return { client, ...result };
};

describe('the landing page', () => {
  it('is Dutch by default, accessible, and offers the login', async () => {
    const res = await new WebClient().request(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).toContain('<html lang="nl">');
    expect(html).toMatch(/<a class="skip" href="#main">Naar de inhoud<\/a>/);
    expect(html).toContain('<main id="main"');
    expect(html).toMatch(/<h1>Volg uw aanvraag<\/h1>/);
    expect(html).toContain('href="/auth/login"');
  });

  it('follows Accept-Language, and ?lang= is remembered in a cookie', async () => {
    expect(await (await new WebClient({ 'accept-language': 'en-GB,en;q=0.9' }).request(`${base}/`)).text()).toContain('<html lang="en">');
    const client = new WebClient({ 'accept-language': 'nl' });
    expect(await (await client.request(`${base}/?lang=en`)).text()).toContain('Follow your application');
    expect(client.cookie('ks_lang')?.value).toBe('en');
    expect(await (await client.request(`${base}/`)).text()).toContain('<html lang="en">');
  });

  it('leaves the API alone: problem+json errors and no page cookies', async () => {
    const res = await new WebClient().request(`${base}/api/v1/cases?lang=en`);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('set-cookie')).toBeNull();
  });
});

describe('logging in', () => {
  it('runs the authorization code flow with PKCE and ends on my cases with a server-side session', async () => {
    const { client, url, body, res } = await loggedIn();
    expect(url).toBe(`${base}/`);
    expect(res.status).toBe(200);
    const authorize = client.hops.find((h) => h.location?.includes('/auth?'))?.location ?? client.hops.find((h) => h.url.includes('/auth?'))?.url;
    const params = new URL(authorize!, chain.gateway.url).searchParams;
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(params.get('state')).toBeTruthy();
    expect(params.get('nonce')).toBeTruthy();
    expect(textOf(body)).toContain(`Ingelogd als ${CITIZEN.name}`);
    expect(textOf(body)).toContain('Woningaanpassing en traplift');

    const session = client.cookie('ks_session')!;
    expect(session.attributes).toMatch(/HttpOnly/i);
    expect(session.attributes).toMatch(/SameSite=Lax/i);
    expect(session.path).toBe('/');
    expect(client.cookie('ks_login')).toBeUndefined();
    // The BSN is nowhere the browser can see it: not in a cookie, not in any URL of the round trip.
    for (const c of client.cookies) expect(decodeURIComponent(c.value)).not.toContain(CITIZEN.bsn);
    for (const hop of client.hops) expect(`${hop.url} ${hop.location ?? ''}`).not.toContain(CITIZEN.bsn);
    // Only the token's hash is stored, and the session's data (the access token) only encrypted.
    const rows = await db.selectFrom('web_sessions').select(['id_hash', 'kind', 'data']).where('kind', '=', 'citizen').execute();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.map((r) => r.id_hash)).not.toContain(decodeURIComponent(session.value).split('.')[0]);
    for (const row of rows) {
      expect(Object.keys(row.data).sort()).toEqual(['ct', 'iv', 'tag', 'v']);
      // A JWT in clear is header.payload (both `eyJ…`); the ciphertext is base64url, so it has no dot but may hold `eyJ` by chance.
      expect(JSON.stringify(row.data)).not.toMatch(/eyJ[\w-]*\.eyJ|Vries/);
    }
  });

  it('refuses a replayed callback and a callback without its login cookie', async () => {
    const { client } = await loggedIn();
    const callback = client.hops.find((h) => h.url.startsWith(`${base}/auth/callback`))!.url;
    const again = await client.request(callback);
    expect(again.status).toBe(400);
    expect(textOf(await again.text())).toContain('Uw inlogpoging is verlopen of ongeldig');
    const stranger = await new WebClient().request(callback);
    expect(stranger.status).toBe(400);
    expect(stranger.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('sends a deep link through the login and back; never to another site', async () => {
    const client = new WebClient();
    const res = await client.request(`${base}/access-log`);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/auth/login?returnTo=%2Faccess-log');
    expect((await loginAs(client, base, CITIZEN.id, '/access-log')).url).toBe(`${base}/access-log`);
    expect((await loginAs(new WebClient(), base, CITIZEN.id, '//evil.example/x')).url).toBe(`${base}/`);
  });

  it('logs out with the session CSRF token only, and the old cookie is dead afterwards', async () => {
    const { client, body } = await loggedIn();
    const old = client.cookie('ks_session')!.value;
    expect((await client.post(`${base}/auth/logout`, { _csrf: 'wrong' })).res.status).toBe(403);
    const out = await client.post(`${base}/auth/logout`, { _csrf: csrfOf(body) });
    expect(out.url).toBe(`${base}/?done=logged-out`);
    expect(textOf(await out.res.text())).toContain('U bent uitgelogd.');
    expect(client.cookie('ks_session')).toBeUndefined();
    const replay = await new WebClient().request(`${base}/mandates`, { headers: { cookie: `ks_session=${old}` } });
    expect(replay.status).toBe(303);
  });
});

describe('my cases', () => {
  it('shows the combined status, who has the ball, progress and each part', async () => {
    const { body } = await loggedIn();
    const text = textOf(body);
    expect(text).toContain('Zaaknummer DEMO-1');
    expect(text).toContain('Status Ontvangen'); // no part has a status yet: the least advanced counts
    expect(text).toMatch(/Wie is aan zet (Hulpmiddelen B\.V\.|Bouwbedrijf De Steiger)/);
    expect(text).toContain('0 van 2 onderdelen klaar');
    expect(text).toContain('Levering traplift Hulpmiddelen B.V.');
    expect(text).toContain('Woningaanpassing Bouwbedrijf De Steiger');
  });

  it('shows a status change after a subcontractor advances (a real notification and re-query)', async () => {
    const order = await db
      .selectFrom('orders')
      .select(['id', 'remote_zaak_url'])
      .where('case_id', '=', seeded.id)
      .where('subcontractor', '=', 'hulpmiddelen-bv')
      .executeTakeFirstOrThrow();
    await chain.sims['hulpmiddelen-bv'].advance(order.remote_zaak_url!);
    await chain.waitFor(async () => {
      const row = await db.selectFrom('orders').select('status').where('id', '=', order.id).executeTakeFirstOrThrow();
      return row.status !== null;
    });
    const { body } = await loggedIn();
    expect(textOf(body)).toContain('Wij hebben de opdracht voor uw traplift ontvangen.');
  });

  it('says in plain language when a part may be out of date, in Dutch and English', async () => {
    const since = new Date(Date.now() - 22 * 86_400_000);
    const day = (locale: string) => new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'long', timeZone: 'Europe/Amsterdam' }).format(since);
    await db
      .updateTable('orders')
      .set({ last_synced_at: since, next_poll_at: new Date(Date.now() + 86_400_000), sync_state: 'fresh' })
      .where('case_id', '=', seeded.id)
      .where('subcontractor', '=', 'hulpmiddelen-bv')
      .execute();
    const { client, body } = await loggedIn();
    expect(textOf(body)).toContain(`Hulpmiddelen B.V. heeft sinds ${day('nl-NL')} geen update gestuurd; dit deel is mogelijk niet actueel.`);
    const english = textOf(await (await client.request(`${base}/?lang=en`)).text());
    expect(english).toContain(`Hulpmiddelen B.V. has sent no update since ${day('en-GB')}; this part may be out of date.`);
    expect(english).toContain('My cases');
    await db.updateTable('orders').set({ last_synced_at: new Date(), next_poll_at: new Date() }).where('case_id', '=', seeded.id).execute();
  });

  it('shows the case with each part’s timeline, and another person’s case as a 404 page', async () => {
    const { client } = await loggedIn();
    const res = await client.request(`${base}/cases/${seeded.id}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/<h3 id="part-[^"]+">Levering traplift — Hulpmiddelen B\.V\.<\/h3>/);
    expect(html).toMatch(/<ol class="timeline"[^>]*>[\s\S]*traplift ontvangen/);
    for (const path of ['/cases/00000000-0000-4000-8000-000000000000', '/cases/not-a-case']) {
      const missing = await client.request(`${base}${path}`);
      expect(missing.status).toBe(404);
      expect(missing.headers.get('content-type')).toMatch(/^text\/html/);
      expect(textOf(await missing.text())).toContain('Deze zaak bestaat niet, of u mag hem niet bekijken.');
    }
  });

  it('lists the citizen’s own reads in “who viewed my data”', async () => {
    const { client } = await loggedIn();
    const html = await (await client.request(`${base}/access-log`)).text();
    expect(textOf(html)).toMatch(/U zelf U bekeek uw zaak DEMO-1/);
  });
});
