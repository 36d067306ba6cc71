// The case's combined chain status (ARCHITECTURE.md "Status vocabulary"). Pure: the same inputs
// always give the same answer, so it can be recomputed anywhere and compared for change.
import type { Phase } from '../network/types.ts';
import { ADVANCEMENT, isCaseCancelled, isClosedPhase } from './phases.ts';

export type GapKind = 'not_connected' | 'unreachable' | 'stale' | 'suspended';

export interface PartInput {
  orderId: string;
  organisation: { id: string; name: string; status: 'pending' | 'active' | 'suspended' | 'unknown' };
  state: 'placing' | 'placed' | 'failed';
  phase: Phase | null;
  syncState: 'fresh' | 'stale' | 'unreachable' | 'gone';
  /** Since when the part's information may be incomplete (last success, or failure time). */
  since: string;
  updatedAt: string;
}

export interface CombinedInput {
  self: { id: string; name: string };
  supplierPhase: Phase;
  closed: boolean;
  caseUpdatedAt: string;
  parts: PartInput[];
}

export interface Gap {
  orderId: string;
  organisation: { id: string; name: string };
  kind: GapKind;
  since: string;
}

export interface CombinedStatus {
  phase: Phase;
  ballWith: { id: string; name: string } | 'citizen';
  progress: { done: number; total: number };
  lastUpdatedAt: string;
  gaps: Gap[];
}

export function combinedStatus(input: CombinedInput): CombinedStatus {
  // A cancelled case expects nothing more of any part: none of them is a gap, and its unfinished parts
  // are not counted (they are not work still to come), so its progress is over the parts that were done.
  const cancelled = isCaseCancelled(input.supplierPhase);
  const counted = input.parts.filter((p) => p.state !== 'failed' && p.phase !== 'geannuleerd' && (!cancelled || p.phase === 'afgerond'));
  const progress = { done: counted.filter((p) => p.phase === 'afgerond').length, total: counted.length };
  const lastUpdatedAt = [input.caseUpdatedAt, ...input.parts.map((p) => p.updatedAt)].sort().at(-1)!;
  const gaps = input.parts.flatMap((p): Gap[] => {
    const kind = cancelled ? undefined : gapKind(p);
    return kind ? [{ orderId: p.orderId, organisation: { id: p.organisation.id, name: p.organisation.name }, kind, since: p.since }] : [];
  });

  if (input.closed) {
    return { phase: cancelled ? 'geannuleerd' : 'afgerond', ballWith: input.self, progress, lastUpdatedAt, gaps };
  }
  const open = [
    { who: input.self, phase: input.supplierPhase, order: -1 },
    ...counted.map((p, i) => ({ who: { id: p.organisation.id, name: p.organisation.name }, phase: p.phase ?? 'ontvangen', order: i })),
  ].filter((p) => !isClosedPhase(p.phase));

  if (open.some((p) => p.phase === 'actie_vereist')) return { phase: 'actie_vereist', ballWith: 'citizen', progress, lastUpdatedAt, gaps };
  // Subcontractors' open parts come before the supplier's own: the supplier waits on them.
  const orders = open.filter((p) => p.order >= 0);
  const candidates = orders.length > 0 ? orders : open;
  const least = candidates.reduce<(typeof open)[number] | undefined>((min, p) => (!min || ADVANCEMENT[p.phase] < ADVANCEMENT[min.phase] ? p : min), undefined);
  const phase: Phase = least?.phase ?? (input.supplierPhase === 'ontvangen' ? 'in_behandeling' : input.supplierPhase);
  return { phase: isClosedPhase(phase) ? 'in_behandeling' : phase, ballWith: least?.who ?? input.self, progress, lastUpdatedAt, gaps };
}

function gapKind(p: PartInput): GapKind | undefined {
  if (p.organisation.status === 'suspended') return 'suspended';
  if (p.organisation.status !== 'active' || p.state === 'failed' || p.syncState === 'gone') return 'not_connected';
  if (p.syncState === 'unreachable') return 'unreachable';
  if (p.syncState === 'stale') return 'stale';
  return undefined;
}
