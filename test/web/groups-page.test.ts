// "Mijn overzichten" on the page: a citizen makes an overview of their cases with a plain form
// (errors next to the field, CSRF and origin checked), sees its progress and latest event, renames
// it, changes its cases and deletes it; a company's overview is shared by its representatives and
// nobody else's; a case that is not the customer's cannot be slipped into the form.
import { describe, expect, it } from 'vitest';
import { CITIZEN, csrfOf, loginAs, PROXY, REPRESENTATIVES, startWebChain } from './helpers/web-chain.ts';
import { inputValue, textOf, WebClient } from './helpers/web-client.ts';

const { chain, base, seed } = await startWebChain();
const seeded = await seed();
const db = chain.gateway.database.db;
const companyCase = await db.selectFrom('cases').select(['id', 'reference']).where('reference', '=', `${seeded.reference}-B`).executeTakeFirstOrThrow();
const countGroups = async () => (await db.selectFrom('case_groups').select('id').execute()).length;

const citizen = new WebClient({ 'accept-language': 'nl' });
const home = (await loginAs(citizen, base, CITIZEN.id)).body;
const groupsPage = async (client = citizen) => (await client.request(`${base}/groups`)).text();
let groupPath = '';

describe('a citizen’s overviews', () => {
  it('are linked from the menu; the page offers a form with a labelled name and the citizen’s cases as checkboxes', async () => {
    expect(home).toMatch(/<a href="\/groups">Mijn overzichten<\/a>/);
    const page = await groupsPage();
    expect(page).toMatch(/<h1>Mijn overzichten<\/h1>/);
    expect(textOf(page)).toContain('U heeft nog geen overzichten.');
    expect(page).toMatch(/<label for="name">Naam van het overzicht<\/label>/);
    expect(page).toMatch(/<fieldset class="field" id="cases"><legend>Welke zaken horen erbij\?<\/legend>/);
    expect(page).toContain(`<input type="checkbox" id="case-${seeded.id}" name="case.${seeded.id}" value="on">`);
    expect(page).toContain(`<label for="case-${seeded.id}">${seeded.reference} — Woningaanpassing en traplift</label>`);
    // Not the company's case: that is Hostel De Zeemeeuw's.
    expect(page).not.toContain(companyCase.id);
  });

  it('refuse a blank name next to the field, keep the choice, and store nothing; refuse a post without the session’s token or from another site', async () => {
    const page = await groupsPage();
    const before = await countGroups();
    const res = await citizen.post(`${base}/groups`, { _csrf: csrfOf(page), name: '   ', [`case.${seeded.id}`]: 'on' });
    expect(res.res.status).toBe(400);
    const html = await res.res.text();
    expect(html).toMatch(/<div class="error-summary" role="alert"[\s\S]*<a href="#name">Vul een naam in van 1 tot 100 tekens\.<\/a>/);
    expect(html).toMatch(/<input type="text" id="name"[^>]*aria-describedby="name-hint name-error" aria-invalid="true">/);
    expect(html).toContain(`name="case.${seeded.id}" value="on" checked>`);
    expect((await citizen.post(`${base}/groups`, { name: 'Zonder token' })).res.status).toBe(403);
    expect((await citizen.post(`${base}/groups`, { _csrf: csrfOf(page), name: 'Van elders' }, 'https://evil.example')).res.status).toBe(403);
    expect(await countGroups()).toBe(before);
  });

  it('refuse a case that is not the citizen’s, slipped into the form, with the same message as one that does not exist', async () => {
    const page = await groupsPage();
    for (const foreign of [companyCase.id, '00000000-0000-4000-8000-000000000000']) {
      const res = await citizen.post(`${base}/groups`, { _csrf: csrfOf(page), name: 'Poging', [`case.${foreign}`]: 'on' });
      expect(res.res.status).toBe(422);
      const html = await res.res.text();
      expect(textOf(html)).toContain('Kies alleen uit uw eigen zaken.');
      expect(html).not.toContain(companyCase.reference);
    }
  });

  it('are made with a name and cases, and show the progress over all parts and the latest event', async () => {
    const res = await citizen.post(`${base}/groups`, { _csrf: csrfOf(await groupsPage()), name: '  Verbouwing  ', [`case.${seeded.id}`]: 'on' });
    expect(res.url).toMatch(new RegExp(`^${base}/groups/[0-9a-f-]{36}\\?done=created$`));
    groupPath = new URL(res.url).pathname;
    const html = await res.res.text();
    expect(html).toMatch(/<h1>Verbouwing<\/h1>/);
    const text = textOf(html);
    expect(text).toContain('Het overzicht is gemaakt.');
    expect(text).toMatch(/Voortgang \d van 2 onderdelen klaar/);
    expect(text).toMatch(new RegExp(`Laatste gebeurtenis \\d+ \\w+ \\d{4}( om)? \\d{2}:\\d{2} ?: .+ \\(${seeded.reference}\\)`));
    expect(html).toContain(`href="/cases/${seeded.id}"`);
    const list = await groupsPage();
    expect(list).toMatch(/<caption class="visually-hidden">Mijn overzichten<\/caption>/);
    expect(list).toContain(`<th scope="row"><a href="${groupPath}">Verbouwing</a></th><td>1</td>`);
    // The group's read is in the citizen's access log like a case read.
    const rows = await db.selectFrom('access_log').select(['actor_role', 'case_id']).where('case_id', '=', seeded.id).execute();
    expect(rows.length).toBeGreaterThan(0);
  });

  it('are renamed, re-filled and deleted with plain forms', async () => {
    const page = await (await citizen.request(`${base}${groupPath}`)).text();
    const csrf = csrfOf(page);
    expect(inputValue(page, 'name')).toBe('Verbouwing');
    const blank = await citizen.post(`${base}${groupPath}/name`, { _csrf: csrf, name: '' });
    expect(blank.res.status).toBe(400);
    expect(textOf(await blank.res.text())).toContain('Vul een naam in van 1 tot 100 tekens.');
    const renamed = await citizen.post(`${base}${groupPath}/name`, { _csrf: csrf, name: 'Woning' });
    expect(renamed.url).toBe(`${base}${groupPath}?done=renamed`);
    expect(await renamed.res.text()).toMatch(/<h1>Woning<\/h1>/);

    const emptied = await citizen.post(`${base}${groupPath}/cases`, { _csrf: csrf });
    expect(emptied.url).toBe(`${base}${groupPath}?done=changed`);
    const emptiedText = textOf(await emptied.res.text());
    expect(emptiedText).toContain('Dit overzicht heeft (nu) geen zaken die u kunt zien.');
    expect(emptiedText).toContain('Nog geen onderdelen uitbesteed');
    const refilled = await citizen.post(`${base}${groupPath}/cases`, { _csrf: csrf, [`case.${seeded.id}`]: 'on' });
    expect(textOf(await refilled.res.text())).toContain('Woningaanpassing en traplift');

    // Someone else cannot see it, nor delete it.
    const proxy = new WebClient({ 'accept-language': 'nl' });
    const proxyHome = (await loginAs(proxy, base, PROXY.id)).body;
    expect((await proxy.request(`${base}${groupPath}`)).status).toBe(404);
    expect((await proxy.post(`${base}${groupPath}/delete`, { _csrf: csrfOf(proxyHome) })).res.status).toBe(404);
    expect(await groupsPage(proxy)).not.toContain('Woning</a>');

    expect((await citizen.post(`${base}${groupPath}/delete`, {})).res.status).toBe(403);
    const deleted = await citizen.post(`${base}${groupPath}/delete`, { _csrf: csrf });
    expect(deleted.url).toBe(`${base}/groups?done=deleted`);
    expect(textOf(await deleted.res.text())).toContain('Het overzicht is verwijderd.');
    const gone = await citizen.request(`${base}${groupPath}`);
    expect(gone.status).toBe(404);
    expect(textOf(await gone.text())).toContain('Dit overzicht bestaat niet, of u mag het niet bekijken.');
  });

  it('are in English too', async () => {
    const english = await (await citizen.request(`${base}/groups?lang=en`)).text();
    expect(english).toMatch(/<h1>My overviews<\/h1>/);
    expect(english).toContain('<legend>Which cases belong to it?</legend>');
    await citizen.request(`${base}/groups?lang=nl`);
  });
});

describe('a company’s overviews', () => {
  it('are shared by its representatives and private to the company', async () => {
    const hanna = new WebClient({ 'accept-language': 'nl' });
    await loginAs(hanna, base, REPRESENTATIVES.hanna.id);
    const page = await groupsPage(hanna);
    expect(textOf(page)).toContain('Alle vertegenwoordigers van het bedrijf zien en beheren deze overzichten.');
    const made = await hanna.post(`${base}/groups`, { _csrf: csrfOf(page), name: 'Personeel', [`case.${companyCase.id}`]: 'on' });
    expect(made.res.status).toBe(200);
    const path = new URL(made.url).pathname;
    const joris = new WebClient({ 'accept-language': 'nl' });
    await loginAs(joris, base, REPRESENTATIVES.joris.id);
    const seen = await (await joris.request(`${base}${path}`)).text();
    expect(seen).toMatch(/<h1>Personeel<\/h1>/);
    expect(textOf(seen)).toContain('Personeel aannemen');
    expect((await citizen.request(`${base}${path}`)).status).toBe(404);
  });
});
