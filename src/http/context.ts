/** What an API client may do; the trust network gives each client one. */
export type Role = 'supplier' | 'operator' | 'portal';

export interface AppVariables {
  requestId: string;
  traceId: string | undefined;
  client: { clientId: string; role: Role } | undefined;
  /** Set by handlers that authenticate someone other than an API client (e.g. a notifying organisation). */
  actor: string | undefined;
}

export type AppEnv = { Variables: AppVariables };
