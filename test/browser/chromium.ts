// Debian's Chromium driven by playwright-core for the browser tests: where it is, where the
// screenshots go, and one way to start it (flags that keep it off this machine's closed network).
import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';

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
