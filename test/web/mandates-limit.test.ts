// The mandate limit on the citizen page: past CITIZEN_MANDATE_LIMIT the form says so in the
// reader's language (the catalogue's text), not with the API's English message.
import { expect, it } from 'vitest';
import { translate } from '../../src/i18n/index.ts';
import { CITIZEN, csrfOf, loginAs, PROXY, startWebChain } from './helpers/web-chain.ts';
import { textOf, WebClient } from './helpers/web-client.ts';

const { base } = await startWebChain({ CITIZEN_MANDATE_LIMIT: '1' });

it('refuses a mandate past the limit with the Swedish text for a Swedish reader', async () => {
  const citizen = new WebClient({ 'accept-language': 'sv' });
  await loginAs(citizen, base, CITIZEN.id);
  const fields = { proxyBsn: PROXY.bsn, proxyName: 'B. Jansen', caseId: '', validUntil: '' };
  const first = await citizen.post(`${base}/mandates`, { ...fields, _csrf: csrfOf(await (await citizen.request(`${base}/mandates`)).text()) });
  expect(first.res.status).toBeLessThan(400);
  const second = await citizen.post(`${base}/mandates`, { ...fields, _csrf: csrfOf(await (await citizen.request(`${base}/mandates`)).text()) });
  expect(second.res.status).toBe(422);
  const text = textOf(await second.res.text());
  expect(text).toContain(translate('sv', 'mandates.error.tooMany'));
  expect(text).not.toContain('maximum number of mandates');
});
