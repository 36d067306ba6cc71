// "Nothing more will happen" as a definite event instead of a sleep: a test that asserts something
// did NOT happen first waits until the work that could make it happen is finished.
import { sql } from 'kysely';
import type { Db } from '../../src/db/database.ts';
import { waitFor } from './wait.ts';

/**
 * Resolves once nothing more will be written or sent about a case: no job queued or running for it
 * or its orders (a placement or sync that may still write case events), and then every delivery of
 * its events delivered or dead. Checked in that order: a job that ends between the two checks wrote
 * its events and their deliveries (one transaction) before it ended. Fails after timeoutMs.
 */
export async function caseSettled(db: Db, caseId: string, timeoutMs = 15_000): Promise<void> {
  await waitFor(
    async () => {
      const jobs = await sql<{ n: number }>`
      select count(*)::int as n from jobs
      where state in ('queued', 'running')
        and (payload->>'caseId' = ${caseId} or payload->>'orderId' in (select id::text from orders where case_id = ${caseId}))`.execute(db);
      if (jobs.rows[0].n > 0) return false;
      const open = await sql<{ n: number }>`
      select count(*)::int as n from deliveries where case_id = ${caseId} and state not in ('delivered', 'dead')`.execute(db);
      return open.rows[0].n === 0;
    },
    timeoutMs,
    `case ${caseId} settled (no jobs, every delivery final)`,
  );
}
