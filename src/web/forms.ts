// Form posts: an origin check (Origin / Sec-Fetch-Site must say "this site" when the browser sends
// them) plus, for forms of a logged-in session, the session's CSRF token. Works without JavaScript.
import type { Context } from 'hono';
import type { MessageKey } from '../i18n/index.ts';
import type { WebEnv } from './context.ts';
import { PageError } from './layout.ts';
import { csrfMatches, type Session } from './session.ts';

export type Form = Record<string, string>;

export function originAllowed(c: Context<WebEnv>, publicOrigin: string): boolean {
  const origin = c.req.header('origin');
  if (origin !== undefined && origin !== 'null') return origin === publicOrigin || origin === new URL(c.req.url).origin;
  if (origin === 'null') return false;
  const site = c.req.header('sec-fetch-site');
  return site === undefined || site === 'same-origin' || site === 'none';
}

/** The posted urlencoded/multipart fields (files are ignored); 403 page when the origin is foreign. */
export async function readForm(c: Context<WebEnv>, publicOrigin: string): Promise<Form> {
  if (!originAllowed(c, publicOrigin)) throw new PageError(403, 'error.csrf');
  return parseForm(c);
}

/**
 * The posted urlencoded/multipart fields, whoever posts them; a 400 page (`refusal`) for another type
 * or a body that does not parse (a stray %, a multipart without its boundary).
 */
export async function parseForm(c: Context<WebEnv>, refusal: MessageKey = 'error.400'): Promise<Form> {
  const type = c.req.header('content-type') ?? '';
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i.test(type)) throw new PageError(400, refusal);
  const body = await c.req.parseBody().catch((): never => {
    throw new PageError(400, refusal);
  });
  const form: Form = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === 'string') form[k] = v;
  return form;
}

/** As readForm, and the `_csrf` field must be this session's token. */
export async function readSessionForm(c: Context<WebEnv>, publicOrigin: string, session: Pick<Session, 'csrf'>): Promise<Form> {
  const form = await readForm(c, publicOrigin);
  if (!csrfMatches(session, form._csrf)) throw new PageError(403, 'error.csrf');
  return form;
}
