// The caseworker's worklist: open cases that need someone, each with its reasons, its parts and
// who has the ball. Which cases is decided in SQL (repository.ts); the reasons of the cases on the
// page are spelt out here by the same rules. Every case shown is a read: one access-log row each.
import { recordAccess, type Access } from '../access-log/access-log.ts';
import type { GapKind } from '../cases/combined-status.ts';
import { isOrderFinished } from '../cases/sync-state.ts';
import { ordersOfCases, type CaseRow, type OrderRow } from '../cases/repository.ts';
import { computeCombined } from '../cases/status-refresh.ts';
import type { Lang } from '../i18n/index.ts';
import { type Database, withTransaction } from '../db/database.ts';
import type { NetworkService } from '../network/service.ts';
import { isPortal, pollIntervalOf, type Organisation, type Phase } from '../network/types.ts';
import { attentionCases, type WorklistNetwork, type WorklistReason, type WorklistSort } from './repository.ts';
import { gapWords, orderWords, staffPhase } from './words.ts';

/** Days a part may go without a change when its product names no `expectedDays`. */
export const DEFAULT_EXPECTED_DAYS = 14;
const DAY_MS = 86_400_000;

/** A product's expected days per part (a product may carry `expectedDays`; otherwise the default). */
export function expectedDaysOf(org: Organisation | undefined, product: string): number {
  const days = (org?.products.find((p) => p.code === product) as { expectedDays?: unknown } | undefined)?.expectedDays;
  return typeof days === 'number' && Number.isInteger(days) && days > 0 ? days : DEFAULT_EXPECTED_DAYS;
}

/** Today's date in the Netherlands, YYYY-MM-DD (planned end dates and deadlines are dates there). */
export const dutchToday = (now: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam' }).format(now);

/** Why a case is on the list; the part and organisation when it is about one part. */
export interface Reason {
  code: WorklistReason;
  partId?: string;
  organisation?: { id: string; name: string };
  /** stalled: the part's last change; gap: since when the information may be incomplete. */
  since?: string;
  /** stalled: the product's expected days per part. */
  expectedDays?: number;
  /** overdue: the earliest of the planned end date and the deadline. */
  date?: string;
  kind?: GapKind;
  text?: string;
}

export interface WorklistInput {
  reason?: WorklistReason;
  sort: WorklistSort;
  limit: number;
  offset: number;
  lang: Lang;
}

export class WorklistService {
  private readonly deps: { database: Database; network: NetworkService; baseUrl: string; now?: () => Date };
  constructor(deps: WorklistService['deps']) {
    this.deps = deps;
  }

  async list(input: WorklistInput, access: Access) {
    const now = this.deps.now?.() ?? new Date();
    const network = this.deps.network;
    return withTransaction(this.deps.database.db, async (trx) => {
      const { rows, count } = await attentionCases(trx, this.worklistNetwork(), { ...input, now, today: dutchToday(now) });
      const orders = await ordersOfCases(
        trx,
        rows.map((r) => r.id),
      );
      await recordAccess(trx, { organisation: network.self.id, ...access }, rows);
      const results = rows.map((row) => {
        const own = orders.filter((o) => o.case_id === row.id);
        const combined = computeCombined(network, row, own, now);
        const reasons: Reason[] = [
          ...(row.citizen_action ? [{ code: 'citizen-action' as const }] : []),
          ...(row.overdue ? [{ code: 'overdue' as const, date: [row.planned_end_date, row.deadline].filter((d): d is string => d !== null).sort()[0] }] : []),
          ...own.flatMap((o) => this.partReasons(o, row, now)),
          ...combined.gaps.map((g) => ({
            code: 'gap' as const,
            partId: g.orderId,
            organisation: g.organisation,
            kind: g.kind,
            since: g.since,
            text: gapWords(g.kind, g.organisation.name, g.since, input.lang),
          })),
        ];
        return {
          id: row.id,
          url: `${this.deps.baseUrl}/api/v1/cases/${row.id}`,
          reference: row.reference,
          title: row.title,
          phase: combined.phase,
          phaseText: staffPhase(combined.phase, input.lang),
          ballWith: combined.ballWith === 'citizen' ? ('citizen' as const) : combined.ballWith,
          progress: combined.progress,
          plannedEndDate: row.planned_end_date,
          deadline: row.deadline,
          updatedAt: new Date(row.updated_at).toISOString(),
          reasons,
          parts: own.map((o) => this.part(o, input.lang)),
        };
      });
      return { count, results };
    });
  }

  private partReasons(o: OrderRow, c: Pick<CaseRow, 'phase'>, now: Date): Reason[] {
    const organisation = this.named(o.subcontractor);
    if (o.state === 'failed') return [{ code: 'failed-order' as const, partId: o.id, organisation }];
    if (isOrderFinished(o, c)) return [];
    const since = lastChange(o);
    const expectedDays = expectedDaysOf(this.deps.network.get(o.subcontractor), o.product);
    if (now.getTime() - since.getTime() <= expectedDays * DAY_MS) return [];
    return [{ code: 'stalled' as const, partId: o.id, organisation, since: since.toISOString(), expectedDays }];
  }

  private part(o: OrderRow, lang: Lang) {
    const org = this.deps.network.get(o.subcontractor);
    const status = o.status as { phase?: Phase; statustekst?: string | null; omschrijving?: string } | null;
    const phase = status?.phase ?? null;
    const name = org?.products.find((p) => p.code === o.product)?.name;
    return {
      id: o.id,
      organisation: this.named(o.subcontractor),
      product: { code: o.product, name: name?.[lang] ?? name?.nl ?? o.product },
      state: o.state,
      phase,
      statusText: status?.statustekst ?? status?.omschrijving ?? null,
      since: lastChange(o).toISOString(),
      expectedDays: expectedDaysOf(org, o.product),
      text: orderWords({ organisation: this.named(o.subcontractor).name, state: o.state, phase, since: lastChange(o).toISOString() }, lang),
    };
  }

  private named(id: string) {
    return { id, name: this.deps.network.get(id)?.name ?? id };
  }

  /** The network as the worklist's SQL needs it: each organisation's standing and poll interval, each product's expected days. */
  private worklistNetwork(): WorklistNetwork {
    const organisations = this.deps.network.list();
    return {
      organisations: organisations.map((o) => ({
        id: o.id,
        active: o.status === 'active',
        intervalSeconds: isPortal(o) ? 0 : pollIntervalOf(o),
        portal: isPortal(o),
      })),
      expected: organisations.flatMap((o) => o.products.map((p) => ({ subcontractor: o.id, product: p.code, days: expectedDaysOf(o, p.code) }))),
      defaultDays: DEFAULT_EXPECTED_DAYS,
    };
  }
}

/** When the part last changed: its current status's time, else its placement. */
function lastChange(o: Pick<OrderRow, 'status' | 'created_at'>): Date {
  const at = (o.status as { datumStatusGezet?: unknown } | null)?.datumStatusGezet;
  const parsed = typeof at === 'string' ? new Date(at) : undefined;
  return parsed && !Number.isNaN(parsed.getTime()) ? parsed : new Date(o.created_at);
}

export type WorklistItem = Awaited<ReturnType<WorklistService['list']>>['results'][number];
