// An order placed with a portal organisation (one without a case system) is an assignment: there
// is no zaak to create, so it is placed at once, in the transaction that made it, and nothing is
// called or polled. The organisation picks it up through the partner API (src/partner), which
// reports its statuses through cases/order-status.ts like the sync does for a zaak.
import type { Trx } from '../db/database.ts';
import type { PortalOrganisation } from '../network/types.ts';
import * as repo from './repository.ts';

/** What the partner feature does when an assignment is made (its row, reply token and mail), in the same transaction. */
export type AssignmentHook = (trx: Trx, order: repo.OrderRow, org: PortalOrganisation) => Promise<void>;

/** Marks the new order placed with its `order-placed` entry ("passed on to …"), then runs the hook. */
export async function placeAssignment(trx: Trx, order: repo.OrderRow, org: PortalOrganisation, hook: AssignmentHook): Promise<repo.OrderRow> {
  const now = new Date();
  // No next poll and no sync: the organisation's own reports are the part's whole truth.
  await repo.updateOrder(trx, order.id, { state: 'placed', next_poll_at: null });
  await repo.addTimelineEntry(trx, {
    case_id: order.case_id,
    order_id: order.id,
    at: now,
    organisation_id: org.id,
    kind: 'order-placed',
    phase: null,
    text: null,
    dedupe_key: `order-placed:${order.id}`,
  });
  const placed = { ...order, state: 'placed' as const, updated_at: now };
  await hook(trx, placed, org);
  return placed;
}
