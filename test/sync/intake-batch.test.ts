// Group commit of the notification intake: concurrent notifications share statements, and each
// caller still gets its own outcome — stored once, duplicates (also within one batch) not again,
// untracked ones not at all.
import { describe, expect, it } from 'vitest';
import { IntakeResultError, IntakeService, identityKey, matchOutcomes, type IntakeRow, type Item, type Notification } from '../../src/sync/intake.ts';
import { createMetrics } from '../../src/metrics.ts';
import { testDatabase } from '../helpers/db.ts';
import { insertBareCase } from '../helpers/fixtures.ts';

const database = await testDatabase();
const db = database.db;
const caseId = '00000000-0000-4000-8000-00000000ca5e';
const orderIds = ['00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000a2'];
const zaak = (k: number) => `https://zaken.example/zaken/api/v1/zaken/${k}`;
await insertBareCase(db, caseId, 'KS-BATCH');
for (const [k, id] of orderIds.entries()) {
  await db
    .insertInto('orders')
    .values({
      id,
      case_id: caseId,
      subcontractor: 'batch-bv',
      product: 'traplift',
      description: null,
      state: 'placed',
      planned_identificatie: `KS-${k}`,
      remote_zaak_url: zaak(k),
      failure: null as never,
      status: null as never,
    })
    .execute();
}
const intake = new IntakeService({ database, debounceMs: 60_000, metrics: createMetrics() });
const notification = (k: number, i: number): Notification => ({
  kanaal: 'zaken',
  hoofdObject: zaak(k),
  resource: 'status',
  resourceUrl: `https://zaken.example/zaken/api/v1/statussen/${k}-${i}`,
  actie: 'create',
  aanmaakdatum: '2026-11-25T10:00:00Z',
});

describe('intake group commit', () => {
  it('stores each notification once whatever the concurrency, and tells every caller what happened', async () => {
    const sends: Promise<string>[] = [];
    for (let i = 0; i < 40; i++) {
      sends.push(intake.accept('batch-bv', notification(i % 2, i % 20))); // every notification twice
      if (i % 7 === 0) sends.push(intake.accept('batch-bv', notification(9, i))); // a zaak nobody ordered
      if (i % 13 === 0) sends.push(intake.accept('other-bv', notification(0, i))); // another sender's claim on our zaak
    }
    const outcomes = await Promise.all(sends);
    const count = (o: string) => outcomes.filter((x) => x === o).length;
    expect(count('stored')).toBe(20);
    expect(count('duplicate')).toBe(20);
    expect(count('untracked')).toBe(outcomes.length - 40);
    expect(await db.selectFrom('inbox').select('id').execute()).toHaveLength(20);
    const jobs = await db.selectFrom('jobs').select(['dedupe_key', 'group_key']).orderBy('dedupe_key').execute();
    expect(jobs).toEqual(orderIds.map((id) => ({ dedupe_key: `sync:${id}`, group_key: 'batch-bv' })));
    const stamped = await db.selectFrom('orders').select('last_notification_at').execute();
    expect(stamped.every((o) => o.last_notification_at !== null)).toBe(true);

    const again = await Promise.all(Array.from({ length: 20 }, (_, i) => intake.accept('batch-bv', notification(i % 2, i))));
    expect(again.every((o) => o === 'duplicate')).toBe(true);
    expect(await db.selectFrom('inbox').select('id').execute()).toHaveLength(20);
  });
});

describe("the intake statement's answer", () => {
  // Three notifications: 0 and 1 tracked, 2 untracked. Only 0 was inserted (1 is a duplicate).
  const items: Item[] = [0, 1, 2].map((ord) => ({
    ord,
    org: 'batch-bv',
    zaak: zaak(ord),
    kanaal: 'zaken',
    resource_url: `s-${ord}`,
    actie: 'create',
    aanmaakdatum: '2026-11-25T10:00:00Z',
  }));
  const byKey = new Map(items.map((i) => [identityKey(i.org, i.kanaal, i.resource_url, i.actie, i.aanmaakdatum), i]));
  const row0 = ['batch-bv', 'zaken', 's-0', 'create', '2026-11-25T10:00:00Z'];
  const answer = (over: Partial<IntakeRow> = {}): IntakeRow[] => [{ nonce: 'n1', tracked: 'ttu', inserted: [row0], ...over }];

  it('gives each notification its outcome', () => {
    expect(matchOutcomes(items, byKey, answer(), 'n1')).toEqual(['stored', 'duplicate', 'untracked']);
  });

  it.each([
    ["another statement's nonce", answer({ nonce: 'n2' })],
    ['no row', []],
    ['two rows', [...answer(), ...answer()]],
    ['a letter too few', answer({ tracked: 'tt' })],
    ['an unknown letter', answer({ tracked: 'txu' })],
    ['an inserted row nobody sent', answer({ inserted: [['batch-bv', 'zaken', 's-9', 'create', '2026-11-25T10:00:00Z']] })],
    ['an inserted row for an untracked notification', answer({ inserted: [['batch-bv', 'zaken', 's-2', 'create', '2026-11-25T10:00:00Z']] })],
    ['the same row inserted twice', answer({ inserted: [row0, row0] })],
    ['inserted rows that are not a list', answer({ inserted: { row0 } })],
  ])('refuses an answer with %s (503, never a 204 for a notification that was not stored)', (_, rows) => {
    expect(() => matchOutcomes(items, byKey, rows, 'n1')).toThrow(IntakeResultError);
  });
});
