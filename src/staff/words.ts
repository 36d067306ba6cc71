// Staff words: the state of a case and its parts as a contact-centre employee can read it out on
// the phone, and as a caseworker reads the worklist. The texts are i18n's staff* keys.
import type { GapKind } from '../cases/combined-status.ts';
import { dateText, type Lang, translate } from '../i18n/index.ts';
import type { Phase } from '../network/types.ts';

export const dateWords = (lang: Lang, at: string | Date) => dateText(lang, at, { year: true });

/** The phase as staff say it (the citizen's "your action is needed" is the customer's action here). */
export const staffPhase = (phase: Phase, lang: Lang) => translate(lang, `staffPhase.${phase}`);

const lower = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

export interface OrderWordsInput {
  organisation: string;
  state: 'placing' | 'placed' | 'failed';
  phase: Phase | null;
  since: string | null;
}

/** One part: who has it and where it stands. */
export function orderWords(o: OrderWordsInput, lang: Lang): string {
  const organisation = o.organisation;
  if (o.state === 'placing') return translate(lang, 'staffOrder.placing', { organisation });
  if (o.state === 'failed') return translate(lang, 'staffOrder.failed', { organisation });
  if (!o.phase) return translate(lang, 'staffOrder.noStatus', { organisation });
  const phase = lower(staffPhase(o.phase, lang));
  return o.since
    ? translate(lang, 'staffOrder.phaseSince', { organisation, phase, date: dateWords(lang, o.since) })
    : translate(lang, 'staffOrder.phase', { organisation, phase });
}

export const gapWords = (kind: GapKind, organisation: string, since: string, lang: Lang) =>
  translate(lang, `staffGap.${kind}`, { organisation, date: dateWords(lang, since) });

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
  const sentences = [translate(lang, 'staffCase.summary', { reference: c.reference, title: c.title, state: translate(lang, `staffState.${c.phase}`) })];
  if (c.state !== 'closed')
    sentences.push(
      c.ballWith === 'citizen' ? translate(lang, 'staffCase.customerActs') : translate(lang, 'staffCase.organisationActs', { organisation: c.ballWith.name }),
    );
  if (c.progress.total > 0) sentences.push(translate(lang, 'staffCase.progress', { done: c.progress.done, total: c.progress.total }));
  return sentences.join(' ');
}
