// The one owner of "a subcontractor reported a status for an order". The sync (a ZGW zaak's
// statussen, re-queried) and the partner API (a portal organisation's own status) both come here,
// so the order's status, the timeline, the citizen's notices and the combined status (with its
// events and webhooks) follow one rule whichever way a status arrives.
import { sql, type RawBuilder } from 'kysely';
import type { Trx } from '../db/database.ts';
import { json } from '../db/json.ts';
import type { NetworkService } from '../network/service.ts';
import type { Phase } from '../network/types.ts';
import { addCaseEvent, type CaseRow } from './repository.ts';
import { refreshCombinedStatus } from './status-refresh.ts';

/** An order's current status as `orders.status` holds it (the Order resource's `status`). */
export interface OrderStatus {
  phase: Phase;
  /** The ZGW status's URL; null for a portal organisation's status. */
  url: string | null;
  /** The ZGW statustype's URL; null for a portal organisation's status. */
  statustype: string | null;
  /** A portal organisation's status code (its products[].statuses[].code). */
  code?: string;
  omschrijving: string;
  statustekst: string | null;
  toelichting: string | null;
  volgnummer: number;
  isEindstatus: boolean;
  datumStatusGezet: string;
}

/**
 * A status's words with its toelichting, left out when it only repeats them or `own` (the
 * statustype's other texts, a portal status's names): systems often fill it with the omschrijving,
 * and "Ontvangen Ontvangen" reads wrong. The one rule for the timeline and the customer's part.
 */
export function withToelichting(base: string, toelichting: string | null | undefined, own: readonly (string | null | undefined)[], separator: string): string {
  const extra = toelichting?.trim();
  if (!extra) return base;
  const same = (text: string | null | undefined) => !!text && sameWords(text, extra);
  return same(base) || own.some(same) ? base : `${base}${separator}${extra}`;
}

const sameWords = (a: string, b: string) => normaliseWords(a) === normaliseWords(b);
const normaliseWords = (text: string) => text.trim().replace(/\s+/g, ' ').toLocaleLowerCase('nl');

/** One status on the case's timeline; its key makes it land once, however often it is reported. */
export interface StatusEntry {
  at: Date;
  phase: Phase;
  text: string | null;
  dedupeKey: string;
  /** The status asks for the citizen to be told (ZGW statustype `informeren`): a `case.citizen-notice`. */
  informeren?: boolean;
}

export interface StatusReport {
  orderId: string;
  caseId: string;
  organisationId: string;
  /** When the facts were read: a report read before the outcome the order already shows is not applied. */
  observedAt: Date;
  /** The order's current status after this report; null when it has none. */
  status: OrderStatus | null;
  /** The key of the entry that is the current status. */
  currentKey?: string;
  /** Timeline entries, oldest first (entries already on the timeline are skipped). */
  entries: StatusEntry[];
  /** Why the combined status was recomputed (in its `case.status-changed` event). */
  reason: string;
  /**
   * The next poll of an order the poller had left (finished or gone: next_poll_at null), as a new
   * status may re-open it; null for a portal organisation's order, which is never polled.
   */
  repollAt: Date | null;
}

/**
 * Applies the report inside the caller's case transaction (inCaseTransaction). `alongside`: a
 * data-modifying statement of the caller's that belongs to the same write (the sync settles its
 * inbox), run in the same round trip. Returns the keys of the entries added.
 */
export async function applyOrderStatus(
  trx: Trx,
  network: NetworkService,
  report: StatusReport,
  options: { lockedCase?: CaseRow; alongside?: RawBuilder<unknown> } = {},
): Promise<{ added: string[] }> {
  const { added } = await writeStatus(trx, report, options.alongside);
  const addedKeys = new Set(added);
  // Set when the order's current status got its own citizen notice.
  let citizenNoticed = false;
  for (const e of report.entries) {
    if (!addedKeys.has(e.dedupeKey) || !e.informeren) continue;
    await addCaseEvent(trx, 'case.citizen-notice', report.caseId, { phase: e.phase, orderId: report.orderId, reason: 'informeren' }, `notice:${e.dedupeKey}`);
    if (e.dedupeKey === report.currentKey) citizenNoticed = true;
  }
  // Nothing above writes the case row (events and timeline entries are rows of their own).
  await refreshCombinedStatus(trx, network, report.caseId, report.reason, { citizenNoticed, lockedCase: options.lockedCase });
  return { added };
}

/**
 * In one statement (a sync at a few hundred a second is mostly round trips): the order's status
 * and sync state, unless an attempt that began later has written its outcome already (two syncs
 * of one order can overlap) — then that outcome stands, also when it was "gone" or "unreachable";
 * the timeline entries not yet there; and the caller's `alongside`.
 */
async function writeStatus(trx: Trx, r: StatusReport, alongside: RawBuilder<unknown> | undefined): Promise<{ added: string[] }> {
  const now = new Date();
  const entries = r.entries.map((e) => ({ at: e.at.toISOString(), phase: e.phase, text: e.text, dedupe_key: e.dedupeKey }));
  const { rows } = await sql<{ added: unknown }>`
    with o as (
      update orders set status = ${json(r.status)}, last_sync_attempt_at = ${r.observedAt},
        last_synced_at = ${now}, sync_state = 'fresh', sync_error = null, updated_at = ${now},
        next_poll_at = coalesce(next_poll_at, ${r.repollAt})
      where id = ${r.orderId} and (last_sync_attempt_at is null or last_sync_attempt_at <= ${r.observedAt})
    ), t as (
      insert into timeline_entries (case_id, order_id, at, organisation_id, kind, phase, text, dedupe_key)
      select ${r.caseId}, ${r.orderId}, e.at, ${r.organisationId}, 'status', e.phase, e.text, e.dedupe_key
      from rows from (jsonb_to_recordset(${json(entries)}) as (at timestamptz, phase text, text text, dedupe_key text))
        with ordinality as e(at, phase, text, dedupe_key, ord)
      order by e.ord
      on conflict (case_id, dedupe_key) where dedupe_key is not null do nothing
      returning dedupe_key
    )${alongside ? sql`, alongside as (${alongside})` : sql``}
    select (select coalesce(json_agg(dedupe_key), '[]'::json) from t) as added`.execute(trx);
  const added = rows[0]?.added;
  return { added: (typeof added === 'string' ? JSON.parse(added) : (added ?? [])) as string[] };
}
