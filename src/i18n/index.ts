// The gateway's languages and its one catalogue per language. Every text it shows or sends is a key
// of nl.ts; the other catalogues have exactly those keys (MessageKey, from keys.ts so that they need
// not import this file) with the same {placeholders}. The reader's choice comes from Accept-Language
// (pages: also ?lang= and a cookie).
import { en } from './en.ts';
import { fi } from './fi.ts';
import type { MessageKey } from './keys.ts';
import { nl } from './nl.ts';
import { sv } from './sv.ts';

export type { MessageKey };

export type Lang = 'nl' | 'en' | 'sv' | 'fi';
export const LANGS: readonly Lang[] = ['nl', 'en', 'sv', 'fi'];
export const isLang = (v: unknown): v is Lang => typeof v === 'string' && (LANGS as readonly string[]).includes(v);

export type Params = Record<string, string | number>;

const MESSAGES: Record<Lang, Record<MessageKey, string>> = { nl, en, sv, fi };

/** Every catalogue, for the test that holds them to nl's keys and placeholders. */
export const CATALOGUES: Readonly<Record<Lang, Readonly<Record<MessageKey, string>>>> = MESSAGES;

/** Each language named in itself, for a language switch. */
export const LANGUAGE_NAMES: Record<Lang, string> = { nl: 'Nederlands', en: 'English', sv: 'Svenska', fi: 'Suomi' };

/** The locale of dates and numbers per language. */
export const LOCALES: Record<Lang, string> = { nl: 'nl-NL', en: 'en-GB', sv: 'sv-SE', fi: 'fi-FI' };

/** A name given per language (a product's, a portal status's): the reader's, else the Dutch one. */
export const localName = (name: { nl: string } & Partial<Record<Lang, string>>, lang: Lang): string => name[lang] ?? name.nl;

/** The first of the gateway's languages the Accept-Language header prefers (by q, then order); Dutch when it names none. */
export function preferredLanguage(header: string | undefined): Lang {
  const ranked = (header ?? '')
    .split(',')
    .map((part, i) => {
      const [tag, ...params] = part.trim().toLowerCase().split(';');
      const q = Number(
        params
          .map((p) => p.trim())
          .find((p) => p.startsWith('q='))
          ?.slice(2) ?? '1',
      );
      return { lang: tag.split('-')[0].trim(), q: Number.isFinite(q) ? q : 0, i };
    })
    .filter((r) => r.q > 0 && isLang(r.lang));
  ranked.sort((a, b) => b.q - a.q || a.i - b.i);
  return (ranked[0]?.lang as Lang | undefined) ?? 'nl';
}

/** The text of a key in a language, its `{name}` placeholders filled from params (an unknown one stays as written). */
export function translate(lang: Lang, key: MessageKey, params: Params = {}): string {
  return MESSAGES[lang][key].replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}

export type Translate = (key: MessageKey, params?: Params) => string;

export const translator =
  (lang: Lang): Translate =>
  (key, params) =>
    translate(lang, key, params);

const TZ = 'Europe/Amsterdam';
const dayMonth = new Map<string, Intl.DateTimeFormat>();

/** "3 november" or, with the year, "3 november 2026" — a date in the Netherlands' time zone. */
export function dateText(lang: Lang, at: string | Date, options: { year?: boolean } = {}): string {
  const key = `${lang}:${options.year ? 'y' : ''}`;
  let format = dayMonth.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(LOCALES[lang], { day: 'numeric', month: 'long', ...(options.year ? { year: 'numeric' } : {}), timeZone: TZ });
    dayMonth.set(key, format);
  }
  return format.format(new Date(at));
}
