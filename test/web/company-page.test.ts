// The page for company representatives: the heading names the company, every representative sees
// the company's cases, a representative gives an organisation a mandate with the form, and an
// organisation's read through the consumer API shows in the company's "who viewed" page.
import { describe, expect, it } from 'vitest';
import { authHeader } from '../helpers/gateway.ts';
import { csrfOf, loginAs, REPRESENTATIVES, startWebChain } from './helpers/web-chain.ts';
import { textOf, WebClient } from './helpers/web-client.ts';

const { chain, base, seed } = await startWebChain();
const seeded = await seed();
const db = chain.gateway.database.db;
const companyCase = await db.selectFrom('cases').select(['id', 'reference']).where('reference', '=', `${seeded.reference}-B`).executeTakeFirstOrThrow();

const hanna = new WebClient({ 'accept-language': 'nl' });
const home = (await loginAs(hanna, base, REPRESENTATIVES.hanna.id)).body;

describe('a company representative on the page', () => {
  it("sees the company named in the heading and its cases, not the citizen's", async () => {
    expect(home).toMatch(/<h1>Zaken van Hostel De Zeemeeuw<\/h1>/);
    expect(textOf(home)).toContain('Personeel aannemen');
    expect(textOf(home)).not.toContain('Woningaanpassing en traplift');
    const joris = new WebClient({ 'accept-language': 'nl' });
    const his = (await loginAs(joris, base, REPRESENTATIVES.joris.id)).body;
    expect(textOf(his)).toContain('Personeel aannemen');
    expect((await hanna.request(`${base}/cases/${companyCase.id}`)).status).toBe(200);
  });

  it('gives an organisation a mandate, and sees its read in who viewed the company’s data', async () => {
    const form = await (await hanna.request(`${base}/mandates`)).text();
    expect(form).toContain('Ondernemersportaal B.V.');
    const posted = await hanna.post(`${base}/mandates`, {
      _csrf: csrfOf(form),
      proxyKind: 'organisation',
      proxyOrganisation: 'kvk:87654321',
      caseId: '',
      validUntil: '',
    });
    expect(posted.url).toBe(`${base}/mandates?done=granted`);
    const listed = textOf(await posted.res.text());
    expect(listed).toContain('Ondernemersportaal B.V. (KvK 87654321)');

    const mandates = await (await chain.gateway.app.request('/api/v1/consumer/mandates', { headers: authHeader('leesportaal') })).json();
    const mandate = mandates.results.find((m: { grantor: { kvk?: string } }) => m.grantor.kvk === '68750110');
    expect(mandate).toBeDefined();
    const read = await chain.gateway.app.request(`/api/v1/consumer/mandates/${mandate.id}/cases/${companyCase.id}`, { headers: authHeader('leesportaal') });
    expect(read.status).toBe(200);

    const joris = new WebClient({ 'accept-language': 'nl' });
    await loginAs(joris, base, REPRESENTATIVES.joris.id);
    const log = textOf(await (await joris.request(`${base}/access-log`)).text());
    expect(log).toContain('Ondernemersportaal B.V. (leesportaal)');
    expect(log).toContain('Vertegenwoordiger: Hanna Bakker');
  });

  it('refuses an organisation that does not read through this gateway, next to the field', async () => {
    const form = await (await hanna.request(`${base}/mandates`)).text();
    const posted = await hanna.post(`${base}/mandates`, {
      _csrf: csrfOf(form),
      proxyKind: 'organisation',
      proxyOrganisation: 'kvk:11111111',
      caseId: '',
      validUntil: '',
    });
    expect(posted.res.status).toBe(422);
    expect(textOf(await posted.res.text())).toContain('Kies een van de organisaties in de lijst.');
  });
});
