import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verifyZgwJwt } from '../../src/lib/zgw-jwt.ts';
import { DEFAULT_FAULTS, demoCatalogues, startSimulator } from '../../src/simulator/index.ts';
import type { Simulator } from '../../src/simulator/index.ts';
import { violations } from '../../src/simulator/oas-validator.ts';
import { bearer, call, CRS, startReceiver, waitFor } from '../../src/simulator/test-client.ts';
import type { Receiver } from '../../src/simulator/test-client.ts';

const auth = bearer('gemeente', 'geheim');
let sim: Simulator;
let receiver: Receiver;

async function newZaak(): Promise<{ url: string; uuid: string; zaaktype: string }> {
  const res = await call('POST', `${sim.zakenApiRoot}zaken`, {
    body: { bronorganisatie: '123456782', verantwoordelijkeOrganisatie: '123456782', zaaktype: sim.zaaktypeUrl('traplift'), startdatum: '2026-03-01' },
    headers: { ...auth, ...CRS },
  });
  expect(res.status).toBe(201);
  return res.body;
}

beforeAll(async () => {
  receiver = await startReceiver();
  sim = await startSimulator({
    name: 'Hulpmiddelen B.V.',
    rsin: '123456782',
    clients: { gemeente: 'geheim' },
    zaaktypen: demoCatalogues['hulpmiddelen-bv'],
    notifier: { callbackUrl: receiver.url, clientId: 'hulpmiddelen-bv', secret: 'notify-secret' },
  });
});
afterEach(async () => {
  sim.setFaults(DEFAULT_FAULTS);
  await sim.flushNotifications();
  receiver.received.length = 0;
  receiver.answers.length = 0;
});
afterAll(async () => {
  await sim.close();
  await receiver.close();
});

describe('notifications', () => {
  it('notifies zaak and status creation with a verifiable ZGW JWT', async () => {
    const zaak = await newZaak();
    const status = await sim.advance(zaak.url);
    await waitFor(() => receiver.received.length === 2);
    const byResource = Object.fromEntries(receiver.received.map((r) => [r.body.resource, r]));
    expect(byResource.zaak.body).toMatchObject({ kanaal: 'zaken', hoofdObject: zaak.url, resourceUrl: zaak.url, actie: 'create' });
    expect(byResource.status.body).toMatchObject({
      kanaal: 'zaken',
      hoofdObject: zaak.url,
      resourceUrl: status.url,
      actie: 'create',
      kenmerken: { bronorganisatie: '123456782', zaaktype: zaak.zaaktype, vertrouwelijkheidaanduiding: 'zaakvertrouwelijk' },
    });
    for (const { body, authorization } of receiver.received) {
      expect(violations('webhook', 'Notificatie', body)).toEqual([]);
      const token = authorization?.replace(/^Bearer /, '') ?? '';
      const claims = verifyZgwJwt(token, { secretFor: (id) => (id === 'hulpmiddelen-bv' ? 'notify-secret' : undefined), maxAgeSeconds: 60, leewaySeconds: 5 });
      expect(claims.client_id).toBe('hulpmiddelen-bv');
    }
    // Counted when the notifier has read the receiver's answer, which can be after the receiver saw the request.
    await waitFor(() => sim.notificationsSent >= 2);
  });

  it('notifies a status created through the API and can use a fixed Authorization header', async () => {
    sim.setNotifier({ callbackUrl: receiver.url, authorization: 'Token abc' });
    try {
      const zaak = await newZaak();
      const res = await call('POST', `${sim.zakenApiRoot}statussen`, {
        body: { zaak: zaak.url, statustype: sim.statustypeUrls('traplift')[0], datumStatusGezet: new Date().toISOString() },
        headers: auth,
      });
      await waitFor(() => receiver.received.length === 2);
      expect(receiver.received.find((r) => r.body.resource === 'status')).toMatchObject({ authorization: 'Token abc', body: { resourceUrl: res.body.url } });
    } finally {
      sim.setNotifier({ callbackUrl: receiver.url, clientId: 'hulpmiddelen-bv', secret: 'notify-secret' });
    }
  });

  it('retries a failed delivery', async () => {
    receiver.answers.push(500, 503);
    const zaak = await newZaak();
    await sim.flushNotifications();
    expect(receiver.received.map((r) => r.body.resourceUrl)).toEqual([zaak.url]);
  });

  it('drops every notification when dropNotifications is 1', async () => {
    sim.setFaults({ dropNotifications: 1 });
    const before = sim.notificationStats().dropped;
    const zaak = await newZaak();
    await sim.advance(zaak.url);
    // Both were dropped when published, and flushing waits for every delivery still in flight.
    expect(sim.notificationStats().dropped - before).toBe(2);
    await sim.flushNotifications();
    expect(sim.notificationStats().inFlight).toBe(0);
    expect(receiver.received).toEqual([]);
  });

  it('sends every notification twice when duplicateNotifications is 1', async () => {
    sim.setFaults({ duplicateNotifications: 1 });
    const zaak = await newZaak();
    await sim.advance(zaak.url, { notify: true });
    await sim.flushNotifications();
    expect(receiver.received.filter((r) => r.body.resource === 'status')).toHaveLength(2);
    expect(receiver.received.filter((r) => r.body.resourceUrl === zaak.url)).toHaveLength(2);
  });

  it('holds notifications until flushed, then sends them in another order', async () => {
    sim.setFaults({ reorderNotifications: true });
    const zaak = await newZaak();
    const statussen = [await sim.advance(zaak.url), await sim.advance(zaak.url), await sim.advance(zaak.url)];
    // All four held when published, none on its way: nothing can have reached the receiver.
    expect(sim.notificationStats()).toMatchObject({ held: 4, inFlight: 0 });
    expect(receiver.received).toEqual([]);
    await sim.flushNotifications();
    const order = receiver.received.map((r) => r.body.resourceUrl);
    expect([...order].sort()).toEqual([zaak.url, ...statussen.map((s) => s.url)].sort());
    expect(order).not.toEqual([zaak.url, ...statussen.map((s) => s.url)]);
  });

  it('does not notify when asked not to', async () => {
    const zaak = await newZaak();
    await sim.setStatus(zaak.url, 3, { notify: false, toelichting: 'stil' });
    await sim.flushNotifications();
    expect(receiver.received.map((r) => r.body.resource)).toEqual(['zaak']);
    expect(sim.statussen(zaak.url)[0]).toMatchObject({ statustoelichting: 'stil', indicatieLaatstGezetteStatus: true });
  });
});

describe('API faults', () => {
  it('resets the connection without an answer when down, and recovers', async () => {
    sim.setFaults({ down: true });
    await expect(call('GET', `${sim.zakenApiRoot}zaken`, { headers: auth })).rejects.toThrow();
    expect(sim.requests.at(-1)).toMatchObject({ method: 'GET', path: '/zaken/api/v1/zaken', status: 0 });
    // Admin endpoints stay reachable (and are not in the request log) so a test can heal the fault.
    expect((await call('GET', `${sim.url}/_admin/health`)).status).toBe(200);
    sim.setFaults({ down: false });
    expect((await call('GET', `${sim.zakenApiRoot}zaken`, { headers: auth })).status).toBe(200);
  });

  it('answers 500 problems at errorRate 1', async () => {
    sim.setFaults({ errorRate: 1 });
    const res = await call('GET', `${sim.zakenApiRoot}zaken`, { headers: auth });
    expect(res.status).toBe(500);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(violations('zaken', 'Fout', res.body)).toEqual([]);
  });

  it('adds latency to every API response', async () => {
    sim.setFaults({ latencyMs: 120 });
    const started = performance.now();
    await call('GET', `${sim.zakenApiRoot}zaken`, { headers: auth });
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
  });
});

describe('admin endpoints', () => {
  it('advances a zaak, lists zaken and sets faults without authentication', async () => {
    const zaak = await newZaak();
    const advanced = await call('POST', `${sim.url}/_admin/zaken/${zaak.uuid}/advance`);
    expect(advanced.status).toBe(200);
    expect(violations('zaken', 'Status', advanced.body)).toEqual([]);
    const list = await call('GET', `${sim.url}/_admin/zaken`);
    expect(list.body.find((z: { uuid: string }) => z.uuid === zaak.uuid)).toMatchObject({ status: 'Ontvangen', zaaktype: 'Levering traplift' });
    const faults = await call('PUT', `${sim.url}/_admin/faults`, { body: { latencyMs: 5 } });
    expect(faults.body).toMatchObject({ latencyMs: 5, down: false });
    expect(sim.faults().latencyMs).toBe(5);
    expect((await call('PUT', `${sim.url}/_admin/faults`, { body: { bogus: 1 } })).status).toBe(400);
  });

  it('moves unfinished zaken on by itself with autoAdvanceSeconds, up to the eindstatus', async () => {
    const auto = await startSimulator({
      name: 'Auto',
      rsin: '123456782',
      clients: { gemeente: 'geheim' },
      zaaktypen: demoCatalogues['hulpmiddelen-bv'],
      autoAdvanceSeconds: 0.02,
    });
    try {
      const create = () =>
        call('POST', `${auto.zakenApiRoot}zaken`, {
          body: { bronorganisatie: '123456782', verantwoordelijkeOrganisatie: '123456782', zaaktype: auto.zaaktypeUrl('traplift'), startdatum: '2026-03-01' },
          headers: { ...auth, ...CRS },
        });
      const res = await create();
      await waitFor(() => auto.statussen(res.body.url).length === 4);
      // A second zaak taken to its end by the same ticks: the first, already at its end, was left alone.
      const second = await create();
      await waitFor(() => auto.statussen(second.body.url).length === 4);
      expect(auto.statussen(res.body.url)).toHaveLength(4);
      expect(auto.zaken().find((z) => z.url === res.body.url)?.einddatum).not.toBeNull();
      expect((await call('POST', `${auto.url}/_admin/zaken/${res.body.uuid}/advance`)).status).toBe(409);
    } finally {
      await auto.close();
    }
  });
});
