// Language of the pages: ?lang= (remembered in a cookie), else the cookie, else Accept-Language;
// Dutch by default. Dates are shown in the Netherlands' time zone.
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { isLang, type Lang, LOCALES, preferredLanguage, translator } from '../i18n/index.ts';
import type { WebEnv } from './context.ts';

const LANG_COOKIE = 'ks_lang';

export function language(options: { secure: boolean }): MiddlewareHandler<WebEnv> {
  return async (c, next) => {
    const asked = c.req.query('lang');
    let lang: Lang;
    if (isLang(asked)) {
      lang = asked;
      setCookie(c, LANG_COOKIE, lang, { path: '/', sameSite: 'Lax', secure: options.secure, maxAge: 365 * 86_400 });
    } else {
      const remembered = getCookie(c, LANG_COOKIE);
      lang = isLang(remembered) ? remembered : preferredLanguage(c.req.header('accept-language'));
    }
    c.set('lang', lang);
    await next();
  };
}

/** The reader's language as the pages choose it, without remembering it (error pages anywhere). */
export function languageOf(c: Context): Lang {
  const asked = c.req.query('lang');
  if (isLang(asked)) return asked;
  const remembered = getCookie(c, LANG_COOKIE);
  return isLang(remembered) ? remembered : preferredLanguage(c.req.header('accept-language'));
}

export const tOf = (c: Context<WebEnv>) => translator(c.get('lang'));

const TZ = 'Europe/Amsterdam';

/** "3 november" (this year) or "3 november 2025" (another year). */
export function formatDay(lang: Lang, at: string | Date, now = new Date()): string {
  const date = new Date(at);
  const year = (d: Date) => new Intl.DateTimeFormat('en', { timeZone: TZ, year: 'numeric' }).format(d);
  const sameYear = year(date) === year(now);
  return new Intl.DateTimeFormat(LOCALES[lang], { timeZone: TZ, day: 'numeric', month: 'long', ...(sameYear ? {} : { year: 'numeric' }) }).format(date);
}

/** "3 november 2026, 14:05". */
export function formatDateTime(lang: Lang, at: string | Date): string {
  return new Intl.DateTimeFormat(LOCALES[lang], { timeZone: TZ, day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' }).format(
    new Date(at),
  );
}

/** "25-11-2026 12:53": compact, for the operator's tables. */
export function formatShort(lang: Lang, at: string | Date): string {
  return new Intl.DateTimeFormat(LOCALES[lang], { timeZone: TZ, dateStyle: 'short', timeStyle: 'short' }).format(new Date(at));
}

/** The value of a date input (YYYY-MM-DD) in the Netherlands for a moment. */
export function dateInputValue(at: Date): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}
