// A circuit breaker per organisation (in memory, per process): after `threshold` consecutive
// failures calls stop for `openMs`; then one trial call decides whether it closes again.
export type BreakerState = 'closed' | 'open' | 'half-open';

interface Circuit {
  failures: number;
  openedAt: number | undefined;
  trialInFlight: boolean;
}

export class Breakers {
  private readonly circuits = new Map<string, Circuit>();
  private readonly threshold: number;
  private readonly openMs: number;
  constructor(options: { threshold?: number; openMs?: number } = {}) {
    this.threshold = options.threshold ?? 5;
    this.openMs = options.openMs ?? 30_000;
  }

  /** Undefined when a call may go ahead; otherwise how long to wait before asking again. */
  blockedFor(id: string, now = Date.now()): number | undefined {
    const c = this.circuits.get(id);
    if (!c || c.openedAt === undefined) return undefined;
    const remaining = c.openedAt + this.openMs - now;
    if (remaining > 0) return remaining;
    if (c.trialInFlight) return Math.max(1000, this.openMs / 10);
    c.trialInFlight = true;
    return undefined;
  }

  /** How long the circuit stays open from now (0 when closed or ready for a trial); no side effects. */
  openFor(id: string, now = Date.now()): number {
    const c = this.circuits.get(id);
    if (!c || c.openedAt === undefined) return 0;
    return Math.max(0, c.openedAt + this.openMs - now);
  }

  success(id: string): void {
    this.circuits.delete(id);
  }

  failure(id: string, now = Date.now()): void {
    const c = this.circuits.get(id) ?? { failures: 0, openedAt: undefined, trialInFlight: false };
    c.failures += 1;
    c.trialInFlight = false;
    if (c.failures >= this.threshold) c.openedAt = now;
    this.circuits.set(id, c);
  }

  state(id: string, now = Date.now()): BreakerState {
    const c = this.circuits.get(id);
    if (!c || c.openedAt === undefined) return 'closed';
    return c.openedAt + this.openMs > now ? 'open' : 'half-open';
  }
}
