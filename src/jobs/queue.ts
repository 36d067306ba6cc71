// The durable job queue: rows in `jobs`, enqueued inside the caller's transaction, claimed
// with FOR UPDATE SKIP LOCKED under a lease. Done jobs are deleted; dead ones stay for operators.
import { type Selectable, sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { json } from '../db/json.ts';
import type { JobError, JobsTable } from '../../db/schema.ts';
import type { Metrics } from '../metrics.ts';

export const JOBS_CHANNEL = 'ketenstatus_jobs';
/** Recorded in a job's errors when its lease ran out: the attempt ended without an outcome. */
export const LEASE_EXPIRED = 'lease expired: the worker stopped or died during this attempt';

export interface Job<P = Record<string, unknown>> {
  id: number;
  kind: string;
  payload: P;
  attempts: number;
  maxAttempts: number;
  groupKey: string | null;
  errors: JobError[];
  createdAt: Date;
}

export interface EnqueueOptions {
  delayMs?: number;
  runAt?: Date;
  maxAttempts?: number;
  /** While a job with this key waits, enqueueing again adds nothing (coalescing); the waiting job becomes due at the earlier of the two times. */
  dedupeKey?: string;
  /** Jobs of one group share a concurrency cap (e.g. one organisation). */
  groupKey?: string;
}

/**
 * A job waiting under its dedupe key (the partial unique index's predicate): the one spelling of the
 * coalescing rule, for enqueue and ON_WAITING_JOB alike.
 */
const WAITING_JOB = sql<boolean>`state = 'queued' and dedupe_key is not null`;

/** Enqueue inside the caller's transaction; returns the id, or undefined when coalesced. */
export async function enqueue(db: Db, kind: string, payload: Record<string, unknown>, options: EnqueueOptions = {}): Promise<number | undefined> {
  const runAt = options.runAt ?? (options.delayMs ? new Date(Date.now() + options.delayMs) : undefined);
  const row = await db
    .insertInto('jobs')
    .values({
      kind,
      payload: json(payload),
      ...(runAt ? { run_at: runAt } : {}),
      ...(options.maxAttempts ? { max_attempts: options.maxAttempts } : {}),
      dedupe_key: options.dedupeKey ?? null,
      group_key: options.groupKey ?? null,
    })
    // One queued job per dedupe key, due at the earliest time anyone asked for: a sync requested
    // now must not wait behind a queued duplicate's debounce or retry backoff.
    .onConflict((oc) => oc.column('dedupe_key').where(WAITING_JOB).doUpdateSet({ run_at: sql`least(jobs.run_at, excluded.run_at)` }))
    .returning(['id', sql<boolean>`xmax = 0`.as('inserted')]) // xmax 0: a new row, not the waiting one
    .executeTakeFirst();
  if (row && !runAt) await wakeWorkers(db);
  return row?.inserted ? row.id : undefined;
}

/** Tells every worker listening (in any replica) that a job is due now; sent at commit. */
export async function wakeWorkers(db: Db): Promise<void> {
  await sql`select ${WAKE_WORKERS}`.execute(db);
}

// For set-based statements that queue jobs (a sync per order, a notice plan per case): the same
// rules as enqueue's, spelt out here only.
/** wakeWorkers as an expression, for a statement's select list or returning clause. */
export const WAKE_WORKERS = sql`pg_notify(${JOBS_CHANNEL}, '')`;
/** The conflict target of a waiting job with the same dedupe key (the jobs table's partial unique index). */
export const ON_WAITING_JOB = sql`on conflict (dedupe_key) where ${WAITING_JOB}`;

export class JobQueue {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  async claim(workerId: string, limit: number, leaseMs: number, excludeGroups: string[] = []): Promise<Job[]> {
    return (await this.claimBatch(workerId, limit, leaseMs, excludeGroups)).jobs;
  }

  /**
   * Claims up to `limit` due jobs (or jobs whose lease ran out) and, in the same round trip, when
   * the earliest job left queued is due: the worker sleeps until then instead of asking again.
   */
  async claimBatch(workerId: string, limit: number, leaseMs: number, excludeGroups: string[] = []): Promise<{ jobs: Job[]; nextRunAt?: Date }> {
    if (limit <= 0) return { jobs: [] };
    const exclude = excludeGroups.length > 0 ? sql`and (group_key is null or group_key not in (${sql.join(excludeGroups)}))` : sql``;
    const result = await sql<Partial<JobRow> & { next_run_at: Date | null }>`
      with claimed as (
        update jobs set state = 'running', attempts = attempts + 1, locked_by = ${workerId},
          lease_until = now() + ${leaseMs} * interval '1 millisecond', updated_at = now(),
          -- A running job with an expired lease: its worker stopped or died mid-attempt. Say so in
          -- its errors (SET sees the old row), so the dead letter tells the whole story.
          errors = case when state = 'running' then errors || jsonb_build_array(jsonb_build_object(
            'at', to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
            'attempt', attempts,
            'error', cast(${LEASE_EXPIRED} as text) || ' (worker ' || coalesce(locked_by, '?') || ')')) else errors end
        where id in (
          select id from jobs
          where ((state = 'queued' and run_at <= now()) or (state = 'running' and lease_until < now())) ${exclude}
          order by run_at limit ${limit}
          for update skip locked)
        returning id, kind, payload, attempts, max_attempts, group_key, errors, created_at
      ),
      -- This statement's snapshot still shows the claimed jobs as queued.
      next as (select min(run_at) as next_run_at from jobs where state = 'queued' ${exclude} and id not in (select id from claimed))
      select claimed.*, next.next_run_at from next left join claimed on true`.execute(this.db);
    const next = result.rows[0]?.next_run_at;
    return { jobs: result.rows.filter((r) => r.id != null).map((r) => toJob(r as JobRow)), nextRunAt: next ? new Date(next) : undefined };
  }

  /** Hands claimed jobs back without running them (e.g. over a group's cap): the attempt does not count. */
  async release(workerId: string, jobs: Job[]): Promise<void> {
    for (const job of jobs) {
      await this.db
        .updateTable('jobs')
        .set({ state: 'queued', attempts: sql<number>`attempts - 1`, lease_until: null, locked_by: null, updated_at: new Date() })
        .where('id', '=', job.id)
        .where('locked_by', '=', workerId)
        .where('state', '=', 'running')
        .execute()
        .catch(async (e) => {
          // A copy under the same dedupe key was queued meanwhile: it carries the work.
          if ((e as { code?: string }).code !== '23505') throw e;
          await this.complete(workerId, job.id);
        });
    }
  }

  async extendLeases(workerId: string, ids: number[], leaseMs: number): Promise<void> {
    if (ids.length === 0) return;
    await sql`update jobs set lease_until = now() + ${leaseMs} * interval '1 millisecond'
      where locked_by = ${workerId} and state = 'running' and id in (${sql.join(ids)})`.execute(this.db);
  }

  /** Done: the row goes. Only the lease holder may finish it (a stolen lease means someone else runs it). */
  async complete(workerId: string, id: number): Promise<void> {
    await JobQueue.completeIn(this.db, workerId, id);
  }

  /** `complete` inside a caller's transaction. */
  static async completeIn(db: Db, workerId: string, id: number): Promise<void> {
    await db.deleteFrom('jobs').where('id', '=', id).where('locked_by', '=', workerId).where('state', '=', 'running').execute();
  }

  async reschedule(workerId: string, job: Job, delayMs: number, error: string | undefined): Promise<void> {
    const errors = error ? [...job.errors, entry(job, error)].slice(-20) : job.errors;
    await this.db
      .updateTable('jobs')
      .set({ state: 'queued', run_at: new Date(Date.now() + delayMs), lease_until: null, locked_by: null, errors: json(errors), updated_at: new Date() })
      .where('id', '=', job.id)
      .where('locked_by', '=', workerId)
      .execute()
      .catch(async (e) => {
        // Another copy of this job is already queued under the same dedupe key: it carries the work.
        if ((e as { code?: string }).code !== '23505') throw e;
        await this.complete(workerId, job.id);
      });
  }

  /** Not attempted after all: back in the queue at `delayMs`, the attempt handed back, no error recorded. */
  async defer(workerId: string, job: Job, delayMs: number): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set({
        state: 'queued',
        attempts: sql<number>`greatest(attempts - 1, 0)`,
        run_at: new Date(Date.now() + delayMs),
        lease_until: null,
        locked_by: null,
        updated_at: new Date(),
      })
      .where('id', '=', job.id)
      .where('locked_by', '=', workerId)
      .execute()
      .catch(async (e) => {
        // Another copy of this job is already queued under the same dedupe key: it carries the work.
        if ((e as { code?: string }).code !== '23505') throw e;
        await this.complete(workerId, job.id);
      });
  }

  async bury(workerId: string, job: Job, error: string): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set({
        state: 'dead',
        lease_until: null,
        locked_by: null,
        dedupe_key: null,
        errors: json([...job.errors, entry(job, error)].slice(-20)),
        updated_at: new Date(),
      })
      .where('id', '=', job.id)
      .where('locked_by', '=', workerId)
      .execute();
  }

  /** An operator sends a dead job round again. */
  async retryDead(id: number): Promise<boolean> {
    const result = await this.db
      .updateTable('jobs')
      .set({ state: 'queued', run_at: new Date(), attempts: 0, updated_at: new Date() })
      .where('id', '=', id)
      .where('state', '=', 'dead')
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) > 0) await wakeWorkers(this.db);
    return Number(result.numUpdatedRows) > 0;
  }

  /** Jobs in one state, most recently changed first, and how many there are in that state. */
  async list(state: 'queued' | 'running' | 'dead', limit: number, offset = 0) {
    const base = this.db.selectFrom('jobs').where('state', '=', state);
    const [rows, count] = await Promise.all([
      base.selectAll().orderBy('updated_at', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, count: Number(count.n) };
  }

  /** How many jobs each group (an organisation) has in each state. */
  async countsByGroup(): Promise<{ group: string; state: string; n: number }[]> {
    const rows = await this.db
      .selectFrom('jobs')
      .select(['group_key', 'state', (eb) => eb.fn.countAll<number>().as('n')])
      .where('group_key', 'is not', null)
      .groupBy(['group_key', 'state'])
      .execute();
    return rows.map((r) => ({ group: r.group_key!, state: r.state, n: Number(r.n) }));
  }

  async counts(): Promise<{ kind: string; state: string; n: number }[]> {
    const rows = await this.db
      .selectFrom('jobs')
      .select(['kind', 'state', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy(['kind', 'state'])
      .execute();
    return rows.map((r) => ({ kind: r.kind, state: r.state, n: Number(r.n) }));
  }

  async refreshMetrics(metrics: Metrics): Promise<void> {
    const counts = await this.counts();
    metrics.jobQueue.reset();
    for (const c of counts) metrics.jobQueue.set({ kind: c.kind, state: c.state }, c.n);
  }
}

type JobRow = Pick<Selectable<JobsTable>, 'id' | 'kind' | 'payload' | 'attempts' | 'max_attempts' | 'group_key' | 'errors' | 'created_at'>;

function toJob(r: JobRow): Job {
  return {
    id: Number(r.id),
    kind: r.kind,
    payload: r.payload,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    groupKey: r.group_key,
    errors: r.errors ?? [],
    createdAt: r.created_at,
  };
}

function entry(job: Job, error: string): JobError {
  return { at: new Date().toISOString(), attempt: job.attempts, error: error.slice(0, 2000) };
}
