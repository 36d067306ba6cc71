// Chain lead times against hand-made orders and status histories: exact counts, p50 and p90, the
// median days in each phase, the open orders by age; grouped by subcontractor or by product; CSV.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { json } from '../../src/db/json.ts';
import { authHeader } from '../helpers/gateway.ts';
import { daysAgo, handMade, startStaffGateway } from './helpers.ts';

const { app, db, asStaff } = await startStaffGateway();
const DAY = 86_400_000;
const now = Date.now();
const finishedAt = new Date(now - DAY); // yesterday: inside the default period (the last 30 days)

/** An order placed `lead` days before `finishedAt`: a day received, then in progress (with optional waits for the customer), then done. */
const finished = (lead: number, waits: { after: number; days: number }[] = []) => {
  const placedAt = new Date(finishedAt.getTime() - lead * DAY);
  const at = (d: number) => new Date(placedAt.getTime() + d * DAY);
  const history = [
    { phase: 'ontvangen', at: at(0) },
    { phase: 'in_behandeling', at: at(1) },
  ];
  for (const w of waits) history.push({ phase: 'actie_vereist', at: at(w.after) }, { phase: 'in_behandeling', at: at(w.after + w.days) });
  history.push({ phase: 'afgerond', at: at(lead), final: true } as never);
  return { subcontractor: 'hulpmiddelen-bv', product: 'traplift', placedAt, history: history as { phase: string; at: Date; final?: boolean }[] };
};

await handMade(db, [
  {
    orders: [
      finished(2),
      finished(4),
      finished(6),
      finished(8),
      // 1 day received, 3 in progress, 2 waiting for the customer, 4 in progress again.
      finished(10, [{ after: 4, days: 2 }]),
    ],
  },
  // Finished 40 days ago: outside the default period.
  {
    orders: [
      {
        subcontractor: 'hulpmiddelen-bv',
        placedAt: daysAgo(45, now),
        history: [
          { phase: 'ontvangen', at: daysAgo(45, now) },
          { phase: 'afgerond', at: daysAgo(40, now), final: true },
        ],
      },
    ],
  },
  // Open orders of every age; a failed one is not open.
  {
    orders: [3, 7, 8, 30, 31, 91].map((d) => ({
      subcontractor: 'hulpmiddelen-bv',
      placedDaysAgo: d,
      history: [{ phase: 'in_behandeling', at: daysAgo(d, now) }],
    })),
  },
  { orders: [{ subcontractor: 'hulpmiddelen-bv', state: 'failed' as const, placedDaysAgo: 100 }] },
  { orders: [{ subcontractor: 'hulpmiddelen-bv', product: 'rolstoel', placedDaysAgo: 2 }] },
  // Another subcontractor: one order done in a day and a half.
  {
    orders: [
      {
        subcontractor: 'bouw-bv',
        product: 'aanpassing',
        placedAt: new Date(finishedAt.getTime() - 1.5 * DAY),
        history: [
          { phase: 'ontvangen', at: new Date(finishedAt.getTime() - 1.5 * DAY) },
          { phase: 'afgerond', at: finishedAt, final: true },
        ],
      },
    ],
  },
]);

const get = async (query = '', headers: Record<string, string> = {}) =>
  app.request(`/api/v1/analytics/lead-times${query}`, { headers: { ...authHeader('zac'), ...headers } });
const dutchDay = (at: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam' }).format(new Date(at));

describe('lead times per subcontractor', () => {
  it('counts the orders finished in the period, p50/p90 days to the final status, the median days per phase, and the open ones by age', async () => {
    const res = await get();
    expect(res.status).toBe(200);
    const body = (await res.json()) as { from: string; to: string; groupBy: string; results: unknown[] };
    expect(body.to).toBe(dutchDay(now));
    expect(body.from).toBe(dutchDay(now - 29 * DAY));
    expect(body.groupBy).toBe('subcontractor');
    expect(body.results).toEqual([
      {
        subcontractor: { id: 'bouw-bv', name: 'Bouw B.V.' },
        product: null,
        finished: 1,
        leadTimeDays: { p50: 1.5, p90: 1.5 },
        phaseMedianDays: { ontvangen: 1.5, in_behandeling: null, actie_vereist: null },
        openByAge: { '0-7': 0, '8-30': 0, '31-90': 0, '90+': 0 },
      },
      {
        subcontractor: { id: 'hulpmiddelen-bv', name: 'Hulpmiddelen B.V.' },
        product: null,
        finished: 5,
        // 2, 4, 6, 8, 10 days: the median 6; p90 interpolated 8 + 0.6 × 2.
        leadTimeDays: { p50: 6, p90: 9.2 },
        // received 1 day each; in progress 1, 3, 5, 7 and 3 + 4 = 7 days; waiting for the customer once, 2 days.
        phaseMedianDays: { ontvangen: 1, in_behandeling: 5, actie_vereist: 2 },
        // 3 and 7 days; 8 and 30; 31; 91 (the failed one is not open); the wheelchair order of 2 days.
        openByAge: { '0-7': 3, '8-30': 2, '31-90': 1, '90+': 1 },
      },
    ]);
  });

  it('takes a chosen period: only what finished in it', async () => {
    const day = dutchDay(now - 40 * DAY);
    const body = (await (await get(`?from=${day}&to=${day}`)).json()) as {
      results: { subcontractor: { id: string }; finished: number; leadTimeDays: unknown }[];
    };
    const hulp = body.results.find((r) => r.subcontractor.id === 'hulpmiddelen-bv')!;
    expect(hulp.finished).toBe(1);
    expect(hulp.leadTimeDays).toEqual({ p50: 5, p90: 5 });
    expect(body.results.find((r) => r.subcontractor.id === 'bouw-bv')).toBeUndefined();
  });
});

describe('lead times per product', () => {
  it('splits a subcontractor by product and names each in the reader’s language', async () => {
    const body = (await (await get('?groupBy=product', { 'accept-language': 'en' })).json()) as {
      results: { subcontractor: { id: string }; product: { code: string; name: string }; finished: number; openByAge: Record<string, number> }[];
    };
    expect(body.results.map((r) => [r.subcontractor.id, r.product, r.finished, r.openByAge['0-7']])).toEqual([
      ['bouw-bv', { code: 'aanpassing', name: 'Home adaptation' }, 1, 0],
      ['hulpmiddelen-bv', { code: 'traplift', name: 'Stairlift' }, 5, 2],
      ['hulpmiddelen-bv', { code: 'rolstoel', name: 'Wheelchair' }, 0, 1],
    ]);
  });
});

describe('CSV', () => {
  it('answers Accept: text/csv with one line per group', async () => {
    const res = await get('', { accept: 'text/csv' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="lead-times-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}-subcontractor\.csv"$/);
    expect((await res.text()).split('\r\n')).toEqual([
      'subcontractor,subcontractor_name,product,product_name,finished,lead_time_p50_days,lead_time_p90_days,median_days_ontvangen,median_days_in_behandeling,median_days_actie_vereist,open_0_7_days,open_8_30_days,open_31_90_days,open_90_plus_days',
      'bouw-bv,Bouw B.V.,,,1,1.5,1.5,1.5,,,0,0,0,0',
      'hulpmiddelen-bv,Hulpmiddelen B.V.,,,5,6,9.2,1,5,2,3,2,1,1',
      '',
    ]);
  });

  it('keeps JSON when JSON is preferred', async () => {
    const res = await get('', { accept: 'application/json, text/csv;q=0.5' });
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  });
});

describe('the query', () => {
  it.each([
    ['?from=2026-03-02&to=2026-03-01', 'from', 'must not be after to'],
    ['?from=2024-01-01&to=2026-01-01', 'from', 'the period is at most 366 days'],
    ['?from=2026-02-30', 'from', 'must be a real date'],
    ['?groupBy=case', 'groupBy', ''],
    ['?sort=p50', 'query', ''],
  ])('%s is a 400 naming %s', async (query, name, reason) => {
    const res = await get(query);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { invalidParams: { name: string; reason: string }[] };
    expect(body.invalidParams[0].name).toBe(name);
    expect(body.invalidParams[0].reason).toContain(reason);
  });

  it('a caseworker and an operator read it too; the numbers are the same', async () => {
    const asCaseworker = await app.request('/api/v1/analytics/lead-times', { headers: await asStaff(['caseworker']) });
    const asOperator = await app.request('/api/v1/analytics/lead-times', { headers: await asStaff(['operator']) });
    const strip = async (r: Response) => {
      const { generatedAt: _, ...rest } = (await r.json()) as Record<string, unknown>;
      return rest;
    };
    expect(await strip(asCaseworker)).toEqual(await strip(asOperator));
  });
});

describe('the time per phase', () => {
  it('does not depend on the order in which the statuses arrive (a poll can bring an older one later)', async () => {
    const { app: fresh, db: freshDb } = await startStaffGateway();
    const placedAt = new Date(finishedAt.getTime() - 6 * DAY);
    const [c] = await handMade(freshDb, [
      { orders: [{ subcontractor: 'bouw-bv', product: 'aanpassing', placedAt, history: [{ phase: 'afgerond', at: finishedAt, final: true }] }] },
    ]);
    // The earlier statuses arrive after the final one, one statement each, newest first.
    for (const [phase, days] of [
      ['in_behandeling', 4],
      ['actie_vereist', 2],
      ['ontvangen', 0],
    ] as const) {
      await freshDb
        .insertInto('timeline_entries')
        .values({
          case_id: c.id,
          order_id: c.orders[0],
          at: new Date(placedAt.getTime() + days * DAY),
          organisation_id: 'bouw-bv',
          kind: 'status',
          phase,
          refs: [] as never,
        })
        .execute();
    }
    const body = (await (await fresh.request('/api/v1/analytics/lead-times', { headers: authHeader('zac') })).json()) as {
      results: { phaseMedianDays: Record<string, number | null> }[];
    };
    // received 0 → 2 (waiting) → 4 (in progress) → 6 done.
    expect(body.results[0].phaseMedianDays).toEqual({ ontvangen: 2, in_behandeling: 2, actie_vereist: 2 });
  });

  it('counts an order whose final status was on the timeline before the order showed it (the list read after the zaak)', async () => {
    const { app: fresh, db: freshDb } = await startStaffGateway();
    const placedAt = new Date(finishedAt.getTime() - 6 * DAY);
    const history = [
      { phase: 'ontvangen', at: placedAt },
      { phase: 'in_behandeling', at: new Date(placedAt.getTime() + DAY) },
      { phase: 'actie_vereist', at: new Date(placedAt.getTime() + 3 * DAY) },
    ];
    const [c] = await handMade(freshDb, [{ orders: [{ subcontractor: 'bouw-bv', product: 'aanpassing', placedAt, history }] }]);
    // The final status reaches the timeline while the order still shows the one before: it is open.
    await freshDb
      .insertInto('timeline_entries')
      .values({ case_id: c.id, order_id: c.orders[0], at: finishedAt, organisation_id: 'bouw-bv', kind: 'status', phase: 'afgerond', refs: json([]) })
      .execute();
    const open = await freshDb
      .selectFrom('orders')
      .select(['status', sql<Date | null>`finished_at`.as('finished_at')])
      .where('id', '=', c.orders[0])
      .executeTakeFirstOrThrow();
    expect(open.finished_at).toBeNull();
    // The next sync makes the final status current, with no new timeline entry.
    await freshDb
      .updateTable('orders')
      .set({ status: json({ ...open.status, isEindstatus: true, datumStatusGezet: finishedAt.toISOString() }) })
      .where('id', '=', c.orders[0])
      .execute();
    const body = (await (await fresh.request('/api/v1/analytics/lead-times', { headers: authHeader('zac') })).json()) as {
      results: { finished: number; phaseMedianDays: Record<string, number | null> }[];
    };
    expect(body.results[0]).toMatchObject({ finished: 1, phaseMedianDays: { ontvangen: 1, in_behandeling: 2, actie_vereist: 3 } });
  });
});

describe('a cancelled case', () => {
  it('leaves its orders out of the open ones: nothing more is expected of them', async () => {
    const openOfBouw = async () => {
      const body = (await (await get()).json()) as { results: { subcontractor: { id: string }; openByAge: Record<string, number> }[] };
      return body.results.find((r) => r.subcontractor.id === 'bouw-bv')!.openByAge;
    };
    const [c] = await handMade(db, [
      { orders: [{ subcontractor: 'bouw-bv', product: 'aanpassing', placedDaysAgo: 120, history: [{ phase: 'in_behandeling', at: daysAgo(119, now) }] }] },
    ]);
    expect(await openOfBouw()).toEqual({ '0-7': 0, '8-30': 0, '31-90': 0, '90+': 1 });
    await db.updateTable('cases').set({ phase: 'geannuleerd', closed_at: new Date() }).where('id', '=', c.id).execute();
    expect(await openOfBouw()).toEqual({ '0-7': 0, '8-30': 0, '31-90': 0, '90+': 0 });
  });
});
