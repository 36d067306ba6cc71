// Deliveries end to end: outbox event → deliveries → signed POSTs to loopback subscribers, with the
// retry schedule compressed (DELIVERY_RETRY_BASE_SECONDS) so a whole day of retries takes seconds.
import { sql } from 'kysely';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { violations } from '../../src/simulator/oas-validator.ts';
import { deliveryApi } from '../helpers/delivery.ts';
import { startTestGateway } from '../helpers/gateway.ts';
import { caseSettled } from '../helpers/settled.ts';
import { startSubscriber, type Received, type Responder } from '../helpers/subscriber.ts';
import { waitFor } from '../helpers/wait.ts';

const PUBLIC_BASE_URL = 'https://ketenstatus.gemeente.example';
const gateway = await startTestGateway({
  env: { PUBLIC_BASE_URL, DELIVERY_RETRY_BASE_SECONDS: '0.0005', DELIVERY_TIMEOUT_MS: '2000' },
});
const { call, subscribe, newCase, setPhase } = deliveryApi(gateway);
const db = gateway.database.db;

async function subscribed(events: string[], format: 'zgw' | 'cloudevents', responder?: Responder, filters?: unknown) {
  const sub = await startSubscriber();
  const created = await (await subscribe({ callbackUrl: sub.url, events, format, ...(filters ? { filters } : {}) })).json();
  if (responder) sub.respond(responder);
  return { sub, id: created.id as string, secret: created.secret as string };
}

const attemptsOf = (webhookId: string) =>
  sql<{ attempt: number; status: number | null; error: string | null; at: Date }>`
  select a.attempt, a.status, a.error, a.at from delivery_attempts a join deliveries d on d.id = a.delivery_id
  where d.webhook_id = ${webhookId} order by a.id`
    .execute(db)
    .then((r) => r.rows);

describe('payloads', () => {
  it('sends a thin ZGW Notificaties message with case URLs under PUBLIC_BASE_URL', async () => {
    const { sub } = await subscribed(['case.status-changed'], 'zgw');
    const caseId = await newCase('111222333');
    await setPhase(caseId, 'in_behandeling');
    const [message] = await waitFor(() => sub.events().length > 0 && sub.events());
    expect(message.headers['content-type']).toBe('application/json');
    expect(message.json).toEqual({
      kanaal: 'ketenstatus',
      hoofdObject: `${PUBLIC_BASE_URL}/api/v1/cases/${caseId}`,
      resource: 'case',
      resourceUrl: `${PUBLIC_BASE_URL}/api/v1/cases/${caseId}`,
      actie: 'status-changed',
      aanmaakdatum: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      kenmerken: { phase: 'in_behandeling', ballWith: 'gemeente-test' },
    });
    expect(violations('webhook', 'Notificatie', message.json)).toEqual([]);
    expect(message.body).not.toContain('111222333');
    expect(message.body).not.toContain('Gemeente Test');
    expect(Buffer.byteLength(message.body)).toBeLessThan(20 * 1024);
  });

  it('sends a CloudEvent in the NL GOV profile', async () => {
    const { sub } = await subscribed(['case.status-changed'], 'cloudevents');
    const caseId = await newCase('111222333');
    await setPhase(caseId, 'in_behandeling');
    await setPhase(caseId, 'actie_vereist');
    const events = await waitFor(() => sub.events().length >= 2 && sub.events());
    const [first, second] = events.map((e) => e.json);
    expect(events[0].headers['content-type']).toBe('application/cloudevents+json');
    expect(first).toEqual({
      specversion: '1.0',
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      source: 'urn:nld:oin:00000001001234567000:systeem:ketenstatus',
      type: 'nl.ketenstatus.case.status-changed',
      subject: caseId,
      time: expect.any(String),
      dataref: `${PUBLIC_BASE_URL}/api/v1/cases/${caseId}`,
      sequence: expect.stringMatching(/^\d{16}$/),
      datacontenttype: 'application/json',
      data: { caseId, phase: 'in_behandeling', ballWith: 'gemeente-test' },
    });
    expect(second.data).toEqual({ caseId, phase: 'actie_vereist', ballWith: 'citizen' });
    expect(second.sequence > first.sequence).toBe(true);
    expect(second.id).not.toBe(first.id);
    for (const e of events) expect(e.body).not.toContain('111222333');
  });

  it('applies filters: only the listed cases, only the listed phases', async () => {
    const [a, b] = [await newCase(), await newCase()];
    const byCase = await subscribed(['case.status-changed'], 'zgw', undefined, { caseIds: [a] });
    const byPhase = await subscribed(['case.status-changed'], 'zgw', undefined, { phases: ['actie_vereist'] });
    for (const id of [a, b]) {
      await setPhase(id, 'in_behandeling');
      await setPhase(id, 'actie_vereist');
    }
    await waitFor(() => byCase.sub.events().length >= 2 && byPhase.sub.events().length >= 2);
    expect(byCase.sub.events().map((e) => [e.json.resourceUrl.split('/').at(-1), e.json.kenmerken.phase])).toEqual([
      [a, 'in_behandeling'],
      [a, 'actie_vereist'],
    ]);
    expect(byPhase.sub.events().map((e) => [e.json.resourceUrl.split('/').at(-1), e.json.kenmerken.phase])).toEqual([
      [a, 'actie_vereist'],
      [b, 'actie_vereist'],
    ]);
  });
});

describe('signatures', () => {
  it('signs every delivery (Standard Webhooks, verified with the standardwebhooks package) with a webhook-id stable across retries', async () => {
    const { sub, secret } = await subscribed(['case.status-changed'], 'zgw', (_r, i) => (i < 3 ? { status: 500 } : { status: 200 }));
    const caseId = await newCase();
    await setPhase(caseId, 'in_behandeling');
    const tries = await waitFor(() => sub.events().length >= 3 && sub.events());
    const wh = new Webhook(secret);
    for (const t of tries) {
      expect(t.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
      expect(wh.verify(t.body, t.headers)).toMatchObject({ resourceUrl: expect.stringContaining(caseId) });
    }
    expect(new Set(tries.map((t) => t.headers['webhook-id'])).size).toBe(1);
    expect(tries[0].headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(new Set(tries.map((t) => t.body)).size).toBe(1);
    // A tampered body or another secret does not verify.
    expect(() => wh.verify(tries[0].body.replace('in_behandeling', 'afgerond'), tries[0].headers)).toThrow();
    expect(() => new Webhook(`whsec_${Buffer.alloc(32, 7).toString('base64')}`).verify(tries[0].body, tries[0].headers)).toThrow();
  });

  it('signs with both secrets for 24 hours after a rotation, then with the new one only', async () => {
    const { sub, id, secret: old } = await subscribed(['case.status-changed'], 'zgw');
    const rotated = (await (await call('portaal', `/api/v1/subscriptions/${id}/rotate-secret`, { method: 'POST' })).json()).secret as string;
    const caseId = await newCase();
    await setPhase(caseId, 'in_behandeling');
    const [during] = await waitFor(() => sub.events().length >= 1 && sub.events());
    expect(during.headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(rotated).verify(during.body, during.headers)).toBeTruthy();
    expect(new Webhook(old).verify(during.body, during.headers)).toBeTruthy();

    await db
      .updateTable('subscriptions')
      .set({ previous_secret_expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', id)
      .execute();
    await setPhase(caseId, 'actie_vereist');
    const after = (await waitFor(() => sub.events().length >= 2 && sub.events()))[1];
    expect(after.headers['webhook-signature'].split(' ')).toHaveLength(1);
    expect(new Webhook(rotated).verify(after.body, after.headers)).toBeTruthy();
    expect(() => new Webhook(old).verify(after.body, after.headers)).toThrow();
  });
});

describe('retries', () => {
  it('records every attempt with its status or error and duration, and delivers on any 2xx', async () => {
    const SLOW_MS = 150;
    const { sub } = await subscribed(['case.status-changed'], 'zgw', (_r, i) =>
      i === 1 ? { status: 500 } : i === 2 ? { status: 404 } : { status: 202, delayMs: i === 3 ? SLOW_MS : 0 },
    );
    const caseId = await newCase();
    await setPhase(caseId, 'in_behandeling');
    const [first] = await waitFor(() => sub.events().length >= 3 && sub.events());
    const webhookId = first.headers['webhook-id'];
    const delivery = await waitFor(() =>
      db.selectFrom('deliveries').selectAll().where('webhook_id', '=', webhookId).where('state', '=', 'delivered').executeTakeFirst(),
    );
    expect(delivery).toMatchObject({ attempts: 3, last_status: 202 });
    const attempts = await attemptsOf(webhookId);
    expect(attempts.map((a) => [a.attempt, a.status, a.error])).toEqual([
      [1, 500, 'HTTP 500'],
      [2, 404, 'HTTP 404'],
      [3, 202, null],
    ]);
    // The duration is the call's: the third answer was held back SLOW_MS.
    const durations = await sql<{
      attempt: number;
      d: number | null;
    }>`select a.attempt, duration_ms as d from delivery_attempts a join deliveries x on x.id = a.delivery_id where x.webhook_id = ${webhookId} order by a.attempt`.execute(
      db,
    );
    expect(durations.rows.map((r) => typeof r.d)).toEqual(['number', 'number', 'number']);
    expect(durations.rows[2].d).toBeGreaterThanOrEqual(SLOW_MS - 5);
  });

  it('treats 3xx as a failure and never follows the redirect', async () => {
    const elsewhere = await startSubscriber();
    const { sub } = await subscribed(['case.status-changed'], 'zgw', (_r, i) =>
      i === 1 ? { status: 307, headers: { location: elsewhere.url } } : { status: 204 },
    );
    const caseId = await newCase();
    await setPhase(caseId, 'in_behandeling');
    const [first] = await waitFor(() => sub.events().length >= 2 && sub.events());
    const attempts = await waitFor(async () => {
      const a = await attemptsOf(first.headers['webhook-id']);
      return a.length >= 2 && a;
    });
    expect(attempts[0]).toMatchObject({ status: 307, error: expect.stringContaining('redirects are not followed') });
    expect(elsewhere.received).toHaveLength(0);
  });

  it('honours Retry-After on 429 and 503', async () => {
    const { sub } = await subscribed(['case.status-changed'], 'zgw', (_r, i) =>
      i === 1 ? { status: 429, headers: { 'retry-after': '1' } } : i === 2 ? { status: 503, headers: { 'retry-after': '1' } } : { status: 204 },
    );
    const caseId = await newCase();
    await setPhase(caseId, 'in_behandeling');
    const tries = await waitFor(() => sub.events().length >= 3 && sub.events());
    // The compressed schedule would retry within milliseconds; Retry-After asked for a second each time.
    expect(tries[1].at - tries[0].at).toBeGreaterThanOrEqual(950);
    expect(tries[2].at - tries[1].at).toBeGreaterThanOrEqual(950);
  });

  it('disables the subscription on 410 Gone and creates no more deliveries for it', async () => {
    const { sub, id } = await subscribed(['case.status-changed'], 'zgw', () => ({ status: 410 }));
    const caseId = await newCase();
    await setPhase(caseId, 'in_behandeling');
    const read = await waitFor(async () => {
      const s = await (await call('portaal', `/api/v1/subscriptions/${id}`)).json();
      return s.state === 'disabled' && s;
    });
    expect(read.disabledReason).toMatch(/410/);
    await setPhase(caseId, 'actie_vereist'); // its event and deliveries are written before this answers
    const deliveries = await db.selectFrom('deliveries').select(['event_type', 'state']).where('subscription_id', '=', id).execute();
    expect(deliveries).toEqual([{ event_type: 'case.status-changed', state: 'dead' }]); // the 410'd one only, and it is final
    await caseSettled(db, caseId);
    expect(sub.events()).toHaveLength(1);
    const ops = await (await call('beheer', '/api/v1/ops/subscriptions?pageSize=100')).json();
    expect(ops.results.find((s: { id: string }) => s.id === id)).toMatchObject({
      state: 'disabled',
      disabledReason: expect.stringMatching(/410/),
      deliveries: { dead: 1 },
    });
  });

  it('after the last retry puts the delivery in the dead letter, visible in /ops and re-sendable with the same webhook-id', async () => {
    let healthy = false;
    const { sub, id } = await subscribed(['case.status-changed'], 'zgw', () => (healthy ? { status: 200 } : { status: 500 }));
    const caseId = await newCase();
    await setPhase(caseId, 'in_behandeling');
    const dead = await waitFor(async () => {
      const list = await (await call('beheer', `/api/v1/ops/deliveries?state=dead&subscription=${id}`)).json();
      return list.count === 1 && list.results[0];
    }, 20_000);
    expect(dead).toMatchObject({
      subscriptionId: id,
      clientId: 'portaal',
      caseId,
      eventType: 'case.status-changed',
      state: 'dead',
      attempts: 8,
      lastStatus: 500,
    });
    expect(dead.attemptLog).toHaveLength(8);
    expect(dead.attemptLog.map((a: { attempt: number }) => a.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(sub.events()).toHaveLength(8);
    const overview = await (await call('beheer', '/api/v1/ops/overview')).json();
    expect(overview.subscriptions.deadDeliveries).toBeGreaterThanOrEqual(1);

    healthy = true;
    const resent = await call('beheer', `/api/v1/ops/deliveries/${dead.id}/resend`, { method: 'POST' });
    expect(resent.status).toBe(202);
    expect(await resent.json()).toEqual({ id: dead.id, state: 'pending', webhookId: dead.webhookId });
    const delivered = await waitFor(async () => {
      const d = await (await call('beheer', `/api/v1/ops/deliveries/${dead.id}`)).json();
      return d.state === 'delivered' && d;
    });
    expect(sub.events().at(-1)!.headers['webhook-id']).toBe(dead.webhookId);
    expect(delivered.attemptLog).toHaveLength(9);
    expect((await call('beheer', `/api/v1/ops/deliveries/${dead.id}/resend`, { method: 'POST' })).status).toBe(404);
    expect((await call('portaal', `/api/v1/ops/deliveries/${dead.id}/resend`, { method: 'POST' })).status).toBe(403);
  }, 30_000);

  it('disables a subscription that has failed for 5 days; the dashboard says so; an operator can enable it again', async () => {
    const { id } = await subscribed(['case.status-changed'], 'zgw', () => ({ status: 500 }));
    const caseId = await newCase();
    await setPhase(caseId, 'in_behandeling');
    await waitFor(async () => (await db.selectFrom('subscriptions').select('failing_since').where('id', '=', id).executeTakeFirstOrThrow()).failing_since);
    // Five days and a bit ago: the next failure is the one that disables it.
    await db
      .updateTable('subscriptions')
      .set({ failing_since: new Date(Date.now() - 5 * 86_400_000 - 60_000) })
      .where('id', '=', id)
      .execute();
    const ops = await waitFor(async () => {
      const list = await (await call('beheer', '/api/v1/ops/subscriptions?pageSize=100')).json();
      const s = list.results.find((x: { id: string }) => x.id === id);
      return s.state === 'disabled' && s;
    });
    expect(ops).toMatchObject({ disabledReason: expect.stringContaining('5 days'), failingSince: expect.any(String), lastError: 'HTTP 500' });
    expect((await (await call('beheer', '/api/v1/ops/overview')).json()).subscriptions.disabled).toBeGreaterThanOrEqual(1);

    const enabled = await call('beheer', `/api/v1/ops/subscriptions/${id}/enable`, { method: 'POST' });
    expect(enabled.status).toBe(200);
    expect(await enabled.json()).toMatchObject({ id, state: 'active', disabledReason: null, failingSince: null });
  });
});

describe('order', () => {
  it('delivers the changes of one case in the order they happened, even when attempts fail at random', async () => {
    let n = 0;
    const { sub } = await subscribed(['case.status-changed'], 'cloudevents', () => (++n % 3 === 0 ? { status: 503 } : { status: 204 }));
    const cases = [await newCase(), await newCase(), await newCase()];
    const phases = ['in_behandeling', 'actie_vereist', 'in_behandeling', 'actie_vereist', 'in_behandeling'];
    await Promise.all(
      cases.map(async (id) => {
        for (const p of phases) await setPhase(id, p);
      }),
    );
    const delivered = await waitFor(async () => {
      const rows = await db
        .selectFrom('deliveries')
        .innerJoin('subscriptions', 'subscriptions.id', 'deliveries.subscription_id')
        .select('deliveries.state')
        .where('subscriptions.callback_url', '=', sub.url)
        .execute();
      return rows.length === cases.length * phases.length && rows.every((r) => r.state === 'delivered') && rows;
    }, 20_000);
    expect(delivered).toHaveLength(15);
    for (const id of cases) {
      const seen = sub.events().filter((e) => e.json.subject === id);
      const sequences = seen.map((e) => e.json.sequence);
      // Every attempt (failed ones included) is for the earliest undelivered change: never decreasing.
      expect(sequences).toEqual([...sequences].sort());
      expect([...new Set(sequences)]).toHaveLength(phases.length);
      expect(dedupe(seen).map((e) => e.json.data.phase)).toEqual(phases);
    }
  }, 30_000);
});

describe('citizen notices', () => {
  it('emits one case.citizen-notice when the combined phase becomes actie_vereist or afgerond', async () => {
    const { sub } = await subscribed(['case.citizen-notice'], 'zgw');
    const caseId = await newCase('111222333');
    await setPhase(caseId, 'in_behandeling');
    await setPhase(caseId, 'actie_vereist');
    await setPhase(caseId, 'in_behandeling');
    await setPhase(caseId, 'afgerond');
    const notices = await waitFor(() => sub.events().length >= 2 && sub.events());
    await caseSettled(db, caseId); // every delivery of the case's events final: nothing more comes
    expect(sub.events().map((e) => [e.json.actie, e.json.kenmerken])).toEqual([
      ['citizen-notice', { phase: 'actie_vereist', language: 'nl' }],
      ['citizen-notice', { phase: 'afgerond', language: 'nl' }],
    ]);
    expect(notices[0].json.resourceUrl).toBe(`${PUBLIC_BASE_URL}/api/v1/cases/${caseId}`);
    expect(notices.map((n) => n.body).join()).not.toContain('111222333');
    const events = await db
      .selectFrom('case_events')
      .select(['type', 'payload'])
      .where('case_id', '=', caseId)
      .where('type', '=', 'case.citizen-notice')
      .orderBy('id')
      .execute();
    expect(events.map((e) => e.payload)).toEqual([
      { phase: 'actie_vereist', language: 'nl', reason: 'phase' },
      { phase: 'afgerond', language: 'nl', reason: 'phase' },
    ]);
  });
});

/** The first copy of each message (retries carry the same webhook-id). */
function dedupe(received: Received[]): Received[] {
  const seen = new Set<string>();
  return received.filter((r) => !seen.has(r.headers['webhook-id']) && seen.add(r.headers['webhook-id']));
}
