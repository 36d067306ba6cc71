// /auth/staff/*: staff sign-on for the pages /ops, /work and /kcc (OIDC authorization code + PKCE
// against STAFF_OIDC_ISSUER, like the citizen's login). The access token stays on the server in a
// session of its own kind; every page verifies it again and reads the member's roles from it.
import { type Context, Hono } from 'hono';
import type { Role, StaffMember } from '../http/context.ts';
import { OidcTokenError, OidcUnavailable } from '../http/oidc-token.ts';
import type { StaffAuthenticator } from '../http/staff-auth.ts';
import type { Logger } from '../log.ts';
import { safeReturnTo } from './auth.ts';
import type { WebEnv } from './context.ts';
import { readSessionForm } from './forms.ts';
import { LoginRequired, PageError } from './layout.ts';
import { type CitizenLogin, LoginUnavailable } from './oidc-login.ts';
import type { Session, SessionStore } from './session.ts';

const LOGIN_SECONDS = 600;
const MAX_SESSION_SECONDS = 8 * 3600;

export interface StaffAuthDeps {
  /** The OIDC client of the staff pages (the same code + PKCE flow as the citizen's, another client). */
  login: CitizenLogin;
  authenticator: StaffAuthenticator;
  sessions: SessionStore;
  publicBaseUrl: string;
  publicOrigin: string;
  logger: Logger;
}

export interface StaffContext {
  session: Session<'staff'>;
  member: StaffMember;
}

export const staffLoginUrl = (returnTo: string) => `/auth/staff/login?returnTo=${encodeURIComponent(returnTo)}`;

export function staffAuthRoutes(deps: StaffAuthDeps) {
  const { sessions, login } = deps;
  const app = new Hono<WebEnv>();

  app.get('/auth/staff/login', async (c) => {
    const returnTo = safeReturnTo(c.req.query('returnTo') ?? '/staff');
    if (new URL(c.req.url).host !== new URL(deps.publicBaseUrl).host) return c.redirect(`${deps.publicBaseUrl}${staffLoginUrl(returnTo)}`, 303);
    if (!login.configured()) throw new PageError(503, 'staff.loginOff');
    let started: Awaited<ReturnType<typeof login.start>>;
    try {
      started = await login.start({ lang: c.get('lang') });
    } catch (error) {
      if (!(error instanceof LoginUnavailable)) throw error;
      deps.logger.warn({ err: error }, 'staff sign-on unavailable');
      throw new PageError(503, 'error.503', {}, { 'Retry-After': '30' });
    }
    await sessions.end(c, 'staff-login');
    await sessions.start(c, 'staff-login', { ...started.pending, returnTo }, LOGIN_SECONDS);
    return c.redirect(started.url.href, 303);
  });

  app.get('/auth/staff/callback', async (c) => {
    const pending = await sessions.end(c, 'staff-login');
    if (c.req.query('error') === 'access_denied' && pending) return c.redirect('/staff?done=cancelled', 303);
    if (!pending) throw new PageError(400, 'error.loginExpired');
    let result: Awaited<ReturnType<typeof login.finish>>;
    try {
      result = await login.finish(new URL(`${deps.publicBaseUrl}/auth/staff/callback${new URL(c.req.url).search}`), pending.data);
    } catch (error) {
      if (error instanceof LoginUnavailable) throw new PageError(503, 'error.503', {}, { 'Retry-After': '30' });
      deps.logger.warn({ err: { type: (error as Error).name, message: (error as Error).message } }, 'staff sign-on failed');
      throw new PageError(400, 'error.loginFailed');
    }
    try {
      await deps.authenticator.verify(result.accessToken);
    } catch (error) {
      if (error instanceof OidcTokenError) throw new PageError(403, 'error.loginRefused', { reason: error.message });
      if (error instanceof OidcUnavailable) throw new PageError(503, 'error.503', {}, { 'Retry-After': '30' });
      throw error;
    }
    const ttl = Math.max(60, Math.min(result.expiresIn ?? 900, MAX_SESSION_SECONDS));
    await sessions.end(c, 'staff');
    await sessions.start(c, 'staff', { accessToken: result.accessToken, name: result.name }, ttl);
    return c.redirect(pending.data.returnTo, 303);
  });

  app.post('/auth/staff/logout', async (c) => {
    const session = await sessions.read(c, 'staff');
    if (session) await readSessionForm(c, deps.publicOrigin, session);
    await sessions.end(c, 'staff');
    return c.redirect('/staff?done=logged-out', 303);
  });

  return app;
}

/** The signed-on member (token verified again), or undefined without a staff session; an expired token ends the session. */
export async function currentStaff(c: Context<WebEnv>, deps: Pick<StaffAuthDeps, 'sessions' | 'authenticator'>): Promise<StaffContext | undefined> {
  const session = await deps.sessions.read(c, 'staff');
  if (!session) return undefined;
  try {
    const member = await deps.authenticator.verify(session.data.accessToken);
    c.set('actor', `staff:${member.sub}`); // the access line names the member, as for API calls
    return { session, member };
  } catch (error) {
    if (error instanceof OidcTokenError) {
      await deps.sessions.end(c, 'staff');
      return undefined;
    }
    if (error instanceof OidcUnavailable) throw new PageError(503, 'error.503', {}, { 'Retry-After': '30' });
    throw error;
  }
}

/** The member, who must hold one of `roles`: to the staff login without a session, 403 with the wrong roles. */
export async function requireStaff(c: Context<WebEnv>, deps: Pick<StaffAuthDeps, 'sessions' | 'authenticator'>, ...roles: Role[]): Promise<StaffContext> {
  const staff = await currentStaff(c, deps);
  if (!staff) {
    const url = new URL(c.req.url);
    throw new LoginRequired(staffLoginUrl(url.pathname + url.search));
  }
  if (!roles.some((r) => staff.member.roles.includes(r))) throw new PageError(403, 'staff.forbidden');
  return staff;
}
