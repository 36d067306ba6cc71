// Resource shapes (ARCHITECTURE.md "Resource shapes") for the supplier API.
import type { Organisation } from '../network/types.ts';
import type { CombinedStatus } from './combined-status.ts';
import type { CaseRow, OrderRow, TimelineRow } from './repository.ts';
import { effectiveSyncState } from './sync-state.ts';

export function orderResource(o: OrderRow, c: Pick<CaseRow, 'phase'>, baseUrl: string, org: Organisation | undefined, now = new Date()) {
  return {
    id: o.id,
    url: `${baseUrl}/api/v1/orders/${o.id}`,
    caseId: o.case_id,
    subcontractor: o.subcontractor,
    product: o.product,
    description: o.description,
    shareCitizen: o.share_citizen,
    state: o.state,
    failure: o.failure,
    remoteZaak: o.remote_zaak_url ? { url: o.remote_zaak_url, identificatie: o.remote_identificatie } : null,
    status: o.status,
    sync: {
      state: effectiveSyncState(o, c, org, now),
      lastSyncedAt: o.last_synced_at?.toISOString() ?? null,
      lastNotificationAt: o.last_notification_at?.toISOString() ?? null,
      error: o.sync_error,
    },
    createdAt: o.created_at.toISOString(),
    updatedAt: o.updated_at.toISOString(),
  };
}

export function timelineResource(t: TimelineRow, orgName: (id: string) => string) {
  return {
    at: t.at.toISOString(),
    organisation: { id: t.organisation_id, name: orgName(t.organisation_id) },
    kind: t.kind,
    phase: t.phase,
    text: t.text,
    references: t.refs,
    orderId: t.order_id,
  };
}

export function caseResource(c: CaseRow, baseUrl: string, combined: CombinedStatus, orders: ReturnType<typeof orderResource>[]) {
  return {
    id: c.id,
    url: `${baseUrl}/api/v1/cases/${c.id}`,
    reference: c.reference,
    title: c.title,
    citizen: c.citizen_bsn ? { bsn: c.citizen_bsn } : { kvk: c.citizen_kvk, ...(c.citizen_vestiging ? { vestiging: c.citizen_vestiging } : {}) },
    confidentiality: c.confidentiality,
    product: c.product,
    plannedEndDate: c.planned_end_date,
    deadline: c.deadline,
    phase: c.phase,
    phaseText: c.phase_text,
    closedAt: c.closed_at?.toISOString() ?? null,
    combinedStatus: combined,
    orders,
    createdAt: c.created_at.toISOString(),
    updatedAt: c.updated_at.toISOString(),
  };
}
