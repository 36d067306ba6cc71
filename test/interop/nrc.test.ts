// The gateway's own abonnement at a real Open Notificaties 1.11.0 (issue 16, point 3): it subscribes
// for the organisation (Open Notificaties tests the callback first), a status set in Open Zaak
// arrives through it with the generated Authorization value, and suspending the organisation
// deletes the abonnement there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway.ts';
import type { Organisation } from '../../src/network/types.ts';
import { startTestGateway, testNetwork } from '../helpers/gateway.ts';
import { freePort } from '../helpers/ports.ts';
import { waitFor } from '../helpers/wait.ts';
import { gatewayClient, provisionOf, rigState, zgwClient } from './lib/rig.ts';

const rig = rigState();
const ORG = 'openzaak-nrc';

describe.skipIf(!rig.ok)("the gateway's abonnement at Open Notificaties 1.11.0", () => {
  const p = provisionOf(rig);
  const oz = zgwClient(p.testClientAuth);
  const nrc = zgwClient(p.gatewayNrcAuth);
  let gateway: Gateway;
  let callbackUrl: string;

  const request = (client: 'zac' | 'beheer', path: string, body?: unknown) => gatewayClient(gateway, client)(path, body);
  const subscription = async () => (await request('beheer', `/api/v1/organisations/${ORG}`)).body.notificationSubscription;

  beforeAll(async () => {
    const org: Organisation = {
      id: ORG,
      name: 'Open Zaak (rig, via its NRC)',
      oin: '00000003011122233000',
      rsin: p.rsin,
      status: 'active',
      agreement: { version: '2026-1', acceptedAt: '2026-01-10T09:00:00Z', acceptedBy: 'Interop' },
      zaken: { apiRoot: p.zakenApiRoot, catalogiApiRoot: p.catalogiApiRoot, auth: p.gatewayAuth },
      notifications: { mode: 'push', nrc: { apiRoot: p.notificatiesApiRoot, auth: p.gatewayNrcAuth } },
      pollIntervalSeconds: 3600,
      products: [{ code: 'traplift', name: { nl: 'Traplift', en: 'Stairlift' }, zaaktype: p.zaaktype, initiatorRoltype: p.roltypeInitiator }],
    };
    // Open Notificaties calls the gateway back at its public URL: a known loopback port.
    const port = await freePort();
    callbackUrl = `http://127.0.0.1:${port}/api/v1/notificaties`;
    gateway = await startTestGateway({
      network: testNetwork([org]),
      listen: true,
      env: { PORT: String(port), PUBLIC_BASE_URL: `http://127.0.0.1:${port}`, SYNC_DEBOUNCE_MS: '100', SYNC_POLL_TICK_MS: '3600000' },
    });
  });
  afterAll(async () => {
    // Never leave an abonnement behind at the shared rig.
    const s = await subscription().catch(() => undefined);
    if (s?.abonnement && s.state !== 'removed') await nrc('DELETE', s.abonnement).catch(() => undefined);
  });

  it('subscribes at Open Notificaties, which accepted the callback check', async () => {
    const s = await waitFor(
      async () => {
        const s = await subscription();
        if (s?.state === 'failed') throw new Error(`subscription failed: ${s.lastError}`);
        return s?.state === 'active' && s;
      },
      60_000,
      'the abonnement is active',
    );
    expect(s).toMatchObject({
      callbackUrl,
      notificatiesApiRoot: p.notificatiesApiRoot,
      kanaal: 'zaken',
      filters: { bronorganisatie: p.rsin },
      lastError: null,
    });
    const there = await nrc('GET', s.abonnement);
    expect(there.status).toBe(200);
    expect(there.body).toMatchObject({
      url: s.abonnement,
      callbackUrl,
      kanalen: [expect.objectContaining({ naam: 'zaken', filters: { bronorganisatie: p.rsin } })],
    });
  });

  it('receives a status set in Open Zaak through it', async () => {
    const c = await request('zac', '/api/v1/cases', { title: 'Traplift aanvragen', citizen: { bsn: '999993653' } });
    expect(c.status).toBe(201);
    const o = await request('zac', `/api/v1/cases/${c.body.id}/orders`, { subcontractor: ORG, product: 'traplift' });
    expect(o.status).toBe(202);
    const zaak = await waitFor(
      async () => {
        const now = (await request('zac', `/api/v1/orders/${o.body.id}`)).body;
        return now.state === 'placed' && (now.remoteZaak.url as string);
      },
      30_000,
      'the order is placed',
    );
    const status = await oz('POST', `${p.zakenApiRoot}statussen`, {
      zaak,
      statustype: p.statustypen[1],
      datumStatusGezet: new Date().toISOString(),
      statustoelichting: 'interop nrc',
    });
    expect(status.status, JSON.stringify(status.body)).toBe(201);
    const order = await waitFor(
      async () => {
        const now = (await request('zac', `/api/v1/orders/${o.body.id}`)).body;
        return now.status?.url === status.body.url && now;
      },
      30_000,
      'the order shows the status',
    );
    expect(order.status).toMatchObject({ phase: 'in_behandeling', omschrijving: p.statustypeOmschrijvingen[1] });
    // It came as a notification (the poller never ran).
    const inbox = await gateway.database.db.selectFrom('inbox').select(['organisation_id']).where('resource_url', '=', status.body.url).execute();
    expect(inbox).toEqual([{ organisation_id: ORG }]);
  });

  it('deletes the abonnement at Open Notificaties when the organisation is suspended', async () => {
    const { abonnement } = await subscription();
    expect((await request('beheer', `/api/v1/organisations/${ORG}/suspend`, { reason: 'interop' })).status).toBe(200);
    await waitFor(async () => (await subscription()).state === 'removed', 30_000, 'the abonnement is removed');
    expect((await nrc('GET', abonnement)).status).toBe(404);
  });
});

if (!rig.ok) {
  describe("the gateway's abonnement at Open Notificaties", () => {
    it.skip(`skipped: ${rig.reason}`, () => {});
  });
}
