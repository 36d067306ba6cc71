// A part that reached its eindstatus is finished: no "stale" gap however long nothing comes (it is
// no longer polled, so nothing will), and the ops overview no longer counts it as open. A cancelled
// case shows no gaps, and its parts are neither open nor unreachable, whatever became of their zaken.
// And the status texts read naturally when a toelichting only repeats the status's own words: on the
// timeline and in the customer's part, for a ZGW status and a portal organisation's alike.
import { describe, expect, it } from 'vitest';
import { startTestIssuer } from '../citizen/helpers/issuer.ts';
import { portalOrganisation } from '../helpers/fixtures.ts';
import { authHeader, subcontractorClient } from '../helpers/gateway.ts';
import { caseDetail, orderDetail, placedOrder, startChain } from '../helpers/chain.ts';

const issuer = await startTestIssuer();
const chain = await startChain(
  [{ id: 'klaar-bv' }],
  { SYNC_DEBOUNCE_MS: '20', SYNC_POLL_TICK_MS: '3600000', CITIZEN_OIDC_ISSUER: issuer.url },
  { organisations: [portalOrganisation('bouwer-bv')], clients: [subcontractorClient('bouwer-bv')] },
);
const sim = chain.sims['klaar-bv'];
const db = chain.gateway.database.db;

const idle = () => chain.waitFor(async () => (await db.selectFrom('jobs').select('id').where('state', 'in', ['queued', 'running']).execute()).length === 0);
const statusTexts = async (caseId: string, orderId: string) =>
  ((await caseDetail(chain, caseId)).timeline as { kind: string; orderId: string | null; text: string }[])
    .filter((t) => t.kind === 'status' && t.orderId === orderId)
    .map((t) => t.text);

describe('a finished part', () => {
  it('never turns into a stale gap, and is not an open order in the ops overview', async () => {
    const done = await placedOrder(chain, 'klaar-bv');
    const busy = await placedOrder(chain, 'klaar-bv');
    for (let i = 0; i < 4; i++) await sim.advance(done.zaakUrl);
    await sim.advance(busy.zaakUrl);
    await chain.waitFor(async () => (await orderDetail(chain, done.orderId)).status?.isEindstatus === true);
    await chain.waitFor(async () => (await orderDetail(chain, busy.orderId)).status?.omschrijving === 'Ontvangen');
    await idle();
    // Long past twice the interval (push: an hour) for both.
    await db
      .updateTable('orders')
      .set({ last_synced_at: new Date(Date.now() - 5 * 3_600_000) })
      .where('id', 'in', [done.orderId, busy.orderId])
      .execute();

    expect((await orderDetail(chain, done.orderId)).sync.state).toBe('fresh');
    expect((await caseDetail(chain, done.caseId)).combinedStatus.gaps).toEqual([]);
    expect((await orderDetail(chain, busy.orderId)).sync.state).toBe('stale');
    expect((await caseDetail(chain, busy.caseId)).combinedStatus.gaps).toContainEqual(expect.objectContaining({ orderId: busy.orderId, kind: 'stale' }));

    const overview = await (await chain.gateway.app.request('/api/v1/ops/overview', { headers: authHeader('beheer') })).json();
    expect(overview.organisations.find((o: { id: string }) => o.id === 'klaar-bv')).toMatchObject({ openOrders: 1 });
  });
});

describe('a cancelled case', () => {
  it('shows the customer no gaps, and its orders are neither open nor unreachable in the ops overview', async () => {
    const klaar = async () =>
      (await (await chain.gateway.app.request('/api/v1/ops/overview', { headers: authHeader('beheer') })).json()).organisations.find(
        (o: { id: string }) => o.id === 'klaar-bv',
      ) as { openOrders: number; unreachableOrders: number };
    const mine = async (caseId: string) =>
      (await chain.gateway.app.request(`/api/v1/me/cases/${caseId}`, { headers: { authorization: `Bearer ${await issuer.token('111222333')}` } })).json();
    await idle();
    const before = await klaar();
    const gone = await placedOrder(chain, 'klaar-bv');
    const quiet = await (await chain.supplier(`/api/v1/cases/${gone.caseId}/orders`, { body: { subcontractor: 'klaar-bv', product: 'traplift' } })).json();
    await chain.waitFor(async () => (await orderDetail(chain, quiet.id)).state === 'placed');
    await idle();
    // One zaak is found gone at the subcontractor; the other has had no sync for long past twice the interval.
    sim.deleteZaak(gone.zaakUrl);
    expect((await chain.supplier(`/api/v1/orders/${gone.orderId}/sync`, { method: 'POST' })).status).toBe(202);
    await chain.waitFor(async () => (await orderDetail(chain, gone.orderId)).sync.state === 'gone');
    await idle();
    await db
      .updateTable('orders')
      .set({ last_synced_at: new Date(Date.now() - 5 * 3_600_000) })
      .where('id', '=', quiet.id)
      .execute();
    expect((await mine(gone.caseId)).combinedStatus.gaps.map((g: { kind: string }) => g.kind).sort()).toEqual(['not_connected', 'stale']);
    expect(await klaar()).toEqual(expect.objectContaining({ openOrders: before.openOrders + 2, unreachableOrders: before.unreachableOrders + 1 }));

    expect((await chain.supplier(`/api/v1/cases/${gone.caseId}/status`, { body: { phase: 'geannuleerd' } })).status).toBe(200);
    expect(await mine(gone.caseId)).toMatchObject({ state: 'closed', combinedStatus: { phase: 'geannuleerd', gaps: [] } });
    expect((await caseDetail(chain, gone.caseId)).combinedStatus.gaps).toEqual([]);
    expect((await orderDetail(chain, quiet.id)).sync.state).toBe('fresh');
    expect(await klaar()).toEqual(expect.objectContaining({ openOrders: before.openOrders, unreachableOrders: before.unreachableOrders }));
  });
});

describe("a cancelled case's progress", () => {
  it('counts only the parts that were done, so it reads as no work still to come', async () => {
    const done = await placedOrder(chain, 'klaar-bv');
    const open = await (await chain.supplier(`/api/v1/cases/${done.caseId}/orders`, { body: { subcontractor: 'klaar-bv', product: 'traplift' } })).json();
    await chain.waitFor(async () => (await orderDetail(chain, open.id)).state === 'placed');
    for (let i = 0; i < 4; i++) await sim.advance(done.zaakUrl);
    await chain.waitFor(async () => (await orderDetail(chain, done.orderId)).status?.isEindstatus === true);
    await idle();
    expect((await caseDetail(chain, done.caseId)).combinedStatus.progress).toEqual({ done: 1, total: 2 });
    expect((await chain.supplier(`/api/v1/cases/${done.caseId}/status`, { body: { phase: 'geannuleerd' } })).status).toBe(200);
    expect((await caseDetail(chain, done.caseId)).combinedStatus).toMatchObject({ phase: 'geannuleerd', progress: { done: 1, total: 1 } });
    const mine = await (
      await chain.gateway.app.request(`/api/v1/me/cases/${done.caseId}`, { headers: { authorization: `Bearer ${await issuer.token('111222333')}` } })
    ).json();
    expect(mine.combinedStatus.progress).toEqual({ done: 1, total: 1 });
  });
});

describe('status texts on the timeline', () => {
  it('show a toelichting that repeats the statustype once, and add one that says more', async () => {
    const o = await placedOrder(chain, 'klaar-bv');
    await sim.advance(o.zaakUrl, { toelichting: '  ONTVANGEN ' }); // the omschrijving, other case and spaces
    await sim.advance(o.zaakUrl, { toelichting: 'Wij zijn  bezig met uw traplift.' }); // the statustekst
    await sim.advance(o.zaakUrl, { toelichting: 'De monteur belt u dinsdag.' });
    await chain.waitFor(async () => (await statusTexts(o.caseId, o.orderId)).length === 3);
    expect(await statusTexts(o.caseId, o.orderId)).toEqual([
      'Wij hebben de opdracht voor uw traplift ontvangen.',
      'Wij zijn bezig met uw traplift.',
      'Wij hebben meer informatie van u nodig. Wij nemen contact met u op. De monteur belt u dinsdag.',
    ]);
  });
});

describe("the customer's part", () => {
  /** The part's text for this order as the customer reads it (placedOrder's citizen), in `language`. */
  const partText = async (caseId: string, orderId: string, language = 'nl') => {
    const res = await chain.gateway.app.request(`/api/v1/me/cases/${caseId}`, {
      headers: { authorization: `Bearer ${await issuer.token('111222333')}`, 'accept-language': language },
    });
    return ((await res.json()).parts as { id: string; text: string }[]).find((p) => p.id === orderId)?.text;
  };

  it('shows a ZGW toelichting that repeats the statustype once, and adds one that says more', async () => {
    const o = await placedOrder(chain, 'klaar-bv');
    await sim.advance(o.zaakUrl, { toelichting: '  ONTVANGEN ' });
    await chain.waitFor(async () => (await statusTexts(o.caseId, o.orderId)).length === 1);
    expect(await partText(o.caseId, o.orderId)).toBe('Wij hebben de opdracht voor uw traplift ontvangen.');
    await sim.advance(o.zaakUrl, { toelichting: 'De monteur belt u dinsdag.' });
    await chain.waitFor(async () => (await statusTexts(o.caseId, o.orderId)).length === 2);
    expect(await partText(o.caseId, o.orderId)).toBe('Wij zijn bezig met uw traplift. — De monteur belt u dinsdag.');
  });

  it("shows a portal organisation's text that repeats its status's name (in any of its languages) once", async () => {
    const c = await (await chain.supplier('/api/v1/cases', { body: { title: 'Drempel', citizen: { bsn: '111222333' } } })).json();
    const o = await (await chain.supplier(`/api/v1/cases/${c.id}/orders`, { body: { subcontractor: 'bouwer-bv', product: 'drempelhulp' } })).json();
    await chain.waitFor(async () => (await orderDetail(chain, o.id)).state === 'placed');
    const report = (status: string, text: string) =>
      chain.gateway.app.request(`/api/v1/partner/assignments/${o.id}/status`, {
        method: 'POST',
        headers: { ...authHeader('bouwer'), 'content-type': 'application/json' },
        body: JSON.stringify({ status, text }),
      });
    expect((await report('bezig', 'wordt geplaatst')).status).toBe(200);
    expect(await statusTexts(c.id, o.id)).toEqual(['Wordt geplaatst']);
    expect(await partText(c.id, o.id, 'en')).toBe('Being installed');
    expect((await report('klaar', 'Installed')).status).toBe(200);
    expect((await statusTexts(c.id, o.id)).at(-1)).toBe('Geplaatst');
    expect(await partText(c.id, o.id, 'nl')).toBe('Geplaatst');
  });
});
