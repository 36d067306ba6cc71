// The /ops webhook panel against a stand-in for src/delivery's DeliveryOps: what it shows, and that
// re-send and enable need the operator session's CSRF token and report refusals instead of failing.
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { ServiceError } from '../../src/lib/service-error.ts';
import type { WebEnv } from '../../src/web/context.ts';
import { deliveryPanel, type DeliveryOpsVerbs } from '../../src/web/delivery-panel.ts';
import { PageError } from '../../src/web/layout.ts';
import { textOf } from './helpers/web-client.ts';

const calls: string[] = [];
const ops: DeliveryOpsVerbs = {
  deliveries: async () => ({
    count: 1,
    results: [
      {
        id: 7,
        clientId: 'portaal',
        callbackUrl: 'https://portaal.example/hook',
        eventType: 'case.status-changed',
        attempts: 12,
        lastStatus: 500,
        lastError: 'Internal Server Error',
        updatedAt: '2026-11-20T10:00:00Z',
      },
    ],
  }),
  subscriptions: async () => ({
    count: 2,
    results: [
      {
        id: 'a1b2c3d4-0000-4000-8000-000000000001',
        clientId: 'portaal',
        callbackUrl: 'https://portaal.example/hook',
        state: 'disabled',
        disabledReason: 'failing for 3 days',
        disabledAt: '2026-11-21T10:00:00Z',
      },
      {
        id: 'a1b2c3d4-0000-4000-8000-000000000002',
        clientId: 'notify',
        callbackUrl: 'https://notify.example/hook',
        state: 'active',
        disabledReason: null,
        disabledAt: null,
      },
    ],
  }),
  resend: async (id) => {
    calls.push(`resend ${id}`);
    if (id !== 7) throw new ServiceError('not_found', `dead delivery ${id} does not exist`);
  },
  enable: async (id) => void calls.push(`enable ${id}`),
};

const CSRF = 'the-session-csrf-token';
const panel = deliveryPanel(ops, 'http://ops.test');
const app = new Hono<WebEnv>();
app.use(async (c, next) => {
  c.set('lang', 'en');
  await next();
});
app.get('/ops', async (c) => c.html(await panel.render(c, CSRF)));
panel.routes!(app, async () => ({ kind: 'operator', data: { clientId: 'beheer' }, csrf: CSRF, expiresAt: new Date(Date.now() + 60_000) }));
app.onError((error, c) => c.text(error.message, error instanceof PageError ? error.status : 500));

const post = (path: string, body: string) =>
  app.request(`http://ops.test${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://ops.test' }, body });

describe('the webhook panel on /ops', () => {
  it('lists dead deliveries with a re-send button and only the disabled subscriptions', async () => {
    const html = await (await app.request('http://ops.test/ops')).text();
    const text = textOf(html);
    expect(text).toContain('7 portaal https://portaal.example/hook case.status-changed 12 500 Internal Server Error');
    expect(html).toContain('action="/ops/deliveries/7/resend"');
    expect(text).toContain('failing for 3 days');
    expect(html).toContain('action="/ops/subscriptions/a1b2c3d4-0000-4000-8000-000000000001/enable"');
    expect(text).not.toContain('notify.example');
  });

  it('re-sends and enables only with the session’s CSRF token, and says when the delivery module refuses', async () => {
    expect((await post('/ops/deliveries/7/resend', '_csrf=wrong')).status).toBe(403);
    expect(calls).toEqual([]);
    const ok = await post('/ops/deliveries/7/resend', `_csrf=${CSRF}`);
    expect(ok.headers.get('location')).toBe('/ops?done=resent&item=7#dead-deliveries');
    const refused = await post('/ops/deliveries/8/resend', `_csrf=${CSRF}`);
    expect(refused.headers.get('location')).toBe('/ops?done=resend-failed&item=8#dead-deliveries');
    const enabled = await post('/ops/subscriptions/a1b2c3d4-0000-4000-8000-000000000001/enable', `_csrf=${CSRF}`);
    expect(enabled.headers.get('location')).toBe('/ops?done=enabled&item=a1b2c3d4-0000-4000-8000-000000000001#disabled-subscriptions');
    expect(calls).toEqual(['resend 7', 'resend 8', 'enable a1b2c3d4-0000-4000-8000-000000000001']);
    const flash = textOf(await (await app.request('http://ops.test/ops?done=resent&item=7')).text());
    expect(flash).toContain('Webhook 7 will be sent again.');
  });
});
