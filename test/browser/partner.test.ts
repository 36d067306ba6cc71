// The partner page in a real browser (playwright-core driving Debian's Chromium), as the README's
// walk-through goes: the builder's planner asks for a sign-in link, opens it from the mail the
// SMTP sink caught, signs in, opens the demo case's assignment and passes on a status; the citizen
// then sees it on the case page. Screenshots go to test-artifacts/screenshots/ (partner-*).
//
// Skipped with a message without /usr/bin/chromium, and in the PostgreSQL lane (see walkthrough.test.ts).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_MAIL } from '../../src/demo/demo.ts';
import { DEMO_PORTAL } from '../../src/demo/network.ts';
import { type MailSink, startMailSink } from '../helpers/smtp.ts';
import { CITIZEN, startWebChain, type WebChain } from '../web/helpers/web-chain.ts';
import { browserPages, browserSkipReason, launchChromium, loginAtDemoIdp } from './chromium.ts';

const lane = process.env.KS_TEST_LANE ?? 'pglite';
const skipReason = browserSkipReason();
const PLANNER = DEMO_PORTAL.portal.contacts[0].email;

if (skipReason) {
  describe('partner page in a browser', () => {
    it.skip(`skipped: ${skipReason}`, () => {});
  });
  if (lane === 'pglite') console.warn(`[browser tests] skipped: ${skipReason}`);
} else {
  describe('partner page in a browser', () => {
    let web: WebChain;
    let sink: MailSink;
    let browser: Browser;
    let reference: string;
    const pages = browserPages(() => browser);
    const { newPage, shot } = pages;

    beforeAll(async () => {
      sink = await startMailSink();
      web = await startWebChain({ SMTP_URL: sink.url, MAIL_FROM: DEMO_MAIL.from, MAIL_REPLY_DOMAIN: DEMO_MAIL.replyDomain }, { portal: true });
      reference = (await web.seed()).reference;
      browser = await launchChromium();
    }, 90_000);

    afterAll(async () => {
      await pages.close();
      await browser?.close();
    });

    let planner: Page;

    it('the planner asks for a link, opens it from the mail and signs in', async () => {
      planner = await newPage();
      await planner.goto(`${web.base}/partner`);
      await planner.getByRole('heading', { level: 1, name: 'Partnerpagina' }).waitFor();
      await planner.getByLabel('Uw e-mailadres').fill(PLANNER);
      await shot(planner, 'partner-01-sign-in');
      await planner.getByRole('button', { name: 'Stuur mij een inloglink' }).click();
      await planner.getByRole('heading', { name: 'Kijk in uw e-mail' }).waitFor();
      const mail = await sink.waitFor((m) => m.to.includes(PLANNER) && m.subject.includes('partnerpagina'));
      const link = /https?:\/\/\S+\/partner\/login\/[a-zA-Z]{43}/.exec(mail.text)?.[0];
      expect(link).toBeDefined();
      await planner.goto(link!);
      await planner.getByText(`U logt in als ${PLANNER}.`).waitFor();
      await planner.getByRole('button', { name: 'Inloggen' }).click();
      await planner.waitForURL(`${web.base}/partner`);
      await planner.getByRole('heading', { level: 1, name: 'Open opdrachten' }).waitFor();
      expect(await planner.getByText(`Ingelogd als ${PLANNER} (Klusbedrijf Timmerman)`).isVisible()).toBe(true);
      await shot(planner, 'partner-02-assignments');
    });

    it('the planner opens the assignment and passes on a status', async () => {
      await planner.getByRole('link', { name: reference }).click();
      await planner.getByRole('heading', { level: 1, name: `Drempels weghalen — ${reference}` }).waitFor();
      // Nothing chosen: the error summary names the field and leads to it.
      await planner.getByRole('button', { name: 'Status doorgeven' }).click();
      await planner.getByRole('link', { name: 'Kies een status uit de lijst.' }).click();
      expect(await planner.locator(':focus').getAttribute('id')).toBe('status');
      await planner.getByLabel('Nieuwe status').selectOption('bezig');
      await planner.getByLabel('Toelichting (niet verplicht)').fill('Wij komen dinsdag om 9 uur.');
      await planner.getByRole('button', { name: 'Status doorgeven' }).click();
      await planner.getByText('De status is doorgegeven.').waitFor();
      expect(await planner.getByText('Bezig met de klus — Wij komen dinsdag om 9 uur.').isVisible()).toBe(true);
      await shot(planner, 'partner-03-status-set');
    });

    it('the citizen sees the status on the case page', async () => {
      const citizen = await newPage();
      await loginAtDemoIdp(citizen, web.base, CITIZEN.name);
      await citizen.getByRole('link', { name: 'Woningaanpassing en traplift' }).first().click();
      await citizen.getByRole('heading', { name: 'Drempels weghalen — Klusbedrijf Timmerman' }).waitFor();
      expect(
        await citizen
          .getByText(/Wij komen dinsdag om 9 uur\./)
          .first()
          .isVisible(),
      ).toBe(true);
      await shot(citizen, 'partner-04-citizen-sees-status');
    });

    it('the planner signs out', async () => {
      await planner.getByRole('button', { name: 'Uitloggen' }).click();
      await planner.getByText('U bent uitgelogd.').waitFor();
      await planner.goto(`${web.base}/partner/assignments/00000000-0000-4000-8000-000000000000`);
      await planner.getByRole('heading', { level: 1, name: 'Partnerpagina' }).waitFor();
      expect(new URL(planner.url()).pathname).toBe('/partner'); // signed out: an assignment sends back to the sign-in
    });
  });
}
