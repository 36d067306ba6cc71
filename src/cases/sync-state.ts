import { type RawBuilder, sql } from 'kysely';
import { isPortal, pollIntervalOf, type Organisation, type Phase } from '../network/types.ts';
import { CLOSED_PHASES, isCaseCancelled, isClosedPhase } from './phases.ts';
import type { CaseRow, OrderRow } from './repository.ts';

export type SyncState = 'fresh' | 'stale' | 'unreachable' | 'gone';

/**
 * What we can say about how current an order's data is. Stored state says what the last attempt
 * learnt (unreachable, gone); staleness is a matter of time: no success within 2 × the interval.
 * A finished part (isOrderFinished) never goes stale: nothing more is expected of it. A portal
 * organisation's part is never a copy: what it reported through the partner API is all there is,
 * so it is always current.
 */
export function effectiveSyncState(
  o: Pick<OrderRow, 'state' | 'status' | 'sync_state' | 'last_synced_at' | 'created_at'>,
  c: Pick<CaseRow, 'phase'>,
  org: Organisation | undefined,
  now = new Date(),
): SyncState {
  if (o.state !== 'placed') return 'fresh';
  if (o.sync_state === 'unreachable' || o.sync_state === 'gone') return o.sync_state;
  if (isOrderFinished(o, c) || (org && isPortal(org))) return 'fresh';
  const intervalMs = (org ? pollIntervalOf(org) : 3600) * 1000;
  const last = o.last_synced_at ?? o.created_at;
  return now.getTime() - last.getTime() > 2 * intervalMs ? 'stale' : 'fresh';
}

/**
 * The one rule for "this order is finished" (orderFinished is the same in SQL): its subcontractor
 * set the eindstatus or a closing phase (a product's `phases` may map another statustype to one), or
 * its case was cancelled. Nothing more is expected of it: not open, never stale (polling: pollingDone).
 */
export function isOrderFinished(o: Pick<OrderRow, 'status'>, c: Pick<CaseRow, 'phase'>): boolean {
  const s = o.status as { isEindstatus?: unknown; phase?: unknown } | null | undefined;
  return isCaseCancelled(c.phase) || s?.isEindstatus === true || (typeof s?.phase === 'string' && isClosedPhase(s.phase as Phase));
}

const caseOfOrder = sql`(select fc.phase from cases fc where fc.id = o.case_id)`;
/** The order `o` reached its subcontractor's eindstatus. */
const atEindstatus = sql`coalesce((o.status->>'isEindstatus') = 'true', false)`;
/** isCaseCancelled in SQL. */
const caseCancelled = (casePhase: RawBuilder<unknown>) => sql`coalesce(${casePhase} = 'geannuleerd', false)`;

/** isOrderFinished for a statement that reads the order as `o`; `casePhase` when it has the case at hand. */
export const orderFinished = (casePhase: RawBuilder<unknown> = caseOfOrder) =>
  sql<boolean>`(${atEindstatus} or coalesce((o.status->>'phase') in (${sql.join(CLOSED_PHASES)}), false) or ${caseCancelled(casePhase)})`;

/**
 * The reconcile poller's stop (`o` as in orderFinished): nothing more can come (eindstatus, case
 * cancelled, zaak gone), and not while unreachable. Not orderFinished: after a closing phase short of
 * the eindstatus, that eindstatus (maybe with an `informeren` notice) is still to come.
 */
export const pollingDone = () =>
  sql<boolean>`(o.sync_state <> 'unreachable' and (o.sync_state = 'gone'
    or ${atEindstatus} or ${caseCancelled(caseOfOrder)}))`;
