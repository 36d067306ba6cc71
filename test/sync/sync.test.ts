import { describe, expect, it } from 'vitest';
import { json } from '../../src/db/json.ts';
import { signZgwJwt } from '../../src/lib/zgw-jwt.ts';
import { caseDetail, notifySecret, orderDetail, placedOrder, startChain } from '../helpers/chain.ts';
import { authHeader } from '../helpers/gateway.ts';
import { caseSettled } from '../helpers/settled.ts';

const chain = await startChain(
  [
    { id: 'hulpmiddelen-bv' },
    { id: 'stille-bv', notify: false },
    { id: 'vaste-sleutel-bv', notify: false, organisation: { notifications: { mode: 'push', authorization: 'Token abonnement-0123456789-vast' } } },
  ],
  { SYNC_DEBOUNCE_MS: '150', SYNC_BREAKER_THRESHOLD: '2', SYNC_BREAKER_OPEN_SECONDS: '1', OUTBOUND_TIMEOUT_MS: '5000' },
); // `down` resets connections: no test here waits for a timeout
const { gateway, sims, waitFor } = chain;
const hulp = sims['hulpmiddelen-bv'];
const db = gateway.database.db;

const notify = (body: unknown, auth: string | undefined = `Bearer ${signZgwJwt({ client_id: 'hulpmiddelen-bv' }, notifySecret('hulpmiddelen-bv'))}`) =>
  gateway.app.request('/api/v1/notificaties', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
    body: JSON.stringify(body),
  });
const notification = (zaakUrl: string, statusUrl: string, aanmaakdatum = new Date().toISOString()) => ({
  kanaal: 'zaken',
  hoofdObject: zaakUrl,
  resource: 'status',
  resourceUrl: statusUrl,
  actie: 'create',
  aanmaakdatum,
  kenmerken: { bronorganisatie: '012345672' },
});
const inboxRows = async () => (await db.selectFrom('inbox').select('id').execute()).length;
const zaakGets = (sim: typeof hulp, zaakUrl: string) => sim.requests.filter((r) => r.method === 'GET' && zaakUrl.endsWith(r.path)).length;

describe('notification → re-query → status', () => {
  it('follows a status change at the subcontractor end to end', async () => {
    const { caseId, orderId, zaakUrl } = await placedOrder(chain, 'hulpmiddelen-bv');
    await hulp.advance(zaakUrl); // Ontvangen
    await hulp.advance(zaakUrl, { toelichting: 'Monteur komt dinsdag.' }); // In behandeling
    const order = await waitFor(async () => {
      const o = await orderDetail(chain, orderId);
      return o.status?.omschrijving === 'In behandeling' && o;
    });
    expect(order.status).toMatchObject({
      phase: 'in_behandeling',
      volgnummer: 2,
      isEindstatus: false,
      toelichting: 'Monteur komt dinsdag.',
      statustekst: 'Wij zijn bezig met uw traplift.',
    });
    expect(order.sync.state).toBe('fresh');
    const detail = await caseDetail(chain, caseId);
    expect(detail.combinedStatus).toMatchObject({ phase: 'in_behandeling', ballWith: { id: 'hulpmiddelen-bv' }, progress: { done: 0, total: 1 }, gaps: [] });
    const statusTexts = detail.timeline
      .filter((t: { kind: string; organisation: { id: string } }) => t.kind === 'status' && t.organisation.id === 'hulpmiddelen-bv')
      .map((t: { text: string }) => t.text);
    expect(statusTexts).toEqual(['Wij hebben de opdracht voor uw traplift ontvangen.', 'Wij zijn bezig met uw traplift. Monteur komt dinsdag.']);
    await hulp.advance(zaakUrl); // Aanvullende informatie nodig → actie_vereist (product override)
    await waitFor(async () => (await caseDetail(chain, caseId)).combinedStatus.phase === 'actie_vereist');
    expect((await caseDetail(chain, caseId)).combinedStatus.ballWith).toBe('citizen');
    await hulp.advance(zaakUrl); // Geleverd (eindstatus)
    const done = await waitFor(async () => {
      const d = await caseDetail(chain, caseId);
      return d.combinedStatus.progress.done === 1 && d;
    });
    expect(done.orders[0].status).toMatchObject({ phase: 'afgerond', isEindstatus: true });
    const events = await db.selectFrom('case_events').select(['type']).where('case_id', '=', caseId).execute();
    expect(events.filter((e) => e.type === 'case.status-changed').length).toBeGreaterThanOrEqual(3);
    expect(events.filter((e) => e.type === 'case.citizen-notice').length).toBeGreaterThanOrEqual(2);
  });

  it('stores ten duplicates once and writes one timeline entry', async () => {
    const { caseId, orderId, zaakUrl } = await placedOrder(chain, 'stille-bv');
    const status = await sims['stille-bv'].advance(zaakUrl, { notify: false });
    const auth = `Bearer ${signZgwJwt({ client_id: 'stille-bv' }, notifySecret('stille-bv'))}`;
    const body = notification(zaakUrl, status.url, '2026-11-25T10:00:00Z');
    for (let i = 0; i < 10; i++) expect((await notify(body, auth)).status).toBe(204);
    expect(await db.selectFrom('inbox').select('id').where('order_id', '=', orderId).execute()).toHaveLength(1);
    await waitFor(async () => (await orderDetail(chain, orderId)).status?.omschrijving === 'Ontvangen');
    const entries = (await caseDetail(chain, caseId)).timeline.filter((t: { orderId: string; kind: string }) => t.orderId === orderId && t.kind === 'status');
    expect(entries).toHaveLength(1);
  });

  it('coalesces a burst within the debounce window into one re-query', async () => {
    const { caseId, orderId, zaakUrl } = await placedOrder(chain, 'stille-bv');
    const sim = sims['stille-bv'];
    await waitFor(async () => (await orderDetail(chain, orderId)).sync.lastSyncedAt); // the first sync after placement
    const before = zaakGets(sim, zaakUrl);
    const auth = `Bearer ${signZgwJwt({ client_id: 'stille-bv' }, notifySecret('stille-bv'))}`;
    for (let i = 0; i < 4; i++) {
      const s = await sim.advance(zaakUrl, { notify: false });
      expect((await notify(notification(zaakUrl, s.url), auth)).status).toBe(204);
    }
    await waitFor(async () => (await orderDetail(chain, orderId)).status?.volgnummer === 4);
    await caseSettled(db, caseId); // no sync job left queued or running for the order: no later re-query can come
    expect(zaakGets(sim, zaakUrl) - before).toBe(1);
  });

  it('arrives at the same state when notifications come in reverse order', async () => {
    const { caseId, orderId, zaakUrl } = await placedOrder(chain, 'stille-bv');
    const sim = sims['stille-bv'];
    const auth = `Bearer ${signZgwJwt({ client_id: 'stille-bv' }, notifySecret('stille-bv'))}`;
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push(await sim.setStatus(zaakUrl, i, { notify: false, datumStatusGezet: new Date(Date.now() - (3 - i) * 60_000).toISOString() }));
    for (const s of [...statuses].reverse()) await notify(notification(zaakUrl, s.url), auth);
    const order = await waitFor(async () => {
      const o = await orderDetail(chain, orderId);
      return o.status?.volgnummer === 3 && o;
    });
    expect(order.status.omschrijving).toBe('Aanvullende informatie nodig');
    const phases = (await caseDetail(chain, caseId)).timeline
      .filter((t: { orderId: string; kind: string }) => t.orderId === orderId && t.kind === 'status')
      .map((t: { phase: string }) => t.phase);
    expect(phases).toEqual(['ontvangen', 'in_behandeling', 'actie_vereist']);
  });

  it('reads the zaak and its statuses at once, whatever prompted the sync', async () => {
    const { orderId, zaakUrl } = await placedOrder(chain, 'stille-bv');
    const sim = sims['stille-bv'];
    await waitFor(async () => (await orderDetail(chain, orderId)).sync.lastSyncedAt);
    const LATENCY = 400; // each answer waits this long, so reads one after the other arrive at least this far apart
    sim.setFaults({ latencyMs: LATENCY });
    const reads = async (trigger: () => unknown, statusUrl: string) => {
      const count = sim.requests.length;
      await trigger();
      await waitFor(async () => (await orderDetail(chain, orderId)).status?.url === statusUrl, 10_000);
      const log = sim.requests.slice(count);
      const zaak = log.find((r) => r.method === 'GET' && zaakUrl.endsWith(r.path))!;
      const statussen = log.find((r) => r.method === 'GET' && r.path.endsWith('/statussen'))!;
      return statussen.receivedAt - zaak.receivedAt;
    };
    try {
      const auth = `Bearer ${signZgwJwt({ client_id: 'stille-bv' }, notifySecret('stille-bv'))}`;
      const first = await sim.advance(zaakUrl, { notify: false });
      const afterNotification = await reads(() => notify(notification(zaakUrl, first.url, new Date().toISOString()), auth), first.url);
      expect(Math.abs(afterNotification)).toBeLessThan(LATENCY);
      const second = await sim.advance(zaakUrl, { notify: false });
      const onRequest = await reads(() => chain.supplier(`/api/v1/orders/${orderId}/sync`, { body: {} }), second.url);
      expect(Math.abs(onRequest)).toBeLessThan(LATENCY);
    } finally {
      sim.setFaults({ latencyMs: 0 });
    }
  });

  it('never reads the zaak conditionally: a server’s 304 is not taken for "no new status"', async () => {
    const { orderId, zaakUrl } = await placedOrder(chain, 'stille-bv');
    const sim = sims['stille-bv'];
    const synced = await waitFor(async () => (await orderDetail(chain, orderId)).sync.lastSyncedAt);
    const count = sim.requests.length;
    await chain.supplier(`/api/v1/orders/${orderId}/sync`, { body: {} });
    await waitFor(async () => (await orderDetail(chain, orderId)).sync.lastSyncedAt !== synced);
    const zaakReads = sim.requests
      .slice(count)
      .filter((r) => zaakUrl.endsWith(r.path))
      .map((r) => r.status);
    expect(zaakReads).toEqual([200]);
  });
});

/** What an NRC posts to check a callback before it accepts an abonnement (kanaal `test`). */
const subscriptionCheck = () => ({
  kanaal: 'test',
  hoofdObject: 'http://example.com',
  resource: 'test',
  resourceUrl: 'http://example.com',
  actie: 'test',
  aanmaakdatum: new Date().toISOString(),
});

describe('intake rules', () => {
  it('accepts the subscription check (kanaal test) only with valid auth, storing nothing', async () => {
    const probe = subscriptionCheck();
    const before = await db.selectFrom('inbox').select('id').execute();
    expect((await notify(probe)).status).toBe(204);
    expect((await notify(probe, '')).status).toBe(401);
    expect((await notify(probe, 'Bearer nonsense')).status).toBe(401);
    expect(await db.selectFrom('inbox').select('id').execute()).toHaveLength(before.length);
  });

  it('accepts the fixed Authorization value an NRC abonnement sends', async () => {
    const probe = subscriptionCheck();
    expect((await notify(probe, 'Token abonnement-0123456789-vast')).status).toBe(204);
    expect((await notify(probe, 'Token abonnement-0123456789-vasT')).status).toBe(401);
  });

  it('refuses an invalid body with invalidParams', async () => {
    const res = await notify({ kanaal: 'zaken', hoofdObject: 'not a url', actie: 'create' });
    expect(res.status).toBe(400);
    const names = (await res.json()).invalidParams.map((p: { name: string }) => p.name);
    expect(names).toEqual(expect.arrayContaining(['hoofdObject', 'resource', 'resourceUrl', 'aanmaakdatum']));
  });

  it('answers 204 for an untracked zaak and stores nothing', async () => {
    const before = (await db.selectFrom('inbox').select('id').execute()).length;
    const res = await notify(notification(`${hulp.zakenApiRoot}zaken/00000000-0000-4000-8000-000000000000`, `${hulp.zakenApiRoot}statussen/1`));
    expect(res.status).toBe(204);
    expect((await db.selectFrom('inbox').select('id').execute()).length).toBe(before);
    expect(await (await gateway.app.request('/metrics')).text()).toMatch(
      /ketenstatus_notifications_total\{organisation="hulpmiddelen-bv",outcome="untracked"\} [1-9]/,
    );
  });

  it.each([
    ['another origin', 'http://evil.example/zaken/api/v1/zaken/1'],
    ['the database port', 'http://127.0.0.1:5432/zaken/api/v1/zaken/1'],
    ['the metadata service', 'http://169.254.169.254/latest/meta-data/'],
  ])('refuses a notification pointing at %s, without any outbound request', async (_n, target) => {
    const count = hulp.requests.length;
    const stored = await inboxRows();
    const res = await notify(notification(target, target));
    expect(res.status).toBe(400);
    expect((await res.json()).invalidParams[0]).toMatchObject({ code: 'foreign-origin' });
    // Nothing stored (no inbox row, so no re-query job): no request can follow the answer.
    expect(await inboxRows()).toBe(stored);
    expect(hulp.requests.length).toBe(count);
  });

  it('judges the origin against the API root registered now: moved by an operator, the old origin is foreign at once', async () => {
    const org = gateway.network.zakenOrganisation('vaste-sleutel-bv')!;
    const oldRoot = org.zaken.apiRoot;
    const newRoot = 'http://127.0.0.2:8123/zaken/api/v1/';
    const send = (root: string) =>
      notify(notification(`${root}zaken/00000000-0000-4000-8000-000000000000`, `${root}statussen/1`), 'Token abonnement-0123456789-vast');
    expect((await send(oldRoot)).status).toBe(204); // untracked, on the registered origin
    try {
      await gateway.network.put(org.id, { ...org, zaken: { ...org.zaken, apiRoot: newRoot } }, 'test');
      const moved = await send(oldRoot);
      expect(moved.status).toBe(400);
      expect((await moved.json()).invalidParams[0]).toMatchObject({ code: 'foreign-origin', reason: expect.stringContaining('http://127.0.0.2:8123') });
      expect((await send(newRoot)).status).toBe(204);
    } finally {
      await gateway.network.put(org.id, { ...gateway.network.get(org.id)!, zaken: { ...org.zaken, apiRoot: oldRoot } }, 'test');
    }
    expect((await send(oldRoot)).status).toBe(204);
  });

  it('refuses (503, Retry-After) notifications of an organisation whose stored API root is no URL, and no other', async () => {
    // Stored before roots were parsed on the way in: only a direct write makes one now.
    const org = gateway.network.zakenOrganisation('vaste-sleutel-bv')!;
    const setRoot = async (apiRoot: string) => {
      await db
        .updateTable('organisations')
        .set({ config: json({ ...org, zaken: { ...org.zaken, apiRoot } }) as never })
        .where('id', '=', org.id)
        .execute();
      await gateway.network.refresh();
    };
    const zaak = `${org.zaken.apiRoot}zaken/00000000-0000-4000-8000-000000000000`;
    try {
      await setRoot('https://zaken.example:99999/zaken/api/v1/');
      const refused = await notify(notification(zaak, zaak), 'Token abonnement-0123456789-vast');
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('300');
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      // the rest of the network refreshed and works
      expect((await notify(notification(`${hulp.zakenApiRoot}zaken/00000000-0000-4000-8000-000000000000`, `${hulp.zakenApiRoot}statussen/1`))).status).toBe(
        204,
      );
    } finally {
      await setRoot(org.zaken.apiRoot);
    }
    expect((await notify(notification(zaak, zaak), 'Token abonnement-0123456789-vast')).status).toBe(204);
  });

  it('judges the origin by the parsed URL: the own origin followed by userinfo is foreign; another spelling of it is not', async () => {
    const origin = new URL(hulp.zakenApiRoot).origin;
    const count = hulp.requests.length;
    const stored = await inboxRows();
    const disguised = `${origin}@evil.example/zaken/api/v1/zaken/1`;
    const res = await notify(notification(disguised, disguised));
    expect(res.status).toBe(400);
    expect((await res.json()).invalidParams.map((p: { code: string }) => p.code)).toEqual(['foreign-origin', 'foreign-origin']);
    const shouted = `${origin.toUpperCase()}${new URL(hulp.zakenApiRoot).pathname}zaken/00000000-0000-4000-8000-000000000000`;
    const same = await notify(notification(shouted, `${hulp.zakenApiRoot}statussen/1`));
    expect(same.status).toBe(204); // an untracked zaak: answered, not stored
    expect(await inboxRows()).toBe(stored);
    expect(hulp.requests.length).toBe(count);
  });

  it('refuses a suspended organisation with 403', async () => {
    await gateway.network.suspend('vaste-sleutel-bv', 'test');
    const probe = subscriptionCheck();
    expect((await notify(probe, 'Token abonnement-0123456789-vast')).status).toBe(403);
    await gateway.network.activate('vaste-sleutel-bv', 'test');
  });

  it('takes CloudEvents (NL GOV profile) into the same pipeline', async () => {
    const { orderId, zaakUrl } = await placedOrder(chain, 'stille-bv');
    const s = await sims['stille-bv'].advance(zaakUrl, { notify: false });
    const event = {
      specversion: '1.0',
      id: 'evt-1',
      source: 'urn:nld:oin:00000003012345678000:systeem:zaken',
      type: 'nl.overheid.zaken.status-gewijzigd',
      time: new Date().toISOString(),
      subject: zaakUrl,
      dataref: s.url,
    };
    const auth = `Bearer ${signZgwJwt({ client_id: 'stille-bv' }, notifySecret('stille-bv'))}`;
    const send = (e: unknown) =>
      gateway.app.request('/api/v1/events', {
        method: 'POST',
        headers: { 'content-type': 'application/cloudevents+json', authorization: auth },
        body: JSON.stringify(e),
      });
    expect((await send({ ...event, source: 'urn:nld:oin:99999999999999999999:systeem:x' })).status).toBe(400);
    expect((await send(event)).status).toBe(204);
    await waitFor(async () => (await orderDetail(chain, orderId)).status?.omschrijving === 'Ontvangen');
  });

  it.each(['https://', 'http:', 'https:// ', 'http://[::1'])(
    'answers a CloudEvent whose subject %j is no URL with dataref as the zaak (204), not an error',
    async (subject) => {
      const root = sims['stille-bv'].zakenApiRoot;
      const res = await gateway.app.request('/api/v1/events', {
        method: 'POST',
        headers: {
          'content-type': 'application/cloudevents+json',
          authorization: `Bearer ${signZgwJwt({ client_id: 'stille-bv' }, notifySecret('stille-bv'))}`,
        },
        body: JSON.stringify({
          specversion: '1.0',
          id: `evt-bare-${subject}`,
          source: 'urn:nld:oin:00000003012345678000:systeem:zaken',
          type: 'nl.overheid.zaken.status-gewijzigd',
          time: new Date().toISOString(),
          subject,
          dataref: `${root}zaken/00000000-0000-4000-8000-000000000000`,
        }),
      });
      expect(res.status).toBe(204); // an untracked zaak on the sender's origin
    },
  );

  it("shows operators each organisation's newest stored notification, and none where nothing came", async () => {
    const { zaakUrl } = await placedOrder(chain, 'stille-bv');
    const auth = `Bearer ${signZgwJwt({ client_id: 'stille-bv' }, notifySecret('stille-bv'))}`;
    for (let i = 0; i < 2; i++) {
      // two, some milliseconds apart: the newest must be the one shown
      const s = await sims['stille-bv'].advance(zaakUrl, { notify: false });
      expect((await notify(notification(zaakUrl, s.url), auth)).status).toBe(204);
      await new Promise((r) => setTimeout(r, 20));
    }
    const newest = await db
      .selectFrom('inbox')
      .select(['organisation_id', (eb) => eb.fn.max('received_at').as('last')])
      .groupBy('organisation_id')
      .execute();
    const overview = await (await gateway.app.request('/api/v1/ops/overview', { headers: authHeader('beheer') })).json();
    const shown = Object.fromEntries(overview.organisations.map((o: { id: string; lastNotificationAt: string | null }) => [o.id, o.lastNotificationAt]));
    const stored = Object.fromEntries(newest.map((r) => [r.organisation_id, new Date(r.last as Date).toISOString()]));
    expect(stored['stille-bv']).toBeDefined();
    expect(shown).toEqual({ 'hulpmiddelen-bv': stored['hulpmiddelen-bv'] ?? null, 'stille-bv': stored['stille-bv'], 'vaste-sleutel-bv': null });
  });
});

describe('faults', () => {
  it('shows a zaak that answers 404 as a gap, never a guess', async () => {
    const { caseId, orderId, zaakUrl } = await placedOrder(chain, 'stille-bv');
    sims['stille-bv'].deleteZaak(zaakUrl);
    await chain.supplier(`/api/v1/orders/${orderId}/sync`, { body: {} });
    // On a loaded CI machine a first attempt can fail and back off (1 s, 2 s, …) before the 404 comes.
    const order = await waitFor(async () => {
      const o = await orderDetail(chain, orderId);
      return o.sync.state === 'gone' && o;
    }, 25_000);
    expect(order.status).toBeNull();
    expect((await caseDetail(chain, caseId)).combinedStatus.gaps).toContainEqual(expect.objectContaining({ orderId, kind: 'not_connected' }));
  });

  it('opens the breaker and shows the gap while a subcontractor is down, then recovers', async () => {
    const sim = sims['stille-bv'];
    const { caseId, orderId, zaakUrl } = await placedOrder(chain, 'stille-bv');
    sim.setFaults({ down: true });
    await chain.supplier(`/api/v1/orders/${orderId}/sync`, { body: {} });
    const gap = await waitFor(async () => (await caseDetail(chain, caseId)).combinedStatus.gaps.find((g: { orderId: string }) => g.orderId === orderId));
    expect(gap).toMatchObject({ kind: 'unreachable', organisation: { id: 'stille-bv' } });
    const ops = await (await gateway.app.request('/api/v1/ops/overview', { headers: authHeader('beheer') })).json();
    const row = ops.organisations.find((o: { id: string }) => o.id === 'stille-bv');
    expect(row.consecutiveFailures).toBeGreaterThan(0);
    // the other organisation is unaffected meanwhile
    const other = await placedOrder(chain, 'hulpmiddelen-bv');
    await hulp.advance(other.zaakUrl);
    await waitFor(async () => (await orderDetail(chain, other.orderId)).status?.omschrijving === 'Ontvangen');
    sim.setFaults({ down: false });
    await sim.advance(zaakUrl, { notify: false });
    await waitFor(async () => (await caseDetail(chain, caseId)).combinedStatus.gaps.length === 0, 20_000);
    expect((await orderDetail(chain, orderId)).status.omschrijving).toBe('Ontvangen');
  });
});
