// Recomputes a case's combined status from its parts inside the caller's transaction and puts a
// `case.status-changed` event in the outbox when it changed. Every writer of case state calls this.
import { type Db, withTransaction, type Trx } from '../db/database.ts';
import type { NetworkService } from '../network/service.ts';
import type { Phase } from '../network/types.ts';
import { combinedStatus, type CombinedStatus } from './combined-status.ts';
import { addCaseEvent, findCaseForUpdate, ordersOfCase, updateCase, type CaseRow, type OrderRow } from './repository.ts';
import { effectiveSyncState } from './sync-state.ts';

/** The columns the combined status depends on (the citizen API reads only these). */
export type CombinedCase = Pick<CaseRow, 'phase' | 'closed_at' | 'created_at'>;
export type CombinedOrder = Pick<OrderRow, 'id' | 'subcontractor' | 'state' | 'status' | 'sync_state' | 'last_synced_at' | 'created_at' | 'updated_at'>;

export function computeCombined(network: NetworkService, c: CombinedCase, orders: CombinedOrder[], now = new Date()): CombinedStatus {
  return combinedStatus({
    self: { id: network.self.id, name: network.self.name },
    supplierPhase: c.phase as Phase,
    closed: c.closed_at !== null,
    caseUpdatedAt: (c.closed_at ?? c.created_at).toISOString(),
    parts: orders.map((o) => {
      const org = network.get(o.subcontractor);
      const syncState = effectiveSyncState(o, c, org, now);
      return {
        orderId: o.id,
        organisation: { id: o.subcontractor, name: org?.name ?? o.subcontractor, status: org?.status ?? 'unknown' },
        state: o.state,
        phase: (o.status?.phase as Phase | undefined) ?? null,
        syncState,
        since: (o.state === 'failed' ? o.updated_at : (o.last_synced_at ?? o.created_at)).toISOString(),
        updatedAt: (o.status?.datumStatusGezet as string | undefined) ?? o.created_at.toISOString(),
      };
    }),
  });
}

/**
 * Runs `fn` in a transaction that first locks the case row. Every writer of a case's parts takes
 * this lock before anything else, so concurrent writers queue instead of deadlocking (the foreign
 * keys of orders and timeline entries take share locks on the case row).
 */
export async function inCaseTransaction<T>(db: Db, caseId: string, fn: (trx: Trx, locked: CaseRow | undefined) => Promise<T>): Promise<T> {
  return withTransaction(db, async (trx) => {
    const locked = await findCaseForUpdate(trx, caseId);
    return fn(trx, locked);
  });
}

/** Combined phases that tell the citizen something happened (a `case.citizen-notice` for notify services). */
const NOTICE_PHASES = new Set<Phase>(['actie_vereist', 'afgerond']);

/**
 * Returns the new combined status, and whether it changed. `citizenNoticed`: the caller already
 * wrote a citizen notice for the status behind this change (statustype `informeren`), so a phase
 * reaching actie_vereist/afgerond does not notify the citizen a second time for the same status.
 */
export async function refreshCombinedStatus(
  trx: Trx,
  network: NetworkService,
  caseId: string,
  reason: string,
  options: {
    citizenNoticed?: boolean;
    /** The case row as this transaction locked it (inCaseTransaction), when nothing wrote to it since: saves reading it again. */
    lockedCase?: CaseRow;
  } = {},
) {
  const c = options.lockedCase?.id === caseId ? options.lockedCase : await findCaseForUpdate(trx, caseId);
  if (!c) return undefined;
  const orders = await ordersOfCase(trx, caseId);
  const next = computeCombined(network, c, orders);
  const changed = JSON.stringify(comparable(next)) !== JSON.stringify(comparable(c.combined_status));
  if (changed) {
    await updateCase(trx, caseId, { combined_status: next });
    const event = await addCaseEvent(trx, 'case.status-changed', caseId, { combinedStatus: next, reason });
    const before = c.combined_status?.phase;
    if (event && next.phase !== before && NOTICE_PHASES.has(next.phase) && !options.citizenNoticed) {
      // Keyed by the change itself: once per status, however often the transaction's work is retried.
      await addCaseEvent(trx, 'case.citizen-notice', caseId, { phase: next.phase, reason: 'phase' }, `notice:phase:${event.id}`);
    }
  }
  return { combined: next, changed };
}

// lastUpdatedAt moves with every write; a change worth telling someone is a change in substance.
function comparable(s: CombinedStatus | undefined) {
  if (!s) return undefined;
  return { phase: s.phase, ballWith: s.ballWith, progress: s.progress, gaps: s.gaps?.map((g) => [g.orderId, g.kind]) };
}
