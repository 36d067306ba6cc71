// The README's walk-through in a real browser (playwright-core driving Debian's Chromium): log in
// through the demo identity provider, see the case, see a part move after a simulator advances,
// grant a mandate, the proxy logs in and reads, the citizen's access log shows that read; a company
// representative sees the company's case and mandates an organisation, whose consumer-API read shows
// in the company's access log; and the operator dashboard. Screenshots go to test-artifacts/screenshots/ (kept by .ci/run).
//
// Without /usr/bin/chromium the tests are skipped with a message; .ci/run installs it. They run in
// the PGlite lane only: the pages' database work is covered on both lanes by test/web/, and a
// second browser run would only repeat the same clicks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserPages, browserSkipReason, launchChromium, loginAtDemoIdp } from './chromium.ts';
import type { Browser, Page } from 'playwright-core';
import { DEMO_COMPANY } from '../../src/demo/idp.ts';
import { authHeader, token } from '../helpers/gateway.ts';
import { CITIZEN, PROXY, REPRESENTATIVES, startWebChain, type WebChain } from '../web/helpers/web-chain.ts';

const lane = process.env.KS_TEST_LANE ?? 'pglite';
const skipReason = browserSkipReason();

if (skipReason) {
  describe('browser walk-through', () => {
    it.skip(`skipped: ${skipReason}`, () => {});
  });
  if (lane === 'pglite') console.warn(`[browser tests] skipped: ${skipReason}`);
} else {
  describe('browser walk-through', () => {
    let web: WebChain;
    let browser: Browser;
    let caseId: string;
    const pages = browserPages(() => browser);
    const { newPage, shot } = pages;

    beforeAll(async () => {
      web = await startWebChain();
      caseId = (await web.seed()).id;
      browser = await launchChromium();
    }, 90_000);

    afterAll(async () => {
      await pages.close();
      await browser?.close();
    });

    const login = (page: Page, who: { name: string }) => loginAtDemoIdp(page, web.base, who.name);

    let citizen: Page;

    it('the skip link is the first thing the keyboard reaches', async () => {
      const page = await newPage();
      await page.goto(`${web.base}/`);
      await page.keyboard.press('Tab');
      expect(await page.locator(':focus').textContent()).toBe('Naar de inhoud');
      await shot(page, '01-landing');
    });

    it('a citizen logs in at the identity provider and sees the case', async () => {
      citizen = await newPage();
      await citizen.goto(`${web.base}/`);
      await citizen.getByRole('link', { name: 'Inloggen' }).click();
      await citizen.getByRole('heading', { name: 'Inloggen bij de demo-inlogdienst' }).waitFor();
      await shot(citizen, '02-identity-provider');
      await citizen.getByLabel('Wachtwoord').fill('demo');
      await citizen.getByRole('button', { name: 'Inloggen' }).click();
      await citizen.waitForURL(`${web.base}/`);
      await expect(citizen.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Mijn zaken');
      await expect(citizen.getByRole('heading', { name: 'Woningaanpassing en traplift' }).isVisible()).resolves.toBe(true);
      expect(await citizen.getByText(`Ingelogd als ${CITIZEN.name}`).isVisible()).toBe(true);
      await shot(citizen, '03-my-cases');
    });

    it('sees a status change after a simulator advances', async () => {
      const db = web.chain.gateway.database.db;
      const order = await db
        .selectFrom('orders')
        .select(['id', 'remote_zaak_url'])
        .where('case_id', '=', caseId)
        .where('subcontractor', '=', 'hulpmiddelen-bv')
        .executeTakeFirstOrThrow();
      expect(await citizen.getByText('Wij hebben de opdracht voor uw traplift ontvangen.').count()).toBe(0);
      await web.chain.sims['hulpmiddelen-bv'].advance(order.remote_zaak_url!);
      await web.chain.waitFor(
        async () => (await db.selectFrom('orders').select('status').where('id', '=', order.id).executeTakeFirstOrThrow()).status !== null,
      );
      await citizen.reload();
      expect(await citizen.getByText('Wij hebben de opdracht voor uw traplift ontvangen.').isVisible()).toBe(true);
      await shot(citizen, '04-status-changed');
      await citizen.getByRole('link', { name: 'Woningaanpassing en traplift' }).first().click();
      await citizen.getByRole('heading', { name: 'Levering traplift — Hulpmiddelen B.V.' }).waitFor();
      await shot(citizen, '05-case-detail');
    });

    it('grants the proxy a mandate', async () => {
      await citizen.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Machtigingen' }).click();
      await citizen.getByLabel('Burgerservicenummer (BSN) van de gemachtigde').fill(PROXY.bsn);
      await citizen.getByLabel('Naam van de gemachtigde (niet verplicht)').fill('B. Jansen');
      await citizen.getByLabel('Welke zaken mag deze persoon inzien?').selectOption({ label: 'DEMO-1 — Woningaanpassing en traplift' });
      await citizen.getByRole('button', { name: 'Machtiging geven' }).click();
      await citizen.getByText('De machtiging is gegeven.').waitFor();
      expect(await citizen.getByRole('row', { name: /B\. Jansen/ }).isVisible()).toBe(true);
      await shot(citizen, '06-mandate-granted');
    });

    it('the proxy logs in and reads the case on behalf', async () => {
      const proxy = await newPage();
      await login(proxy, PROXY);
      await proxy.getByRole('link', { name: 'Machtigingen' }).click();
      await proxy.getByRole('link', { name: /Zaken inzien van/ }).click();
      await proxy.getByRole('heading', { name: /Zaken van \*+653/ }).waitFor();
      await proxy.getByRole('link', { name: 'Woningaanpassing en traplift' }).first().click();
      await proxy.getByRole('heading', { name: 'Levering traplift — Hulpmiddelen B.V.' }).waitFor();
      expect(proxy.url()).not.toContain(CITIZEN.bsn);
      await shot(proxy, '07-proxy-reads');
    });

    it('the citizen’s access log shows the proxy’s read', async () => {
      await citizen.getByRole('link', { name: 'Wie bekeek mijn gegevens' }).click();
      const row = citizen.getByRole('row', { name: /B\. Jansen \(\*+019\).*Inzage met uw machtiging/ }).first();
      await row.waitFor();
      expect(await row.isVisible()).toBe(true);
      await shot(citizen, '08-access-log');
    });

    it('the citizen page works in English', async () => {
      await citizen.getByRole('link', { name: 'English' }).click();
      await citizen.getByRole('heading', { name: 'Who viewed my data' }).waitFor();
      expect(await citizen.locator('html').getAttribute('lang')).toBe('en');
    });

    let representative: Page;

    it('a company representative logs in and sees the company’s case', async () => {
      representative = await newPage();
      await login(representative, REPRESENTATIVES.hanna);
      await expect(representative.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Zaken van Hostel De Zeemeeuw');
      await expect(representative.getByRole('heading', { name: 'Personeel aannemen' }).isVisible()).resolves.toBe(true);
      await shot(representative, '10-company-cases');
    });

    it('makes an overview of the company’s cases, with their progress', async () => {
      await representative.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Mijn overzichten' }).click();
      await representative.getByLabel('Naam van het overzicht').fill('Personeel voor het seizoen');
      await representative.getByRole('checkbox', { name: /Personeel aannemen/ }).check();
      await representative.getByRole('button', { name: 'Overzicht maken' }).click();
      await representative.getByText('Het overzicht is gemaakt.').waitFor();
      await representative.getByRole('heading', { name: 'Personeel voor het seizoen' }).first().waitFor();
      await representative.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Mijn overzichten' }).click();
      const row = representative.getByRole('row', { name: /Personeel voor het seizoen/ });
      expect(await row.isVisible()).toBe(true);
      expect(await row.textContent()).toMatch(/0 van 1|0\/1|0 of 1/);
      await shot(representative, '10b-company-overviews');
    });

    it('gives an organisation a mandate, whose read through the consumer API shows in the company’s access log', async () => {
      await representative.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Machtigingen' }).click();
      await representative.getByRole('radio', { name: 'Een organisatie die namens u meeleest' }).check();
      await representative.getByLabel('Organisatie', { exact: true }).selectOption({ label: 'Ondernemersportaal B.V.' });
      await representative.getByRole('button', { name: 'Machtiging geven' }).click();
      await representative.getByText('De machtiging is gegeven.').waitFor();
      expect(await representative.getByRole('row', { name: /Ondernemersportaal B\.V\. \(KvK 87654321\)/ }).isVisible()).toBe(true);

      const consumer = (path: string) => web.chain.gateway.app.request(`/api/v1/consumer${path}`, { headers: authHeader('leesportaal') });
      const mandates = (await (await consumer('/mandates')).json()) as { results: { id: string; grantor: { kvk?: string } }[] };
      const mandate = mandates.results.find((m) => m.grantor.kvk === DEMO_COMPANY.kvk)!;
      expect((await consumer(`/mandates/${mandate.id}/cases`)).status).toBe(200);

      await representative.getByRole('link', { name: 'Wie bekeek mijn gegevens' }).click();
      const row = representative.getByRole('row', { name: /Ondernemersportaal B\.V\. \(leesportaal\).*Inzage door een organisatie/ }).first();
      await row.waitFor();
      expect(await row.isVisible()).toBe(true);
      await shot(representative, '11-company-access-log');
    });

    it('an operator logs in with a ZGW token and sees the organisations', async () => {
      const ops = await newPage('en-GB');
      await ops.goto(`${web.base}/ops`);
      await ops.getByLabel('ZGW token (JWT)').fill(token('beheer'));
      await ops.getByRole('button', { name: 'Log in' }).click();
      await ops.getByRole('heading', { name: 'Organisations' }).waitFor();
      expect(await ops.getByRole('rowheader', { name: /Hulpmiddelen B\.V\./ }).isVisible()).toBe(true);
      await shot(ops, '09-ops-dashboard');
    });
  });
}
