import { describe, expect, it } from 'vitest';
import { zaakBody } from '../../src/cases/placement.ts';
import { violations } from '../../src/simulator/oas-validator.ts';
import { startChain } from '../helpers/chain.ts';

const chain = await startChain([{ id: 'hulpmiddelen-bv' }, { id: 'traag-bv', simulator: {} }, { id: 'weigeraar-bv' }], { OUTBOUND_TIMEOUT_MS: '400' });
const { supplier, sims, waitFor } = chain;

async function caseWithOrder(subcontractor: string, extra: Record<string, unknown> = {}) {
  const c = await (await supplier('/api/v1/cases', { body: { title: 'Traplift', citizen: { bsn: '111222333' }, plannedEndDate: '2027-01-31' } })).json();
  const order = await (await supplier(`/api/v1/cases/${c.id}/orders`, { body: { subcontractor, product: 'traplift', ...extra } })).json();
  return { c, order };
}
const orderNow = async (id: string) => (await supplier(`/api/v1/orders/${id}`)).json();

describe('placing an order at a subcontractor', () => {
  it('creates a linked zaak with the ZGW fields and marks the order placed', async () => {
    const { c, order } = await caseWithOrder('hulpmiddelen-bv', { description: 'Rechte trap, 14 treden' });
    const placed = await waitFor(async () => {
      const o = await orderNow(order.id);
      return o.state === 'placed' && o;
    });
    const sim = sims['hulpmiddelen-bv'];
    const zaak = sim.zaken().find((z) => z.url === placed.remoteZaak.url)!;
    expect(zaak).toMatchObject({
      identificatie: placed.remoteZaak.identificatie,
      bronorganisatie: '012345672',
      verantwoordelijkeOrganisatie: '012345672',
      zaaktype: sim.zaaktypeUrl('traplift'),
      vertrouwelijkheidaanduiding: 'zaakvertrouwelijk',
      kenmerken: [{ kenmerk: order.id, bron: '00000001001234567000' }],
      einddatumGepland: '2027-01-31',
      toelichting: 'Rechte trap, 14 treden',
    });
    expect(zaak.omschrijving.length).toBeLessThanOrEqual(80);
    expect(zaak.omschrijving).not.toContain('111222333');
    expect(zaak.startdatum).toBe(new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam' }).format(new Date()));
    expect(sim.rollen()).toHaveLength(0); // no personal data without shareCitizen
    const detail = await (await supplier(`/api/v1/cases/${c.id}`)).json();
    expect(detail.timeline.map((t: { kind: string }) => t.kind)).toContain('order-placed');
  });

  it('sends a body that validates against the official Zaak schema (1.5.1 and 1.7.0)', async () => {
    const { order } = await caseWithOrder('hulpmiddelen-bv');
    await waitFor(async () => (await orderNow(order.id)).state === 'placed');
    const row = await chain.gateway.database.db.selectFrom('orders').selectAll().where('id', '=', order.id).executeTakeFirstOrThrow();
    const caseRow = await chain.gateway.database.db.selectFrom('cases').selectAll().where('id', '=', row.case_id).executeTakeFirstOrThrow();
    const org = chain.gateway.network.zakenOrganisation('hulpmiddelen-bv')!;
    const body = zaakBody(row, caseRow, org, org.products[0], '00000001001234567000');
    const asResource = { ...body, url: 'https://x.example/zaken/1', uuid: '6a8e2f3c-4f5e-4b2a-9d1e-2f3c4f5e4b2a' };
    expect(
      violations('zaken', 'Zaak', asResource).filter(
        (v) => !/required/.test(v) || /identificatie|bronorganisatie|zaaktype|startdatum|verantwoordelijke/.test(v),
      ),
    ).toEqual([]);
    expect(
      violations('zaken17', 'Zaak', asResource).filter(
        (v) => !/required/.test(v) || /identificatie|bronorganisatie|zaaktype|startdatum|verantwoordelijke/.test(v),
      ),
    ).toEqual([]);
  });

  it('with shareCitizen registers the citizen as initiator (natuurlijk_persoon, inpBsn)', async () => {
    const { order } = await caseWithOrder('hulpmiddelen-bv', { shareCitizen: true });
    const placed = await waitFor(async () => {
      const o = await orderNow(order.id);
      return o.state === 'placed' && o;
    });
    const sim = sims['hulpmiddelen-bv'];
    const rol = await waitFor(async () => sim.rollen().find((r) => r.zaak === placed.remoteZaak.url));
    expect(rol).toMatchObject({
      betrokkeneType: 'natuurlijk_persoon',
      roltype: sim.roltypeUrl('traplift', 'initiator'),
      betrokkeneIdentificatie: { inpBsn: '111222333' },
    });
  });

  it('does not create a second zaak when the answer to the first attempt was lost', async () => {
    const sim = sims['traag-bv'];
    sim.setFaults({ latencyMs: 700 }); // the zaak is stored, but our 400 ms timeout fires first
    const { order } = await caseWithOrder('traag-bv');
    await waitFor(async () => sim.zaken().length === 1);
    sim.setFaults({ latencyMs: 0 });
    const placed = await waitFor(async () => {
      const o = await orderNow(order.id);
      return o.state === 'placed' && o;
    }, 20_000);
    expect(sim.zaken()).toHaveLength(1);
    expect(placed.remoteZaak.url).toBe(sim.zaken()[0].url);
    expect(sim.requests.filter((r) => r.method === 'GET' && /\/zaken\/?(\?|$)/.test(r.path)).length).toBeGreaterThan(0);
    expect(sim.requests.filter((r) => r.method === 'POST' && /\/zaken\/?$/.test(r.path)).length).toBe(1);
  });

  it("ends in failed with the subcontractor's reason on a 400", async () => {
    const org = chain.gateway.network.get('weigeraar-bv')!;
    // Point the product at a zaaktype the subcontractor does not know: it answers 400 bad-url.
    await chain.gateway.network.put(
      'weigeraar-bv',
      { ...org, products: [{ ...org.products[0], zaaktype: `${sims['weigeraar-bv'].catalogiApiRoot}zaaktypen/00000000-0000-4000-8000-000000000000` }] },
      'test',
    );
    const { c, order } = await caseWithOrder('weigeraar-bv');
    const failed = await waitFor(async () => {
      const o = await orderNow(order.id);
      return o.state === 'failed' && o;
    });
    expect(failed.failure).toMatchObject({ status: 400, invalidParams: [expect.objectContaining({ name: 'zaaktype' })] });
    const detail = await (await supplier(`/api/v1/cases/${c.id}`)).json();
    expect(detail.combinedStatus.gaps).toContainEqual(expect.objectContaining({ orderId: order.id, kind: 'not_connected' }));
  });

  it('retries a 500 with backoff and then places', async () => {
    const sim = sims['hulpmiddelen-bv'];
    sim.setFaults({ errorRate: 1 });
    const { order } = await caseWithOrder('hulpmiddelen-bv');
    await waitFor(async () => sim.requests.some((r) => r.status === 500));
    expect((await orderNow(order.id)).state).toBe('placing');
    sim.setFaults({ errorRate: 0 });
    await waitFor(async () => (await orderNow(order.id)).state === 'placed', 15_000);
  });
});
