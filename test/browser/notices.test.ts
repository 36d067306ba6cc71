// Notices in a real browser (playwright-core driving Debian's Chromium): the citizen logs in, sets
// an e-mail address on "Meldingen", reads the code from the mail a real SMTP server caught, confirms
// it; a subcontractor's status with `informeren` then arrives as an e-mail; the one-click unsubscribe
// (the mail's List-Unsubscribe URL, posted as a mail client does) stops the next one. Screenshots go
// to test-artifacts/screenshots/ (notices-*).
//
// Skipped with a message without /usr/bin/chromium, and in the PostgreSQL lane (see walkthrough.test.ts).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MailSink, startMailSink } from '../helpers/smtp.ts';
import { CITIZEN, startWebChain, type WebChain } from '../web/helpers/web-chain.ts';
import { browserPages, browserSkipReason, launchChromium, loginAtDemoIdp } from './chromium.ts';

const lane = process.env.KS_TEST_LANE ?? 'pglite';
const skipReason = browserSkipReason();
const ADDRESS = 'a.devries@voorbeeld.nl';

if (skipReason) {
  describe('notices in a browser', () => {
    it.skip(`skipped: ${skipReason}`, () => {});
  });
  if (lane === 'pglite') console.warn(`[browser tests] skipped: ${skipReason}`);
} else {
  describe('notices in a browser', () => {
    let web: WebChain;
    let sink: MailSink;
    let browser: Browser;
    let page: Page;
    let unsubscribe: string;
    let theCase: { id: string; reference: string; zaakUrl: string };
    const pages = browserPages(() => browser);
    const { newPage, shot } = pages;

    beforeAll(async () => {
      sink = await startMailSink();
      // No folding window: a second notice would be sent at once, so "no e-mail" means the unsubscribe stopped it.
      web = await startWebChain({ SMTP_URL: sink.url, MAIL_FROM: 'Ketenstatus <noreply@ketenstatus.example>', NOTICE_FOLD_WINDOW_SECONDS: '0' });
      browser = await launchChromium();
    }, 90_000);

    afterAll(async () => {
      await pages.close();
      await browser?.close();
    });

    const db = () => web.chain.gateway.database.db;
    const mailsTo = () => sink.messages().filter((m) => m.to.includes(ADDRESS));
    /** Every notice of the case handled by the planner (turned into messages, or found no channel). */
    const planned = (count: number) =>
      web.chain.waitFor(async () => {
        const rows = await db().selectFrom('notice_outbox').select('planned_at').where('case_id', '=', theCase.id).execute();
        return rows.length >= count && rows.every((r) => r.planned_at !== null);
      }, 30_000);

    it('the citizen sets an e-mail address, reads the code from the mail and confirms it', async () => {
      page = await newPage();
      await loginAtDemoIdp(page, web.base, 'A. de Vries');
      await page.getByRole('link', { name: 'Meldingen' }).click();
      await page.getByRole('heading', { level: 1, name: 'Meldingen' }).waitFor();
      await page.getByLabel('E-mailadres').fill(ADDRESS);
      await page.getByLabel('per e-mail').check();
      await shot(page, 'notices-01-preferences');
      await page.getByRole('button', { name: 'Opslaan' }).click();
      await page.getByText('Uw instellingen zijn opgeslagen.').waitFor();
      await page.getByRole('heading', { name: 'Bevestig uw e-mailadres' }).waitFor();

      const mail = await sink.waitFor((m) => m.to.includes(ADDRESS));
      const code = /\b(\d{6})\b/.exec(mail.text)?.[1];
      expect(code, mail.text).toBeDefined();
      // A wrong code first: the page says so next to the field.
      await page.getByLabel('Code uit het bericht (6 cijfers)').fill(String((Number(code) + 1) % 1_000_000).padStart(6, '0'));
      await page.getByRole('button', { name: 'Bevestigen' }).click();
      await page.getByText('Deze code klopt niet. U kunt het nog 4 keer proberen.').first().waitFor();
      await page.getByLabel('Code uit het bericht (6 cijfers)').fill(code!);
      await shot(page, 'notices-02-code');
      await page.getByRole('button', { name: 'Bevestigen' }).click();
      await page.getByText('Het adres is bevestigd.', { exact: false }).waitFor();
      expect(await page.getByText('Bevestigd', { exact: true }).isVisible()).toBe(true);
      expect(await page.getByRole('heading', { name: 'Bevestig uw e-mailadres' }).count()).toBe(0);
      await shot(page, 'notices-03-confirmed');
    }, 60_000);

    it('a status with informeren arrives as an e-mail with the one-click unsubscribe headers', async () => {
      const created = await (await web.chain.supplier('/api/v1/cases', { body: { title: 'Traplift', citizen: { bsn: CITIZEN.bsn } } })).json();
      const order = await (
        await web.chain.supplier(`/api/v1/cases/${created.id}/orders`, { body: { subcontractor: 'hulpmiddelen-bv', product: 'traplift' } })
      ).json();
      const placed = await web.chain.waitFor(async () => {
        const now = await (await web.chain.supplier(`/api/v1/orders/${order.id}`)).json();
        return now.state === 'placed' && now;
      });
      theCase = { id: created.id, reference: created.reference, zaakUrl: placed.remoteZaak.url };

      await web.chain.sims['hulpmiddelen-bv'].advance(theCase.zaakUrl); // Ontvangen: informeren
      const mail = await sink.waitFor((m) => m.to.includes(ADDRESS) && m.text.includes(theCase.reference), 30_000);
      expect(mail.text).toContain(`${web.base}/cases/${theCase.id}`);
      expect(mail.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
      unsubscribe = /^<(.+)>$/.exec(mail.headers['list-unsubscribe'])?.[1] ?? '';
      expect(unsubscribe.startsWith(`${web.base}/unsubscribe/`)).toBe(true);
      expect(mailsTo()).toHaveLength(2);
    }, 60_000);

    it('the List-Unsubscribe POST turns e-mail off, and the next notice sends no e-mail', async () => {
      // As a mail client sends it (RFC 8058): no cookie, no CSRF token.
      const res = await fetch(unsubscribe, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });
      expect(res.status).toBe(200);
      await page.goto(`${web.base}/notifications`);
      expect(await page.getByLabel('per e-mail').isChecked()).toBe(false);
      await shot(page, 'notices-04-unsubscribed');

      const notices = async () =>
        (await db().selectFrom('case_events').select('id').where('case_id', '=', theCase.id).where('type', '=', 'case.citizen-notice').execute()).length;
      const outboxRows = async () => (await db().selectFrom('notice_outbox').select('event_id').where('case_id', '=', theCase.id).execute()).length;
      const [noticesBefore, outboxBefore] = [await notices(), await outboxRows()];
      const sim = web.chain.sims['hulpmiddelen-bv'];
      await sim.advance(theCase.zaakUrl); // In behandeling: no notice
      await sim.advance(theCase.zaakUrl); // informeren: a notice, with e-mail off
      // The statement that writes the notice decides: no channel on and verified, no outbox row.
      await web.chain.waitFor(async () => (await notices()) > noticesBefore, 30_000);
      expect(await outboxRows()).toBe(outboxBefore);
      await planned(outboxBefore);
      const messages = await db().selectFrom('notice_messages').select(['channel', 'state']).where('case_id', '=', theCase.id).execute();
      expect(messages).toEqual([{ channel: 'email', state: 'sent' }]);
      expect(mailsTo()).toHaveLength(2);
    }, 60_000);
  });
}
