import type { Client } from '../network/types.ts';

export interface AppVariables {
  requestId: string;
  traceId: string | undefined;
  client: Pick<Client, 'clientId' | 'role'> | undefined;
  /** Set by handlers that authenticate someone other than an API client (e.g. a notifying organisation). */
  actor: string | undefined;
}

export type AppEnv = { Variables: AppVariables };
