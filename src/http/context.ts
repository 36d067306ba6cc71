/** What an API client may do; the trust network gives each client one. Staff members (staff-auth.ts) hold operator, caseworker or kcc. */
export type Role = 'supplier' | 'operator' | 'portal' | 'subcontractor' | 'caseworker' | 'kcc';

/** A member of staff signed on through the staff identity provider (STAFF_OIDC_ISSUER). */
export interface StaffMember {
  sub: string;
  name: string;
  /** The roles from the token's roles claim, mapped: a member may hold several. */
  roles: Role[];
}

/** The organisation a portal client reads for, as a customer's read proxy (juridiskt läsombud). */
export interface ClientOrganisation {
  name: string;
  oin?: string;
  kvk?: string;
}

/** An authenticated API client. `organisation`: a portal's own organisation; `subcontractor`: the organisation id of a subcontractor client. */
export interface ApiClient {
  clientId: string;
  role: Role;
  name?: string;
  organisation?: ClientOrganisation;
  subcontractor?: string;
  /** Set when the caller is a member of staff (an OIDC access token, not a ZGW JWT); `role` is the one this request uses. */
  staff?: StaffMember;
}

export interface AppVariables {
  requestId: string;
  traceId: string | undefined;
  client: ApiClient | undefined;
  /** Set by handlers that authenticate someone other than an API client (e.g. a notifying organisation). */
  actor: string | undefined;
}

export type AppEnv = { Variables: AppVariables };
