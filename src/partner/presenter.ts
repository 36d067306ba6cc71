// The assignment as its organisation sees it: what it needs to do the job, nothing of the case
// beyond. The customer only when the order was placed with shareCitizen, and never a BSN.
import type { OrderStatus } from '../cases/order-status.ts';
import type { Organisation, PortalStatus } from '../network/types.ts';
import { isPortal } from '../network/types.ts';
import type { AssignmentRow, MessageRow } from './repository.ts';

type Named = { id: string; name: string };

/** The statuses the organisation may set for the assignment's product (none when it no longer offers it). */
export function allowedStatuses(org: Organisation | undefined, productCode: string): PortalStatus[] {
  if (!org || !isPortal(org)) return [];
  return org.products.find((p) => p.code === productCode)?.statuses ?? [];
}

export const isOpen = (a: Pick<AssignmentRow, 'closed_at' | 'case_closed_at'>) => a.closed_at === null && a.case_closed_at === null;

export function assignmentSummary(a: AssignmentRow, org: Organisation | undefined, baseUrl: string) {
  const statuses = allowedStatuses(org, a.product);
  const status = a.status as OrderStatus | null;
  const current = status?.code ? statuses.find((s) => s.code === status.code) : undefined;
  return {
    id: a.order_id,
    url: `${baseUrl}/api/v1/partner/assignments/${a.order_id}`,
    state: isOpen(a) ? ('open' as const) : ('closed' as const),
    product: { code: a.product, name: org?.products.find((p) => p.code === a.product)?.name ?? { nl: a.product } },
    description: a.description,
    case: { reference: a.reference, plannedEndDate: a.planned_end_date, deadline: a.deadline, closed: a.case_closed_at !== null },
    status: status
      ? {
          code: status.code ?? null,
          name: current?.name ?? { nl: status.omschrijving, en: status.omschrijving },
          phase: status.phase,
          final: status.isEindstatus,
          text: status.toelichting,
          setAt: status.datumStatusGezet,
        }
      : null,
    allowedStatuses: statuses.map((s) => ({ code: s.code, name: s.name, phase: s.phase, final: s.final === true })),
    createdAt: a.created_at.toISOString(),
    updatedAt: a.updated_at.toISOString(),
  };
}

export function assignmentDetail(a: AssignmentRow, messages: MessageRow[], org: Organisation | undefined, baseUrl: string, orgName: (id: string) => Named) {
  return {
    ...assignmentSummary(a, org, baseUrl),
    customer: customerOf(a),
    messages: messages.map((m) => messageResource(m, orgName)),
  };
}

/** What the case holds of its customer that the subcontractor may see: only with shareCitizen, never a BSN. */
export function customerOf(a: Pick<AssignmentRow, 'share_citizen' | 'title' | 'citizen_kvk' | 'citizen_vestiging'>) {
  if (!a.share_citizen) return null;
  return { title: a.title, kvk: a.citizen_kvk, vestiging: a.citizen_vestiging };
}

export function messageResource(m: MessageRow, orgName: (id: string) => Named) {
  return {
    id: m.id,
    orderId: m.order_id,
    direction: m.direction,
    organisation: orgName(m.organisation_id),
    author: m.author,
    channel: m.channel,
    text: m.text,
    visibleToCitizen: m.citizen_visible,
    attachments: m.attachments,
    createdAt: new Date(m.created_at).toISOString(),
  };
}

export type Assignment = ReturnType<typeof assignmentSummary>;
export type AssignmentDetail = ReturnType<typeof assignmentDetail>;
export type Message = ReturnType<typeof messageResource>;
