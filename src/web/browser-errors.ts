// Errors for a person in a browser: a page or an unknown path asked for with an Accept header that
// prefers text/html gets an HTML page in the pages' style and the reader's language. API clients
// (/api/..., health, metrics, or any Accept that does not prefer HTML) keep problem+json. The status
// code and its headers (Allow, Retry-After) are the same either way.
import type { Context } from 'hono';
import { accepts } from 'hono/accepts';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { WebEnv } from './context.ts';
import { languageOf, tOf } from './i18n.ts';
import { errorPage } from './layout.ts';
import type { MessageKey } from '../i18n/index.ts';

/** Paths for programs, never for a browser page, whatever the Accept header says. */
const MACHINE_PATHS = /^\/(api|health)(\/|$)|^\/metrics$/;

export function prefersHtml(c: Context): boolean {
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return false;
  if (MACHINE_PATHS.test(c.req.path)) return false;
  // `*/*` alone (curl, most libraries) or no Accept at all: problem+json.
  return (
    accepts(c, { header: 'Accept', supports: ['application/problem+json', 'application/json', 'text/html'], default: 'application/problem+json' }) ===
    'text/html'
  );
}

function messageKey(status: number): MessageKey {
  if (status === 404) return 'error.404';
  if (status === 401 || status === 403) return 'error.403';
  if (status === 503 || status === 429) return 'error.503';
  return status >= 500 ? 'error.500' : 'error.400';
}

export function browserErrorPage(c: Context, status: number, extra: { demo: boolean; owner: string; headers?: Record<string, string> }) {
  const page = c as unknown as Context<WebEnv>;
  if (!page.get('lang')) page.set('lang', languageOf(c));
  const message = tOf(page)(messageKey(status), { requestId: page.get('requestId') ?? '' });
  return errorPage(page, status as ContentfulStatusCode, message, extra);
}
