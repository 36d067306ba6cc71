// The case events the gateway writes to its outbox (case_events) and the facts of each that may
// leave it: identifiers and phase, never a BSN or a name. Delivery renders them; cases write them.

export const EVENT_TYPES = ['case.status-changed', 'case.citizen-notice'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** The facts of an event that leave the gateway; everything else in the outbox payload stays home. */
export function eventFacts(event: { type: string; payload: Record<string, unknown> }): Record<string, string> {
  const p = event.payload;
  if (event.type === 'case.status-changed') {
    const combined = (p.combinedStatus ?? {}) as { phase?: string; ballWith?: { id: string } | string };
    const ballWith = typeof combined.ballWith === 'string' ? combined.ballWith : combined.ballWith?.id;
    return compact({ phase: combined.phase, ballWith });
  }
  if (event.type === 'case.citizen-notice') {
    // The customer's stored language (src/cases/outbox.ts writes it with the event).
    return compact({ phase: p.phase as string | undefined, language: p.language as string | undefined });
  }
  return {};
}

/** The phase an event is about (for subscription filters). */
export function eventPhase(event: { type: string; payload: Record<string, unknown> }): string | undefined {
  return eventFacts(event).phase;
}

function compact(o: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).filter((e): e is [string, string] => typeof e[1] === 'string'));
}
