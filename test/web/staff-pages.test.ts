// The staff pages through HTTP: staff sign-on at the demo provider (code + PKCE), each role on its
// own pages only (403 otherwise), the contact centre's lookup (the number in a POSTed form, never in
// a URL) and the customer seeing it, the worklist, the lead times with SVG charts, the strict CSP.
import { describe, expect, it } from 'vitest';
import { startTestGateway } from '../helpers/gateway.ts';
import { CITIZEN, csrfOf, loginAs, loginStaff, STAFF, startWebChain } from './helpers/web-chain.ts';
import { textOf, WebClient } from './helpers/web-client.ts';

const { chain, base, seed } = await startWebChain();
const seeded = await seed();
const db = chain.gateway.database.db;

const members = {} as Record<keyof typeof STAFF, WebClient>;
for (const role of Object.keys(STAFF) as (keyof typeof STAFF)[]) {
  members[role] = new WebClient({ 'accept-language': 'nl' });
  await loginStaff(members[role], base, STAFF[role]);
}

const PAGES: { path: string; admits: (keyof typeof STAFF)[] }[] = [
  { path: '/kcc', admits: ['kcc'] },
  { path: '/work', admits: ['caseworker'] },
  { path: '/work/analytics', admits: ['caseworker', 'operator'] },
  { path: '/work/analytics.csv', admits: ['caseworker', 'operator'] },
  { path: '/ops', admits: ['operator'] },
];

describe('staff sign-on and roles', () => {
  for (const page of PAGES) {
    for (const role of Object.keys(STAFF) as (keyof typeof STAFF)[]) {
      const admitted = page.admits.includes(role);
      it(`${page.path} as ${role}: ${admitted ? '200' : '403'}`, async () => {
        const res = await members[role].request(`${base}${page.path}`);
        expect(res.status).toBe(admitted ? 200 : 403);
        if (!admitted) expect(textOf(await res.text())).toContain('Deze pagina is niet voor uw rol.');
      });
    }
    it(`${page.path} without a session: to the staff login, coming back to the page`, async () => {
      const res = await new WebClient().request(`${base}${page.path}`);
      const login = `/auth/staff/login?returnTo=${encodeURIComponent(page.path)}`;
      if (page.path === '/ops') {
        // In the demo /ops also offers the pasted token, beside the staff login.
        expect(res.status).toBe(200);
        expect(await res.text()).toContain(`href="${login}"`);
        return;
      }
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe(login);
    });
  }

  it('the staff session is its own cookie, HttpOnly; the menu shows the member’s pages only', async () => {
    const cookie = members.caseworker.cookie('ks_staff')!;
    expect(cookie.attributes).toMatch(/HttpOnly/i);
    expect(members.caseworker.cookie('ks_session')).toBeUndefined();
    const html = await (await members.caseworker.request(`${base}/staff`)).text();
    expect(html).toContain('Ingelogd als Wim Werkman');
    expect(html).toMatch(/<a href="\/work"[^>]*>Werkvoorraad<\/a>/);
    expect(html).not.toContain('href="/kcc"');
    expect(html).not.toContain('href="/ops"');
  });

  it('an operator reaches /ops without pasting a token', async () => {
    const text = textOf(await (await members.operator.request(`${base}/ops`)).text());
    expect(text).toContain('Ingelogd als Olga Beheer');
    expect(text).toContain('Organisaties');
  });

  it('logging out ends the session (CSRF-checked)', async () => {
    const client = new WebClient({ 'accept-language': 'nl' });
    await loginStaff(client, base, STAFF.kcc);
    const html = await (await client.request(`${base}/kcc`)).text();
    expect((await client.post(`${base}/auth/staff/logout`, { _csrf: 'wrong' })).res.status).toBe(403);
    const out = await client.post(`${base}/auth/staff/logout`, { _csrf: csrfOf(html) });
    expect(out.url).toBe(`${base}/staff?done=logged-out`);
    expect((await client.request(`${base}/kcc`)).status).toBe(303);
  });
});

describe('the contact centre’s page', () => {
  const kcc = () => members.kcc;

  it('has a labelled form; a wrong number or no reason is shown next to the field and looks nobody up', async () => {
    const html = await (await kcc().request(`${base}/kcc`)).text();
    expect(html).toMatch(/<label for="customer">BSN of KvK-nummer<\/label>/);
    expect(html).toMatch(/<label for="purpose">Reden van het opzoeken<\/label>/);
    const before = await db.selectFrom('kcc_lookups').select('id').execute();
    const res = await kcc().post(`${base}/kcc`, { _csrf: csrfOf(html), customer: '123456789', purpose: '' });
    expect(res.res.status).toBe(400);
    const page = await res.res.text();
    expect(page).toMatch(/<div class="error-summary" role="alert"[\s\S]*<a href="#customer">Vul een geldig BSN/);
    expect(page).toMatch(/<a href="#purpose">Kies de reden van het opzoeken\.<\/a>/);
    expect(page).toMatch(/<input[^>]*id="customer"[^>]*aria-invalid="true">/);
    expect(await db.selectFrom('kcc_lookups').select('id').execute()).toHaveLength(before.length);
  });

  it('looks the customer up: the answer’s URL names the lookup, never the BSN; words to read out', async () => {
    const html = await (await kcc().request(`${base}/kcc`)).text();
    const res = await kcc().post(`${base}/kcc`, { _csrf: csrfOf(html), customer: CITIZEN.bsn, purpose: 'application-question' });
    expect(res.res.status).toBe(200);
    expect(res.url).toMatch(new RegExp(`^${base}/kcc/lookups/[0-9a-f-]{36}$`));
    for (const hop of kcc().hops) expect(`${hop.url} ${hop.location ?? ''}`).not.toContain(CITIZEN.bsn);
    const text = textOf(await res.res.text());
    expect(text).toContain('BSN ******653');
    expect(text).toContain('vraag over aanvraag');
    expect(text).toContain(`Zaak ${seeded.reference} "Woningaanpassing en traplift"`);
    expect(text).toMatch(/Levering traplift : Hulpmiddelen B\.V\. heeft de opdracht/);
    // Opening it again is allowed for 15 minutes, to this member only.
    expect((await kcc().request(res.url)).status).toBe(200);
    expect((await members.caseworker.request(res.url)).status).toBe(403);
  });

  it('the customer sees the lookup in “Wie bekeek mijn gegevens”', async () => {
    const citizen = new WebClient({ 'accept-language': 'nl' });
    await loginAs(citizen, base, CITIZEN.id);
    const text = textOf(await (await citizen.request(`${base}/access-log`)).text());
    expect(text).toContain('Klantcontactcentrum Gemeente Test — vraag over aanvraag');
  });
});

describe('the worklist page', () => {
  it('lists the cases that need someone with the reasons, parts and who has the ball; sortable headers', async () => {
    await db.updateTable('cases').set({ planned_end_date: '2020-01-31' }).where('id', '=', seeded.id).execute();
    const html = await (await members.caseworker.request(`${base}/work`)).text();
    expect(html).toMatch(/<caption id="worklist-caption">Zaken die aandacht nodig hebben \(1\)<\/caption>/);
    const text = textOf(html);
    expect(text).toContain(seeded.reference);
    expect(text).toContain('Datum verstreken: 31 januari 2020');
    expect(text).toMatch(/Levering traplift — Hulpmiddelen B\.V\. heeft de opdracht/);
    expect(html).toMatch(/<th scope="col" aria-sort="ascending"><a href="\/work\?sort=-updated">Bijgewerkt/);
    expect(html).toMatch(/<a href="\/work\?sort=reference">Zaak<\/a>/);
    const filtered = textOf(await (await members.caseworker.request(`${base}/work?reason=failed-order`)).text());
    expect(filtered).toContain('Er zijn geen zaken die aandacht nodig hebben.');
  });
});

describe('the lead-times page', () => {
  it('shows tables with captions and server-rendered SVG charts, under the strict CSP, with no script', async () => {
    const res = await members.caseworker.request(`${base}/work/analytics?groupBy=product`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(
      "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    const html = await res.text();
    expect(html).not.toMatch(/<script|style="/);
    expect(html).toMatch(/<caption id="open-caption">Lopende opdrachten per leeftijd sinds plaatsen, in dagen<\/caption>/);
    expect(html).toMatch(/<svg class="chart"[^>]*role="img" aria-labelledby="chart-open-title chart-open-desc"/);
    expect(html).toMatch(/<title id="chart-open-title">Lopende opdrachten naar leeftijd<\/title>/);
    expect(textOf(html)).toMatch(/Hulpmiddelen B\.V\. — Levering traplift 1 0 0 0/);
    expect(textOf(html)).toContain('In fase wacht op de klant');
    expect(html).toMatch(/<label for="from">Van<\/label><input type="date" id="from" name="from"/);
  });

  it('a wrong period is said, and the last 30 days are shown', async () => {
    const res = await members.operator.request(`${base}/work/analytics?from=2026-03-02&to=2026-03-01`);
    expect(res.status).toBe(400);
    expect(textOf(await res.text())).toContain('De periode klopt niet');
  });

  it('the CSV link downloads the same figures', async () => {
    const res = await members.operator.request(`${base}/work/analytics.csv?groupBy=subcontractor`);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect((await res.text()).split('\r\n')[0]).toMatch(/^subcontractor,subcontractor_name,product,product_name,finished,/);
  });
});

describe('outside the demo', () => {
  it('/ops sends the operator to the staff login and takes no pasted token', async () => {
    const { app } = await startTestGateway({
      env: { DEMO: 'false', SESSION_SECRET: 's'.repeat(40), STAFF_OIDC_ISSUER: 'http://127.0.0.1:9', STAFF_OIDC_CLIENT_ID: 'ketenstatus-staff' },
    });
    const page = await app.request('/ops', { headers: { accept: 'text/html' } });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/auth/staff/login?returnTo=%2Fops');
    const paste = await app.request('/ops/login', {
      method: 'POST',
      headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'token=x',
    });
    expect(paste.status).toBe(404);
  });

  it('without staff sign-on configured /ops says so (503)', async () => {
    const { app } = await startTestGateway({ env: { DEMO: 'false', SESSION_SECRET: 's'.repeat(40) } });
    const page = await app.request('/ops', { headers: { accept: 'text/html' } });
    expect(page.status).toBe(503);
    expect(textOf(await page.text())).toContain('Inloggen voor medewerkers is op deze installatie niet ingesteld');
  });
});
