// Inbound ZGW JWT authentication for API clients. Verified tokens are cached by hash until they
// would become too old, so a busy client pays for one HMAC per token, not per request.
import { hash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { JwtError, UnknownClientError, verifyZgwJwt, type ZgwClaims } from '../lib/zgw-jwt.ts';
import type { ApiClient, AppEnv, Role } from './context.ts';
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
  return async (c, next) => {
    const token = bearerToken(c.req.header('authorization'));
    if (!token) throw unauthenticated('Send Authorization: Bearer <ZGW JWT>.');
    let claims: ZgwClaims;
    try {
      claims = verifier.verify(token);
    } catch (error) {
      if (error instanceof UnknownClientError) throw unauthenticated('The token is for an unknown client.');
      if (error instanceof JwtError) throw unauthenticated(`The token is not valid: ${error.message}.`);
      throw error;
    }
    const client = clientOf(claims.client_id);
    if (!client) throw unauthenticated('The token is for an unknown client.');
    c.set('client', client);
    if (!roles.includes(client.role)) {
      throw new HttpProblem({ status: 403, detail: `This operation needs role ${roles.join(' or ')}; client has role ${client.role}.` });
    }
    await next();
  };
}

/** Builds the middleware that admits only clients with one of the roles (see requireRole). */
export type RoleGuard = (...roles: Role[]) => ReturnType<typeof requireRole>;
