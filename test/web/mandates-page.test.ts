// Mandates on the citizen page: the grant form (validation shown next to the fields, CSRF and
// origin checks), a proxy reading on behalf through the mandate's id (never a BSN in a URL), the
// grantor seeing that read in "who viewed my data", and revocation ending it.
import { describe, expect, it } from 'vitest';
import { CITIZEN, csrfOf, loginAs, PROXY, startWebChain } from './helpers/web-chain.ts';
import { inputValue, textOf, WebClient } from './helpers/web-client.ts';

const { chain, base, seed } = await startWebChain();
const seeded = await seed();
const db = chain.gateway.database.db;
const countMandates = async () =>
  Number(
    (
      await db
        .selectFrom('mandates')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

const citizen = new WebClient({ 'accept-language': 'nl' });
await loginAs(citizen, base, CITIZEN.id);
const mandatesPage = async (client = citizen) => (await client.request(`${base}/mandates`)).text();

describe('giving a mandate', () => {
  it('shows what is wrong next to the field, keeps the input, and stores nothing', async () => {
    const html = await mandatesPage();
    const before = await countMandates();
    const res = await citizen.post(`${base}/mandates`, { _csrf: csrfOf(html), proxyBsn: '123456789', proxyName: 'B. Jansen', caseId: '', validUntil: '' });
    expect(res.res.status).toBe(400);
    const page = await res.res.text();
    expect(page).toMatch(/<div class="error-summary" role="alert"[\s\S]*<a href="#proxyBsn">Vul een geldig BSN in van 9 cijfers\.<\/a>/);
    expect(page).toMatch(/<input class="bsn"[^>]*id="proxyBsn"[^>]*aria-describedby="proxyBsn-hint proxyBsn-error" aria-invalid="true">/);
    expect(inputValue(page, 'proxyName')).toBe('B. Jansen');
    const self = await citizen.post(`${base}/mandates`, { _csrf: csrfOf(html), proxyBsn: CITIZEN.bsn, caseId: '', validUntil: '' });
    expect(self.res.status).toBe(422);
    expect(textOf(await self.res.text())).toContain('U kunt uzelf geen machtiging geven.');
    const past = await citizen.post(`${base}/mandates`, { _csrf: csrfOf(html), proxyBsn: PROXY.bsn, caseId: '', validUntil: '2020-01-01' });
    expect(past.res.status).toBe(422);
    expect(textOf(await past.res.text())).toContain('Kies een datum in de toekomst.');
    expect(await countMandates()).toBe(before);
  });

  it('refuses a post without the session’s CSRF token or from another site', async () => {
    const token = csrfOf(await mandatesPage());
    const fields = { proxyBsn: PROXY.bsn, caseId: '', validUntil: '' };
    expect((await citizen.post(`${base}/mandates`, fields)).res.status).toBe(403);
    expect((await citizen.post(`${base}/mandates`, { ...fields, _csrf: `${token}x` })).res.status).toBe(403);
    const foreign = await citizen.post(`${base}/mandates`, { ...fields, _csrf: token }, 'https://evil.example');
    expect(foreign.res.status).toBe(403);
    expect(textOf(await foreign.res.text())).toContain('Het formulier is verlopen of kwam niet van deze site.');
    // Another citizen's token does not work for this session either.
    const other = new WebClient();
    const otherPage = (await loginAs(other, base, PROXY.id)).body;
    expect((await citizen.post(`${base}/mandates`, { ...fields, _csrf: csrfOf(otherPage) })).res.status).toBe(403);
    expect(await countMandates()).toBe(0);
  });
});

describe('reading on behalf', () => {
  const proxy = new WebClient({ 'accept-language': 'nl' });
  let mandateId = '';

  it('the citizen grants the proxy a mandate for the case', async () => {
    const res = await citizen.post(`${base}/mandates`, {
      _csrf: csrfOf(await mandatesPage()),
      proxyBsn: PROXY.bsn,
      proxyName: 'B. Jansen',
      caseId: seeded.id,
      validUntil: '',
    });
    expect(res.url).toBe(`${base}/mandates?done=granted`);
    const text = textOf(await res.res.text());
    expect(text).toContain('De machtiging is gegeven.');
    expect(text).toMatch(/B\. Jansen \(\*+019\) DEMO-1 \d+ \w+ \d{4} Geldig Intrekken/);
  });

  it('the proxy logs in, finds the mandate and reads the case; no BSN in any URL', async () => {
    await loginAs(proxy, base, PROXY.id);
    const html = await mandatesPage(proxy);
    const link = /href="(\/on-behalf\/[0-9a-f-]{36})"/.exec(html)?.[1];
    expect(link).toBeDefined();
    mandateId = link!.split('/')[2];
    const list = await proxy.request(`${base}${link}`);
    expect(list.status).toBe(200);
    const listHtml = await list.text();
    expect(textOf(listHtml)).toContain('Zaken van ******653');
    expect(textOf(listHtml)).toContain('Woningaanpassing en traplift');
    const detail = await proxy.request(`${base}${link}/cases/${seeded.id}`);
    expect(detail.status).toBe(200);
    expect(textOf(await detail.text())).toContain('Levering traplift — Hulpmiddelen B.V.');
    for (const hop of proxy.hops) expect(`${hop.url} ${hop.location ?? ''}`).not.toMatch(new RegExp(`${CITIZEN.bsn}|${PROXY.bsn}`));
    // Not the proxy's own cases: a case outside the mandate is "not found".
    expect((await proxy.request(`${base}${link}/cases/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
  });

  it('“you” in the case is the applicant when a proxy reads it', async () => {
    const order = await db
      .selectFrom('orders')
      .select(['id', 'remote_zaak_url'])
      .where('case_id', '=', seeded.id)
      .where('subcontractor', '=', 'hulpmiddelen-bv')
      .executeTakeFirstOrThrow();
    await chain.sims['hulpmiddelen-bv'].setStatus(order.remote_zaak_url!, 2); // "Aanvullende informatie nodig"
    await chain.waitFor(
      async () => (await db.selectFrom('orders').select('status').where('id', '=', order.id).executeTakeFirstOrThrow()).status?.phase === 'actie_vereist',
    );
    const asProxy = textOf(await (await proxy.request(`${base}/on-behalf/${mandateId}`)).text());
    expect(asProxy).toContain('Status Actie van de aanvrager nodig Wie is aan zet De aanvrager (die u machtigde)');
    const asCitizen = textOf(await (await citizen.request(`${base}/`)).text());
    expect(asCitizen).toContain('Status Actie van u nodig Wie is aan zet U');
  });

  it('the citizen sees the proxy’s reads in “who viewed my data”', async () => {
    const text = textOf(await (await citizen.request(`${base}/access-log`)).text());
    expect(text).toMatch(/B\. Jansen \(\*+019\) Inzage met uw machtiging DEMO-1/);
  });

  it('revoking ends the proxy’s access at once', async () => {
    const html = await mandatesPage();
    const action = /action="(\/mandates\/[0-9a-f-]{36}\/revoke)"/.exec(html)![1];
    expect((await citizen.post(`${base}${action}`, {})).res.status).toBe(403);
    const res = await citizen.post(`${base}${action}`, { _csrf: csrfOf(html) });
    expect(res.url).toBe(`${base}/mandates?done=revoked`);
    expect(textOf(await res.res.text())).toContain('De machtiging is ingetrokken.');
    const denied = await proxy.request(`${base}/on-behalf/${mandateId}`);
    expect(denied.status).toBe(403);
    expect(textOf(await denied.text())).toContain('U heeft (nu) geen geldige machtiging om deze zaken te bekijken.');
    expect((await proxy.request(`${base}/on-behalf/${mandateId}/cases/${seeded.id}`)).status).toBe(403);
  });
});
