import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { deliveryApi } from '../helpers/delivery.ts';
import { startTestGateway } from '../helpers/gateway.ts';
import { isTestDelivery, startSubscriber } from '../helpers/subscriber.ts';

const gateway = await startTestGateway({ env: { DELIVERY_TIMEOUT_MS: '1500' } });
const { call, subscribe } = deliveryApi(gateway);
const db = gateway.database.db;

describe('subscriptions', () => {
  it('creates a subscription after a signed test delivery, shows the secret once, and lets the owner read and delete it', async () => {
    const sub = await startSubscriber();
    const res = await subscribe({ callbackUrl: sub.url, events: ['case.status-changed'], format: 'zgw' });
    expect(res.status).toBe(201);
    const created = await res.json();
    expect(created).toMatchObject({
      id: expect.any(String),
      callbackUrl: sub.url,
      events: ['case.status-changed'],
      format: 'zgw',
      filters: {},
      state: 'active',
    });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(res.headers.get('location')).toBe(created.url);
    expect(res.headers.get('cache-control')).toBe('no-store');

    // The test delivery: a ZGW "kanaal test" message, signed with the new secret.
    expect(sub.received).toHaveLength(1);
    const test = sub.received[0];
    expect(isTestDelivery(test)).toBe(true);
    expect(test.json).toMatchObject({ kanaal: 'test', actie: 'test', resourceUrl: created.url });
    expect(new Webhook(created.secret).verify(test.body, test.headers)).toMatchObject({ kanaal: 'test' });

    const read = await (await call('portaal', `/api/v1/subscriptions/${created.id}`)).json();
    expect(read).toMatchObject({ id: created.id, state: 'active', health: { lastSuccessAt: null, failingSince: null } });
    expect(read).not.toHaveProperty('secret');
    const list = await (await call('portaal', '/api/v1/subscriptions')).json();
    expect(list.results.map((s: { id: string }) => s.id)).toContain(created.id);
    expect(JSON.stringify(list)).not.toContain(created.secret);

    // Another client (role supplier may subscribe too) sees nothing of it.
    expect((await call('zac', `/api/v1/subscriptions/${created.id}`)).status).toBe(404);
    expect((await call('zac', `/api/v1/subscriptions/${created.id}`, { method: 'DELETE' })).status).toBe(404);
    expect((await (await call('zac', '/api/v1/subscriptions')).json()).results).toEqual([]);

    expect((await call('portaal', `/api/v1/subscriptions/${created.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await call('portaal', `/api/v1/subscriptions/${created.id}`)).status).toBe(404);
  });

  it('sends a CloudEvents test delivery for format cloudevents', async () => {
    const sub = await startSubscriber();
    const created = await (
      await subscribe({ callbackUrl: sub.url, events: ['case.citizen-notice'], format: 'cloudevents', filters: { phases: ['actie_vereist'] } })
    ).json();
    expect(sub.received[0].headers['content-type']).toBe('application/cloudevents+json');
    expect(sub.received[0].json).toMatchObject({
      specversion: '1.0',
      type: 'nl.ketenstatus.subscription.test',
      source: 'urn:nld:oin:00000001001234567000:systeem:ketenstatus',
      subject: created.id,
    });
    expect(created.filters).toEqual({ phases: ['actie_vereist'] });
  });

  it('refuses the subscription with 422 when the test delivery is not answered with 2xx, storing nothing', async () => {
    const before = (await db.selectFrom('subscriptions').select('id').execute()).length;
    for (const answer of [{ status: 500 }, { status: 302, headers: { location: 'http://127.0.0.1:1/' } }, 'hang' as const]) {
      const sub = await startSubscriber(() => answer);
      const res = await subscribe({ callbackUrl: sub.url, events: ['case.status-changed'], format: 'zgw' });
      expect(res.status).toBe(422);
      const problem = await res.json();
      expect(problem.invalidParams[0]).toMatchObject({ name: 'callbackUrl', code: 'test-delivery-failed' });
      expect(sub.received).toHaveLength(1);
    }
    const refused = await subscribe({ callbackUrl: 'http://127.0.0.1:1/nobody-listens', events: ['case.status-changed'], format: 'zgw' });
    expect(refused.status).toBe(422);
    expect((await db.selectFrom('subscriptions').select('id').execute()).length).toBe(before);
  });

  it('accepts https everywhere but plain http only for the configured hosts, and never credentials in the URL', async () => {
    const bad = async (callbackUrl: string) => {
      const res = await subscribe({ callbackUrl, events: ['case.status-changed'], format: 'zgw' });
      expect(res.status, callbackUrl).toBe(400);
      expect((await res.json()).invalidParams[0].name).toBe('callbackUrl');
    };
    await bad('http://portal.example/hook');
    await bad('ftp://127.0.0.1/hook');
    await bad('https://user:pw@portal.example/hook');
    await bad('not a url');
    await bad('https://169.254.169.254/latest/meta-data');
    await bad('https://');
    // A limit counts what is sent: a URL that would be taken once trimmed is refused as sent.
    const sub = await startSubscriber();
    try {
      await bad(` ${sub.url} `);
    } finally {
      await sub.close();
    }
  });

  it('validates the body and the role', async () => {
    const sub = await startSubscriber();
    const invalid = await subscribe({ callbackUrl: sub.url, events: ['case.created'], format: 'zgw' });
    expect(invalid.status).toBe(400);
    expect((await subscribe({ callbackUrl: sub.url, events: [], format: 'zgw' })).status).toBe(400);
    expect((await subscribe({ callbackUrl: sub.url, events: ['case.status-changed'], format: 'json' })).status).toBe(400);
    expect((await subscribe({ callbackUrl: sub.url, events: ['case.status-changed'], format: 'zgw', filters: { caseIds: ['x'] } })).status).toBe(400);
    expect((await subscribe({ callbackUrl: sub.url, events: ['case.status-changed'], format: 'zgw' }, 'beheer')).status).toBe(403);
    expect(sub.received).toHaveLength(0);
  });

  it('rotates the secret: a new one once, the old one still valid for 24 hours', async () => {
    const sub = await startSubscriber();
    const created = await (await subscribe({ callbackUrl: sub.url, events: ['case.status-changed'], format: 'zgw' })).json();
    const res = await call('portaal', `/api/v1/subscriptions/${created.id}/rotate-secret`, { method: 'POST' });
    expect(res.status).toBe(200);
    const rotated = await res.json();
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(created.secret);
    const validUntil = Date.parse(rotated.previousSecretValidUntil);
    expect(validUntil - Date.now()).toBeGreaterThan(23.9 * 3_600_000);
    expect(validUntil - Date.now()).toBeLessThanOrEqual(24 * 3_600_000);
    expect((await call('zac', `/api/v1/subscriptions/${created.id}/rotate-secret`, { method: 'POST' })).status).toBe(404);
  });
});
