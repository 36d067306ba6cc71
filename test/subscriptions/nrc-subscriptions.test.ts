// The gateway's own abonnement at a subcontractor's Notificaties API (issue 16, point 3), against a
// stand-in NRC that follows the Notificaties API 1.0 contract and tests the callback as Open
// Notificaties does. The gateway's public URL runs through a TCP proxy, so the callback can be cut.
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { orderDetail, placedOrder, startChain } from '../helpers/chain.ts';
import { organisation } from '../helpers/fixtures.ts';
import { authHeader, startTestGateway, testNetwork } from '../helpers/gateway.ts';
import { NRC_SUBSCRIPTION_JOB } from '../../src/subscriptions/manager.ts';
import { type StandInNrc, startStandInNrc, TEST_NOTIFICATION } from '../helpers/nrc.ts';
import { freePort } from '../helpers/ports.ts';
import { startTcpProxy } from '../helpers/tcp-proxy.ts';

const ORG = 'abo-bv';
const port = await freePort();
const proxy = await startTcpProxy({ host: '127.0.0.1', port });
afterAll(() => proxy.close());
const nrc = await startStandInNrc();
afterAll(() => nrc.close());
const nrcSetting = { apiRoot: nrc.apiRoot, auth: { type: 'zgw-jwt' as const, clientId: nrc.clientId, secret: nrc.secret } };
const chain = await startChain([{ id: ORG, notify: false, organisation: { notifications: { mode: 'push', nrc: nrcSetting } } }], {
  PORT: String(port),
  PUBLIC_BASE_URL: `http://127.0.0.1:${proxy.port}/`,
  SYNC_DEBOUNCE_MS: '0',
});
const callbackUrl = `http://127.0.0.1:${proxy.port}/api/v1/notificaties`;
const db = chain.gateway.database.db;
const rsin = chain.gateway.network.get(ORG)!.rsin;

const operator = (path: string, init: { method?: string; body?: unknown } = {}) =>
  Promise.resolve(
    chain.gateway.app.request(path, {
      method: init.method ?? 'GET',
      headers: { ...authHeader('beheer'), ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
    }),
  );
const subscription = async () => (await (await operator(`/api/v1/organisations/${ORG}`)).json()).notificationSubscription;
const abonnementen = () => [...nrc.abonnementen.values()];
const PROBE = TEST_NOTIFICATION;
const notify = (authorization: string | undefined, body: unknown = PROBE) =>
  Promise.resolve(
    chain.gateway.app.request('/api/v1/notificaties', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify(body),
    }),
  );
/**
 * As if a day passed: the queued daily check is due now. A reconcile shows `active` before it queues
 * the next check, so this waits until there is one to move.
 */
const checkNow = (on = db, organisationId?: string) =>
  chain.waitFor(async () => {
    const { rows } = await sql`update jobs set run_at = now() where kind = ${NRC_SUBSCRIPTION_JOB} and state = 'queued'
      ${organisationId ? sql`and payload->>'organisationId' = ${organisationId}` : sql``} returning id`.execute(on);
    return rows.length > 0;
  });
const inboxCount = async () =>
  Number(
    (
      await db
        .selectFrom('inbox')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe("abonnement at the subcontractor's Notificaties API", () => {
  it('is created at start-up: callback /api/v1/notificaties, kanaal zaken on the bronorganisatie, a generated auth the callback check accepted', async () => {
    const sub = await chain.waitFor(async () => {
      const s = await subscription();
      return s?.state === 'active' && s;
    });
    expect(abonnementen()).toHaveLength(1);
    const [abo] = abonnementen();
    expect(abo.callbackUrl).toBe(callbackUrl);
    expect(abo.kanalen).toEqual([{ naam: 'zaken', filters: { bronorganisatie: rsin } }]);
    expect(abo.auth).toMatch(/^Token [A-Za-z0-9_-]{40,}$/);
    expect(nrc.checks.at(-1)).toEqual({ callbackUrl, withoutAuth: 401, withAuth: 204, accepted: true });
    expect(sub).toMatchObject({
      abonnement: abo.url,
      callbackUrl,
      notificatiesApiRoot: nrc.apiRoot,
      kanaal: 'zaken',
      filters: { bronorganisatie: rsin },
      lastError: null,
    });
    expect(Date.parse(sub.lastCheckedAt)).not.toBeNaN();
    // The value is a secret: in no operator view.
    const views = JSON.stringify([
      await (await operator(`/api/v1/organisations/${ORG}`)).json(),
      await (await operator('/api/v1/organisations')).json(),
      await (await operator('/api/v1/ops/overview')).json(),
    ]);
    expect(views).not.toContain(abo.auth.slice('Token '.length));
    const overview = await (await operator('/api/v1/ops/overview')).json();
    expect(overview.organisations.find((o: { id: string }) => o.id === ORG).notificationSubscription).toMatchObject({ state: 'active', lastError: null });
  });

  it('accepts and syncs a notification carrying the generated auth; refuses other values; answers the test kanaal without storing it', async () => {
    const { orderId, zaakUrl } = await placedOrder(chain, ORG);
    const status = await chain.sims[ORG].setStatus(zaakUrl, 1, { notify: false });
    const before = await inboxCount();
    const delivered = await nrc.publish({
      kanaal: 'zaken',
      hoofdObject: zaakUrl,
      resource: 'status',
      resourceUrl: status.url,
      actie: 'create',
      aanmaakdatum: new Date().toISOString(),
      kenmerken: { bronorganisatie: rsin },
    });
    expect(delivered).toEqual([204]);
    expect(await inboxCount()).toBe(before + 1);
    await chain.waitFor(async () => (await orderDetail(chain, orderId)).status?.volgnummer === 2);

    const [abo] = abonnementen();
    expect((await notify('Token not-the-generated-value-0123456789')).status).toBe(401);
    expect((await notify(undefined)).status).toBe(401);
    expect((await notify(abo.auth)).status).toBe(204);
    expect(await inboxCount()).toBe(before + 1);
  });

  it('is created again when the daily check finds it gone (404)', async () => {
    const [old] = abonnementen();
    nrc.forget(old.url);
    await checkNow();
    await chain.waitFor(async () => abonnementen().length === 1 && abonnementen()[0].url !== old.url);
    const [fresh] = abonnementen();
    expect(fresh.auth).toBe(old.auth);
    expect(nrc.requests).toContainEqual({ method: 'GET', path: new URL(old.url).pathname, status: 404 });
    await chain.waitFor(async () => {
      const s = await subscription();
      return s.abonnement === fresh.url && s.state === 'active';
    });
  });

  it('leaves one abonnement when the answer to a create was lost: the one it made unseen is removed before the next', async () => {
    const [old] = abonnementen();
    nrc.forget(old.url);
    nrc.loseNextCreateAnswer();
    await checkNow();
    await chain.waitFor(async () => nrc.requests.some((r) => r.method === 'POST' && r.status === 0));
    const [unseen] = abonnementen();
    await chain.waitFor(async () => {
      const s = await subscription();
      return s.state === 'active' && s.abonnement !== null && s.abonnement !== unseen.url;
    }, 30_000);
    expect(abonnementen().map((a) => a.url)).toEqual([(await subscription()).abonnement]);
    expect(nrc.requests).toContainEqual({ method: 'DELETE', path: new URL(unseen.url).pathname, status: 204 });
  });

  it("shows the NRC's refusal when the callback check fails (invalid-callback-url) and retries until it passes", async () => {
    const [old] = abonnementen();
    nrc.forget(old.url);
    proxy.cut('reset');
    await checkNow();
    const failed = await chain.waitFor(async () => {
      const s = await subscription();
      return s.state === 'failed' && s;
    });
    expect(failed.lastError).toContain('400 invalid-callback-url');
    expect(nrc.checks.at(-1)).toMatchObject({ accepted: false, withoutAuth: 0, withAuth: 0 });
    const overview = await (await operator('/api/v1/ops/overview')).json();
    expect(overview.organisations.find((o: { id: string }) => o.id === ORG).notificationSubscription.state).toBe('failed');
    expect(abonnementen()).toHaveLength(0);
    proxy.heal();
    const active = await chain.waitFor(async () => {
      const s = await subscription();
      return s.state === 'active' && s;
    }, 30_000);
    expect(active.lastError).toBeNull();
    expect(abonnementen()).toHaveLength(1);
    expect(nrc.checks.at(-1)).toMatchObject({ accepted: true });
  });

  it('shows the error while the NRC is down and retries', async () => {
    nrc.setDown(true);
    await checkNow();
    const s = await chain.waitFor(async () => {
      const s = await subscription();
      return s.lastError && s;
    });
    expect(s.lastError).toMatch(/^checking the abonnement: (network|timeout)/);
    nrc.setDown(false);
    await chain.waitFor(async () => (await subscription()).lastError === null, 30_000);
    expect((await subscription()).state).toBe('active');
    expect(abonnementen()).toHaveLength(1);
  });

  it('is removed (DELETE) when the organisation is suspended, and its value stops authenticating; made again on activation', async () => {
    const [abo] = abonnementen();
    expect((await operator(`/api/v1/organisations/${ORG}/suspend`, { method: 'POST' })).status).toBe(200);
    await chain.waitFor(async () => (await subscription()).state === 'removed');
    expect(nrc.abonnementen.size).toBe(0);
    expect(nrc.requests).toContainEqual({ method: 'DELETE', path: new URL(abo.url).pathname, status: 204 });
    await chain.waitFor(async () => (await notify(abo.auth)).status === 401);

    expect((await operator(`/api/v1/organisations/${ORG}/activate`, { method: 'POST' })).status).toBe(200);
    await chain.waitFor(async () => (await subscription()).state === 'active');
    expect(abonnementen()).toHaveLength(1);
    expect((await notify(abonnementen()[0].auth)).status).toBe(204);
  });

  it('is removed when the operator takes the NRC out of the organisation (a PUT of what GET showed)', async () => {
    const [abo] = abonnementen();
    const shown = await (await operator(`/api/v1/organisations/${ORG}`)).json();
    expect(shown.notificationSubscription.state).toBe('active');
    const res = await operator(`/api/v1/organisations/${ORG}`, {
      method: 'PUT',
      body: { ...shown, notifications: { mode: 'push', clientId: ORG, secret: 'a-fixed-notification-secret-0123' } },
    });
    expect(res.status).toBe(200);
    await chain.waitFor(async () => (await subscription()).state === 'removed');
    expect(nrc.requests).toContainEqual({ method: 'DELETE', path: new URL(abo.url).pathname, status: 204 });
    expect(nrc.abonnementen.size).toBe(0);
  });

  it('refuses an NRC root that is no URL', async () => {
    const shown = await (await operator(`/api/v1/organisations/${ORG}`)).json();
    const res = await operator(`/api/v1/organisations/${ORG}`, {
      method: 'PUT',
      body: { ...shown, notifications: { mode: 'push', nrc: { ...nrcSetting, apiRoot: 'http://127.0.0.1:99999/api/v1/' } } },
    });
    expect(res.status).toBe(400);
    expect((await res.json()).invalidParams).toContainEqual(expect.objectContaining({ name: 'notifications.nrc.apiRoot', code: 'invalid' }));
  });
});

describe('without PUBLIC_BASE_URL', () => {
  it('does not subscribe and says why', async () => {
    const gateway = await startTestGateway({ network: testNetwork([organisation('zonder-url', { notifications: { mode: 'push', nrc: nrcSetting } })]) });
    const view = async () =>
      (await (await gateway.app.request('/api/v1/organisations/zonder-url', { headers: authHeader('beheer') })).json()).notificationSubscription;
    const failed = await chain.waitFor(async () => {
      const s = await view();
      return s?.state === 'failed' && s;
    });
    expect(failed.lastError).toContain('PUBLIC_BASE_URL is not set');
    expect(abonnementen().filter((a) => !a.callbackUrl.startsWith(`http://127.0.0.1:${proxy.port}/`))).toHaveLength(0);
  });
});

// A create whose answer was lost leaves an abonnement the gateway has no url of. Each organisation
// here has a stand-in of its own that makes the first abonnement, cuts the answer and then answers
// nothing until the test lets it, so the retry cannot come before the organisation goes.
const LOST = ['lost-suspended', 'lost-nrc-dropped', 'lost-left'] as const;
const lostNrcs = {} as Record<(typeof LOST)[number], StandInNrc>;
for (const id of LOST) {
  lostNrcs[id] = await startStandInNrc();
  afterAll(() => lostNrcs[id].close());
  lostNrcs[id].loseNextCreateAnswer({ thenDown: true });
}
const settingOf = (stand: StandInNrc) => ({ apiRoot: stand.apiRoot, auth: { type: 'zgw-jwt' as const, clientId: stand.clientId, secret: stand.secret } });
// Two organisations with one rsin at one NRC: their abonnementen match the same callback and kanaal.
const twinNrc = await startStandInNrc();
afterAll(() => twinNrc.close());
const twins = ['twin-a', 'twin-b'].map((id) => organisation(id, { rsin: '012345672', notifications: { mode: 'push', nrc: settingOf(twinNrc) } }));
twins[1].status = 'suspended'; // activated by the test, after twin-a's is made
// A second gateway for the organisations of the tests below, each on the stand-in NRC its test needs.
const port2 = await freePort();
const gateway2 = await startTestGateway({
  network: testNetwork([...LOST.map((id) => organisation(id, { notifications: { mode: 'push', nrc: settingOf(lostNrcs[id]) } })), ...twins]),
  listen: true,
  env: { PORT: String(port2), PUBLIC_BASE_URL: `http://127.0.0.1:${port2}/` },
});
const db2 = gateway2.database.db;
const operator2 = (path: string, init: { method?: string; body?: unknown } = {}) =>
  Promise.resolve(
    gateway2.app.request(path, {
      method: init.method ?? 'GET',
      headers: { ...authHeader('beheer'), ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
    }),
  );
const stored = (id: string) => db2.selectFrom('nrc_subscriptions').selectAll().where('organisation_id', '=', id).executeTakeFirst();
const jobsOf = (id: string) =>
  db2.selectFrom('jobs').select('id').where('kind', '=', NRC_SUBSCRIPTION_JOB).where(sql<string>`payload->>'organisationId'`, '=', id).execute();

/** The lost create, its retry held an hour off, and the stand-in answering again. */
async function lostAndHeld(id: (typeof LOST)[number]) {
  const stand = lostNrcs[id];
  await chain.waitFor(async () => stand.requests.some((r) => r.method === 'POST' && r.status === 0));
  await chain.waitFor(async () => {
    const { rows } = await sql`update jobs set run_at = now() + interval '1 hour'
      where kind = ${NRC_SUBSCRIPTION_JOB} and payload->>'organisationId' = ${id} and state = 'queued'
        and not exists (select 1 from jobs running where running.kind = ${NRC_SUBSCRIPTION_JOB}
          and running.payload->>'organisationId' = ${id} and running.state = 'running')
      returning id`.execute(db2);
    return rows.length > 0;
  }, 30_000);
  expect(await stored(id)).toMatchObject({ state: 'failed', abonnement_url: null });
  expect(stand.abonnementen.size).toBe(1);
  stand.setDown(false);
  return [...stand.abonnementen.values()][0];
}

/** The organisation's abonnement is removed and no reconcile of it is left to make another. */
const removedForGood = (id: string) => chain.waitFor(async () => (await stored(id))?.state === 'removed' && (await jobsOf(id)).length === 0, 30_000);

/** removedForGood, and the unseen abonnement was deleted at its NRC. */
async function removedAt(id: (typeof LOST)[number], unseen: { url: string }) {
  await removedForGood(id);
  expect([...lostNrcs[id].abonnementen.values()]).toEqual([]);
  expect(lostNrcs[id].requests).toContainEqual({ method: 'DELETE', path: new URL(unseen.url).pathname, status: 204 });
}

describe('an abonnement whose create answer was lost, when the organisation goes before the retry', () => {
  it('is removed when the organisation is suspended', async () => {
    const id = 'lost-suspended';
    const unseen = await lostAndHeld(id);
    expect((await operator2(`/api/v1/organisations/${id}/suspend`, { method: 'POST' })).status).toBe(200);
    await removedAt(id, unseen);
  });

  it('is removed when the operator takes the NRC out of the organisation', async () => {
    const id = 'lost-nrc-dropped';
    const unseen = await lostAndHeld(id);
    const shown = await (await operator2(`/api/v1/organisations/${id}`)).json();
    const res = await operator2(`/api/v1/organisations/${id}`, {
      method: 'PUT',
      body: { ...shown, notifications: { mode: 'push', clientId: id, secret: 'a-fixed-notification-secret-0123' } },
    });
    expect(res.status).toBe(200);
    await removedAt(id, unseen);
  });

  it('is removed when the organisation has left the network (its row gone) by the retry', async () => {
    const id = 'lost-left';
    const unseen = await lostAndHeld(id);
    await db2.deleteFrom('organisations').where('id', '=', id).execute();
    await sql`update jobs set run_at = now() where kind = ${NRC_SUBSCRIPTION_JOB} and payload->>'organisationId' = ${id} and state = 'queued'`.execute(db2);
    await removedAt(id, unseen);
  });
});

describe('two organisations with one rsin at one NRC', () => {
  const view = async (id: string) => (await (await operator2(`/api/v1/organisations/${id}`)).json()).notificationSubscription;
  const activeWith = (id: string, not?: string) =>
    chain.waitFor(async () => {
      const s = await view(id);
      return s?.state === 'active' && s.abonnement !== not && (s.abonnement as string);
    }, 30_000);
  const urls = () => [...twinNrc.abonnementen.keys()].sort();

  it('each keeps its abonnement: a create for one never removes the one recorded for the other', async () => {
    const a = await activeWith('twin-a');
    expect((await operator2('/api/v1/organisations/twin-b/activate', { method: 'POST' })).status).toBe(200);
    const b = await activeWith('twin-b');
    expect(urls()).toEqual([a, b].sort());

    // twin-a's is gone at the NRC: its daily check makes it again and leaves twin-b's.
    twinNrc.forget(a);
    await checkNow(db2, 'twin-a');
    const again = await activeWith('twin-a', a);
    expect(urls()).toEqual([again, b].sort());
    expect(twinNrc.requests.filter((r) => r.method === 'DELETE')).toEqual([]);
  });
});
