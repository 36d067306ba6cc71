// The operator API (/api/v1/ops, src/ops): dead jobs listed and sent one round again, and the
// overview of each organisation (its open orders: those not finished); operators only.
import { describe, expect, it } from 'vitest';
import { enqueue } from '../../src/jobs/queue.ts';
import { organisation, portalOrganisation } from '../helpers/fixtures.ts';
import { authHeader, startTestGateway, subcontractorClient, testNetwork } from '../helpers/gateway.ts';
import { waitFor } from '../helpers/wait.ts';

// A portal organisation whose product has a closing status that is not its final one ('afgezegd').
const bouwer = portalOrganisation('bouwer-bv');
bouwer.products[0].statuses.push({ code: 'afgezegd', name: { nl: 'Afgezegd', en: 'Called off' }, phase: 'geannuleerd' });
const gateway = await startTestGateway({
  network: testNetwork(
    [organisation('alleen-poll-bv', { notifications: { mode: 'poll' }, pollIntervalSeconds: 60 }), bouwer],
    [subcontractorClient('bouwer-bv')],
  ),
});
const ops = (path: string, init: RequestInit = {}) => gateway.app.request(`/api/v1/ops${path}`, { ...init, headers: authHeader('beheer') });

type Job = { id: number; kind: string; attempts: number; errors: { error: string }[] };
const deadJob = (kind: string, errors: number) =>
  waitFor(
    async () => {
      const res = await (await ops('/jobs?state=dead')).json();
      return (res.results as Job[]).find((j) => j.kind === kind && j.errors.length === errors);
    },
    10_000,
    `a dead ${kind} job with ${errors} error(s)`,
  );

describe('operations', () => {
  it('lists dead jobs and sends one round again', async () => {
    await enqueue(gateway.database.db, 'order.unknown-kind', { x: 1 });
    const dead = await deadJob('order.unknown-kind', 1);
    expect(dead.errors[0].error).toContain('no handler');
    const retry = await ops(`/jobs/${dead.id}/retry`, { method: 'POST' });
    expect(retry.status).toBe(202);
    // It ran again (and, with no handler still, died again): the second round's error is on it.
    expect((await deadJob('order.unknown-kind', 2)).id).toBe(dead.id);
    expect((await ops('/jobs/999999/retry', { method: 'POST' })).status).toBe(404);
    expect((await ops('/jobs/abc/retry', { method: 'POST' })).status).toBe(404);
  });

  it("gives each organisation's mode, interval and circuit in the overview; only to operators", async () => {
    expect((await gateway.app.request('/api/v1/ops/overview', { headers: authHeader('zac') })).status).toBe(403);
    const overview = await (await ops('/overview')).json();
    expect(overview.organisations[0]).toMatchObject({ id: 'alleen-poll-bv', notifications: 'poll', pollIntervalSeconds: 60, breaker: 'closed' });
  });

  it('counts as open only the orders that are not finished: no closing status, and their case not cancelled', async () => {
    const post = (client: 'zac' | 'bouwer', path: string, body: unknown) =>
      gateway.app.request(path, { method: 'POST', headers: { ...authHeader(client), 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const assignment = async () => {
      const c = await (await post('zac', '/api/v1/cases', { title: 'Drempel', citizen: { bsn: '111222333' } })).json();
      const o = await (await post('zac', `/api/v1/cases/${c.id}/orders`, { subcontractor: 'bouwer-bv', product: 'drempelhulp' })).json();
      return { caseId: c.id as string, orderId: o.id as string };
    };
    const openOrders = async () => (await (await ops('/overview')).json()).organisations.find((o: { id: string }) => o.id === 'bouwer-bv').openOrders as number;
    const busy = await assignment();
    const calledOff = await assignment();
    const cancelled = await assignment();
    expect((await post('bouwer', `/api/v1/partner/assignments/${busy.orderId}/status`, { status: 'bezig' })).status).toBe(200);
    expect(await openOrders()).toBe(3);
    expect((await post('bouwer', `/api/v1/partner/assignments/${calledOff.orderId}/status`, { status: 'afgezegd' })).status).toBe(200);
    expect((await post('zac', `/api/v1/cases/${cancelled.caseId}/status`, { phase: 'geannuleerd' })).status).toBe(200);
    expect(await openOrders()).toBe(1);
  });
});
