// ACCESS_LOG_RETENTION_DAYS: rows older than the retention are purged in batches; newer stay.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AccessLogRetention, purgeAccessLog } from '../../src/access-log/access-log.ts';
import { testDatabase } from '../helpers/db.ts';

const { db } = await testDatabase();
const DAY = 86_400_000;
const now = new Date('2026-11-25T12:00:00Z');

async function seed(ageDays: number[]) {
  await db.deleteFrom('access_log').execute();
  await db
    .insertInto('access_log')
    .values(
      ageDays.map((age) => ({
        at: new Date(now.getTime() - age * DAY),
        actor_role: 'citizen' as const,
        actor: 'self',
        purpose: 'citizen-view',
        case_id: randomUUID(),
        subject_bsn: '111222333',
        mandate_id: null,
        organisation: null,
        request_id: null,
        trace_id: null,
      })),
    )
    .execute();
}
const ages = async () =>
  (await db.selectFrom('access_log').select('at').orderBy('at').execute()).map((r) => Math.round((now.getTime() - new Date(r.at).getTime()) / DAY));

describe('access log retention', () => {
  it('deletes everything older than the cut-off in batches and keeps the rest', async () => {
    await seed([1, 10, 399, 401, 402, 500, 800, 900, 1000]);
    const deleted = await purgeAccessLog(db, new Date(now.getTime() - 400 * DAY), 2);
    expect(deleted).toBe(6);
    expect((await ages()).sort((a, b) => a - b)).toEqual([1, 10, 399]);
  });

  it('AccessLogRetention uses ACCESS_LOG_RETENTION_DAYS', async () => {
    await seed([0, 29, 31, 60]);
    const retention = new AccessLogRetention({ db, retentionDays: 30 });
    expect(await retention.runOnce(now)).toBe(2);
    expect((await ages()).sort((a, b) => a - b)).toEqual([0, 29]);
    await retention.stop();
  });
});
