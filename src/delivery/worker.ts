// The delivery worker: its own claim loop over `deliveries`, apart from the job queue's worker, so a
// subscriber that hangs holds at most `perSubscription` of this worker's slots for at most one
// attempt timeout, and never a slot of the jobs that place orders or sync statuses. Woken by
// NOTIFY from the outbox transaction; a short poll finds retries that came due and expired leases.
import { randomUUID } from 'node:crypto';
import type { Database } from '../db/database.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { DELIVERIES_CHANNEL } from '../cases/outbox.ts';
import { render, type Origin } from './messages.ts';
import { claim, purgeDelivered, reapExpired, recordOutcomes, release, type ClaimedDelivery, type Outcome } from './queue.ts';
import { decide, describe } from './schedule.ts';
import type { WebhookSender } from './sender.ts';
import { signingSecrets, webhookHeaders } from './signing.ts';

export interface DeliveryWorkerOptions {
  database: Database;
  sender: WebhookSender;
  origin: Origin;
  logger: Logger;
  metrics?: Metrics;
  /** Attempts in flight in this process, all subscriptions together. */
  concurrency: number;
  /** Attempts in flight per subscription in this process (one per case at most, always). */
  perSubscription: number;
  /** Deadline of one attempt; the lease outlasts it comfortably. */
  timeoutMs: number;
  retryBaseMs: number;
  pollIntervalMs: number;
  /** Delivered rows are kept this long for the dashboard. */
  retentionMs?: number;
}

interface InFlight {
  subscriptionId: string;
  abort: AbortController;
  promise: Promise<void>;
}

const PURGE_EVERY_MS = 3_600_000;

export class DeliveryWorker {
  readonly id = `delivery-${randomUUID().slice(0, 8)}`;
  private readonly options: DeliveryWorkerOptions;
  private readonly leaseMs: number;
  private readonly inFlight = new Map<number, InFlight>();
  private stopped = true;
  private wakeRequested = false;
  private wake?: () => void;
  private loopDone?: Promise<void>;
  private unlisten?: () => Promise<void>;
  private lastReap = 0;
  private lastPurge = 0;
  /** Outcomes waiting to be written (group commit), and whether a write is under way. */
  private readonly outcomes: { outcome: Outcome; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private flushing = false;

  constructor(options: DeliveryWorkerOptions) {
    this.options = options;
    this.leaseMs = 2 * options.timeoutMs + 5000;
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.unlisten = await this.options.database.listen(DELIVERIES_CHANNEL, () => this.signal());
    this.loopDone = this.loop();
  }

  /** Stops claiming; waits for attempts in flight up to timeoutMs, then cuts them and hands them back. */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.signal();
    await this.loopDone;
    const all = () => Promise.allSettled([...this.inFlight.values()].map((f) => f.promise));
    await Promise.race([all(), delay(timeoutMs)]);
    for (const f of this.inFlight.values()) f.abort.abort();
    await all();
    await this.unlisten?.();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      this.wakeRequested = false;
      let more = false;
      try {
        await this.housekeeping();
        more = await this.claimAndRun();
      } catch (error) {
        this.options.logger.warn({ err: (error as Error).message }, 'delivery claim failed; retrying');
        await delay(Math.min(5000, this.options.pollIntervalMs * 4));
      }
      if (more && this.inFlight.size < this.options.concurrency) continue;
      if (this.wakeRequested || this.stopped) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.pollIntervalMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  private signal(): void {
    this.wakeRequested = true;
    this.wake?.();
  }

  private async housekeeping(): Promise<void> {
    const { database, logger, pollIntervalMs } = this.options;
    if (Date.now() - this.lastReap < pollIntervalMs) return;
    this.lastReap = Date.now();
    const reaped = await reapExpired(database.db);
    if (reaped > 0) logger.warn({ deliveries: reaped }, 'deliveries whose attempt was cut off (lease expired) are queued again');
    if (Date.now() - this.lastPurge > PURGE_EVERY_MS) {
      this.lastPurge = Date.now();
      await purgeDelivered(database.db, new Date(Date.now() - (this.options.retentionMs ?? 30 * 86_400_000)));
    }
  }

  /** True when the claim was full: there may be more due right now. */
  private async claimAndRun(): Promise<boolean> {
    const { concurrency, perSubscription, database } = this.options;
    const free = concurrency - this.inFlight.size;
    if (free <= 0) return false;
    const busy = this.countsBySubscription();
    const claimed = await claim(database.db, this.id, { limit: free, perSubscription, leaseMs: this.leaseMs, busy });
    for (const d of claimed) {
      const abort = new AbortController();
      const promise = this.attempt(d, abort.signal).finally(() => {
        this.inFlight.delete(d.id);
        this.signal();
      });
      this.inFlight.set(d.id, { subscriptionId: d.subscriptionId, abort, promise });
    }
    return claimed.length === free;
  }

  private countsBySubscription(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const f of this.inFlight.values()) counts.set(f.subscriptionId, (counts.get(f.subscriptionId) ?? 0) + 1);
    return counts;
  }

  private async attempt(d: ClaimedDelivery, shutdown: AbortSignal): Promise<void> {
    const { sender, origin, logger, database, retryBaseMs } = this.options;
    try {
      const message = render(d.format, d.event, origin);
      const headers = { 'content-type': message.contentType, ...webhookHeaders(signingSecrets(d.secrets), d.webhookId, message.body) };
      const at = new Date();
      const result = await sender.send(d.callbackUrl, message.body, headers, shutdown);
      if (shutdown.aborted && result.status === undefined) {
        await release(database.db, this.id, [d.id]); // cut off by shutdown: not the subscriber's failure
        return;
      }
      const decision = decide(result, d.attempts, retryBaseMs);
      await this.record({ delivery: d, attempt: { at, durationMs: result.durationMs, status: result.status, error: describe(result) }, decision });
      if (decision.kind !== 'delivered') {
        const level = decision.kind === 'retry' ? 'info' : 'warn';
        logger[level](
          { delivery_id: d.id, subscription_id: d.subscriptionId, attempt: d.attempts, outcome: decision.kind, err: describe(result) },
          'webhook delivery failed',
        );
      }
    } catch (error) {
      // Bookkeeping failed: the lease runs out and the delivery comes back (at least once).
      logger.warn({ delivery_id: d.id, err: (error as Error).message }, 'could not record a webhook attempt');
    }
  }

  /**
   * Group commit: outcomes that finish while a batch is being written go into the next one, so a
   * busy worker pays one transaction (and one claim) per batch, not per delivery. A lone outcome is
   * written at once. Resolves when the outcome is in the database.
   */
  private record(outcome: Outcome): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.outcomes.push({ outcome, resolve, reject });
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.outcomes.length > 0) {
        const batch = this.outcomes.splice(0, 200);
        try {
          await recordOutcomes(
            this.options.database.db,
            this.id,
            batch.map((b) => b.outcome),
          );
          for (const b of batch) this.observe(b.outcome);
          for (const b of batch) b.resolve();
        } catch (error) {
          for (const b of batch) b.reject(error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private observe({ delivery, decision }: Outcome): void {
    const { metrics } = this.options;
    metrics?.webhookAttempts.inc({ outcome: decision.kind });
    if (decision.kind === 'delivered') metrics?.webhookDeliverySeconds.observe((Date.now() - delivery.event.createdAt.getTime()) / 1000);
  }
}

const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref?.());
