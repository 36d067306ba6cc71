// Recomputes a case's combined status from its parts inside the caller's transaction and puts a
// `case.status-changed` event in the outbox when it changed. Every writer of case state calls this.
import type { Db } from '../db/database.ts';
import type { NetworkService } from '../network/service.ts';
import type { Phase } from '../network/types.ts';
import { combinedStatus, type CombinedStatus } from './combined-status.ts';
import { addCaseEvent, findCase, ordersOfCase, updateCase, type CaseRow, type OrderRow } from './repository.ts';
import { effectiveSyncState } from './sync-state.ts';

export function computeCombined(network: NetworkService, c: CaseRow, orders: OrderRow[], now = new Date()): CombinedStatus {
  return combinedStatus({
    self: { id: network.self.id, name: network.self.name },
    supplierPhase: c.phase as Phase,
    closed: c.closed_at !== null,
    caseUpdatedAt: (c.closed_at ?? c.created_at).toISOString(),
    parts: orders.map((o) => {
      const org = network.get(o.subcontractor);
      const syncState = effectiveSyncState(o, org, now);
      return {
        orderId: o.id,
        organisation: { id: o.subcontractor, name: org?.name ?? o.subcontractor, status: org?.status ?? 'unknown' },
        state: o.state,
        phase: (o.status?.phase as Phase | undefined) ?? null,
        syncState,
        since: (o.state === 'failed' ? o.updated_at : o.last_synced_at ?? o.created_at).toISOString(),
        updatedAt: ((o.status?.datumStatusGezet as string | undefined) ?? o.created_at.toISOString()),
      };
    }),
  });
}

/** Returns the new combined status, and whether it changed. */
export async function refreshCombinedStatus(trx: Db, network: NetworkService, caseId: string, reason: string) {
  const c = await findCase(trx, caseId, true);
  if (!c) return undefined;
  const orders = await ordersOfCase(trx, caseId);
  const next = computeCombined(network, c, orders);
  const changed = JSON.stringify(comparable(next)) !== JSON.stringify(comparable(c.combined_status as unknown as CombinedStatus));
  if (changed) {
    await updateCase(trx, caseId, { combined_status: next as never });
    await addCaseEvent(trx, 'case.status-changed', caseId, { combinedStatus: next, reason });
  }
  return { combined: next, changed };
}

// lastUpdatedAt moves with every write; a change worth telling someone is a change in substance.
function comparable(s: CombinedStatus | undefined) {
  if (!s) return undefined;
  return { phase: s.phase, ballWith: s.ballWith, progress: s.progress, gaps: s.gaps?.map((g) => [g.orderId, g.kind]) };
}
