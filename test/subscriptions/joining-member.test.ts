// A joining member whose Notificaties API the operator named (`notifications.nrc`): no abonnement
// while it is pending — nothing of it is synced yet — one once it is active, gone when suspended.
// The member's own connection (PUT /join/{token}/connection) cannot name an NRC, so it keeps the
// operator's.
import { afterAll, describe, expect, it } from 'vitest';
import { NRC_SUBSCRIPTION_JOB } from '../../src/subscriptions/manager.ts';
import { startTestGateway, testNetwork } from '../helpers/gateway.ts';
import { startStandInNrc } from '../helpers/nrc.ts';
import { freePort } from '../helpers/ports.ts';
import { api, connection, invited, memberSimulator, pendingMember } from '../onboarding/helpers.ts';
import { waitFor } from '../helpers/wait.ts';

const ID = 'nrc-joiner';
const nrc = await startStandInNrc();
afterAll(() => nrc.close());
const nrcSetting = { apiRoot: nrc.apiRoot, auth: { type: 'zgw-jwt' as const, clientId: nrc.clientId, secret: nrc.secret } };
const sim = await memberSimulator();
// The stand-in tests the callback before it accepts an abonnement: the gateway listens at its public URL.
const port = await freePort();
const gateway = await startTestGateway({
  network: testNetwork(),
  listen: true,
  env: { PORT: String(port), PUBLIC_BASE_URL: `http://127.0.0.1:${port}`, ONBOARDING_TEST_WINDOW_SECONDS: '1' },
});

const organisation = async () => (await api(gateway, `/api/v1/organisations/${ID}`, { operator: true })).body;
/** Every reconcile of the member's abonnement queued so far has run. */
const reconciled = () =>
  waitFor(async () => {
    const busy = await gateway.database.db
      .selectFrom('jobs')
      .select('id')
      .where('kind', '=', NRC_SUBSCRIPTION_JOB)
      .where('state', 'in', ['queued', 'running'])
      .where('run_at', '<=', new Date())
      .execute();
    return busy.length === 0;
  }, 20_000);

describe('a joining member with an NRC the operator named', () => {
  let token = '';

  it('gets no abonnement while pending, and its own connection keeps the NRC', async () => {
    token = (await invited(gateway, ID, sim)).token;
    const named = await api(gateway, `/api/v1/organisations/${ID}`, {
      method: 'PUT',
      operator: true,
      body: { ...pendingMember(ID, sim), ...connection(sim, undefined, 'poll'), notifications: { mode: 'push', nrc: nrcSetting } },
    });
    expect(named.status).toBe(200);
    await reconciled();
    expect(nrc.requests).toEqual([]);
    expect((await organisation()).notificationSubscription).toMatchObject({ state: 'pending', abonnement: null, notificatiesApiRoot: nrc.apiRoot });

    const { body: join } = await api(gateway, `/api/v1/join/${token}`);
    const signer = { name: 'Sam Signer', email: 'sam@joiner.example', role: 'bestuurder' };
    const accepted = await api(gateway, `/api/v1/join/${token}/acceptance`, {
      body: { signer, agreementVersion: join.agreement.version, agreementHash: join.agreement.hash },
    });
    expect(accepted.status).toBe(201);
    expect((await api(gateway, `/api/v1/join/${token}/connection`, { method: 'PUT', body: connection(sim, undefined, 'poll') })).status).toBe(200);
    const stored = await organisation();
    expect(stored.notifications).toMatchObject({ mode: 'poll', nrc: { apiRoot: nrc.apiRoot } });
    await reconciled();
    expect(nrc.requests).toEqual([]);
  });

  it('gets its abonnement once activated, and loses it when suspended', async () => {
    expect((await api(gateway, `/api/v1/join/${token}/connection-test`, { body: {} })).body.passed).toBe(true);
    expect((await api(gateway, `/api/v1/organisations/${ID}/activate`, { operator: true, body: {} })).status).toBe(200);
    await waitFor(async () => (await organisation()).notificationSubscription?.state === 'active', 20_000);
    const [abo] = [...nrc.abonnementen.values()];
    expect(abo).toMatchObject({
      callbackUrl: `http://127.0.0.1:${port}/api/v1/notificaties`,
      kanalen: [{ naam: 'zaken', filters: { bronorganisatie: pendingMember(ID, sim).rsin } }],
    });

    expect((await api(gateway, `/api/v1/organisations/${ID}/suspend`, { operator: true, body: {} })).status).toBe(200);
    await waitFor(async () => (await organisation()).notificationSubscription?.state === 'removed', 20_000);
    expect(nrc.abonnementen.size).toBe(0);
  });
});
