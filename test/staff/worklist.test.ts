// The caseworker's worklist: the open cases that need someone, each with exactly its reasons, its
// parts and who has the ball; filter and sort; every case shown is an access-log row.
import { describe, expect, it } from 'vitest';
import { authHeader } from '../helpers/gateway.ts';
import { BSN, daysAgo, handMade, startStaffGateway } from './helpers.ts';

const { app, db, asStaff } = await startStaffGateway();
const iso = (d: Date) => d.toISOString().slice(0, 10);
const fresh = (d = 1) => ({ subcontractor: 'hulpmiddelen-bv', placedDaysAgo: d, history: [{ phase: 'in_behandeling', at: daysAgo(d) }] });

const [calm, citizen, stalled, quickStalled, overdue, failed, gap, closed] = await handMade(db, [
  { reference: 'W-CALM', orders: [fresh()] },
  {
    reference: 'W-CITIZEN',
    combinedPhase: 'actie_vereist',
    orders: [{ subcontractor: 'hulpmiddelen-bv', placedDaysAgo: 2, history: [{ phase: 'actie_vereist', at: daysAgo(1) }] }],
  },
  // No change for 20 days; the product expects 14 (the default).
  {
    reference: 'W-STALLED',
    orders: [{ subcontractor: 'bouw-bv', product: 'aanpassing', placedDaysAgo: 25, history: [{ phase: 'in_behandeling', at: daysAgo(20) }] }],
  },
  // A product that expects 3 days per part: 4 days without change is too long; the same on a 14-day product is not.
  { reference: 'W-QUICK', orders: [{ subcontractor: 'hulpmiddelen-bv', product: 'rolstoel', placedDaysAgo: 4 }, fresh(4)] },
  { reference: 'W-OVERDUE', plannedEndDate: iso(daysAgo(3)), deadline: iso(daysAgo(1)), orders: [fresh()] },
  { reference: 'W-FAILED', orders: [{ subcontractor: 'hulpmiddelen-bv', state: 'failed' as const, placedDaysAgo: 1 }] },
  // No successful sync for an hour: more than twice the poll interval (300 s).
  { reference: 'W-GAP', orders: [{ ...fresh(), lastSyncedAt: new Date(Date.now() - 3_600_000) }] },
  { reference: 'W-CLOSED', closed: true, combinedPhase: 'actie_vereist', orders: [{ subcontractor: 'hulpmiddelen-bv', state: 'failed' as const }] },
]);

interface Item {
  id: string;
  reference: string;
  reasons: { code: string; partId?: string; expectedDays?: number; date?: string; kind?: string; text?: string }[];
  parts: { id: string; organisation: { name: string }; state: string; text: string }[];
  ballWith: unknown;
}
const list = async (query = '', headers?: Record<string, string>) => {
  const res = await app.request(`/api/v1/cases?attention=true${query}`, { headers: headers ?? (await asStaff(['caseworker'], 'Wim Werk')) });
  expect(res.status).toBe(200);
  return (await res.json()) as { count: number; results: Item[]; next: string | null };
};
const codes = (item: Item) => item.reasons.map((r) => r.code).sort();

describe('the worklist', () => {
  it('lists the open cases that need someone, each with exactly its reasons', async () => {
    const body = await list('&sort=reference');
    expect(body.results.map((r) => [r.reference, codes(r)])).toEqual([
      ['W-CITIZEN', ['citizen-action']],
      ['W-FAILED', ['failed-order', 'gap']],
      ['W-GAP', ['gap']],
      ['W-OVERDUE', ['overdue']],
      ['W-QUICK', ['stalled']],
      ['W-STALLED', ['stalled']],
    ]);
    expect(body.count).toBe(6);
    const ids = body.results.map((r) => r.id);
    for (const quiet of [calm, closed]) expect(ids).not.toContain(quiet.id);
  });

  it('says which part and why: the stalled part with its expected days, the overdue date, the gap in words', async () => {
    const body = await list('&sort=reference', { ...(await asStaff(['caseworker'])), 'accept-language': 'nl' });
    const byRef = (ref: string) => body.results.find((r) => r.reference === ref)!;
    expect(byRef('W-QUICK').reasons).toEqual([expect.objectContaining({ code: 'stalled', partId: quickStalled.orders[0], expectedDays: 3 })]);
    expect(byRef('W-STALLED').reasons).toEqual([expect.objectContaining({ code: 'stalled', partId: stalled.orders[0], expectedDays: 14 })]);
    expect(byRef('W-OVERDUE').reasons).toEqual([{ code: 'overdue', date: iso(daysAgo(3)) }]);
    expect(byRef('W-GAP').reasons[0]).toMatchObject({ code: 'gap', kind: 'stale', partId: gap.orders[0] });
    expect(byRef('W-GAP').reasons[0].text).toMatch(/^Hulpmiddelen B\.V\. heeft sinds \d+ \w+ \d{4} niets laten weten/);
    expect(byRef('W-FAILED').parts[0]).toMatchObject({
      state: 'failed',
      text: 'Doorsturen naar Hulpmiddelen B.V. is mislukt; de behandelaar moet dit oppakken.',
    });
    expect(byRef('W-CITIZEN').ballWith).toBe('citizen');
    expect(byRef('W-STALLED').ballWith).toEqual({ id: 'bouw-bv', name: 'Bouw B.V.' });
    expect(byRef('W-QUICK').parts.map((p) => p.organisation.name)).toEqual(['Hulpmiddelen B.V.', 'Hulpmiddelen B.V.']);
  });

  it('filters by reason and pages', async () => {
    expect((await list('&reason=stalled&sort=reference')).results.map((r) => r.reference)).toEqual(['W-QUICK', 'W-STALLED']);
    expect((await list('&reason=failed-order')).results.map((r) => r.id)).toEqual([failed.id]);
    const first = await list('&sort=reference&pageSize=4');
    expect(first.results).toHaveLength(4);
    expect(first.next).toContain('page=2');
    const second = await list('&sort=reference&pageSize=4&page=2');
    expect(second.results.map((r) => r.reference)).toEqual(['W-QUICK', 'W-STALLED']);
    expect((await list('&sort=reference&pageSize=4&page=9')).count).toBe(6);
  });

  it('sorts by the least recently updated, the most recently updated, or the nearest date', async () => {
    await db
      .updateTable('cases')
      .set({ updated_at: daysAgo(30) })
      .where('id', '=', citizen.id)
      .execute();
    await db
      .updateTable('cases')
      .set({ updated_at: new Date(Date.now() + 60_000) })
      .where('id', '=', overdue.id)
      .execute();
    expect((await list()).results[0].reference).toBe('W-CITIZEN');
    expect((await list('&sort=-updated')).results[0].reference).toBe('W-OVERDUE');
    expect((await list('&sort=deadline')).results[0].reference).toBe('W-OVERDUE');
  });

  it('writes one access-log row per case shown: the caseworker by name, or the supplier client', async () => {
    const before = await db.selectFrom('access_log').select('id').execute();
    await list('&reason=stalled', await asStaff(['caseworker'], 'Wim Werk'));
    await list('&reason=failed-order', authHeader('zac'));
    const rows = await db
      .selectFrom('access_log')
      .selectAll()
      .where('id', 'not in', before.length ? before.map((r) => r.id) : [0])
      .orderBy('id')
      .execute();
    const seen = rows.map((r) => [r.actor_role, r.actor, r.purpose, r.case_id, r.subject_bsn, r.organisation].join(' '));
    expect(seen.slice(0, 2).sort()).toEqual(
      [quickStalled.id, stalled.id].map((id) => `caseworker Wim Werk case-handling ${id} ${BSN.anna} gemeente-test`).sort(),
    );
    expect(seen.slice(2)).toEqual([`supplier zac case-handling ${failed.id} ${BSN.anna} gemeente-test`]);
  });

  it('leaves the plain case list to the supplier API: attention=false is that list, a caseworker may not read it', async () => {
    const plain = await app.request('/api/v1/cases?attention=false', { headers: authHeader('zac') });
    expect(plain.status).toBe(200);
    expect(((await plain.json()) as { count: number }).count).toBe(8);
    expect((await app.request('/api/v1/cases', { headers: await asStaff(['caseworker']) })).status).toBe(403);
    expect((await app.request('/api/v1/cases?attention=false', { headers: await asStaff(['caseworker']) })).status).toBe(403);
  });

  it('refuses an unknown reason, sort or parameter (400)', async () => {
    for (const query of ['&reason=late', '&sort=title', '&owner=me']) {
      const res = await app.request(`/api/v1/cases?attention=true${query}`, { headers: await asStaff(['caseworker']) });
      expect(res.status).toBe(400);
    }
  });
});

describe('an organisation that is suspended', () => {
  it('puts the open cases with a part there on the list as a gap, even when that part has finished', async () => {
    const { gateway, app: other, db: otherDb, asStaff: staffOf } = await startStaffGateway();
    const [done] = await handMade(otherDb, [
      {
        reference: 'S-DONE',
        orders: [{ subcontractor: 'bouw-bv', product: 'aanpassing', placedDaysAgo: 3, history: [{ phase: 'afgerond', at: daysAgo(1), final: true }] }],
      },
    ]);
    const before = (await (await other.request('/api/v1/cases?attention=true', { headers: await staffOf(['caseworker']) })).json()) as { count: number };
    expect(before.count).toBe(0);
    await gateway.network.suspend('bouw-bv', 'test');
    const after = (await (await other.request('/api/v1/cases?attention=true', { headers: await staffOf(['caseworker']) })).json()) as { results: Item[] };
    expect(after.results.map((r) => [r.id, codes(r)])).toEqual([[done.id, ['gap']]]);
    expect(after.results[0].reasons[0]).toMatchObject({ kind: 'suspended' });
  });
});

describe('the worklist’s parameters', () => {
  it('reason and sort without attention=true are a 400 that says so', async () => {
    const res = await app.request('/api/v1/cases?reason=stalled', { headers: authHeader('zac') });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { invalidParams: unknown[] }).invalidParams).toEqual([
      { name: 'reason', code: 'attention-only', reason: 'only with attention=true' },
    ]);
  });
});
