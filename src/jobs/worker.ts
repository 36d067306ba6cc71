// Runs jobs from the queue: a claim loop woken by LISTEN/NOTIFY (and a short poll, which is
// also how delayed jobs and expired leases are found), bounded concurrency overall and per group.
import { randomUUID } from 'node:crypto';
import type { Database, Trx } from '../db/database.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { DeferJobError, PermanentJobError, RetryJobError, backoffMs } from './errors.ts';
import { JOBS_CHANNEL, JobQueue, LEASE_EXPIRED, type Job } from './queue.ts';

export interface JobContext {
  /**
   * Deletes the job in the handler's own transaction, so the outcome and the completion commit
   * together (one commit, with its WAL flush, less per job). Call it last in that transaction; if the
   * transaction does not commit, the handler must fail (it does when the commit throws).
   */
  completeWithin(trx: Trx): Promise<void>;
}

export type JobHandler = (job: Job, context: JobContext) => Promise<void>;

export interface WorkerOptions {
  database: Database;
  handlers: Record<string, JobHandler>;
  logger: Logger;
  metrics?: Metrics;
  concurrency?: number;
  leaseMs?: number;
  pollIntervalMs?: number;
  /** Cap of jobs running at once per group key (e.g. per organisation). */
  groupConcurrency?: (groupKey: string) => number;
  backoff?: (attempt: number) => number;
  workerId?: string;
}

export class Worker {
  readonly id: string;
  private readonly options: Required<Omit<WorkerOptions, 'metrics' | 'workerId'>> & { metrics?: Metrics };
  private readonly queue: JobQueue;
  private readonly running = new Map<number, { groupKey: string | null; promise: Promise<void> }>();
  private stopped = true;
  private wake?: () => void;
  /** Set by every wake-up; one that arrives while the loop is claiming must not be lost. */
  private wakeRequested = false;
  private loopDone?: Promise<void>;
  private unlisten?: () => Promise<void>;
  private heartbeat?: NodeJS.Timeout;

  constructor(options: WorkerOptions) {
    this.id = options.workerId ?? `worker-${randomUUID().slice(0, 8)}`;
    this.options = {
      concurrency: 8,
      leaseMs: 60_000,
      pollIntervalMs: 250,
      groupConcurrency: () => Infinity,
      backoff: (a) => backoffMs(a),
      ...options,
    };
    this.queue = new JobQueue(options.database.queueDb);
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.unlisten = await this.options.database.listen(JOBS_CHANNEL, () => this.signal());
    const { leaseMs } = this.options;
    this.heartbeat = setInterval(
      () => {
        this.queue
          .extendLeases(this.id, [...this.running.keys()], leaseMs)
          .catch((e) => this.options.logger.warn({ err: (e as Error).message }, 'lease heartbeat failed'));
      },
      Math.max(50, leaseMs / 3),
    );
    this.heartbeat.unref();
    this.loopDone = this.loop();
  }

  /** Stops claiming, waits for running jobs (up to timeoutMs); unfinished ones come back after their lease. */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.signal();
    await this.loopDone;
    await Promise.race([Promise.allSettled([...this.running.values()].map((r) => r.promise)), delay(timeoutMs)]);
    clearInterval(this.heartbeat);
    await this.unlisten?.();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      this.wakeRequested = false;
      let sleepMs = this.options.pollIntervalMs;
      try {
        const { started, askedFor, nextRunAt } = await this.claimAndRun();
        const free = this.options.concurrency - this.running.size;
        if (started > 0 && started >= askedFor && free > 0) continue; // there may be more due work
        // A delayed job (a debounced sync) is claimed when it comes due, not up to a poll later.
        if (free > 0 && nextRunAt) sleepMs = Math.min(sleepMs, Math.max(5, nextRunAt.getTime() - Date.now()));
      } catch (error) {
        this.options.logger.warn({ err: (error as Error).message }, 'job claim failed; retrying');
        await delay(Math.min(5000, this.options.pollIntervalMs * 4));
        continue;
      }
      if (this.wakeRequested || this.stopped) continue; // woken (or stopped) while claiming
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, sleepMs);
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

  private async claimAndRun(): Promise<{ started: number; askedFor: number; nextRunAt?: Date }> {
    const free = this.options.concurrency - this.running.size;
    if (free <= 0) return { started: 0, askedFor: 0 };
    const { jobs, nextRunAt } = await this.queue.claimBatch(this.id, free, this.options.leaseMs, this.saturatedGroups());
    // One claim may return more jobs of a group than its cap allows: run what fits, hand the rest back.
    const perGroup = this.groupCounts();
    const over: Job[] = [];
    let started = 0;
    for (const job of jobs) {
      if (job.groupKey) {
        const n = perGroup.get(job.groupKey) ?? 0;
        if (n >= this.options.groupConcurrency(job.groupKey)) {
          over.push(job);
          continue;
        }
        perGroup.set(job.groupKey, n + 1);
      }
      started++;
      const promise = this.run(job).finally(() => {
        // Only a freed slot that a claim was held back by (all slots taken, or the job's group at its
        // cap) can make more work claimable; any other completion would cost an empty claim.
        const wasFull = this.running.size >= this.options.concurrency;
        const groupWasFull = job.groupKey !== null && (this.groupCounts().get(job.groupKey) ?? 0) >= this.options.groupConcurrency(job.groupKey);
        this.running.delete(job.id);
        if (wasFull || groupWasFull || this.stopped) this.signal();
      });
      this.running.set(job.id, { groupKey: job.groupKey, promise });
    }
    if (over.length > 0) {
      // If this fails the leases run out and the jobs come back; nothing is lost.
      await this.queue
        .release(this.id, over)
        .catch((e) => this.options.logger.warn({ err: (e as Error).message }, 'could not hand back jobs over their group cap'));
    }
    return { started, askedFor: free, nextRunAt };
  }

  private groupCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const { groupKey } of this.running.values()) if (groupKey) counts.set(groupKey, (counts.get(groupKey) ?? 0) + 1);
    return counts;
  }

  private saturatedGroups(): string[] {
    return [...this.groupCounts()].filter(([group, n]) => n >= this.options.groupConcurrency(group)).map(([group]) => group);
  }

  private async run(job: Job): Promise<void> {
    const { logger, metrics } = this.options;
    const handler = this.options.handlers[job.kind];
    try {
      // Its worker died on the last allowed attempt (the lease expired): do not run it forever.
      if (job.attempts > job.maxAttempts) throw new PermanentJobError(`${LEASE_EXPIRED}; ${job.maxAttempts} attempts used`);
      if (!handler) throw new PermanentJobError(`no handler for job kind ${job.kind}`);
      let completed = false;
      await handler(job, {
        completeWithin: async (trx) => {
          await JobQueue.completeIn(trx, this.id, job.id);
          completed = true;
        },
      });
      if (!completed) await this.queue.complete(this.id, job.id);
      metrics?.jobRuns.inc({ kind: job.kind, outcome: 'done' });
    } catch (error) {
      const message = (error as Error)?.message ?? String(error);
      try {
        if (error instanceof DeferJobError) {
          await this.queue.defer(this.id, job, error.delayMs);
          metrics?.jobRuns.inc({ kind: job.kind, outcome: 'deferred' });
        } else if (error instanceof PermanentJobError || job.attempts >= job.maxAttempts) {
          await this.queue.bury(this.id, job, message);
          metrics?.jobRuns.inc({ kind: job.kind, outcome: 'dead' });
          logger.warn({ job_id: job.id, kind: job.kind, attempts: job.attempts, err: message }, 'job moved to the dead letter');
        } else {
          const delayMs = error instanceof RetryJobError ? error.delayMs : this.options.backoff(job.attempts);
          await this.queue.reschedule(this.id, job, delayMs, message);
          metrics?.jobRuns.inc({ kind: job.kind, outcome: 'retry' });
          logger.info({ job_id: job.id, kind: job.kind, attempts: job.attempts, retry_in_ms: delayMs, err: message }, 'job will be retried');
        }
      } catch (bookkeeping) {
        // The lease will expire and the job runs again; nothing is lost.
        logger.warn({ job_id: job.id, err: (bookkeeping as Error).message }, 'could not record job failure');
      }
    }
  }
}

const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref?.());
