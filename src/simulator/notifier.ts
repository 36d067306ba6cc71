// Delivers ZGW notifications (Notificaties API webhook format) to one callback, the way an NRC would:
// asynchronously, with retries, and with injectable drop / duplicate / reorder faults.
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { signZgwJwt } from '../lib/zgw-jwt.ts';
import type { Faults, NotificationStats, NotifierConfig } from './types.ts';

export interface Notificatie {
  kanaal: string;
  hoofdObject: string;
  resource: string;
  resourceUrl: string;
  actie: string;
  aanmaakdatum: string;
  kenmerken: Record<string, string>;
}

const BACKOFF_MS = [50, 200, 500];
const TIMEOUT_MS = 5_000;

export class Notifier {
  private config: NotifierConfig | undefined;
  private readonly faults: () => Faults;
  private held: Notificatie[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private abort = new AbortController();
  private readonly counters = { sent: 0, failed: 0, dropped: 0 };
  private lastError: string | undefined;

  constructor(config: NotifierConfig | undefined, faults: () => Faults) {
    this.config = config;
    this.faults = faults;
  }

  setConfig(config: NotifierConfig | undefined): void {
    this.config = config;
  }

  get sent(): number {
    return this.counters.sent;
  }

  stats(): NotificationStats {
    return { ...this.counters, held: this.held.length, inFlight: this.inFlight.size, ...(this.lastError ? { lastError: this.lastError } : {}) };
  }

  publish(n: Notificatie): void {
    if (!this.config) return;
    const f = this.faults();
    if (Math.random() < f.dropNotifications) {
      this.counters.dropped++;
      return;
    }
    const copies = Math.random() < f.duplicateNotifications ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      if (f.reorderNotifications) this.held.push(n);
      else this.track(this.deliver(n));
    }
  }

  /** Sends held notifications one after another in an order that differs from the original, then waits for all deliveries. */
  async flush(): Promise<void> {
    const batch = shuffled(this.held.splice(0));
    this.track(
      (async () => {
        for (const n of batch) await this.deliver(n);
      })(),
    );
    await this.idle();
  }

  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  async close(): Promise<void> {
    this.held = [];
    this.abort.abort();
    await this.idle();
    this.abort = new AbortController();
  }

  private track(p: Promise<void>): void {
    const tracked = p.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  private async deliver(n: Notificatie): Promise<void> {
    const body = JSON.stringify(n);
    const signal = this.abort.signal;
    for (let attempt = 0; ; attempt++) {
      const config = this.config;
      if (!config || signal.aborted) break;
      try {
        const res = await request(config.callbackUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: authorization(config) },
          body,
          signal,
          headersTimeout: TIMEOUT_MS,
          bodyTimeout: TIMEOUT_MS,
        });
        await res.body.dump();
        if (res.statusCode >= 200 && res.statusCode < 300) {
          this.counters.sent++;
          return;
        }
        this.lastError = `callback answered ${res.statusCode}`;
      } catch (err) {
        this.lastError = err instanceof Error ? err.message : String(err);
      }
      if (attempt >= BACKOFF_MS.length) break;
      try {
        await sleep(BACKOFF_MS[attempt], undefined, { signal });
      } catch {
        break;
      }
    }
    this.counters.failed++;
  }
}

function authorization(config: NotifierConfig): string {
  return 'authorization' in config ? config.authorization : `Bearer ${signZgwJwt({ client_id: config.clientId }, config.secret)}`;
}

function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  // A shuffle may return the original order; the fault promises a different one.
  if (out.length > 1 && out.every((x, i) => x === items[i])) out.reverse();
  return out;
}
