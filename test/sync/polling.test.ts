import { describe, expect, it } from 'vitest';
import { orderDetail, placedOrder, startChain } from '../helpers/chain.ts';

const chain = await startChain([{ id: 'alleen-poll-bv', notify: false, organisation: { notifications: { mode: 'poll' }, pollIntervalSeconds: 60 } }], {
  SYNC_DEBOUNCE_MS: '20',
  SYNC_POLL_TICK_MS: '3600000',
}); // the test ticks the poller itself
const sim = chain.sims['alleen-poll-bv'];
const db = chain.gateway.database.db;

describe('reconcile polling', () => {
  const orders: Awaited<ReturnType<typeof placedOrder>>[] = [];
  const idle = () => chain.waitFor(async () => (await db.selectFrom('jobs').select('id').where('state', 'in', ['queued', 'running']).execute()).length === 0);
  const pollRow = (id: string) => db.selectFrom('orders').select(['next_poll_at', 'last_sync_attempt_at']).where('id', '=', id).executeTakeFirstOrThrow();

  it('spreads the first polls of new orders over the interval', async () => {
    for (let i = 0; i < 12; i++) orders.push(await placedOrder(chain, 'alleen-poll-bv'));
    const rows = await db.selectFrom('orders').select(['next_poll_at', 'created_at']).where('subcontractor', '=', 'alleen-poll-bv').execute();
    const offsets = rows.map((r) => (r.next_poll_at!.getTime() - r.created_at.getTime()) / 1000);
    expect(Math.max(...offsets)).toBeLessThanOrEqual(61);
    expect(new Set(offsets.map((o) => Math.floor(o / 10))).size).toBeGreaterThan(2); // not all in one 10 s slot
  });

  it('converges within one interval when every notification is lost', async () => {
    for (const o of orders) await sim.advance(o.zaakUrl, { notify: false });
    // Jobs still busy with an order after its placement hold its row, and a tick skips locked rows.
    await chain.waitFor(async () => (await db.selectFrom('jobs').select('id').where('state', 'in', ['queued', 'running']).execute()).length === 0);
    const due = await chain.gateway.poller.tick(new Date(Date.now() + 61_000));
    expect(due).toBe(orders.length);
    for (const o of orders) {
      await chain.waitFor(async () => (await orderDetail(chain, o.orderId)).status?.omschrijving === 'Ontvangen');
    }
    const next = await db.selectFrom('orders').select('next_poll_at').where('subcontractor', '=', 'alleen-poll-bv').execute();
    expect(next.every((r) => r.next_poll_at!.getTime() > Date.now())).toBe(true);
  });

  it('stops polling an order that reached its eindstatus', async () => {
    const o = orders[0];
    for (let i = 0; i < 3; i++) await sim.advance(o.zaakUrl, { notify: false });
    await chain.gateway.poller.tick(new Date(Date.now() + 3 * 61_000));
    await chain.waitFor(async () => (await orderDetail(chain, o.orderId)).status?.isEindstatus === true);
    await chain.waitFor(async () => (await db.selectFrom('jobs').select('id').where('state', 'in', ['queued', 'running']).execute()).length === 0);
    expect(await chain.gateway.poller.tick(new Date(Date.now() + 10 * 61_000))).toBe(orders.length - 1);
  });

  it('marks an order stale when no sync succeeded within twice the interval', async () => {
    const o = orders[1];
    // The previous test's tick queued syncs: one finishing after the update below would undo it.
    await chain.waitFor(async () => (await db.selectFrom('jobs').select('id').where('state', 'in', ['queued', 'running']).execute()).length === 0);
    await db
      .updateTable('orders')
      .set({ last_synced_at: new Date(Date.now() - 3 * 60_000) })
      .where('id', '=', o.orderId)
      .execute();
    const order = await orderDetail(chain, o.orderId);
    expect(order.sync.state).toBe('stale');
    const detail = await (await chain.supplier(`/api/v1/cases/${o.caseId}`)).json();
    expect(detail.combinedStatus.gaps).toContainEqual(expect.objectContaining({ orderId: o.orderId, kind: 'stale' }));
  });

  it("keeps polling an order its product's phases close before the eindstatus until the eindstatus, and stops for a cancelled case", async () => {
    const [closing, cancelled] = [orders[2], orders[3]];
    const org = chain.gateway.network.zakenOrganisation('alleen-poll-bv')!;
    await chain.gateway.network.put(
      org.id,
      { ...org, products: org.products.map((p) => ({ ...p, phases: { ...p.phases, 'In behandeling': 'afgerond' as const } })) },
      'test',
    );
    await sim.advance(closing.zaakUrl, { notify: false });
    await idle();
    await chain.gateway.poller.tick(new Date(Date.now() + 20 * 61_000));
    await chain.waitFor(async () => (await orderDetail(chain, closing.orderId)).status?.phase === 'afgerond');
    expect((await orderDetail(chain, closing.orderId)).status.isEindstatus).toBe(false);
    expect((await chain.supplier(`/api/v1/cases/${cancelled.caseId}/status`, { body: { phase: 'geannuleerd' } })).status).toBe(200);
    await idle();
    // Of the open orders, the eindstatus one (above) and the cancelled case's one are not due; the closed one is.
    expect(await chain.gateway.poller.tick(new Date(Date.now() + 40 * 61_000))).toBe(orders.length - 2);
    await idle();
    // Its eindstatus ('Geleverd', informeren) comes without a notification: only a poll fetches it, and its notice.
    await sim.setStatus(closing.zaakUrl, 3, { notify: false });
    expect(await chain.gateway.poller.tick(new Date(Date.now() + 60 * 61_000))).toBe(orders.length - 2);
    await chain.waitFor(async () => (await orderDetail(chain, closing.orderId)).status?.isEindstatus === true);
    const notices = await db
      .selectFrom('case_events')
      .select('payload')
      .where('case_id', '=', closing.caseId)
      .where('type', '=', 'case.citizen-notice')
      .execute();
    expect(notices.map((n) => n.payload)).toContainEqual(expect.objectContaining({ orderId: closing.orderId, phase: 'afgerond', reason: 'informeren' }));
    await idle();
    expect(await chain.gateway.poller.tick(new Date(Date.now() + 80 * 61_000))).toBe(orders.length - 3);
  });

  it('takes finished, cancelled and gone orders out of the poll range, without syncing them', async () => {
    const done = [orders[0], orders[2], orders[3], orders[4]];
    const gone = orders[4];
    sim.deleteZaak(gone.zaakUrl);
    expect((await chain.supplier(`/api/v1/orders/${gone.orderId}/sync`, { method: 'POST' })).status).toBe(202);
    await chain.waitFor(async () => (await orderDetail(chain, gone.orderId)).sync.state === 'gone');
    await idle();
    const before = await Promise.all(done.map((o) => pollRow(o.orderId)));
    // At their eindstatus (orders[0], orders[2]), of a cancelled case (orders[3]), gone (orders[4]).
    expect(await chain.gateway.poller.tick(new Date(Date.now() + 100 * 61_000))).toBe(orders.length - done.length);
    await idle();
    const after = await Promise.all(done.map((o) => pollRow(o.orderId)));
    expect(after.map((r) => r.next_poll_at)).toEqual(done.map(() => null));
    expect(after.map((r) => r.last_sync_attempt_at)).toEqual(before.map((r) => r.last_sync_attempt_at));
  });

  it('polls an order again when a status that is not final follows its eindstatus', async () => {
    const o = orders[0];
    expect((await pollRow(o.orderId)).next_poll_at).toBeNull();
    // Back to 'Ontvangen' (index 0): 'In behandeling' closes since the phases change above.
    await sim.setStatus(o.zaakUrl, 0, { notify: false });
    expect((await chain.supplier(`/api/v1/orders/${o.orderId}/sync`, { method: 'POST' })).status).toBe(202);
    await chain.waitFor(async () => (await orderDetail(chain, o.orderId)).status?.omschrijving === 'Ontvangen');
    expect((await pollRow(o.orderId)).next_poll_at).not.toBeNull();
    await idle();
    // Back in: all but the orders at their eindstatus (orders[2]), of a cancelled case and gone.
    expect(await chain.gateway.poller.tick(new Date(Date.now() + 120 * 61_000))).toBe(orders.length - 3);
  });

  it('keeps polling a finished order while it is unreachable, until a sync succeeds', async () => {
    const o = orders[2]; // at its eindstatus, out of the poll range
    await idle();
    expect((await pollRow(o.orderId)).next_poll_at).toBeNull();
    sim.setFaults({ down: true });
    try {
      expect((await chain.supplier(`/api/v1/orders/${o.orderId}/sync`, { method: 'POST' })).status).toBe(202);
      await chain.waitFor(async () => (await orderDetail(chain, o.orderId)).sync.state === 'unreachable');
      // The failed sync put it back in the poll range, within one interval (every other order is due later).
      const back = (await pollRow(o.orderId)).next_poll_at;
      expect(back).not.toBeNull();
      // A tick skips a row a retry holds for a moment: it is taken by the next one.
      await chain.waitFor(async () => (await chain.gateway.poller.tick(new Date(Date.now() + 61_000))) === 1);
      expect((await pollRow(o.orderId)).next_poll_at!.getTime()).toBeGreaterThan(back!.getTime());
    } finally {
      sim.setFaults({ down: false });
    }
    await chain.waitFor(async () => (await orderDetail(chain, o.orderId)).sync.state === 'fresh', 30_000);
    await idle();
    // Synced again and still at its eindstatus: the next tick it comes due on takes it out.
    expect(await chain.gateway.poller.tick(new Date(Date.now() + 3 * 61_000))).toBe(0);
    expect((await pollRow(o.orderId)).next_poll_at).toBeNull();
  });
});
