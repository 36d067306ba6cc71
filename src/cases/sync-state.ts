import { pollIntervalOf, type Organisation } from '../network/types.ts';
import type { OrderRow } from './repository.ts';

export type SyncState = 'fresh' | 'stale' | 'unreachable' | 'gone';

/**
 * What we can say about how current an order's data is. Stored state says what the last attempt
 * learnt (unreachable, gone); staleness is a matter of time: no success within 2 × the interval.
 */
export function effectiveSyncState(o: Pick<OrderRow, 'state' | 'sync_state' | 'last_synced_at' | 'created_at'>, org: Organisation | undefined, now = new Date()): SyncState {
  if (o.state !== 'placed') return 'fresh';
  if (o.sync_state === 'unreachable' || o.sync_state === 'gone') return o.sync_state;
  const intervalMs = (org ? pollIntervalOf(org) : 3600) * 1000;
  const last = o.last_synced_at ?? o.created_at;
  return now.getTime() - last.getTime() > 2 * intervalMs ? 'stale' : 'fresh';
}
