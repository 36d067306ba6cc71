// OIDC access tokens (JWTs) verified against the keys an issuer's discovery document points to.
// The one verifier behind citizen login (src/citizen/auth.ts) and staff sign-on (staff-auth.ts).
// Discovery happens once per issuer; the key set is cached and an unknown `kid` makes jose fetch
// it once more (with a cooldown), so key rotation needs no restart.
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type FlattenedJWSInput, type JWSHeaderParameters, type JWTPayload } from 'jose';

export const OIDC_ALGORITHMS = ['RS256', 'ES256', 'PS256'];

export interface OidcTokenOptions {
  /** Who the tokens are for, in messages: "citizen", "staff". */
  label: string;
  clockToleranceSeconds?: number;
  /** Discovery and JWKS requests give up after this long. */
  timeoutMs?: number;
  /** After a JWKS fetch, an unknown `kid` fetches again only after this long (spares the issuer). */
  jwksCooldownMs?: number;
}

/** The token is not acceptable (answer 401). */
export class OidcTokenError extends Error {}

/** Verification cannot work right now: no issuer configured, or its keys cannot be had (503). */
export class OidcUnavailable extends Error {
  readonly configured: boolean;
  constructor(message: string, configured: boolean) {
    super(message);
    this.configured = configured;
  }
}

type KeySet = (header: JWSHeaderParameters, token: FlattenedJWSInput) => ReturnType<ReturnType<typeof createRemoteJWKSet>>;

interface Discovered {
  issuer: string;
  /** The `iss` tokens carry: the discovery document's own spelling. */
  tokenIssuer: string;
  keys: KeySet;
}

class KeysUnreachable extends Error {}

export class OidcTokenVerifier {
  private readonly options: OidcTokenOptions;
  private readonly discovered = new Map<string, Discovered>();
  private readonly discovering = new Map<string, Promise<Discovered>>();
  /** Called when an issuer's keys were (re)discovered: callers drop what they cached. */
  onDiscovered?: () => void;

  constructor(options: OidcTokenOptions) {
    this.options = options;
  }

  /** Resolves the issuer's keys first (OidcUnavailable when it cannot), so callers may consult a cache after. */
  async ready(issuer: string | undefined): Promise<void> {
    await this.keySet(issuer);
  }

  /** Verifies signature, `iss`, `aud`, `exp`/`nbf` and `sub`; throws OidcTokenError or OidcUnavailable. */
  async verify(token: string, issuer: string | undefined, audience: string): Promise<JWTPayload & { exp: number; sub: string }> {
    const { keys, tokenIssuer } = await this.keySet(issuer);
    try {
      const { payload } = await jwtVerify(token, keys, {
        algorithms: OIDC_ALGORITHMS,
        issuer: tokenIssuer,
        audience,
        clockTolerance: this.options.clockToleranceSeconds ?? 30,
        requiredClaims: ['exp', 'sub'],
      });
      return payload as JWTPayload & { exp: number; sub: string };
    } catch (error) {
      throw toTokenError(error, tokenIssuer);
    }
  }

  private async keySet(issuer: string | undefined) {
    if (!issuer) throw new OidcUnavailable(`${this.options.label} login not configured`, false);
    const known = this.discovered.get(issuer);
    if (known) return known;
    let discovering = this.discovering.get(issuer);
    if (!discovering) {
      discovering = this.discover(issuer).finally(() => this.discovering.delete(issuer));
      this.discovering.set(issuer, discovering);
    }
    const discovered = await discovering;
    this.discovered.set(issuer, discovered);
    this.onDiscovered?.();
    return discovered;
  }

  private async discover(issuer: string): Promise<Discovered> {
    const timeoutMs = this.options.timeoutMs ?? 5000;
    const label = this.options.label;
    let doc: { issuer?: unknown; jwks_uri?: unknown };
    try {
      const res = await fetch(`${issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
      if (!res.ok) throw new Error(`discovery answered ${res.status}`);
      doc = (await res.json()) as typeof doc;
    } catch (error) {
      throw new OidcUnavailable(`the ${label} identity provider cannot be reached: ${(error as Error).message}`, true);
    }
    if (typeof doc.jwks_uri !== 'string' || String(doc.issuer).replace(/\/+$/, '') !== issuer) {
      throw new OidcUnavailable(`the ${label} identity provider publishes no jwks_uri for this issuer`, true);
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

/** The issuer setting as a URL without trailing slashes, read now when it is a function. */
export function issuerOf(setting: string | undefined | (() => string | undefined)): string | undefined {
  const value = typeof setting === 'function' ? setting() : setting;
  return value?.replace(/\/+$/, '') || undefined;
}

function toTokenError(error: unknown, issuer: string): Error {
  if (error instanceof KeysUnreachable) return new OidcUnavailable(`the keys of ${issuer} cannot be fetched`, true);
  if (error instanceof joseErrors.JWTExpired) return new OidcTokenError('the token has expired');
  if (error instanceof joseErrors.JWTClaimValidationFailed) return new OidcTokenError(`the token's ${error.claim} claim is not acceptable`);
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return new OidcTokenError('the token is not signed with RS256, ES256 or PS256');
  if (error instanceof joseErrors.JWKSNoMatchingKey) return new OidcTokenError('the token is signed with a key the issuer does not publish');
  if (error instanceof joseErrors.JOSEError || error instanceof TypeError) return new OidcTokenError('the token is not a valid signed JWT');
  return error as Error;
}
