// What every /me answer shares: the reader's language, and headers that keep personal data out of
// shared caches; the request and trace ids a read writes into the access log.
import type { Context } from 'hono';
import { preferredLanguage } from '../i18n/index.ts';
import type { AppEnv } from '../http/context.ts';

export function language(c: Context) {
  const lang = preferredLanguage(c.req.header('accept-language'));
  c.header('Content-Language', lang);
  c.header('Vary', 'Accept-Language, Authorization');
  // Personal data: no shared cache may keep it.
  c.header('Cache-Control', 'no-store');
  return lang;
}

export const trace = <E extends AppEnv>(c: Context<E>) => ({ requestId: c.get('requestId'), traceId: c.get('traceId') });

/** For any reader of a customer's data (the consumer API, staff): the language, the headers and the ids for the access log. */
export const personalAnswer = (c: Context<AppEnv>) => ({ lang: language(c), ...trace(c) });
