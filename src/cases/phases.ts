import { CONFIDENTIALITY_LEVELS } from '../lib/confidentiality.ts';
import type { Phase } from '../network/types.ts';

export const PHASES: Phase[] = ['ontvangen', 'in_behandeling', 'actie_vereist', 'afgerond', 'geannuleerd'];
export const CONFIDENTIALITY = CONFIDENTIALITY_LEVELS;
export type Confidentiality = (typeof CONFIDENTIALITY)[number];

/** How far a part has come; used to find the least advanced open part. */
export const ADVANCEMENT: Record<Phase, number> = { ontvangen: 0, in_behandeling: 1, actie_vereist: 1, afgerond: 3, geannuleerd: 3 };

export const isClosedPhase = (phase: Phase) => phase === 'afgerond' || phase === 'geannuleerd';

/** Texts the gateway itself shows, in the languages a citizen may ask for. */
export const PHASE_TEXT: Record<Phase, Record<'nl' | 'en', string>> = {
  ontvangen: { nl: 'Ontvangen', en: 'Received' },
  in_behandeling: { nl: 'In behandeling', en: 'In progress' },
  actie_vereist: { nl: 'Actie van u nodig', en: 'Your action is needed' },
  afgerond: { nl: 'Afgerond', en: 'Completed' },
  geannuleerd: { nl: 'Geannuleerd', en: 'Cancelled' },
};
