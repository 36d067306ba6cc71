// Inbound ZGW JWT authentication for API clients. Verified tokens are cached by hash until they
// would become too old, so a busy client pays for one HMAC per token, not per request.
import { hash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { JwtError, UnknownClientError, verifyZgwJwt, type ZgwClaims } from '../lib/zgw-jwt.ts';
import type { ApiClient, AppEnv, Role, StaffMember } from './context.ts';
import { OIDC_ALGORITHMS, OidcTokenError, OidcUnavailable } from './oidc-token.ts';
import type { StaffAuthenticator } from './staff-auth.ts';
import { HttpProblem } from './problem.ts';

export interface TokenVerifierOptions {
  secretFor: (clientId: string) => string | undefined;
  maxAgeSeconds: number;
  leewaySeconds: number;
  maxEntries?: number;
}

export class CachedTokenVerifier {
  private readonly cache = new Map<string, { claims: ZgwClaims; validUntil: number }>();
  private readonly options: TokenVerifierOptions;
  constructor(options: TokenVerifierOptions) {
    this.options = options;
  }

  /** `cacheKey`: a digest the caller already holds that identifies the token (by default its SHA-256). */
  verify(token: string, cacheKey?: string): ZgwClaims {
    const key = cacheKey ?? hash('sha256', token, 'base64url');
    const now = Date.now() / 1000;
    const hit = this.cache.get(key);
    if (hit && hit.validUntil > now && hit.claims.iat <= now + this.options.leewaySeconds) return hit.claims;
    const claims = verifyZgwJwt(token, this.options);
    const validUntil = Math.min(claims.iat + this.options.maxAgeSeconds, typeof claims.exp === 'number' ? claims.exp : Infinity);
    if (this.cache.size >= (this.options.maxEntries ?? 10_000)) this.cache.clear();
    this.cache.set(key, { claims, validUntil });
    return claims;
  }
}

export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

const unauthenticated = (detail: string) => new HttpProblem({ status: 401, detail, headers: { 'WWW-Authenticate': 'Bearer realm="ketenstatus"' } });

/** Requires a ZGW JWT of a configured client whose role is one of `roles`. */
export function requireRole(verifier: CachedTokenVerifier, clientOf: (clientId: string) => ApiClient | undefined, ...roles: Role[]): MiddlewareHandler<AppEnv> {
  return requireRoleOf({ verifier, clientOf }, ...roles);
}

export interface Authenticators {
  verifier: CachedTokenVerifier;
  clientOf: (clientId: string) => ApiClient | undefined;
  /** Staff sign-on: OIDC access tokens (RS256, ES256, PS256) of members of staff, beside the ZGW JWTs (HS256). */
  staff?: StaffAuthenticator;
}

/** Requires a ZGW JWT of a client, or a staff member's access token, with one of `roles`. */
export function requireRoleOf(auth: Authenticators, ...roles: Role[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = bearerToken(c.req.header('authorization'));
    if (!token) throw unauthenticated('Send Authorization: Bearer <ZGW JWT or staff access token>.');
    const client = auth.staff?.configured() && isOidcToken(token) ? await staffClient(auth.staff, token, roles) : zgwClient(auth, token);
    c.set('client', client);
    if (!roles.includes(client.role)) {
      const held = client.staff ? `staff member has role ${client.staff.roles.join(', ') || 'none'}` : `client has role ${client.role}`;
      throw new HttpProblem({ status: 403, detail: `This operation needs role ${roles.join(' or ')}; ${held}.` });
    }
    await next();
  };
}

function zgwClient(auth: Authenticators, token: string): ApiClient {
  let claims: ZgwClaims;
  try {
    claims = auth.verifier.verify(token);
  } catch (error) {
    if (error instanceof UnknownClientError) throw unauthenticated('The token is for an unknown client.');
    if (error instanceof JwtError) throw unauthenticated(`The token is not valid: ${error.message}.`);
    throw error;
  }
  const client = auth.clientOf(claims.client_id);
  if (!client) throw unauthenticated('The token is for an unknown client.');
  return client;
}

/** The member as a client: `role` is the first of the wanted roles they hold (or their first role, for the 403). */
async function staffClient(staff: StaffAuthenticator, token: string, roles: Role[]): Promise<ApiClient> {
  let member: StaffMember;
  try {
    member = await staff.verify(token);
  } catch (error) {
    if (error instanceof OidcTokenError) throw unauthenticated(`The staff access token is not accepted: ${error.message}.`);
    if (error instanceof OidcUnavailable) {
      const problem = new HttpProblem({
        status: 503,
        code: 'staff-login-unavailable',
        detail: 'Staff sign-on is unavailable right now; try again shortly.',
        headers: { 'Retry-After': '30' },
      });
      throw Object.assign(problem, { cause: error.message });
    }
    throw error;
  }
  const role = roles.find((r) => member.roles.includes(r)) ?? member.roles[0] ?? ('none' as Role);
  return { clientId: `staff:${member.sub}`, role, name: member.name, staff: member };
}

/** An OIDC access token (asymmetric signature) rather than a ZGW JWT (HS256): decided by the header alone. */
function isOidcToken(token: string): boolean {
  try {
    const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as { alg?: unknown };
    return typeof header.alg === 'string' && OIDC_ALGORITHMS.includes(header.alg);
  } catch {
    return false;
  }
}

/** Builds the middleware that admits only clients with one of the roles (see requireRoleOf). */
export type RoleGuard = (...roles: Role[]) => MiddlewareHandler<AppEnv>;
