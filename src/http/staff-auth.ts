// Staff sign-on: access tokens from the staff identity provider (STAFF_OIDC_ISSUER), verified by
// the one OIDC verifier, with the member's roles read from a claim (STAFF_ROLES_CLAIM) and mapped
// from the provider's own role names (STAFF_ROLE_MAP). Accepted on the API beside ZGW JWTs.
import { createHash } from 'node:crypto';
import type { JWTPayload } from 'jose';
import type { Role, StaffMember } from './context.ts';
import { issuerOf, OidcTokenVerifier } from './oidc-token.ts';

/** The roles a member of staff can hold. */
export const STAFF_ROLES = ['operator', 'caseworker', 'kcc'] as const satisfies readonly Role[];
export type StaffRole = (typeof STAFF_ROLES)[number];

export interface StaffAuthOptions {
  /** The issuer, read at first use (the demo's provider starts after the configuration); undefined: staff sign-on is off. */
  issuer: string | undefined | (() => string | undefined);
  audience: string;
  /** Claim with the roles: an array of names or one space- or comma-separated string; a dotted path reaches nested claims (realm_access.roles). */
  rolesClaim: string;
  /** The provider's role names → ours. A name equal to one of ours counts as itself. */
  roleMap?: Record<string, StaffRole>;
  clockToleranceSeconds?: number;
  timeoutMs?: number;
}

export class StaffAuthenticator {
  private readonly options: StaffAuthOptions;
  private readonly tokens: OidcTokenVerifier;
  private readonly verified = new Map<string, { member: StaffMember; until: number }>();

  constructor(options: StaffAuthOptions) {
    this.options = options;
    this.tokens = new OidcTokenVerifier({ label: 'staff', clockToleranceSeconds: options.clockToleranceSeconds, timeoutMs: options.timeoutMs });
    this.tokens.onDiscovered = () => this.verified.clear();
  }

  issuer(): string | undefined {
    return issuerOf(this.options.issuer);
  }

  configured(): boolean {
    return this.issuer() !== undefined;
  }

  /** Verifies a staff access token; throws OidcTokenError (401) or OidcUnavailable (503). */
  async verify(token: string): Promise<StaffMember> {
    const issuer = this.issuer();
    await this.tokens.ready(issuer);
    const key = createHash('sha256').update(token).digest('base64url');
    const now = Date.now() / 1000;
    const hit = this.verified.get(key);
    if (hit && hit.until > now) return hit.member;
    const payload = await this.tokens.verify(token, issuer, this.options.audience);
    const member = { sub: payload.sub, name: nameOf(payload), roles: this.rolesOf(payload) };
    if (this.verified.size >= 10_000) this.verified.clear();
    // At most five minutes, so a key taken out of the set, or a role taken away at the next login, stops counting soon.
    this.verified.set(key, { member, until: Math.min(payload.exp, now + 300) });
    return member;
  }

  private rolesOf(payload: JWTPayload): Role[] {
    let value: unknown = payload;
    for (const part of this.options.rolesClaim.split('.')) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
    const names = Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : typeof value === 'string' ? value.split(/[\s,]+/) : [];
    const roles = new Set<Role>();
    for (const name of names) {
      const role = this.options.roleMap?.[name] ?? (STAFF_ROLES as readonly string[]).find((r) => r === name);
      if (role) roles.add(role as Role);
    }
    return [...roles];
  }
}

/** The member's display name: `name`, else `preferred_username`, else the end of `sub` (never more). */
function nameOf(payload: JWTPayload & { sub: string }): string {
  for (const claim of ['name', 'preferred_username']) {
    const value = payload[claim];
    if (typeof value === 'string' && value.trim()) return value.trim().slice(0, 200);
  }
  return payload.sub.length > 6 ? `…${payload.sub.slice(-6)}` : payload.sub;
}
