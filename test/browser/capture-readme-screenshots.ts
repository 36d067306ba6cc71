// Regenerates docs/screenshots/ from a running demo (not a test): start `npm start` on a clean
// ./data, wait about 45 s so the parts have moved, then run
//   npx node test/browser/capture-readme-screenshots.ts [base URL] [output directory]
import { execFileSync } from 'node:child_process';
import { chromium, type Page } from 'playwright-core';

const base = process.argv[2] ?? 'http://localhost:8080';
const out = process.argv[3] ?? 'docs/screenshots';
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const page = async (locale = 'nl-NL') => (await browser.newContext({ locale, viewport: { width: 1000, height: 880 } })).newPage();

async function login(p: Page, name: string) {
  await p.goto(base);
  await p.getByRole('link', { name: 'Inloggen' }).click();
  await p.getByRole('radio', { name: new RegExp(name) }).check();
  await p.getByLabel('Wachtwoord').fill('demo');
  await p.getByRole('button', { name: 'Inloggen' }).click();
  await p.waitForURL(`${base}/`);
}

try {
  const citizen = await page();
  await login(citizen, 'de Vries');
  await citizen.screenshot({ path: `${out}/01-my-cases.png` });
  await citizen.getByRole('link', { name: 'Woningaanpassing en traplift' }).first().click();
  await citizen.evaluate('window.scrollBy(0, 470)');
  await citizen.screenshot({ path: `${out}/02-case-detail.png` });
  await citizen.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Machtigingen' }).click();
  await citizen.getByLabel('Burgerservicenummer (BSN) van de gemachtigde').fill('999990019');
  await citizen.getByLabel('Naam van de gemachtigde (niet verplicht)').fill('B. Jansen');
  await citizen.getByRole('button', { name: 'Machtiging geven' }).click();
  await citizen.getByText('De machtiging is gegeven.').waitFor();

  const proxy = await page();
  await login(proxy, 'Jansen');
  await proxy.getByRole('link', { name: 'Machtigingen' }).click();
  await proxy
    .getByRole('link', { name: /Zaken inzien van/ })
    .first()
    .click();
  await proxy.screenshot({ path: `${out}/03-read-on-behalf.png` });

  await citizen.getByRole('link', { name: 'Wie bekeek mijn gegevens' }).click();
  await citizen.screenshot({ path: `${out}/04-access-log.png` });

  const ops = await page('en-GB');
  await ops.goto(`${base}/ops`);
  await ops.getByLabel('ZGW token (JWT)').fill(execFileSync(process.execPath, ['src/cli/token.ts', '--client', 'beheer']).toString().trim());
  await ops.getByRole('button', { name: 'Log in' }).click();
  await ops.getByRole('heading', { name: 'Organisations' }).waitFor();
  await ops.screenshot({ path: `${out}/05-ops-dashboard.png` });
} finally {
  await browser.close();
}
