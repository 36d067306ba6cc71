// Citizen notices through the whole chain: a subcontractor's statuses (statustype `informeren`),
// the combined phase reaching actie_vereist or afgerond — one notice per status, never two.
import { describe, expect, it } from 'vitest';
import { placedOrder, startChain } from '../helpers/chain.ts';
import { authHeader } from '../helpers/gateway.ts';
import { caseSettled } from '../helpers/settled.ts';
import { startSubscriber } from '../helpers/subscriber.ts';
import { waitFor } from '../helpers/wait.ts';

const chain = await startChain([{ id: 'hulpmiddelen-bv' }], { SYNC_DEBOUNCE_MS: '50' });
const sim = chain.sims['hulpmiddelen-bv'];

describe('case.citizen-notice', () => {
  it('is emitted once per status: for informeren statuses and when the case phase becomes actie_vereist or afgerond', async () => {
    const sub = await startSubscriber();
    const res = await chain.gateway.app.request('/api/v1/subscriptions', {
      method: 'POST',
      headers: { ...authHeader('portaal'), 'content-type': 'application/json' },
      body: JSON.stringify({ callbackUrl: sub.url, events: ['case.citizen-notice'], format: 'cloudevents' }),
    });
    expect(res.status).toBe(201);
    const { caseId, zaakUrl } = await placedOrder(chain, 'hulpmiddelen-bv');
    const notices = () =>
      sub
        .events()
        .filter((e) => e.json.subject === caseId)
        .map((e) => e.json.data.phase);

    await sim.advance(zaakUrl); // Ontvangen: informeren
    await waitFor(() => notices().length === 1);
    await sim.advance(zaakUrl); // In behandeling: not informeren, phase unchanged in kind
    await sim.advance(zaakUrl); // Aanvullende informatie nodig: informeren, and the case phase becomes actie_vereist
    await waitFor(() => notices().length >= 2);
    await sim.advance(zaakUrl); // Geleverd: informeren (the order is done; the case is not closed yet)
    await waitFor(() => notices().length >= 3);
    expect((await chain.supplier(`/api/v1/cases/${caseId}/status`, { body: { phase: 'afgerond' } })).status).toBe(200); // the case closes
    await waitFor(() => notices().length >= 4);
    await caseSettled(chain.gateway.database.db, caseId); // every sync done and every delivery final: nothing more comes

    expect(notices()).toEqual(['ontvangen', 'actie_vereist', 'afgerond', 'afgerond']);
    for (const e of sub.events()) {
      expect(e.json).toMatchObject({ type: 'nl.ketenstatus.case.citizen-notice', subject: caseId, data: { caseId, language: 'nl' } });
      expect(e.body).not.toContain('111222333');
    }
    const reasons = await chain.gateway.database.db
      .selectFrom('case_events')
      .select('payload')
      .where('case_id', '=', caseId)
      .where('type', '=', 'case.citizen-notice')
      .orderBy('id')
      .execute();
    expect(reasons.map((r) => r.payload.reason)).toEqual(['informeren', 'informeren', 'informeren', 'phase']);
  }, 60_000);
});
