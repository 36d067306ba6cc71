// Debian's Chromium driven by playwright-core for the browser tests: where it is, where the
// screenshots go, and one way to start it (flags that keep it off this machine's closed network).
import { existsSync, mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const SHOTS = 'test-artifacts/screenshots';

/** A headless Chromium; Playwright gives every launch a fresh temporary profile (user data dir). */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    timeout: 30_000,
  });
  mkdirSync(SHOTS, { recursive: true });
  return browser;
}

/** Why the browser tests do not run here, or undefined: they need Chromium and run in the PGlite lane only. */
export function browserSkipReason(): string | undefined {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is not installed: run \`apt-get install -y chromium\` (.ci/run does) to run the browser tests`;
  if ((process.env.KS_TEST_LANE ?? 'pglite') !== 'pglite') return 'browser tests run in the PGlite lane only (test/web covers the pages on both lanes)';
  return undefined;
}

/** Pages in fresh browser contexts of one browser (each its own cookies), closed together; full-page screenshots into SHOTS. */
export function browserPages(browser: () => Browser, viewport = { width: 1000, height: 760 }) {
  const contexts: BrowserContext[] = [];
  return {
    async newPage(locale = 'nl-NL'): Promise<Page> {
      const context = await browser().newContext({ locale, viewport });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      return page;
    },
    shot: (page: Page, name: string) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true }),
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
    },
  };
}

/** Logs in on the citizen page through the demo identity provider as the test person whose name matches. */
export async function loginAtDemoIdp(page: Page, base: string, name: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.getByRole('link', { name: 'Inloggen' }).click();
  await page.getByRole('radio', { name: new RegExp(name) }).check();
  await page.getByLabel('Wachtwoord').fill('demo');
  await page.getByRole('button', { name: 'Inloggen' }).click();
  await page.waitForURL(`${base}/`);
}
