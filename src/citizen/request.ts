// What every /me answer shares: the reader's language, and headers that keep personal data out of
// shared caches; the request and trace ids a read writes into the access log.
import type { Context } from 'hono';
import { preferredLanguage } from './language.ts';
import type { CitizenEnv } from './middleware.ts';

export function language(c: Context) {
  const lang = preferredLanguage(c.req.header('accept-language'));
  c.header('Content-Language', lang);
  c.header('Vary', 'Accept-Language, Authorization');
  // Personal data: no shared cache may keep it.
  c.header('Cache-Control', 'no-store');
  return lang;
}

export const trace = (c: Context<CitizenEnv>) => ({ requestId: c.get('requestId'), traceId: c.get('traceId') });
