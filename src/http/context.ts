/** What an API client may do; the trust network gives each client one. */
export type Role = 'supplier' | 'operator' | 'portal' | 'subcontractor';

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
}

export interface AppVariables {
  requestId: string;
  traceId: string | undefined;
  client: ApiClient | undefined;
  /** Set by handlers that authenticate someone other than an API client (e.g. a notifying organisation). */
  actor: string | undefined;
}

export type AppEnv = { Variables: AppVariables };
