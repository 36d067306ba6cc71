// Bearer authentication for the citizen API. 401 carries WWW-Authenticate (RFC 6750, and
// RFC 9470's insufficient_user_authentication when the login's assurance level is too low).
import type { MiddlewareHandler } from 'hono';
import type { AppVariables } from '../http/context.ts';
import { HttpProblem } from '../http/problem.ts';
import { bearerToken } from '../http/zgw-auth.ts';
import { CitizenAuthError, CitizenAuthUnavailable, type CitizenAuthenticator, type CitizenIdentity } from './auth.ts';

export type CitizenEnv = { Variables: AppVariables & { viewer: CitizenIdentity } };

const REALM = 'Bearer realm="ketenstatus"';

export function requireCitizen(auth: CitizenAuthenticator, minAcr?: string): MiddlewareHandler<CitizenEnv> {
  return async (c, next) => {
    c.set('actor', 'citizen');
    if (!auth.configured()) throw notConfigured();
    const token = bearerToken(c.req.header('authorization'));
    if (!token) throw new HttpProblem({ status: 401, detail: 'Log in: send Authorization: Bearer <access token>.', headers: { 'WWW-Authenticate': REALM } });
    try {
      c.set('viewer', await auth.verify(token));
    } catch (error) {
      if (error instanceof CitizenAuthError) {
        const acr = error.error === 'insufficient_user_authentication' && minAcr ? `, acr_values="${minAcr}"` : '';
        throw new HttpProblem({
          status: 401,
          detail: `The access token is not accepted: ${error.message}.`,
          headers: { 'WWW-Authenticate': `${REALM}, error="${error.error}", error_description="${error.message.replace(/["\\]/g, '')}"${acr}` },
        });
      }
      if (error instanceof CitizenAuthUnavailable) {
        if (!error.configured) throw notConfigured();
        const problem = new HttpProblem({
          status: 503,
          code: 'citizen-login-unavailable',
          detail: 'Citizen login is unavailable right now; try again shortly.',
          headers: { 'Retry-After': '30' },
        });
        throw Object.assign(problem, { cause: error.message });
      }
      throw error;
    }
    await next();
  };
}

const notConfigured = () =>
  new HttpProblem({ status: 503, code: 'citizen-login-not-configured', title: 'Service unavailable', detail: 'citizen login not configured' });
