// Portal organisations in the trust network: what contracts/network.schema.json (the network file)
// and contracts/openapi.yaml (the operator's PUT, kept equal to it by test/contract) take, the
// rules a schema cannot say, and that nothing polls, notifies or subscribes for them.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadNetworkFile } from '../../src/network/load.ts';
import type { PortalOrganisation } from '../../src/network/types.ts';
import { validateNetwork, validateOrganisation } from '../../src/network/validate.ts';
import { organisation, portalOrganisation } from '../helpers/fixtures.ts';
import { authHeader, startTestGateway, subcontractorClient, testNetwork } from '../helpers/gateway.ts';

const problems = (org: unknown, clients = [subcontractorClient('bouwer-bv')]) =>
  validateNetwork({ ...testNetwork([], clients), organisations: [org] }).map((p) => `${p.path} ${p.code}`);
const bouwer = (overrides: Partial<PortalOrganisation> = {}) => portalOrganisation('bouwer-bv', overrides);
const statuses = bouwer().products[0].statuses;

describe('a portal organisation in the network file', () => {
  it('is valid with contacts and products that list their statuses, and loads from a file', () => {
    expect(problems(bouwer())).toEqual([]);
    const dir = mkdtempSync(join(tmpdir(), 'ks-partner-'));
    const file = join(dir, 'network.json');
    writeFileSync(file, JSON.stringify(testNetwork([organisation('hulpmiddelen-bv'), bouwer()], [subcontractorClient('bouwer-bv')])));
    const loaded = loadNetworkFile(file);
    expect(loaded.organisations.map((o) => ('portal' in o ? 'portal' : 'zaken'))).toEqual(['zaken', 'portal']);
  });

  it('has either a Zaken API or a portal, never both, and the other kind’s rules do not speak', () => {
    const both = { ...bouwer(), zaken: organisation('x').zaken, notifications: organisation('x').notifications };
    expect(problems(both)).toEqual(['$.organisations[0].zaken additionalProperties', '$.organisations[0].notifications additionalProperties']);
    const { portal: _portal, ...neither } = bouwer();
    expect(problems(neither)).toEqual(
      expect.arrayContaining([
        '$.organisations[0].zaken required',
        '$.organisations[0].notifications required',
        '$.organisations[0].products[0].statuses additionalProperties',
      ]),
    );
    // A zaken organisation's mistake is reported alone, without "portal is missing".
    expect(problems(organisation('bouwer-bv', { pollIntervalSeconds: 5 }))).toEqual(['$.organisations[0].pollIntervalSeconds minimum']);
    // A portal organisation is not polled: no poll interval or concurrency to set.
    expect(problems({ ...bouwer(), pollIntervalSeconds: 60 })).toEqual(['$.organisations[0].pollIntervalSeconds additionalProperties']);
    expect(problems({ ...bouwer(), products: [{ ...bouwer().products[0], zaaktype: 'https://catalogi.example/zt/1' }] })).toEqual([
      '$.organisations[0].products[0].zaaktype additionalProperties',
    ]);
  });

  it('needs 1 to 20 contacts with an e-mail address, unique', () => {
    const contact = (n: number) => ({ name: `Contact ${n}`, email: `c${n}@bouwer.example` });
    expect(problems(bouwer({ portal: { contacts: [] } }))).toEqual(['$.organisations[0].portal.contacts minItems']);
    expect(problems(bouwer({ portal: { contacts: Array.from({ length: 21 }, (_, i) => contact(i)) } }))).toEqual([
      '$.organisations[0].portal.contacts maxItems',
    ]);
    expect(problems(bouwer({ portal: { contacts: Array.from({ length: 20 }, (_, i) => contact(i)) } }))).toEqual([]);
    expect(problems(bouwer({ portal: { contacts: [{ name: 'X', email: 'geen-adres' }] } }))).toEqual(['$.organisations[0].portal.contacts[0].email format']);
    expect(problems(bouwer({ portal: { contacts: [contact(1), { name: 'Y', email: 'C1@Bouwer.example' }] } }))).toEqual([
      '$.organisations[0].portal.contacts[1].email unique',
    ]);
  });

  it('needs statuses with unique codes, a phase, a name in Dutch and English, and at least one final', () => {
    const product = (s: unknown[]) => bouwer({ products: [{ code: 'drempelhulp', name: { nl: 'Drempelhulp' }, statuses: s as never }] });
    expect(problems(product([]))).toEqual(['$.organisations[0].products[0].statuses minItems']);
    expect(problems(product(statuses.map((s) => ({ ...s, final: false }))))).toEqual(['$.organisations[0].products[0].statuses required']);
    expect(problems(product([...statuses, { ...statuses[0] }]))).toEqual(['$.organisations[0].products[0].statuses[3].code unique']);
    expect(problems(product([{ ...statuses[2], phase: 'klaar' }]))).toEqual(['$.organisations[0].products[0].statuses[0].phase enum']);
    expect(problems(product([{ ...statuses[2], name: { nl: 'Klaar' } }]))).toEqual(['$.organisations[0].products[0].statuses[0].name.en required']);
    expect(problems(product([{ ...statuses[2], code: 'Klaar!' }]))).toEqual(['$.organisations[0].products[0].statuses[0].code pattern']);
  });

  it('is what a subcontractor client names; a client naming no organisation of the file is refused', () => {
    const at = testNetwork().clients.length;
    expect(problems(bouwer(), [subcontractorClient('elders-bv')])).toEqual([`$.clients[${at}].organisation unknown`]);
  });

  it('is checked the same way on its own (the operator API)', () => {
    expect(validateOrganisation(bouwer())).toEqual([]);
    expect(validateOrganisation({ ...bouwer(), maxConcurrency: 4 }).map((p) => `${p.path} ${p.code}`)).toEqual(['$.maxConcurrency additionalProperties']);
  });
});

describe('the operator API and the rest of the gateway', async () => {
  const gateway = await startTestGateway({ network: testNetwork([organisation('hulpmiddelen-bv'), bouwer()], [subcontractorClient('bouwer-bv')]) });
  const { app, database } = gateway;
  const operator = authHeader('beheer');
  const put = (id: string, body: unknown) =>
    app.request(`/api/v1/organisations/${id}`, { method: 'PUT', headers: { ...operator, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('takes a portal organisation with PUT and shows it back; refuses an invalid one with the rule that failed', async () => {
    const created = await put('tegelzetter', portalOrganisation('tegelzetter', { status: 'pending', agreement: undefined }));
    expect(created.status).toBe(201);
    const shown = (await (await app.request('/api/v1/organisations/tegelzetter', { headers: operator })).json()) as Record<string, unknown>;
    expect(shown).toMatchObject({ id: 'tegelzetter', portal: { contacts: [{ email: 'planning@tegelzetter.example' }] }, notificationSubscription: null });
    expect(shown).not.toHaveProperty('zaken');
    const noFinal = portalOrganisation('tegelzetter', { status: 'pending', agreement: undefined });
    noFinal.products[0].statuses = noFinal.products[0].statuses.map((s) => ({ ...s, final: false }));
    const refused = await put('tegelzetter', noFinal);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { invalidParams: unknown[] }).invalidParams).toEqual([
      { name: 'products[0].statuses', code: 'required', reason: 'needs at least one status with final: true (it closes the assignment)' },
    ]);
    // No abonnement to keep at a Notificaties API it does not have.
    const nrcJobs = await database.db.selectFrom('nrc_subscriptions').selectAll().where('organisation_id', '=', 'tegelzetter').execute();
    expect(nrcJobs).toEqual([]);
  });

  it('shows portal organisations to the operator and the citizen as such', async () => {
    const overview = (await (await app.request('/api/v1/ops/overview', { headers: operator })).json()) as { organisations: Record<string, unknown>[] };
    expect(overview.organisations.find((o) => o.id === 'bouwer-bv')).toMatchObject({ notifications: 'portal', pollIntervalSeconds: null });
    const listing = (await (await app.request('/api/v1/network')).json()) as { organisations: Record<string, unknown>[] };
    expect(listing.organisations.find((o) => o.id === 'bouwer-bv')).toMatchObject({ connectionMode: 'portal', health: 'connected' });
  });

  it('never polls an assignment, even one whose next poll is somehow due', async () => {
    const c = await app.request('/api/v1/cases', {
      method: 'POST',
      headers: { ...authHeader('zac'), 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Drempel', citizen: { bsn: '111222333' } }),
    });
    const caseId = ((await c.json()) as { id: string }).id;
    const o = await app.request(`/api/v1/cases/${caseId}/orders`, {
      method: 'POST',
      headers: { ...authHeader('zac'), 'content-type': 'application/json' },
      body: JSON.stringify({ subcontractor: 'bouwer-bv', product: 'drempelhulp' }),
    });
    const orderId = ((await o.json()) as { id: string }).id;
    await database.db
      .updateTable('orders')
      .set({ next_poll_at: new Date(0) })
      .where('id', '=', orderId)
      .execute();
    expect(await gateway.poller.tick()).toBe(0);
    const after = await database.db.selectFrom('orders').select('next_poll_at').where('id', '=', orderId).executeTakeFirstOrThrow();
    expect(after.next_poll_at).toBeNull();
    const jobs = await database.db.selectFrom('jobs').select('kind').where('group_key', '=', 'bouwer-bv').execute();
    expect(jobs).toEqual([]);
  });
});
