import { isPortal, pollIntervalOf, type Organisation, type Phase } from '../network/types.ts';
import { isClosedPhase } from './phases.ts';
import type { OrderRow } from './repository.ts';

export type SyncState = 'fresh' | 'stale' | 'unreachable' | 'gone';

/**
 * What we can say about how current an order's data is. Stored state says what the last attempt
 * learnt (unreachable, gone); staleness is a matter of time: no success within 2 × the interval.
 * A part that reached its eindstatus is finished: nothing more will come (it is no longer polled),
 * so it never goes stale. A portal organisation's part is never a copy: what it reported through
 * the partner API is all there is, so it is always current.
 */
export function effectiveSyncState(
  o: Pick<OrderRow, 'state' | 'status' | 'sync_state' | 'last_synced_at' | 'created_at'>,
  org: Organisation | undefined,
  now = new Date(),
): SyncState {
  if (o.state !== 'placed') return 'fresh';
  if (o.sync_state === 'unreachable' || o.sync_state === 'gone') return o.sync_state;
  if (isFinished(o.status) || (org && isPortal(org))) return 'fresh';
  const intervalMs = (org ? pollIntervalOf(org) : 3600) * 1000;
  const last = o.last_synced_at ?? o.created_at;
  return now.getTime() - last.getTime() > 2 * intervalMs ? 'stale' : 'fresh';
}

/** The subcontractor set its eindstatus (or a closing phase): the part is done. */
export function isFinished(status: OrderRow['status']): boolean {
  const s = status as { isEindstatus?: unknown; phase?: unknown } | null | undefined;
  return s?.isEindstatus === true || (typeof s?.phase === 'string' && isClosedPhase(s.phase as Phase));
}
