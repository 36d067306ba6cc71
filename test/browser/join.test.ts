// The join page in a real browser (playwright-core driving Debian's Chromium): a person at an
// invited organisation opens the link, reads the summary and the terms, opens the legal text,
// confirms the signer's address with the code from the mail, accepts (the receipt is shown), gives
// the connection at a simulated Zaken API (push: it signs a test notification with the credentials
// the page shows once), runs the test and sees the organisation become active
// (ONBOARDING_AUTO_ACTIVATE). Screenshots go to test-artifacts/screenshots/ (join-*).
//
// Skipped with a message without /usr/bin/chromium, and in the PostgreSQL lane (see walkthrough.test.ts).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway.ts';
import type { Simulator } from '../../src/simulator/index.ts';
import { startTestGateway, testNetwork } from '../helpers/gateway.ts';
import { type MailSink, startMailSink } from '../helpers/smtp.ts';
import { api, invited, MEMBER_SECRET, memberSimulator, sendTestNotification } from '../onboarding/helpers.ts';
import { waitFor } from '../helpers/wait.ts';
import { browserPages, browserSkipReason, launchChromium } from './chromium.ts';

const lane = process.env.KS_TEST_LANE ?? 'pglite';
const skipReason = browserSkipReason();

if (skipReason) {
  describe('join page in a browser', () => {
    it.skip(`skipped: ${skipReason}`, () => {});
  });
  if (lane === 'pglite') console.warn(`[browser tests] skipped: ${skipReason}`);
} else {
  describe('join page in a browser', () => {
    let gateway: Gateway;
    let sim: Simulator;
    let sink: MailSink;
    let browser: Browser;
    let link: string;
    let page: Page;
    const pages = browserPages(() => browser);

    beforeAll(async () => {
      sink = await startMailSink();
      sim = await memberSimulator();
      gateway = await startTestGateway({
        network: testNetwork(),
        listen: true,
        env: { SMTP_URL: sink.url, MAIL_FROM: 'ketenstatus@gemeente-test.example', ONBOARDING_AUTO_ACTIVATE: 'true', ONBOARDING_TEST_WINDOW_SECONDS: '20' },
      });
      const invitation = await invited(gateway, 'hulpmiddelen-nieuw', sim);
      link = `${gateway.url}/join/${invitation.token}`;
      browser = await launchChromium();
    }, 90_000);

    afterAll(async () => {
      await pages.close();
      await browser?.close();
    });

    it('shows the summary first, the terms as a table, and the legal text one click away (no raw HTML)', async () => {
      page = await pages.newPage();
      const alerts: string[] = [];
      page.on('dialog', (d) => {
        alerts.push(d.message());
        void d.dismiss();
      });
      await page.goto(link);
      await page.getByRole('heading', { level: 1, name: /Aansluiten bij het ketennetwerk/ }).waitFor();
      await page.getByText('U deelt de status van uw zaken met de keten.').waitFor();
      await expect(page.getByRole('row', { name: /Bewaartermijn 400 dagen/ }).count()).resolves.toBe(1);
      const legal = page.locator('details.legal-text');
      await expect(legal.getAttribute('open')).resolves.toBeNull();
      await pages.shot(page, 'join-01-summary');
      await legal.locator('summary').click();
      await legal.getByRole('heading', { name: 'Overeenkomst' }).waitFor();
      await expect(legal.locator('strong').first().textContent()).resolves.toBe('deelnemer');
      await legal.getByText('<script>alert(1)</script>').waitFor();
      expect(alerts).toEqual([]);
    });

    it('confirms the signer with the mailed code and accepts: the receipt is shown', async () => {
      await page.getByLabel('Naam').fill('Petra Planner');
      await page.getByLabel('E-mailadres').fill('petra@joiner.example');
      await page.getByLabel('Functie').fill('directeur');
      await page.getByRole('button', { name: 'Stuur mij een code' }).click();
      await page.getByText('We hebben een code van 6 cijfers gestuurd naar petra@joiner.example').waitFor();
      const mail = await sink.waitFor((m) => m.to.includes('petra@joiner.example') && m.subject.includes('code'));
      const code = /\b(\d{6})\b/.exec(mail.text)![1];
      await page.getByLabel('Code').fill(code);
      await page.getByRole('button', { name: 'Bevestig' }).click();
      await page.getByText('E-mailadres petra@joiner.example is bevestigd.').waitFor();
      await page.getByLabel(/Ik heb de overeenkomst gelezen/).check();
      await pages.shot(page, 'join-02-accept');
      await page.getByRole('button', { name: 'Overeenkomst accepteren' }).click();
      await page.getByRole('heading', { name: 'Overeenkomst geaccepteerd' }).waitFor();
      const receipt = await page.locator('#receipt').textContent();
      expect(receipt?.split('.')).toHaveLength(3);
      await page.getByText('/.well-known/jwks.json').first().waitFor();
      await expect(page.locator('li[data-item="agreement"]').getAttribute('data-done')).resolves.toBe('yes');
    });

    it('takes the connection, runs the test and becomes active', async () => {
      await page.getByLabel('Adres van uw Zaken API').fill(sim.zakenApiRoot);
      await page.getByLabel('Client-id waarmee wij uw API aanroepen').fill('gemeente-test');
      await page.getByLabel(/^Geheim/).fill(MEMBER_SECRET);
      await page.getByLabel('Wij sturen notificaties (push)').check();
      await page.getByRole('button', { name: 'Koppeling opslaan' }).click();
      await page.getByText('De koppeling is opgeslagen.').waitFor();
      // The credentials to sign notifications with, shown once; the page says where to send the test.
      const secret = (await page.locator('#notification-secret').textContent())!.trim();
      await page
        .getByText(/kanaal "test"/)
        .first()
        .waitFor();
      const testing = page.getByRole('button', { name: 'Test starten' }).click();
      await waitFor(async () =>
        (await api(gateway, '/api/v1/organisations/hulpmiddelen-nieuw/connection-tests', { operator: true })).body.results.some(
          (t: { finishedAt: string | null }) => t.finishedAt === null,
        ),
      );
      expect((await sendTestNotification(gateway, sim, { clientId: 'hulpmiddelen-nieuw-notificaties', secret })).status).toBe(204);
      await testing;
      await page.getByText('Hulpmiddelen Nieuw B.V. is nu actief in het netwerk.').waitFor();
      await expect(page.locator('tr[data-step="zaken-api"]').getAttribute('data-verdict')).resolves.toBe('passed');
      await expect(page.locator('tr[data-step="zaaktypen"]').getAttribute('data-verdict')).resolves.toBe('passed');
      await expect(page.locator('tr[data-step="notification"]').getAttribute('data-verdict')).resolves.toBe('passed');
      await pages.shot(page, 'join-03-tested');
      expect((await api(gateway, '/api/v1/organisations/hulpmiddelen-nieuw', { operator: true })).body.status).toBe('active');
      await page.reload();
      await page.getByText('Hulpmiddelen Nieuw B.V. is aangesloten en actief. Deze uitnodiging is gebruikt.').waitFor();
    });
  });
}
