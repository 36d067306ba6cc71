// The staff channel in a real browser (playwright-core driving Debian's Chromium): a contact-centre
// employee signs on at the demo identity provider, looks the demo citizen up (the BSN typed into a
// form, never in the address bar) and reads the answer; the citizen then sees that lookup in her
// access log; a caseworker sees the worklist and the lead-time charts. Screenshots go to
// test-artifacts/screenshots/. Skipped with a message without /usr/bin/chromium; PGlite lane only.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CITIZEN, startWebChain, type WebChain } from '../web/helpers/web-chain.ts';
import { browserPages, browserSkipReason, launchChromium, loginAtDemoIdp } from './chromium.ts';

const lane = process.env.KS_TEST_LANE ?? 'pglite';
const skipReason = browserSkipReason();

if (skipReason || lane !== 'pglite') {
  describe('staff pages in the browser', () => {
    it.skip(`skipped: ${skipReason ?? 'PGlite lane only'}`, () => {});
  });
} else {
  describe('staff pages in the browser', () => {
    let web: WebChain;
    let browser: Browser;
    let reference: string;
    const pages = browserPages(() => browser, { width: 1100, height: 800 });
    const { newPage, shot } = pages;

    beforeAll(async () => {
      web = await startWebChain();
      reference = (await web.seed()).reference;
      browser = await launchChromium();
    }, 90_000);

    afterAll(async () => {
      await pages.close();
      await browser?.close();
    });

    const signOn = async (page: Page, who: string) => {
      await page.goto(`${web.base}/staff`);
      await page.getByRole('link', { name: 'Inloggen als medewerker' }).click();
      await page.getByRole('radio', { name: new RegExp(who) }).check();
      await page.getByLabel('Wachtwoord').fill('demo');
      await page.getByRole('button', { name: 'Inloggen' }).click();
      await page.waitForURL(`${web.base}/staff`);
    };

    it('the contact centre looks the citizen up and reads the answer; the BSN never reaches the address bar', async () => {
      const page = await newPage();
      const urls: string[] = [];
      page.on('framenavigated', (frame) => urls.push(frame.url()));
      await signOn(page, 'Karin Klantcontact');
      await page.getByRole('link', { name: 'Klant opzoeken' }).first().click();
      await page.getByLabel('BSN of KvK-nummer').fill(CITIZEN.bsn);
      await page.getByLabel('Reden van het opzoeken').selectOption({ label: 'vraag over aanvraag' });
      await shot(page, 'staff-1-kcc-search');
      await page.getByRole('button', { name: 'Opzoeken' }).click();
      await page.waitForURL(/\/kcc\/lookups\/[0-9a-f-]{36}$/);
      await expect.poll(() => page.getByRole('heading', { level: 2 }).first().textContent()).toContain(reference);
      expect(await page.locator('main').textContent()).toContain('Hulpmiddelen B.V.');
      await shot(page, 'staff-2-kcc-answer');
      for (const url of urls) expect(url).not.toContain(CITIZEN.bsn);
    });

    it('the citizen sees the contact centre’s lookup in “Wie bekeek mijn gegevens”', async () => {
      const page = await newPage();
      await loginAtDemoIdp(page, web.base, CITIZEN.name);
      await page.getByRole('link', { name: 'Wie bekeek mijn gegevens' }).click();
      await expect.poll(() => page.locator('main').textContent()).toContain('Klantcontactcentrum Gemeente Test — vraag over aanvraag');
      await shot(page, 'staff-3-citizen-access-log');
    });

    it('a caseworker sees the worklist and the lead-time charts, and not the contact centre’s page', async () => {
      await web.chain.gateway.database.db.updateTable('cases').set({ deadline: '2020-01-31' }).execute();
      const page = await newPage();
      await signOn(page, 'Wim Werkman');
      await page.getByRole('link', { name: 'Werkvoorraad' }).first().click();
      await expect.poll(() => page.getByRole('table').locator('caption').textContent()).toContain('Zaken die aandacht nodig hebben');
      expect(await page.getByRole('table').textContent()).toContain('Datum verstreken');
      await shot(page, 'staff-4-worklist');
      await page.getByRole('link', { name: 'Doorlooptijden' }).first().click();
      await expect.poll(() => page.locator('svg.chart').count()).toBe(2);
      expect(await page.getByRole('img', { name: 'Lopende opdrachten naar leeftijd' }).count()).toBe(1);
      await shot(page, 'staff-5-lead-times');
      const forbidden = await page.goto(`${web.base}/kcc`);
      expect(forbidden?.status()).toBe(403);
    });
  });
}
