// A zaak's ETag says nothing about its statussen: Open Zaak 1.25.0 keeps the zaak's ETag, and
// answers 304 to it, when a status is added. Whatever a server's ETags do — change, stay stale,
// flap between values or are missing — every status arrives, by notification or by the poll.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SYNC_ORDER_JOB } from '../../src/cases/sync-job.ts';
import { signZgwJwt } from '../../src/lib/zgw-jwt.ts';
import type { EtagMode } from '../../src/simulator/types.ts';
import { caseDetail, notifySecret, orderDetail, placedOrder, startChain } from '../helpers/chain.ts';

const chain = await startChain([{ id: 'etag-bv', notify: false }], { SYNC_DEBOUNCE_MS: '20', SYNC_POLL_TICK_MS: '3600000' }); // the test ticks the poller itself
const sim = chain.sims['etag-bv'];
const db = chain.gateway.database.db;
const auth = `Bearer ${signZgwJwt({ client_id: 'etag-bv' }, notifySecret('etag-bv'))}`;
const statustypen = sim.statustypeUrls('traplift');

const notify = async (zaakUrl: string, statusUrl: string) => {
  const res = await chain.gateway.app.request('/api/v1/notificaties', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: auth },
    body: JSON.stringify({
      kanaal: 'zaken',
      hoofdObject: zaakUrl,
      resource: 'status',
      resourceUrl: statusUrl,
      actie: 'create',
      aanmaakdatum: new Date().toISOString(),
    }),
  });
  expect(res.status).toBe(204);
};

async function settled() {
  await chain.waitFor(async () => {
    const busy = await db.selectFrom('jobs').select('id').where('kind', '=', SYNC_ORDER_JOB).where('state', 'in', ['queued', 'running']).execute();
    return busy.length === 0;
  }, 20_000);
}

/** One poll round: every open order is due. */
async function poll() {
  await chain.gateway.poller.tick(new Date(Date.now() + 2 * 3_600_000));
  await settled();
}

const zaakReadsAnswered = (status: number) =>
  sim.requests.filter((r) => r.method === 'GET' && /\/zaken\/[0-9a-f-]+$/.test(r.path) && r.status === status).length;

describe('a server whose zaak ETag ignores statuses (Open Zaak 1.25.0)', () => {
  it('shows every status a notification announced, in turn', async () => {
    sim.setFaults({ etags: 'stale' });
    const order = await placedOrder(chain, 'etag-bv');
    for (let i = 0; i < statustypen.length; i++) {
      const status = await sim.setStatus(order.zaakUrl, i, { notify: false });
      await notify(order.zaakUrl, status.url);
      await settled();
      const now = await orderDetail(chain, order.orderId);
      expect(now.status).toMatchObject({ url: status.url, statustype: statustypen[i] });
    }
    expect((await orderDetail(chain, order.orderId)).status.phase).toBe('afgerond');
  });

  it('finds a status set without any notification at the next poll', async () => {
    sim.setFaults({ etags: 'stale' });
    const order = await placedOrder(chain, 'etag-bv');
    await settled();
    const first = await sim.setStatus(order.zaakUrl, 0, { notify: false });
    await notify(order.zaakUrl, first.url);
    await settled();
    const second = await sim.setStatus(order.zaakUrl, 1, { notify: false });
    const before = zaakReadsAnswered(304);
    await poll();
    expect((await orderDetail(chain, order.orderId)).status).toMatchObject({ url: second.url });
    // The gateway never asks conditionally, so the server's stale tag is never taken for "unchanged".
    expect(zaakReadsAnswered(304)).toBe(before);
  });
});

describe('convergence whatever the ETags do', () => {
  it('ends with the server’s current status and every status in the timeline', async () => {
    const base = Date.now() - 3_600_000;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<EtagMode>('content', 'stale', 'flapping', 'missing'),
        // per status: is its notification delivered (and synced before the next status is set)?
        fc.array(fc.boolean(), { minLength: 1, maxLength: statustypen.length }),
        async (etags, delivered) => {
          sim.setFaults({ etags });
          const order = await placedOrder(chain, 'etag-bv');
          await settled(); // the sync after placement: a poll tick skips an order while it is being synced
          let last: Awaited<ReturnType<typeof sim.setStatus>> | undefined;
          for (const [i, notified] of delivered.entries()) {
            last = await sim.setStatus(order.zaakUrl, i, { notify: false, datumStatusGezet: new Date(base + i * 60_000).toISOString() });
            if (notified) {
              await notify(order.zaakUrl, last.url);
              await settled();
            }
          }
          // lost notifications are what reconcile polling is for
          await poll();
          const now = await orderDetail(chain, order.orderId);
          expect(now.status).toMatchObject({ url: last!.url });
          const timeline = (await caseDetail(chain, order.caseId)).timeline.filter(
            (t: { orderId: string; kind: string }) => t.orderId === order.orderId && t.kind === 'status',
          );
          expect(timeline).toHaveLength(delivered.length);
        },
      ),
      { numRuns: 20 },
    );
  }, 300_000);
});
