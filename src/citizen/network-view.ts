// The public listing of the chain: who is a member, what they deliver, and whether their
// status information reaches us — so a citizen can see who is and who is not connected.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { NetworkService } from '../network/service.ts';
import { isPortal } from '../network/types.ts';
import type { Breakers } from '../outbound/breaker.ts';
import type { Lang } from '../i18n/index.ts';

export type Health = 'connected' | 'degraded' | 'not_connected';

interface Signals {
  failing: Set<string>;
  unreachable: Set<string>;
}

/** Unauthenticated and cheap: one small query at most every `ttlMs`, whatever the request rate. */
export class NetworkView {
  private readonly deps: { db: Db; network: NetworkService; breakers?: Breakers; ttlMs?: number };
  private cached?: { at: number; signals: Promise<Signals> };

  constructor(deps: NetworkView['deps']) {
    this.deps = deps;
  }

  async list(lang: Lang) {
    const signals = await this.signals();
    const { network, breakers } = this.deps;
    const organisations = network
      .list()
      .sort((a, b) => a.name.localeCompare(b.name, 'nl'))
      .map((org) => {
        const degraded = signals.failing.has(org.id) || signals.unreachable.has(org.id) || (breakers !== undefined && breakers.state(org.id) !== 'closed');
        const health: Health = org.status !== 'active' ? 'not_connected' : degraded ? 'degraded' : 'connected';
        return {
          id: org.id,
          name: org.name,
          status: org.status,
          connectionMode: isPortal(org) ? ('portal' as const) : org.notifications.mode,
          health,
          products: org.products.map((p) => ({ code: p.code, name: p.name[lang] ?? p.name.nl })),
        };
      });
    return { self: { id: network.self.id, name: network.self.name }, organisations };
  }

  private signals(): Promise<Signals> {
    const now = Date.now();
    if (this.cached && now - this.cached.at < (this.deps.ttlMs ?? 10_000)) return this.cached.signals;
    const signals = this.load();
    this.cached = { at: now, signals };
    signals.catch(() => (this.cached = undefined));
    return signals;
  }

  private async load(): Promise<Signals> {
    const { rows } = await sql<{ id: string; kind: 'failing' | 'unreachable' }>`
      select organisation_id as id, 'failing' as kind from organisation_health
        where consecutive_failures > 0 and (last_success_at is null or last_failure_at > last_success_at)
      union all
      select distinct subcontractor, 'unreachable' from orders where sync_state = 'unreachable' and state = 'placed'`.execute(this.deps.db);
    return {
      failing: new Set(rows.filter((r) => r.kind === 'failing').map((r) => r.id)),
      unreachable: new Set(rows.filter((r) => r.kind === 'unreachable').map((r) => r.id)),
    };
  }
}
