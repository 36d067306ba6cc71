import { CONFIDENTIALITY_LEVELS } from '../lib/confidentiality.ts';
import type { Phase } from '../network/types.ts';

export const PHASES: Phase[] = ['ontvangen', 'in_behandeling', 'actie_vereist', 'afgerond', 'geannuleerd'];
export const CONFIDENTIALITY = CONFIDENTIALITY_LEVELS;
export type Confidentiality = (typeof CONFIDENTIALITY)[number];

/** How far a part has come; used to find the least advanced open part. */
export const ADVANCEMENT: Record<Phase, number> = { ontvangen: 0, in_behandeling: 1, actie_vereist: 1, afgerond: 3, geannuleerd: 3 };

/** The phases that close a part or the case. */
export const CLOSED_PHASES = ['afgerond', 'geannuleerd'] as const satisfies readonly Phase[];
export const isClosedPhase = (phase: Phase) => (CLOSED_PHASES as readonly Phase[]).includes(phase);

/** The supplier cancelled the case (setting this phase closes it): nothing more is expected of its parts. */
export const isCaseCancelled = (casePhase: string) => casePhase === 'geannuleerd';
