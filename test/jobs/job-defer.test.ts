// Waiting out an outage must not use up a job's attempts: a handler that did not attempt the work
// (the organisation's circuit is open) defers the job; after any number of deferrals the job still
// has all its attempts.
import { afterAll, describe, expect, it } from 'vitest';
import { DeferJobError } from '../../src/jobs/errors.ts';
import { enqueue } from '../../src/jobs/queue.ts';
import { Worker } from '../../src/jobs/worker.ts';
import { createLogger } from '../../src/log.ts';
import { testDatabase } from '../helpers/db.ts';

const database = await testDatabase();
const db = database.db;

describe('deferring a job', () => {
  it('runs it again later without counting an attempt, whatever the number of deferrals', async () => {
    let calls = 0;
    const seen: number[] = [];
    const worker = new Worker({
      database,
      logger: createLogger('silent'),
      pollIntervalMs: 20,
      handlers: {
        'test.defer': async (job) => {
          seen.push(job.attempts);
          if (++calls <= 5) throw new DeferJobError('circuit open', 10);
        },
      },
    });
    afterAll(() => worker.stop(2000));
    const id = await enqueue(db, 'test.defer', {}, { maxAttempts: 2 });
    await worker.start();
    for (let i = 0; i < 300 && (await db.selectFrom('jobs').select('id').where('id', '=', id!).executeTakeFirst()); i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(await db.selectFrom('jobs').selectAll().where('id', '=', id!).executeTakeFirst()).toBeUndefined(); // done, not dead
    expect(calls).toBe(6);
    expect(seen).toEqual([1, 1, 1, 1, 1, 1]);
  });
});
