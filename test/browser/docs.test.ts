// /docs in a real browser (playwright-core driving Debian's Chromium): Swagger UI renders every
// operation of contracts/openapi.yaml and its schemas, try-it-out calls this gateway, and the page
// loads nothing from another origin and breaks no rule of its Content-Security-Policy. The
// screenshot goes to test-artifacts/screenshots/ (kept by .ci/run). Skipped without /usr/bin/chromium;
// PGlite lane only, like the walk-through.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason, launchChromium, SHOTS } from './chromium.ts';
import type { Browser } from 'playwright-core';
import { parse } from 'yaml';
import { startTestGateway } from '../helpers/gateway.ts';

const skipReason = browserSkipReason();

const spec = parse(readFileSync(new URL('../../contracts/openapi.yaml', import.meta.url), 'utf8')) as { paths: Record<string, Record<string, unknown>> };
const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch']);
// Swagger UI shows an operation once under each of its tags (GET /api/v1/cases: cases and staff).
const operations = Object.values(spec.paths).flatMap((item) =>
  Object.entries(item)
    .filter(([m]) => METHODS.has(m))
    .flatMap(([m, op]) => Array.from({ length: Math.max(1, (op as { tags?: string[] }).tags?.length ?? 1) }, () => m)),
);

if (skipReason) {
  describe('/docs in a browser', () => {
    it.skip(`skipped: ${skipReason}`, () => {});
  });
} else {
  describe('/docs in a browser', () => {
    let browser: Browser;
    let origin: string;

    beforeAll(async () => {
      origin = (await startTestGateway({ listen: true })).url;
      browser = await launchChromium();
    }, 90_000);
    afterAll(async () => browser?.close());

    it('renders every operation and the schemas, from this origin only, within its CSP; try-it-out reaches the gateway', async () => {
      const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      const requested: string[] = [];
      const problems: string[] = [];
      page.on('request', (r) => requested.push(r.url()));
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(m.text());
      });
      page.on('pageerror', (e) => problems.push(e.message));

      await page.goto(`${origin}/docs`);
      await page.locator('.opblock').first().waitFor();
      expect(await page.locator('.opblock').count()).toBe(operations.length);
      await expect(page.locator('.opblock-summary-path', { hasText: '/api/v1/me/cases/{id}' }).count()).resolves.toBeGreaterThan(0);
      expect(await page.locator('section.models .model-container').count()).toBeGreaterThan(0);

      // Try it out on the public network endpoint: the answer comes from this gateway.
      const block = page.locator('.opblock-get', { has: page.locator('.opblock-summary-path', { hasText: /^\/api\/v1\/network$/ }) });
      await block.locator('.opblock-summary').click();
      await block.getByRole('button', { name: 'Try it out' }).click();
      await block.getByRole('button', { name: 'Execute' }).click();
      await block.locator('.live-responses-table .response-col_status', { hasText: '200' }).first().waitFor();
      await page.screenshot({ path: `${SHOTS}/docs.png` });

      expect(requested.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('data:'))).toEqual([]);
      expect(requested).toContain(`${origin}/openapi.yaml`);
      expect(requested).toContain(`${origin}/api/v1/network`);
      expect(problems.filter((p) => /Content Security Policy|Refused to/i.test(p))).toEqual([]);
      expect(problems).toEqual([]);
      await context.close();
    });
  });
}
