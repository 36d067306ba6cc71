// Citizen access tokens: JWTs from the configured OIDC issuer, verified by the one OIDC verifier
// (src/http/oidc-token.ts: discovery, cached JWKS, key rotation). The issuer is read at first use
// (the demo identity provider starts after the configuration is parsed). This file turns the
// claims into a person (BSN) or a company's representative (KvK).
import { createHash } from 'node:crypto';
import { decodeJwt, type JWTPayload } from 'jose';
import { isValidBsn, isValidKvk } from '../cases/identifiers.ts';
import { issuerOf, OIDC_ALGORITHMS, OidcTokenError, OidcTokenVerifier, OidcUnavailable } from '../http/oidc-token.ts';

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

export const CITIZEN_ALGORITHMS = OIDC_ALGORITHMS;

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

export class CitizenAuthenticator {
  private readonly options: CitizenAuthOptions;
  private readonly tokens: OidcTokenVerifier;
  private readonly verified = new Map<string, { identity: CitizenIdentity; until: number }>();

  constructor(options: CitizenAuthOptions) {
    this.options = options;
    this.tokens = new OidcTokenVerifier({ label: 'citizen', ...options });
    this.tokens.onDiscovered = () => this.verified.clear();
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
    const issuer = company ? this.companyIssuer() : this.issuer();
    const cacheKey = createHash('sha256').update(token).digest('base64url');
    let payload: JWTPayload & { exp: number; sub: string };
    try {
      await this.tokens.ready(issuer);
      const now = Date.now() / 1000;
      const hit = this.verified.get(cacheKey);
      if (hit && hit.until > now) return hit.identity;
      payload = await this.tokens.verify(token, issuer, this.options.audience);
    } catch (error) {
      if (error instanceof OidcTokenError) throw new CitizenAuthError(error.message);
      if (error instanceof OidcUnavailable) throw new CitizenAuthUnavailable(error.message, error.configured);
      throw error;
    }
    const identity = this.identityOf(payload, company);
    if (this.verified.size >= 10_000) this.verified.clear();
    // Cached no longer than five minutes, so a key taken out of the set stops working soon.
    this.verified.set(cacheKey, { identity, until: Math.min(payload.exp, Date.now() / 1000 + 300) });
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
        fromCompanyIssuer
          ? `the token has no KvK number in claim ${kvkClaim}`
          : `the token has no valid BSN in claim ${this.options.bsnClaim} nor a KvK number in claim ${kvkClaim}`,
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
}

/** One-shot helper for callers that hold no authenticator (tests, tools). */
export const verifyCitizenToken = (authenticator: CitizenAuthenticator, token: string) => authenticator.verify(token);
