// Property: whatever the network does to notifications (duplicates, drops, any order), the
// gateway ends in the same order status and timeline as with clean in-order delivery.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SYNC_ORDER_JOB } from '../../src/cases/sync-job.ts';
import { signZgwJwt } from '../../src/lib/zgw-jwt.ts';
import { caseDetail, notifySecret, orderDetail, placedOrder, startChain } from '../helpers/chain.ts';

const chain = await startChain([{ id: 'keten-bv', notify: false }], { SYNC_DEBOUNCE_MS: '20', SYNC_POLL_TICK_MS: '3600000' }); // the test ticks the poller itself
const sim = chain.sims['keten-bv'];
const db = chain.gateway.database.db;
const auth = `Bearer ${signZgwJwt({ client_id: 'keten-bv' }, notifySecret('keten-bv'))}`;

const notify = (zaakUrl: string, statusUrl: string, aanmaakdatum: string) =>
  chain.gateway.app.request('/api/v1/notificaties', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: auth },
    body: JSON.stringify({ kanaal: 'zaken', hoofdObject: zaakUrl, resource: 'status', resourceUrl: statusUrl, actie: 'create', aanmaakdatum }),
  });

async function settled() {
  await chain.waitFor(async () => {
    const busy = await db.selectFrom('jobs').select('id').where('kind', '=', SYNC_ORDER_JOB).where('state', 'in', ['queued', 'running']).execute();
    return busy.length === 0;
  }, 20_000);
}

async function snapshot(caseId: string, orderId: string) {
  const order = await orderDetail(chain, orderId);
  const timeline = (await caseDetail(chain, caseId)).timeline
    .filter((t: { orderId: string; kind: string }) => t.orderId === orderId && t.kind === 'status')
    .map((t: { at: string; phase: string; text: string }) => [t.at, t.phase, t.text]);
  const { url: _url, ...status } = order.status ?? {};
  return { status, timeline };
}

describe('convergence', () => {
  it('ends in the in-order state for any delivery with duplicates, drops and reordering', async () => {
    const base = Date.now() - 3_600_000;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        // per status: how often its notification arrives (0 = dropped, 2-3 = duplicated)
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 4, maxLength: 4 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        async (count, copies, seed) => {
          const chaotic = await placedOrder(chain, 'keten-bv');
          const inOrder = await placedOrder(chain, 'keten-bv');
          const times = Array.from({ length: count }, (_, i) => new Date(base + seed + i * 60_000).toISOString());
          const chaoticStatuses = [];
          for (let i = 0; i < count; i++) chaoticStatuses.push(await sim.setStatus(chaotic.zaakUrl, i, { notify: false, datumStatusGezet: times[i] }));
          // clean delivery: one notification per status, each synced before the next status exists
          for (let i = 0; i < count; i++) {
            const s = await sim.setStatus(inOrder.zaakUrl, i, { notify: false, datumStatusGezet: times[i] });
            await notify(inOrder.zaakUrl, s.url, times[i]);
            await settled();
          }
          // chaotic delivery: shuffled copies, some dropped
          const deliveries = chaoticStatuses.flatMap((s, i) => Array.from({ length: copies[i] }, () => s));
          const shuffled = fc.sample(fc.shuffledSubarray(deliveries, { minLength: deliveries.length, maxLength: deliveries.length }), { seed, numRuns: 1 })[0];
          for (const s of shuffled) expect((await notify(chaotic.zaakUrl, s.url, s.datumStatusGezet)).status).toBe(204);
          // lost notifications are what reconcile polling is for: one interval later every order is re-queried
          await settled();
          await chain.gateway.poller.tick(new Date(Date.now() + 2 * 3_600_000));
          await settled();
          const [a, b] = [await snapshot(chaotic.caseId, chaotic.orderId), await snapshot(inOrder.caseId, inOrder.orderId)];
          expect(a).toEqual(b);
          expect(a.timeline).toHaveLength(count);
        },
      ),
      { numRuns: 25 },
    );
  }, 300_000);
});
