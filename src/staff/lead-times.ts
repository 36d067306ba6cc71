// Chain lead times: per subcontractor (or per product of one) the orders that finished in a
// period, p50 and p90 days from placement to the final status, the median days spent in each
// phase, and the orders still open by age. Aggregates only: no customer's data, so no access-log row.
import type { Lang } from '../i18n/index.ts';
import type { Database } from '../db/database.ts';
import type { NetworkService } from '../network/service.ts';
import type { Phase } from '../network/types.ts';
import { finishedOrders, openOrdersByAge, type LeadTimeGroupBy, type LeadTimeRow } from './repository.ts';

/** The phases an order spends time in before its final status. */
export const LEAD_TIME_PHASES = ['ontvangen', 'in_behandeling', 'actie_vereist'] as const satisfies readonly Phase[];
export const AGE_BUCKETS = ['0-7', '8-30', '31-90', '90+'] as const;

export interface LeadTimeQuery {
  /** The first and last day of the period (YYYY-MM-DD, whole days in the Netherlands). */
  from: string;
  to: string;
  groupBy: LeadTimeGroupBy;
  lang: Lang;
}

const days = (seconds: number | null | undefined) => (seconds === null || seconds === undefined ? null : Math.round((Number(seconds) / 86_400) * 10) / 10);
const keyOf = (r: LeadTimeRow) => `${r.subcontractor}\u0000${r.product ?? ''}`;

export class LeadTimeService {
  private readonly deps: { database: Database; network: NetworkService; now?: () => Date };
  constructor(deps: LeadTimeService['deps']) {
    this.deps = deps;
  }

  async report(q: LeadTimeQuery) {
    const db = this.deps.database.db;
    const now = this.deps.now?.() ?? new Date();
    const from = dutchMidnight(q.from);
    const to = dutchMidnight(nextDay(q.to));
    const [finished, open] = await Promise.all([finishedOrders(db, q.groupBy, from, to), openOrdersByAge(db, q.groupBy, now)]);
    const groups = new Map<string, LeadTimeRow>();
    for (const r of [...finished, ...open]) groups.set(keyOf(r), { subcontractor: r.subcontractor, product: r.product });
    const results = [...groups.entries()].map(([key, g]) => {
      const f = finished.find((r) => keyOf(r) === key);
      const o = open.find((r) => keyOf(r) === key);
      return {
        subcontractor: { id: g.subcontractor, name: this.deps.network.get(g.subcontractor)?.name ?? g.subcontractor },
        product: g.product === null ? null : { code: g.product, name: this.productName(g.subcontractor, g.product, q.lang) },
        finished: f?.finished ?? 0,
        leadTimeDays: { p50: days(f?.p50), p90: days(f?.p90) },
        phaseMedianDays: Object.fromEntries(LEAD_TIME_PHASES.map((phase) => [phase, days(f?.[phase])])) as Record<
          (typeof LEAD_TIME_PHASES)[number],
          number | null
        >,
        openByAge: { '0-7': o?.d0_7 ?? 0, '8-30': o?.d8_30 ?? 0, '31-90': o?.d31_90 ?? 0, '90+': o?.d90 ?? 0 },
      };
    });
    results.sort(
      (a, b) => a.subcontractor.name.localeCompare(b.subcontractor.name, 'nl') || (a.product?.name ?? '').localeCompare(b.product?.name ?? '', 'nl'),
    );
    return { from: q.from, to: q.to, groupBy: q.groupBy, generatedAt: now.toISOString(), results };
  }

  private productName(orgId: string, code: string, lang: Lang): string {
    const name = this.deps.network.get(orgId)?.products.find((p) => p.code === code)?.name;
    return name?.[lang] ?? name?.nl ?? code;
  }
}

export type LeadTimeReport = Awaited<ReturnType<LeadTimeService['report']>>;

/** The report as CSV (RFC 4180; one line per group). */
export function leadTimesCsv(report: LeadTimeReport): string {
  const head = [
    'subcontractor',
    'subcontractor_name',
    'product',
    'product_name',
    'finished',
    'lead_time_p50_days',
    'lead_time_p90_days',
    ...LEAD_TIME_PHASES.map((p) => `median_days_${p}`),
    ...AGE_BUCKETS.map((b) => `open_${b.replace('+', '_plus').replace('-', '_')}_days`),
  ];
  const cell = (v: string | number | null) => {
    const s = v === null ? '' : String(v);
    // Quoted when needed; a leading =, +, - or @ is neutralised so a spreadsheet never runs it.
    const safe = /^[=+\-@]/.test(s) && typeof v === 'string' ? `'${s}` : s;
    return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
  };
  const lines = report.results.map((r) =>
    [
      r.subcontractor.id,
      r.subcontractor.name,
      r.product?.code ?? null,
      r.product?.name ?? null,
      r.finished,
      r.leadTimeDays.p50,
      r.leadTimeDays.p90,
      ...LEAD_TIME_PHASES.map((p) => r.phaseMedianDays[p]),
      ...AGE_BUCKETS.map((b) => r.openByAge[b]),
    ]
      .map(cell)
      .join(','),
  );
  return `${[head.join(','), ...lines].join('\r\n')}\r\n`;
}

/** 00:00 of a day in the Netherlands (CET/CEST) as an instant. */
export function dutchMidnight(day: string): Date {
  const utc = new Date(`${day}T00:00:00Z`);
  // The offset of Amsterdam at that moment (1 or 2 hours), read from Intl rather than assumed.
  const local = new Date(utc.toLocaleString('en-US', { timeZone: 'Europe/Amsterdam' }));
  const offset = local.getTime() - new Date(utc.toLocaleString('en-US', { timeZone: 'UTC' })).getTime();
  return new Date(utc.getTime() - offset);
}

function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}
