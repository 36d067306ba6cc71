// Citizen access tokens: JWTs from the configured OIDC issuer, verified against the keys its
// discovery document points to. The issuer is read at first use (the demo identity provider
// starts after the configuration is parsed), and the key set is cached; an unknown `kid`
// makes jose fetch the set once more (with a cooldown), so key rotation needs no restart.
import { createHash } from 'node:crypto';
import { createRemoteJWKSet, decodeJwt, errors as joseErrors, jwtVerify, type FlattenedJWSInput, type JWSHeaderParameters, type JWTPayload } from 'jose';
import { isValidBsn, isValidKvk } from '../cases/identifiers.ts';

/** A person logged in with their BSN (DigiD). */
export interface PersonIdentity {
  bsn: string;
  sub: string;
  acr?: string;
}

/** Someone acting for a company (eHerkenning): the company by KvK number, the person only by `sub` and name, never a BSN. */
export interface RepresentativeIdentity {
  kvk: string;
  /** The branch the login is for; narrows to that branch's cases where a case names one. */
  vestiging?: string;
  /** The company's name when the token carries it. */
  companyName?: string;
  sub: string;
  name?: string;
  acr?: string;
}

export type CitizenIdentity = PersonIdentity | RepresentativeIdentity;

export const isRepresentative = (identity: CitizenIdentity): identity is RepresentativeIdentity => 'kvk' in identity;

type IssuerSetting = string | undefined | (() => string | undefined);

export interface CitizenAuthOptions {
  /** The issuer URL, or a function giving it at first use (undefined: citizen login is off). */
  issuer: IssuerSetting;
  /** eHerkenning usually comes from another broker than DigiD: its tokens are checked against this issuer's keys. */
  companyIssuer?: IssuerSetting;
  audience: string;
  bsnClaim: string;
  /** The claim with a company's KvK number (8 digits); a token with it and no BSN acts for that company. */
  kvkClaim?: string;
  /** The claim with the branch (vestigingsnummer, 12 digits), optional. */
  vestigingClaim?: string;
  /** The claim with the company's name, optional (shown on the page). */
  companyNameClaim?: string;
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
  private readonly discovered = new Map<string, Discovered>();
  private readonly discovering = new Map<string, Promise<Discovered>>();
  private readonly verified = new Map<string, { identity: CitizenIdentity; until: number }>();

  constructor(options: CitizenAuthOptions) {
    this.options = options;
  }

  issuer(): string | undefined {
    return issuerOf(this.options.issuer);
  }

  companyIssuer(): string | undefined {
    return issuerOf(this.options.companyIssuer);
  }

  configured(): boolean {
    return this.issuer() !== undefined || this.companyIssuer() !== undefined;
  }

  /** Verifies an access token; throws CitizenAuthError (401) or CitizenAuthUnavailable (503). */
  async verify(token: string): Promise<CitizenIdentity> {
    const company = this.isCompanyToken(token);
    const { keys, tokenIssuer: issuer } = await this.keySet(company ? this.companyIssuer() : this.issuer());
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
    const identity = this.identityOf(payload, company);
    if (this.verified.size >= 10_000) this.verified.clear();
    // Cached no longer than five minutes, so a key taken out of the set stops working soon.
    this.verified.set(cacheKey, { identity, until: Math.min(payload.exp!, now + 300) });
    return identity;
  }

  /** Which key set to check a token against: the company issuer's when the token names it (the signature decides after). */
  private isCompanyToken(token: string): boolean {
    const company = this.companyIssuer();
    if (!company || company === this.issuer()) return false;
    try {
      return String(decodeJwt(token).iss ?? '').replace(/\/+$/, '') === company;
    } catch {
      throw new CitizenAuthError('the token is not a valid signed JWT');
    }
  }

  private identityOf(payload: JWTPayload, fromCompanyIssuer: boolean): CitizenIdentity {
    const acr = typeof payload.acr === 'string' ? payload.acr : undefined;
    this.checkAcr(acr);
    const sub = String(payload.sub);
    const bsn = payload[this.options.bsnClaim];
    if (bsn !== undefined && !fromCompanyIssuer) {
      if (typeof bsn !== 'string' || !isValidBsn(bsn)) throw new CitizenAuthError(`the token has no valid BSN in claim ${this.options.bsnClaim}`);
      return { bsn, sub, ...(acr ? { acr } : {}) };
    }
    const kvkClaim = this.options.kvkClaim ?? 'kvk';
    const kvk = payload[kvkClaim];
    if (kvk === undefined) {
      throw new CitizenAuthError(
        fromCompanyIssuer ? `the token has no KvK number in claim ${kvkClaim}` : `the token has no valid BSN in claim ${this.options.bsnClaim} nor a KvK number in claim ${kvkClaim}`,
      );
    }
    if (typeof kvk !== 'string' || !isValidKvk(kvk)) throw new CitizenAuthError(`the token's ${kvkClaim} claim is not a KvK number of 8 digits`);
    const vestigingClaim = this.options.vestigingClaim ?? 'vestiging';
    const vestiging = payload[vestigingClaim];
    if (vestiging !== undefined && (typeof vestiging !== 'string' || !/^\d{12}$/.test(vestiging))) {
      throw new CitizenAuthError(`the token's ${vestigingClaim} claim is not a vestigingsnummer of 12 digits`);
    }
    const name = typeof payload.name === 'string' && payload.name.trim() ? payload.name.trim().slice(0, 200) : undefined;
    const companyName = payload[this.options.companyNameClaim ?? 'company_name'];
    return {
      kvk,
      sub,
      ...(vestiging ? { vestiging } : {}),
      ...(name ? { name } : {}),
      ...(typeof companyName === 'string' && companyName.trim() ? { companyName: companyName.trim().slice(0, 200) } : {}),
      ...(acr ? { acr } : {}),
    };
  }

  private checkAcr(acr: string | undefined) {
    const { minAcr, acrOrder = [] } = this.options;
    if (!minAcr) return;
    const level = acr === undefined ? -1 : acrOrder.indexOf(acr);
    if (level < acrOrder.indexOf(minAcr)) throw new CitizenAuthError('the login was not at a high enough assurance level', 'insufficient_user_authentication');
  }

  private async keySet(issuer: string | undefined) {
    if (!issuer) throw new CitizenAuthUnavailable('citizen login not configured', false);
    const known = this.discovered.get(issuer);
    if (known) return known;
    let discovering = this.discovering.get(issuer);
    if (!discovering) {
      discovering = this.discover(issuer).finally(() => this.discovering.delete(issuer));
      this.discovering.set(issuer, discovering);
    }
    const discovered = await discovering;
    this.discovered.set(issuer, discovered);
    this.verified.clear();
    return discovered;
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

function issuerOf(setting: IssuerSetting): string | undefined {
  const value = typeof setting === 'function' ? setting() : setting;
  return value?.replace(/\/+$/, '') || undefined;
}

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
