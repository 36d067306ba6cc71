// /auth/*: the citizen's login (OIDC authorization code + PKCE) and logout. The tokens stay on the
// server: the browser gets a session cookie, the access token lives in the session row and is
// verified by CitizenAuthenticator on every page, exactly as the JSON API verifies it.
import { Hono, type Context } from 'hono';
import { CitizenAuthError, CitizenAuthUnavailable, type CitizenAuthenticator, type CitizenIdentity } from '../citizen/auth.ts';
import type { Logger } from '../log.ts';
import type { WebEnv } from './context.ts';
import { readSessionForm } from './forms.ts';
import { LoginRequired, PageError } from './layout.ts';
import { LoginUnavailable, type CitizenLogin } from './oidc-login.ts';
import type { Session, SessionStore } from './session.ts';

const LOGIN_SECONDS = 600;
const MAX_SESSION_SECONDS = 3600;

export interface CitizenAuthDeps {
  login: CitizenLogin;
  authenticator: CitizenAuthenticator;
  sessions: SessionStore;
  publicBaseUrl: string;
  publicOrigin: string;
  logger: Logger;
}

/** Only paths on this site: "/cases/…", never "//evil.example" or an absolute URL. */
export function safeReturnTo(value: string | undefined): string {
  return value && /^\/(?![/\\])[\x21-\x7e]*$/.test(value) ? value : '/';
}

export function authRoutes(deps: CitizenAuthDeps) {
  const { sessions, login } = deps;
  const app = new Hono<WebEnv>();

  app.get('/auth/login', async (c) => {
    const returnTo = safeReturnTo(c.req.query('returnTo'));
    // The redirect URI is on PUBLIC_BASE_URL: start there, or the login cookie would be on another host.
    if (new URL(c.req.url).host !== new URL(deps.publicBaseUrl).host) {
      return c.redirect(`${deps.publicBaseUrl}/auth/login?returnTo=${encodeURIComponent(returnTo)}`, 303);
    }
    if (!login.configured()) throw new PageError(503, 'home.loginOff');
    let started: Awaited<ReturnType<typeof login.start>>;
    try {
      started = await login.start({ lang: c.get('lang') });
    } catch (error) {
      if (!(error instanceof LoginUnavailable)) throw error;
      deps.logger.warn({ err: error }, 'citizen login unavailable');
      throw new PageError(503, 'error.503', {}, { 'Retry-After': '30' });
    }
    await sessions.end(c, 'login');
    await sessions.start(c, 'login', { ...started.pending, returnTo }, LOGIN_SECONDS);
    return c.redirect(started.url.href, 303);
  });

  app.get('/auth/callback', async (c) => {
    // Single use: whatever happens next, this login attempt is over.
    const pending = await sessions.end(c, 'login');
    const query = new URL(c.req.url).search;
    if (c.req.query('error') === 'access_denied' && pending) return c.redirect('/?done=cancelled', 303);
    if (!pending) throw new PageError(400, 'error.loginExpired');
    let result: Awaited<ReturnType<typeof login.finish>>;
    try {
      result = await login.finish(new URL(`${deps.publicBaseUrl}/auth/callback${query}`), pending.data);
    } catch (error) {
      if (error instanceof LoginUnavailable) throw new PageError(503, 'error.503', {}, { 'Retry-After': '30' });
      deps.logger.warn(
        { err: { type: (error as Error).name, message: (error as Error).message, code: (error as { code?: string }).code } },
        'citizen login failed',
      );
      throw new PageError(400, 'error.loginFailed');
    }
    try {
      await deps.authenticator.verify(result.accessToken);
    } catch (error) {
      if (error instanceof CitizenAuthError) throw new PageError(403, 'error.loginRefused', { reason: error.message });
      if (error instanceof CitizenAuthUnavailable) throw new PageError(503, 'error.503', {}, { 'Retry-After': '30' });
      throw error;
    }
    const ttl = Math.max(60, Math.min(result.expiresIn ?? 900, MAX_SESSION_SECONDS));
    // A new session id at every login (no fixation), replacing any earlier one.
    await sessions.end(c, 'citizen');
    await sessions.start(c, 'citizen', { accessToken: result.accessToken, name: result.name }, ttl);
    return c.redirect(pending.data.returnTo, 303);
  });

  app.post('/auth/logout', async (c) => {
    const session = await sessions.read(c, 'citizen');
    if (session) await readSessionForm(c, deps.publicOrigin, session);
    await sessions.end(c, 'citizen');
    return c.redirect('/?done=logged-out', 303);
  });

  return app;
}

export interface CitizenContext {
  session: Session<'citizen'>;
  viewer: CitizenIdentity;
}

/**
 * The logged-in citizen, with the access token verified again (it may have expired, or its key
 * been withdrawn). Without a session: undefined, or a redirect to the login when `required`.
 */
export async function citizenOf(
  c: Context<WebEnv>,
  deps: Pick<CitizenAuthDeps, 'sessions' | 'authenticator'>,
  required: boolean,
): Promise<CitizenContext | undefined> {
  const session = await deps.sessions.read(c, 'citizen');
  if (!session) {
    if (!required) return undefined;
    const url = new URL(c.req.url);
    throw new LoginRequired(`/auth/login?returnTo=${encodeURIComponent(url.pathname + url.search)}`);
  }
  try {
    return { session, viewer: await deps.authenticator.verify(session.data.accessToken) };
  } catch (error) {
    if (error instanceof CitizenAuthError) {
      await deps.sessions.end(c, 'citizen');
      throw new LoginRequired('/?done=expired');
    }
    if (error instanceof CitizenAuthUnavailable) throw new PageError(503, 'error.503', {}, { 'Retry-After': '30' });
    throw error;
  }
}
