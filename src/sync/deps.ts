// What the sync needs from the composition root (gateway.ts builds it once).
import type { Database } from '../db/database.ts';
import type { Logger } from '../log.ts';
import type { NetworkService } from '../network/service.ts';
import type { Breakers } from '../outbound/breaker.ts';
import type { OutboundClients } from '../outbound/index.ts';
import type { StatusTypeCache } from './catalog.ts';

export interface SyncDeps {
  database: Database;
  network: NetworkService;
  outbound: OutboundClients;
  logger: Logger;
  statustypes: StatusTypeCache;
  breakers: Breakers;
}
