// Staff words: the state of a case and its parts as a contact-centre employee can read it out on
// the phone, and as a caseworker reads the worklist. Dutch and English.
import type { GapKind } from '../cases/combined-status.ts';
import { PHASE_TEXT } from '../cases/phases.ts';
import type { Lang } from '../citizen/language.ts';
import type { Phase } from '../network/types.ts';

const day = {
  nl: new Intl.DateTimeFormat('nl-NL', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Amsterdam' }),
  en: new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Amsterdam' }),
};
export const dateWords = (lang: Lang, at: string | Date) => day[lang].format(new Date(at));

/** The phase as staff say it (the citizen's "your action is needed" is the customer's action here). */
export const STAFF_PHASE: Record<Phase, Record<Lang, string>> = {
  ...PHASE_TEXT,
  actie_vereist: { nl: 'wacht op de klant', en: 'waiting for the customer' },
};

const lower = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

export interface OrderWordsInput {
  organisation: string;
  state: 'placing' | 'placed' | 'failed';
  phase: Phase | null;
  since: string | null;
}

/** One part: who has it and where it stands. */
export function orderWords(o: OrderWordsInput, lang: Lang): string {
  if (o.state === 'placing') return lang === 'nl' ? `Wordt doorgestuurd naar ${o.organisation}.` : `Being passed on to ${o.organisation}.`;
  if (o.state === 'failed')
    return lang === 'nl'
      ? `Doorsturen naar ${o.organisation} is mislukt; de behandelaar moet dit oppakken.`
      : `Passing this on to ${o.organisation} failed; the caseworker has to pick it up.`;
  if (!o.phase)
    return lang === 'nl' ? `${o.organisation} heeft de opdracht; nog geen status ontvangen.` : `${o.organisation} has the order; no status received yet.`;
  const phase = lower(STAFF_PHASE[o.phase][lang]);
  const since = o.since ? (lang === 'nl' ? ` sinds ${dateWords(lang, o.since)}` : ` since ${dateWords(lang, o.since)}`) : '';
  return lang === 'nl' ? `${o.organisation}: ${phase}${since}.` : `${o.organisation}: ${phase}${since}.`;
}

const GAP_WORDS: Record<GapKind, Record<Lang, (org: string, since: string) => string>> = {
  stale: {
    nl: (o, d) => `${o} heeft sinds ${d} niets laten weten; de stand van dit deel kan verouderd zijn. Zeg de klant dat u het nagaat.`,
    en: (o, d) => `${o} has sent nothing since ${d}; this part may be out of date. Tell the customer you will look into it.`,
  },
  unreachable: {
    nl: (o, d) => `Het systeem van ${o} is sinds ${d} niet bereikbaar; de stand van dit deel kan verouderd zijn.`,
    en: (o, d) => `${o}'s system cannot be reached since ${d}; this part may be out of date.`,
  },
  not_connected: {
    nl: (o) => `Wij krijgen van ${o} geen voortgang door voor dit deel (niet aangesloten of doorsturen mislukt).`,
    en: (o) => `We receive no progress from ${o} for this part (not connected, or passing it on failed).`,
  },
  suspended: {
    nl: (o) => `De aansluiting van ${o} staat stil; de stand van dit deel kan verouderd zijn.`,
    en: (o) => `${o}'s connection is suspended; this part may be out of date.`,
  },
};

export const gapWords = (kind: GapKind, organisation: string, since: string, lang: Lang) => GAP_WORDS[kind][lang](organisation, dateWords(lang, since));

/** One sentence for the whole case: where it stands, who is to act, how far along. */
export function caseWords(
  c: {
    reference: string;
    title: string;
    state: 'open' | 'closed';
    phase: Phase;
    ballWith: { name: string } | 'citizen';
    progress: { done: number; total: number };
  },
  lang: Lang,
): string {
  const phase = lower(STAFF_PHASE[c.phase][lang]);
  if (lang === 'nl') {
    const who = c.state === 'closed' ? '' : c.ballWith === 'citizen' ? ' De klant moet zelf iets doen.' : ` ${c.ballWith.name} is aan zet.`;
    const parts = c.progress.total > 0 ? ` ${c.progress.done} van ${c.progress.total} onderdelen klaar.` : '';
    return `Zaak ${c.reference} "${c.title}" ${c.phase === 'actie_vereist' ? phase : `is ${phase}`}.${who}${parts}`;
  }
  const who = c.state === 'closed' ? '' : c.ballWith === 'citizen' ? ' The customer has to act.' : ` ${c.ballWith.name} is to act next.`;
  const parts = c.progress.total > 0 ? ` ${c.progress.done} of ${c.progress.total} parts done.` : '';
  return `Case ${c.reference} "${c.title}" is ${phase}.${who}${parts}`;
}
