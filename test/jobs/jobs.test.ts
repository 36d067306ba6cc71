// The durable job queue (src/jobs): transactional enqueue, SKIP LOCKED claims under a lease,
// retries with backoff, the dead letter, lease expiry and the LISTEN/NOTIFY wake-up.
// Runs on PGlite by default and on PostgreSQL when TEST_DATABASE_URL is set.
import { sql } from 'kysely';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { PermanentJobError, RetryJobError, backoffMs } from '../../src/jobs/errors.ts';
import { JobQueue, LEASE_EXPIRED, enqueue, type Job } from '../../src/jobs/queue.ts';
import { Worker, type WorkerOptions } from '../../src/jobs/worker.ts';
import { createLogger } from '../../src/log.ts';
import { freshDatabaseUrl, lane } from '../helpers/db.ts';
import { waitFor } from '../helpers/wait.ts';

const url = await freshDatabaseUrl();
const database = await openDatabase(url);
await migrateToLatest(database.db);
const db = database.db;
const queue = new JobQueue(db);
const logger = createLogger('silent');

const workers: Worker[] = [];
const extraHandles: Database[] = [];

function worker(options: Partial<WorkerOptions> & Pick<WorkerOptions, 'handlers'>): Worker {
  const w = new Worker({ database, logger, pollIntervalMs: 25, backoff: () => 20, ...options });
  workers.push(w);
  return w;
}

/** The job's row once it is dead. */
const deadRow = (id: number, timeoutMs: number) =>
  waitFor(
    async () => {
      const r = await row(id);
      return r?.state === 'dead' ? r : undefined;
    },
    timeoutMs,
    'the job to die',
  );

/** A second, independent handle on the same database (PostgreSQL only: PGlite is one connection). */
async function secondHandle(): Promise<Database> {
  const other = await openDatabase(url);
  extraHandles.push(other);
  return other;
}

/** A logger whose JSON lines the test reads (what the worker decided, e.g. retry_in_ms). */
function memoryLog() {
  const raw: string[] = [];
  const logger = createLogger('info', { write: (chunk: string) => void raw.push(...chunk.split('\n').filter(Boolean)) });
  return { logger, lines: () => raw.map((l) => JSON.parse(l) as Record<string, unknown> & { msg?: string; retry_in_ms?: number }) };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const row = (id: number) => db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
/** The worker's 'job will be retried' lines, once there is one: it logs after the reschedule committed (on the queue's own connection). */
const retriedLines = (log: ReturnType<typeof memoryLog>) =>
  waitFor(
    () => {
      const lines = log.lines().filter((l) => l.msg === 'job will be retried');
      return lines.length > 0 ? lines : undefined;
    },
    3000,
    'the failure to be rescheduled',
  );
const allRows = () => db.selectFrom('jobs').selectAll().orderBy('id').execute();

beforeEach(async () => {
  await db.deleteFrom('jobs').execute();
});

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop(2000)));
  await Promise.all(extraHandles.splice(0).map((h) => h.close()));
});

afterAll(() => database.close());

describe('enqueue', () => {
  it('writes the job inside the caller’s transaction: committed jobs exist, rolled-back ones do not', async () => {
    const committed = await db.transaction().execute(async (trx) => enqueue(trx, 'mail', { to: 'a' }));
    await expect(
      db.transaction().execute(async (trx) => {
        await enqueue(trx, 'mail', { to: 'b' });
        throw new Error('the caller’s state change failed');
      }),
    ).rejects.toThrow('state change failed');

    const rows = await allRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: committed, kind: 'mail', payload: { to: 'a' }, state: 'queued', attempts: 0, max_attempts: 10, errors: [] });
  });

  it('does not run a job before the enqueueing transaction commits', async () => {
    const ran: unknown[] = [];
    await worker({ handlers: { mail: async (job) => void ran.push(job.payload) } }).start();
    // A PostgreSQL worker polls on its own connections: a committed marker job from another
    // connection, run while the transaction is open, proves a claim happened after the insert. On
    // PGlite (one connection) the worker's claims wait for the transaction.
    const other = lane === 'postgres' ? (await secondHandle()).db : undefined;
    await db.transaction().execute(async (trx) => {
      await enqueue(trx, 'mail', { to: 'c' });
      if (other) {
        await enqueue(other, 'mail', { to: 'marker' });
        await waitFor(() => ran.length > 0, 3000, 'the marker job to run');
      }
      expect(ran).toEqual(other ? [{ to: 'marker' }] : []);
    });
    await waitFor(() => ran.some((p) => (p as { to: string }).to === 'c'), 3000, 'the committed job to run');
    expect(ran).toEqual(other ? [{ to: 'marker' }, { to: 'c' }] : [{ to: 'c' }]);
  });

  it('coalesces on dedupeKey while a job waits, and queues a fresh one once it runs', async () => {
    const first = await enqueue(db, 'sync', { n: 1 }, { dedupeKey: 'zaak-1' });
    const second = await enqueue(db, 'sync', { n: 2 }, { dedupeKey: 'zaak-1' });
    const other = await enqueue(db, 'sync', { n: 3 }, { dedupeKey: 'zaak-2' });
    expect(first).toBeTypeOf('number');
    expect(second).toBeUndefined();
    expect(other).toBeTypeOf('number');
    expect(await allRows()).toHaveLength(2);

    // Once claimed (running), the key is free again: new work queues behind the running job.
    const [claimed] = await queue.claim('w1', 1, 60_000);
    expect(claimed.id).toBe(first);
    const third = await enqueue(db, 'sync', { n: 4 }, { dedupeKey: 'zaak-1' });
    expect(third).toBeTypeOf('number');

    // The running copy fails: a queued copy with the same key already carries the work, so it goes.
    await queue.reschedule('w1', claimed, 1000, 'remote unavailable');
    expect(await row(first!)).toBeUndefined();
    expect(await row(third!)).toMatchObject({ state: 'queued', payload: { n: 4 } });
  });

  it('makes a waiting job due sooner when the same work is asked for sooner, never later', async () => {
    const later = new Date(Date.now() + 3_600_000);
    const waiting = await enqueue(db, 'sync', { n: 1 }, { dedupeKey: 'zaak-9', runAt: later });
    expect(await enqueue(db, 'sync', { n: 2 }, { dedupeKey: 'zaak-9', runAt: new Date(Date.now() + 7_200_000) })).toBeUndefined();
    expect((await row(waiting!))!.run_at.getTime()).toBe(later.getTime());
    expect(await enqueue(db, 'sync', { n: 3 }, { dedupeKey: 'zaak-9' })).toBeUndefined(); // now: e.g. a requested sync
    expect((await row(waiting!))!.run_at.getTime()).toBeLessThanOrEqual(Date.now());
    expect(await allRows()).toHaveLength(1);
  });

  it('honours delayMs and runAt', async () => {
    const before = Date.now();
    const delayed = await enqueue(db, 'later', {}, { delayMs: 60_000 });
    const at = new Date(Date.now() + 120_000);
    const scheduled = await enqueue(db, 'later', {}, { runAt: at, maxAttempts: 3 });
    expect((await row(delayed!))!.run_at.getTime()).toBeGreaterThanOrEqual(before + 59_000);
    expect((await row(scheduled!))!).toMatchObject({ run_at: at, max_attempts: 3 });
    expect(await queue.claim('w1', 10, 60_000)).toEqual([]);
  });
});

describe('claim', () => {
  it('hands each due job to one claimer, with a lease, and counts the attempt', async () => {
    const ids = await Promise.all([1, 2, 3].map((n) => enqueue(db, 'k', { n })));
    const a = await queue.claim('a', 2, 30_000);
    const b = await queue.claim('b', 5, 30_000);
    expect(a).toHaveLength(2);
    expect(b).toHaveLength(1);
    expect(new Set([...a, ...b].map((j) => j.id))).toEqual(new Set(ids));
    expect([...a, ...b].every((j) => j.attempts === 1)).toBe(true);
    const leased = await row(b[0].id);
    expect(leased).toMatchObject({ state: 'running', locked_by: 'b' });
    expect(leased!.lease_until!.getTime()).toBeGreaterThan(Date.now() + 20_000);
    expect(await queue.claim('c', 5, 30_000)).toEqual([]);
  });

  it('gives an expired lease to the next claimer; the old holder can no longer finish the job', async () => {
    const id = await enqueue(db, 'k', {});
    const [first] = await queue.claim('dying', 1, 100);
    expect(first.attempts).toBe(1);
    expect(await queue.claim('other', 1, 30_000)).toEqual([]); // lease still valid
    await sleep(200);
    const [again] = await queue.claim('other', 1, 30_000);
    expect(again).toMatchObject({ id, attempts: 2 });
    // The first holder wakes up and tries to finish: it no longer holds the lease.
    await queue.complete('dying', id!);
    await queue.reschedule('dying', first, 0, 'late');
    await queue.bury('dying', first, 'late');
    expect(await row(id!)).toMatchObject({ state: 'running', locked_by: 'other' });
    await queue.complete('other', id!);
    expect(await row(id!)).toBeUndefined();
  });
});

describe('worker', () => {
  it('runs a job with its payload and deletes it when done', async () => {
    const seen: Job[] = [];
    await worker({ handlers: { hello: async (job) => void seen.push(job) } }).start();
    const id = await enqueue(db, 'hello', { name: 'wereld' });
    await waitFor(() => seen.length === 1, 3000, 'the job to run');
    expect(seen[0]).toMatchObject({ id, kind: 'hello', payload: { name: 'wereld' }, attempts: 1 });
    await waitFor(async () => (await row(id!)) === undefined, 3000, 'the done job to be deleted');
  });

  it('completes a job inside the handler’s own transaction; a transaction that rolls back leaves it to be retried', async () => {
    const outcomes: string[] = [];
    let attempt = 0;
    await worker({
      handlers: {
        write: async (job, context) => {
          attempt++;
          await db.transaction().execute(async (trx) => {
            await context.completeWithin(trx);
            expect(await trx.selectFrom('jobs').select('id').where('id', '=', job.id).executeTakeFirst()).toBeUndefined();
            // Still inside the transaction: the job row is gone only for this transaction.
            if (attempt === 1) throw new Error('the write failed after completeWithin');
          });
          outcomes.push(`committed on attempt ${attempt}`);
        },
      },
    }).start();
    const id = (await enqueue(db, 'write', {}))!;
    await waitFor(async () => outcomes.length === 1 && !(await row(id)), 5000, 'the retried job to complete');
    expect(outcomes).toEqual(['committed on attempt 2']);
    expect(attempt).toBe(2);
  });

  it('retries a failing job with backoff and records each error until it succeeds', async () => {
    const attempts: { attempt: number; errors: number }[] = [];
    await worker({
      handlers: {
        flaky: async (job) => {
          attempts.push({ attempt: job.attempts, errors: job.errors.length });
          if (job.attempts < 3) throw new Error(`try ${job.attempts} failed`);
        },
      },
    }).start();
    const id = await enqueue(db, 'flaky', {});
    await waitFor(async () => attempts.length === 3 && (await row(id!)) === undefined, 5000, 'the third attempt to succeed');
    expect(attempts).toEqual([
      { attempt: 1, errors: 0 },
      { attempt: 2, errors: 1 },
      { attempt: 3, errors: 2 },
    ]);
  });

  it('reschedules with exponential backoff and jitter by default', async () => {
    for (let attempt = 1; attempt <= 6; attempt++) {
      for (let i = 0; i < 50; i++) {
        const ms = backoffMs(attempt, 1000);
        const ceiling = 1000 * 2 ** (attempt - 1);
        expect(ms).toBeGreaterThanOrEqual(ceiling / 2);
        expect(ms).toBeLessThanOrEqual(ceiling);
      }
    }
    expect(backoffMs(40, 1000, 3_600_000)).toBeLessThanOrEqual(3_600_000);
    expect(new Set(Array.from({ length: 50 }, () => backoffMs(5))).size).toBeGreaterThan(1); // jitter

    // The worker's default backoff puts the first retry 0.5–1 s out: the delay it chose is in its log line.
    const log = memoryLog();
    const w = new Worker({
      database,
      logger: log.logger,
      pollIntervalMs: 25,
      handlers: {
        fail: async () => {
          throw new Error('nope');
        },
      },
    });
    workers.push(w);
    await w.start();
    const id = await enqueue(db, 'fail', {});
    const [retry] = await retriedLines(log);
    const queued = (await row(id!))!;
    expect(queued).toMatchObject({ state: 'queued', attempts: 1 });
    expect(retry).toMatchObject({ job_id: id, attempts: 1 });
    expect(retry.retry_in_ms).toBeGreaterThanOrEqual(500);
    expect(retry.retry_in_ms).toBeLessThanOrEqual(1000);
    expect(queued.errors).toEqual([expect.objectContaining({ attempt: 1, error: 'nope' })]);
    expect(queued).toMatchObject({ locked_by: null, lease_until: null });
  });

  it('honours the delay of a RetryJobError (e.g. Retry-After)', async () => {
    const runs: number[] = [];
    const log = memoryLog();
    await worker({
      logger: log.logger,
      handlers: {
        busy: async (job) => {
          runs.push(job.attempts);
          if (job.attempts === 1) throw new RetryJobError('429, Retry-After: 1', 800);
        },
      },
    }).start();
    const id = await enqueue(db, 'busy', {});
    const retried = await retriedLines(log);
    const r = (await row(id!))!;
    expect(r).toMatchObject({ state: 'queued', attempts: 1 });
    // The error's delay, not the worker's backoff (20 ms here).
    expect(retried).toEqual([expect.objectContaining({ job_id: id, retry_in_ms: 800 })]);
    expect(r.errors).toEqual([expect.objectContaining({ attempt: 1, error: '429, Retry-After: 1' })]);
    await waitFor(() => runs.length === 2, 4000, 'the second attempt');
    expect(runs).toEqual([1, 2]);
  });

  it('moves a job that keeps failing to the dead letter after maxAttempts, with its errors', async () => {
    let calls = 0;
    await worker({
      handlers: {
        broken: async (job) => {
          calls++;
          throw new Error(`attempt ${job.attempts}: remote said 500`);
        },
      },
    }).start();
    const id = await enqueue(db, 'broken', { x: 1 }, { maxAttempts: 3, dedupeKey: 'broken-1' });
    const dead = await deadRow(id!, 5000);
    expect(calls).toBe(3);
    expect(dead).toMatchObject({ attempts: 3, locked_by: null, lease_until: null, dedupe_key: null, payload: { x: 1 } });
    expect(dead.errors.map((e) => [e.attempt, e.error])).toEqual([
      [1, 'attempt 1: remote said 500'],
      [2, 'attempt 2: remote said 500'],
      [3, 'attempt 3: remote said 500'],
    ]);
    expect(dead.errors.every((e) => !Number.isNaN(Date.parse(e.at)))).toBe(true);
    // A dead job does not block new work under its old dedupe key; once that job has run its one
    // attempt, the dead one has had every chance to be claimed again and was not.
    const next = await enqueue(db, 'broken', { x: 2 }, { dedupeKey: 'broken-1', maxAttempts: 1 });
    expect(next).toBeTypeOf('number');
    expect(await deadRow(next!, 5000)).toMatchObject({ attempts: 1, payload: { x: 2 } });
    expect(calls).toBe(4);
    expect(await row(id!)).toMatchObject({ state: 'dead', attempts: 3 });
    expect(await queue.counts()).toEqual(expect.arrayContaining([{ kind: 'broken', state: 'dead', n: 2 }]));
  });

  it('sends a PermanentJobError straight to the dead letter', async () => {
    let calls = 0;
    await worker({
      handlers: {
        invalid: async () => {
          calls++;
          throw new PermanentJobError('zaaktype unknown at the subcontractor');
        },
      },
    }).start();
    const id = await enqueue(db, 'invalid', {}, { maxAttempts: 10 });
    const dead = await deadRow(id!, 3000);
    expect(calls).toBe(1);
    expect(dead.attempts).toBe(1);
    expect(dead.errors).toEqual([expect.objectContaining({ attempt: 1, error: 'zaaktype unknown at the subcontractor' })]);
  });

  it('buries a job of an unknown kind', async () => {
    await worker({ handlers: {} }).start();
    const id = await enqueue(db, 'nobody-handles-this', {});
    const dead = await deadRow(id!, 3000);
    expect(dead.errors[0].error).toContain('no handler');
  });

  it('runs a dead job again after retryDead, keeping its error history', async () => {
    let fixed = false;
    const seen: Job[] = [];
    await worker({
      handlers: {
        order: async (job) => {
          seen.push(job);
          if (!fixed) throw new PermanentJobError('subcontractor refused');
        },
      },
    }).start();
    const id = await enqueue(db, 'order', {});
    await waitFor(async () => (await row(id!))?.state === 'dead', 3000, 'the job to die');
    expect(await queue.retryDead(12345678)).toBe(false);
    fixed = true;
    expect(await queue.retryDead(id!)).toBe(true);
    expect(await queue.retryDead(id!)).toBe(false); // no longer dead
    await waitFor(async () => (await row(id!)) === undefined, 3000, 'the retried job to finish');
    expect(seen).toHaveLength(2);
    expect(seen[1].attempts).toBe(1); // attempts start over
    expect(seen[1].errors).toEqual([expect.objectContaining({ error: 'subcontractor refused' })]);
  });

  it('picks up a job whose worker died once its lease expires', async () => {
    const id = await enqueue(db, 'place-order', { order: 7 });
    // A worker claims it and dies: it never completes, never extends the lease.
    const [claimed] = await queue.claim('worker-that-died', 1, 400);
    expect(claimed.id).toBe(id);

    const runs: { job: Job }[] = [];
    await worker({ handlers: { 'place-order': async (job) => void runs.push({ job }) } }).start();
    await waitFor(() => runs.length === 1, 4000, 'the job to run again');
    // Claimed again because the lease ran out (the claim records that), not while it was held.
    expect(runs[0].job).toMatchObject({ id, payload: { order: 7 }, attempts: 2 });
    expect(runs[0].job.errors).toEqual([expect.objectContaining({ attempt: 1, error: `${LEASE_EXPIRED} (worker worker-that-died)` })]);
    await waitFor(async () => (await row(id!)) === undefined, 3000, 'the job to be done');
  });

  it('buries a job whose worker dies on every attempt instead of running it forever', async () => {
    const id = await enqueue(db, 'poison', {}, { maxAttempts: 2 });
    for (let i = 0; i < 2; i++) {
      const [claimed] = await waitFor(
        async () => {
          const jobs = await queue.claim(`crashing-${i}`, 1, 50);
          return jobs.length ? jobs : undefined;
        },
        2000,
        `claim ${i + 1}`,
      );
      expect(claimed.attempts).toBe(i + 1);
    }
    let calls = 0;
    await worker({ handlers: { poison: async () => void calls++ } }).start();
    const dead = await deadRow(id!, 3000);
    expect(calls).toBe(0);
    expect(dead.errors.at(-1)!.error).toMatch(/lease expired/);
  });

  it('keeps the lease of a long job alive with heartbeats', async () => {
    let done = false;
    await worker({
      leaseMs: 300,
      handlers: {
        slow: async () => {
          await sleep(1200);
          done = true;
        },
      },
    }).start();
    const id = await enqueue(db, 'slow', {});
    await waitFor(async () => (await row(id!))?.state === 'running', 2000, 'the job to start');
    while (!done) {
      expect(await queue.claim('thief', 1, 30_000)).toEqual([]);
      await sleep(100);
    }
    await waitFor(async () => (await row(id!)) === undefined, 2000, 'the job to finish');
  });

  it('caps concurrency per group key', async () => {
    let running = 0;
    let peak = 0;
    const perGroup = new Map<string, number>();
    let groupPeak = 0;
    await worker({
      concurrency: 8,
      groupConcurrency: () => 1,
      handlers: {
        call: async (job) => {
          const g = job.groupKey!;
          running++;
          perGroup.set(g, (perGroup.get(g) ?? 0) + 1);
          peak = Math.max(peak, running);
          groupPeak = Math.max(groupPeak, perGroup.get(g)!);
          await sleep(60);
          running--;
          perGroup.set(g, perGroup.get(g)! - 1);
        },
      },
    }).start();
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < 4; i++) {
        await enqueue(trx, 'call', { i }, { groupKey: 'org-a' });
        await enqueue(trx, 'call', { i }, { groupKey: 'org-b' });
      }
    });
    await waitFor(async () => (await allRows()).length === 0, 5000, 'all jobs to finish');
    expect(groupPeak).toBe(1);
    expect(peak).toBe(2); // the two groups did run side by side
  });

  it('stop() waits for running jobs; a job outliving the timeout comes back after its lease', async () => {
    let finished = 0;
    // A job sleeps for its payload's ms, then counts itself finished.
    const sleeper = () =>
      worker({
        leaseMs: 300,
        handlers: {
          job: async (job) => {
            await sleep(job.payload.ms as number);
            finished++;
          },
        },
      });
    const w = sleeper();
    await w.start();
    await enqueue(db, 'job', { ms: 200 });
    await waitFor(async () => (await allRows())[0]?.state === 'running', 2000, 'the job to start');
    await w.stop(5000);
    expect(finished).toBe(1);
    expect(await allRows()).toEqual([]);

    const w2 = sleeper();
    await w2.start();
    const id = await enqueue(db, 'job', { ms: 5000 });
    await waitFor(async () => (await row(id!))?.state === 'running', 2000, 'the long job to start');
    await w2.stop(100);
    expect(finished).toBe(1); // stop() returned while the 5-second job was still running
    const [again] = await waitFor(
      async () => {
        const jobs = await queue.claim('next', 1, 30_000);
        return jobs.length ? jobs : undefined;
      },
      3000,
      'the lease to run out',
    );
    expect(again).toMatchObject({ id, attempts: 2 });
  });
});

describe('wake-up', () => {
  it('starts a due job on NOTIFY well before the poll interval', async () => {
    const ran: string[] = [];
    // Polling once an hour: within this test only a wake-up can start a job after the first claim.
    await worker({ pollIntervalMs: 3_600_000, handlers: { marker: async () => void ran.push('marker'), ping: async () => void ran.push('ping') } }).start();
    await enqueue(db, 'marker', {});
    await waitFor(() => ran.length === 1, 3000, 'the marker job: the worker has claimed and now sleeps');
    // On PostgreSQL the job comes from another connection (another replica); PGlite has one.
    const producer = lane === 'postgres' ? (await secondHandle()).db : db;
    await enqueue(producer, 'ping', {});
    await waitFor(() => ran.length === 2, 3000, 'the job to run');
    expect(ran).toEqual(['marker', 'ping']);
  });

  it('wakes on a commit of an enqueueing transaction, and on retryDead', async () => {
    const ran: string[] = [];
    let fail = true;
    await worker({
      pollIntervalMs: 3_600_000, // only a wake-up starts a job after the first claim
      handlers: {
        marker: async () => void ran.push('marker'),
        ping: async () => {
          if (fail) throw new PermanentJobError('x');
          ran.push('ping');
        },
      },
    }).start();
    await enqueue(db, 'marker', {});
    await waitFor(() => ran.length === 1, 3000, 'the marker job: the worker has claimed and now sleeps');
    const producer = lane === 'postgres' ? (await secondHandle()).db : db;
    const id = await producer.transaction().execute(async (trx) => {
      const jobId = await enqueue(trx, 'ping', {});
      await sql`select 1`.execute(trx);
      return jobId;
    });
    await waitFor(async () => (await row(id!))?.state === 'dead', 1500, 'the job to run and die');
    fail = false;
    expect(await new JobQueue(producer).retryDead(id!)).toBe(true);
    await waitFor(() => ran.length === 2, 3000, 'the retried job to run');
    expect(ran).toEqual(['marker', 'ping']);
  });
});

// Workers on separate connections to one database: PostgreSQL only (a PGlite database has one connection).
describe('several workers', () => {
  it.skipIf(lane === 'pglite')('two independent workers never run one job at the same time', async () => {
    const a = await secondHandle();
    const b = await secondHandle();
    const inFlight = new Set<number>();
    const runs = new Map<number, number>();
    const overlaps: number[] = [];
    const byWorker = { a: 0, b: 0 };
    const handler = (who: 'a' | 'b') => async (job: Job) => {
      if (inFlight.has(job.id)) overlaps.push(job.id);
      inFlight.add(job.id);
      runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
      byWorker[who]++;
      // A few jobs outlive the lease: the heartbeat must keep them from being claimed twice.
      await sleep(job.payload.slow ? 900 : Math.random() * 8);
      inFlight.delete(job.id);
    };
    const wa = new Worker({ database: a, logger, concurrency: 4, leaseMs: 400, pollIntervalMs: 10, handlers: { work: handler('a') }, workerId: 'replica-a' });
    const wb = new Worker({ database: b, logger, concurrency: 4, leaseMs: 400, pollIntervalMs: 10, handlers: { work: handler('b') }, workerId: 'replica-b' });
    workers.push(wa, wb);
    await Promise.all([wa.start(), wb.start()]);

    const ids: number[] = [];
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < 150; i++) ids.push((await enqueue(trx, 'work', { i, slow: i % 50 === 0 }))!);
    });
    await waitFor(async () => (await allRows()).length === 0, 20_000, 'all jobs to finish');

    expect(overlaps).toEqual([]);
    expect(runs.size).toBe(150);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    expect(byWorker.a).toBeGreaterThan(0);
    expect(byWorker.b).toBeGreaterThan(0);
    expect(byWorker.a + byWorker.b).toBe(150);
  });

  it.skipIf(lane === 'pglite')('concurrent claims from separate connections never hand out a job twice', async () => {
    const handles = [database, await secondHandle(), await secondHandle()];
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < 60; i++) await enqueue(trx, 'k', { i });
    });
    const claimed: number[] = [];
    await Promise.all(
      handles.map(async (h, n) => {
        const q = new JobQueue(h.db);
        for (;;) {
          const jobs = await q.claim(`c${n}`, 3, 30_000);
          if (jobs.length === 0) return;
          claimed.push(...jobs.map((j) => j.id));
        }
      }),
    );
    expect(claimed).toHaveLength(60);
    expect(new Set(claimed).size).toBe(60);
  });
});
