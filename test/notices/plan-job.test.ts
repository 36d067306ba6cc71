// The notice plan job as the outbox writes it: a transaction writing a citizen notice does not hold
// a lock that another case's writer waits for, a notice written while a plan job runs gets a plan
// job of its own (it is never left to a planner that could not see it), and a customer who cannot
// be reached gets neither an outbox row nor a plan job.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { addEventWithDeliveries, NOTICE_PLAN_JOB } from '../../src/cases/outbox.ts';
import { withTransaction } from '../../src/db/database.ts';
import { JobQueue } from '../../src/jobs/queue.ts';
import { preferencesOf, reachableChannels } from '../../src/notices/preferences.ts';
import { lane, testDatabase } from '../helpers/db.ts';
import { insertBareCase } from '../helpers/fixtures.ts';

const database = await testDatabase();
const db = database.db;
const [A, B, C] = [randomUUID(), randomUUID(), randomUUID()];
const notice = (caseId: string, n: number) => ({ type: 'case.citizen-notice', caseId, payload: { n }, dedupeKey: `notice-${caseId}-${n}` });
/** The bare cases' customer (insertBareCase) can be reached by e-mail, so their notices are planned. */
await db
  .insertInto('notice_preferences')
  .values({ customer_kind: 'bsn', customer_id: '111222333', language: 'nl', email: 'plan@example.org', email_verified_at: new Date(), email_on: true })
  .execute();
const queuedPlanJobs = async () =>
  (await db.selectFrom('jobs').select(['dedupe_key']).where('kind', '=', NOTICE_PLAN_JOB).where('state', '=', 'queued').execute()).map((j) => j.dedupe_key);

describe('the notice plan job', () => {
  // Two connections are needed to hold one transaction open while another runs: PostgreSQL only.
  it.skipIf(lane === 'pglite')('a transaction writing a notice does not hold up a notice about another case', async () => {
    await insertBareCase(db, A, 'ZK-PLAN-A');
    await insertBareCase(db, B, 'ZK-PLAN-B');
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let written!: () => void;
    const firstWritten = new Promise<void>((r) => {
      written = r;
    });
    const first = withTransaction(db, async (trx) => {
      await addEventWithDeliveries(trx, notice(A, 1));
      written();
      await held;
    });
    await firstWritten;
    try {
      // With one shared plan job row, this insert waits for the first transaction's row lock.
      await withTransaction(db, async (trx) => {
        await sql`set local lock_timeout = '3s'`.execute(trx);
        await addEventWithDeliveries(trx, notice(B, 1));
      });
    } finally {
      release();
      await first;
    }
    expect((await queuedPlanJobs()).length).toBeGreaterThanOrEqual(2);
  });

  it('a notice written while a plan job of its case runs is queued a plan job of its own', async () => {
    await insertBareCase(db, C, 'ZK-PLAN-C');
    await withTransaction(db, (trx) => addEventWithDeliveries(trx, notice(C, 1)));
    const queue = new JobQueue(db);
    const claimed = (await queue.claim('test-worker', 100, 60_000)).filter((j) => j.kind === NOTICE_PLAN_JOB);
    expect(claimed.length).toBeGreaterThan(0);
    expect(await queuedPlanJobs()).toEqual([]);
    // The running planner's snapshot may predate this notice: a new queued job must carry it.
    await withTransaction(db, (trx) => addEventWithDeliveries(trx, notice(C, 2)));
    const queued = await queuedPlanJobs();
    expect(queued).toHaveLength(1);
    const due = await db.selectFrom('jobs').select(sql<boolean>`run_at <= now()`.as('due')).where('dedupe_key', '=', queued[0]).executeTakeFirstOrThrow();
    expect(due.due).toBe(true);
  });
  it('writes an outbox row and a plan job exactly when the customer has a channel on and verified (the planner’s rule)', async () => {
    const caseId = randomUUID();
    const bsn = '999993653';
    await insertBareCase(db, caseId, 'ZK-PLAN-REACH');
    await db.updateTable('cases').set({ citizen_bsn: bsn }).where('id', '=', caseId).execute();
    const flags = [false, true];
    let n = 0;
    for (const emailOn of flags)
      for (const emailVerified of flags)
        for (const smsOn of flags)
          for (const phoneVerified of flags) {
            const row = {
              language: 'nl' as const,
              email: 'reach@example.org',
              email_verified_at: emailVerified ? new Date() : null,
              phone: '+31612345678',
              phone_verified_at: phoneVerified ? new Date() : null,
              email_on: emailOn,
              sms_on: smsOn,
            };
            await db.deleteFrom('notice_preferences').where('customer_id', '=', bsn).execute();
            await db
              .insertInto('notice_preferences')
              .values({ customer_kind: 'bsn', customer_id: bsn, ...row })
              .execute();
            await db.deleteFrom('jobs').where('kind', '=', NOTICE_PLAN_JOB).execute();
            const event = await withTransaction(db, (trx) => addEventWithDeliveries(trx, notice(caseId, ++n)));
            const outbox = await db.selectFrom('notice_outbox').select('event_id').where('event_id', '=', event!.id).execute();
            const reachable = reachableChannels(preferencesOf(row)).length > 0;
            expect({ combination: row, outbox: outbox.length, planJobs: (await queuedPlanJobs()).length }).toEqual({
              combination: row,
              outbox: reachable ? 1 : 0,
              planJobs: reachable ? 1 : 0,
            });
          }
    // Both outcomes occurred: the rule is not constant.
    expect(await db.selectFrom('notice_outbox').select('event_id').where('case_id', '=', caseId).execute()).toHaveLength(7);
  });
});
