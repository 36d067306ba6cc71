// Citizen access tokens: JWTs from the configured OIDC issuer, verified against the keys its
// discovery document points to. The issuer is read at first use (the demo identity provider
// starts after the configuration is parsed), and the key set is cached; an unknown `kid`
// makes jose fetch the set once more (with a cooldown), so key rotation needs no restart.
import { createHash } from 'node:crypto';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type FlattenedJWSInput, type JWSHeaderParameters, type JWTPayload } from 'jose';
import { isValidBsn } from '../cases/identifiers.ts';

export interface CitizenIdentity {
  bsn: string;
  sub: string;
  acr?: string;
}

export interface CitizenAuthOptions {
  /** The issuer URL, or a function giving it at first use (undefined: citizen login is off). */
  issuer: string | undefined | (() => string | undefined);
  audience: string;
  bsnClaim: string;
  /** Lowest acceptable `acr`; tokens without one, or with one not in `acrOrder`, are refused. */
  minAcr?: string;
  /** Assurance levels, lowest first. */
  acrOrder?: string[];
  clockToleranceSeconds?: number;
  /** Discovery and JWKS requests give up after this long. */
  timeoutMs?: number;
  /** After a JWKS fetch, an unknown `kid` fetches again only after this long (spares the issuer). */
  jwksCooldownMs?: number;
}

export const CITIZEN_ALGORITHMS = ['RS256', 'ES256', 'PS256'];

/** The token is not acceptable: answer 401. `error` is the RFC 6750/9470 error code. */
export class CitizenAuthError extends Error {
  readonly error: 'invalid_token' | 'insufficient_user_authentication';
  constructor(message: string, error: CitizenAuthError['error'] = 'invalid_token') {
    super(message);
    this.error = error;
  }
}

/** Citizen login cannot work right now (not configured, or the issuer cannot be reached): 503. */
export class CitizenAuthUnavailable extends Error {
  readonly configured: boolean;
  constructor(message: string, configured: boolean) {
    super(message);
    this.configured = configured;
  }
}

type KeySet = (header: JWSHeaderParameters, token: FlattenedJWSInput) => ReturnType<ReturnType<typeof createRemoteJWKSet>>;

export class CitizenAuthenticator {
  private readonly options: CitizenAuthOptions;
  private discovered?: Discovered;
  private discovering?: Promise<Discovered>;
  private readonly verified = new Map<string, { identity: CitizenIdentity; until: number }>();

  constructor(options: CitizenAuthOptions) {
    this.options = options;
  }

  issuer(): string | undefined {
    const { issuer } = this.options;
    const value = typeof issuer === 'function' ? issuer() : issuer;
    return value?.replace(/\/+$/, '') || undefined;
  }

  configured(): boolean {
    return this.issuer() !== undefined;
  }

  /** Verifies an access token; throws CitizenAuthError (401) or CitizenAuthUnavailable (503). */
  async verify(token: string): Promise<CitizenIdentity> {
    const { keys, tokenIssuer: issuer } = await this.keySet();
    const cacheKey = createHash('sha256').update(token).digest('base64url');
    const now = Date.now() / 1000;
    const hit = this.verified.get(cacheKey);
    if (hit && hit.until > now) return hit.identity;

    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        algorithms: CITIZEN_ALGORITHMS,
        issuer,
        audience: this.options.audience,
        clockTolerance: this.options.clockToleranceSeconds ?? 30,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      throw toAuthError(error, issuer);
    }
    const identity = this.identityOf(payload);
    if (this.verified.size >= 10_000) this.verified.clear();
    // Cached no longer than five minutes, so a key taken out of the set stops working soon.
    this.verified.set(cacheKey, { identity, until: Math.min(payload.exp!, now + 300) });
    return identity;
  }

  private identityOf(payload: JWTPayload): CitizenIdentity {
    const bsn = payload[this.options.bsnClaim];
    if (typeof bsn !== 'string' || !isValidBsn(bsn)) throw new CitizenAuthError(`the token has no valid BSN in claim ${this.options.bsnClaim}`);
    const acr = typeof payload.acr === 'string' ? payload.acr : undefined;
    const { minAcr, acrOrder = [] } = this.options;
    if (minAcr) {
      const level = acr === undefined ? -1 : acrOrder.indexOf(acr);
      if (level < acrOrder.indexOf(minAcr))
        throw new CitizenAuthError('the login was not at a high enough assurance level', 'insufficient_user_authentication');
    }
    return { bsn, sub: String(payload.sub), ...(acr ? { acr } : {}) };
  }

  private async keySet() {
    const issuer = this.issuer();
    if (!issuer) throw new CitizenAuthUnavailable('citizen login not configured', false);
    if (this.discovered?.issuer === issuer) return this.discovered;
    this.discovering ??= this.discover(issuer).finally(() => (this.discovering = undefined));
    this.discovered = await this.discovering;
    this.verified.clear();
    return this.discovered;
  }

  private async discover(issuer: string): Promise<Discovered> {
    const timeoutMs = this.options.timeoutMs ?? 5000;
    let doc: { issuer?: unknown; jwks_uri?: unknown };
    try {
      const res = await fetch(`${issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
      if (!res.ok) throw new Error(`discovery answered ${res.status}`);
      doc = (await res.json()) as typeof doc;
    } catch (error) {
      throw new CitizenAuthUnavailable(`the citizen identity provider cannot be reached: ${(error as Error).message}`, true);
    }
    if (typeof doc.jwks_uri !== 'string' || String(doc.issuer).replace(/\/+$/, '') !== issuer) {
      throw new CitizenAuthUnavailable('the citizen identity provider publishes no jwks_uri for this issuer', true);
    }
    const remote = createRemoteJWKSet(new URL(doc.jwks_uri), {
      timeoutDuration: timeoutMs,
      cooldownDuration: this.options.jwksCooldownMs ?? 30_000,
      cacheMaxAge: 600_000,
    });
    // A key set that cannot be fetched is our problem (503), not a bad token (401).
    const keys: KeySet = async (header, token) => {
      try {
        return await remote(header, token);
      } catch (error) {
        if (error instanceof joseErrors.JWKSNoMatchingKey || error instanceof joseErrors.JWKSMultipleMatchingKeys) throw error;
        throw new KeysUnreachable((error as Error).message);
      }
    };
    return { issuer, tokenIssuer: String(doc.issuer), keys };
  }
}

class KeysUnreachable extends Error {}

interface Discovered {
  issuer: string;
  /** The `iss` tokens carry: the discovery document's own spelling. */
  tokenIssuer: string;
  keys: KeySet;
}

function toAuthError(error: unknown, issuer: string): Error {
  if (error instanceof KeysUnreachable) return new CitizenAuthUnavailable(`the keys of ${issuer} cannot be fetched`, true);
  if (error instanceof joseErrors.JWTExpired) return new CitizenAuthError('the token has expired');
  if (error instanceof joseErrors.JWTClaimValidationFailed) return new CitizenAuthError(`the token's ${error.claim} claim is not acceptable`);
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return new CitizenAuthError('the token is not signed with RS256, ES256 or PS256');
  if (error instanceof joseErrors.JWKSNoMatchingKey) return new CitizenAuthError('the token is signed with a key the issuer does not publish');
  if (error instanceof joseErrors.JOSEError || error instanceof TypeError) return new CitizenAuthError('the token is not a valid signed JWT');
  return error as Error;
}

/** One-shot helper for callers that hold no authenticator (tests, tools). */
export const verifyCitizenToken = (authenticator: CitizenAuthenticator, token: string) => authenticator.verify(token);
