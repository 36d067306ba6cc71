// Two syncs of one order can overlap: the one that fetched first may write last. Facts fetched
// before those the order shows must not put an older status back; newer facts always win, also
// when they name an older status (the subcontractor deleted a wrong one).
import { describe, expect, it } from 'vitest';
import { applyFacts, markGone, type RemoteStatus } from '../../src/sync/apply.ts';
import { createLogger } from '../../src/log.ts';
import { NetworkService } from '../../src/network/service.ts';
import { testDatabase } from '../helpers/db.ts';
import { insertBareCase, organisation } from '../helpers/fixtures.ts';
import { testNetwork } from '../helpers/gateway.ts';

const database = await testDatabase();
const db = database.db;
const org = organisation('stale-bv');
const network = new NetworkService({ database, definition: testNetwork([org]), env: {}, logger: createLogger('silent') });
await network.start();
const caseId = '00000000-0000-4000-8000-00000000c0de';
const orderId = '00000000-0000-4000-8000-00000000000d';
await insertBareCase(db, caseId, 'KS-STALE');
await db
  .insertInto('orders')
  .values({
    id: orderId,
    case_id: caseId,
    subcontractor: org.id,
    product: 'traplift',
    description: null,
    state: 'placed',
    planned_identificatie: 'KS-D',
    remote_zaak_url: 'https://zaken.example/zaken/api/v1/zaken/d',
    failure: null as never,
    status: null as never,
  })
  .execute();
const order = async () => await db.selectFrom('orders').selectAll().where('id', '=', orderId).executeTakeFirstOrThrow();
const status = (n: number, at: string): RemoteStatus => ({
  url: `https://zaken.example/zaken/api/v1/statussen/${n}`,
  datumStatusGezet: at,
  statustype: { url: `https://catalogi.example/statustypen/${n}`, omschrijving: `Status ${n}`, volgnummer: n, isEindstatus: false },
});
const s1 = status(1, '2026-11-25T10:00:00Z');
const s2 = status(2, '2026-11-25T11:00:00Z');
const deps = { database, network, logger: createLogger('silent') };

describe('overlapping syncs', () => {
  it('never replaces a status with one from facts fetched before it', async () => {
    const older = new Date(Date.now() - 1000);
    await applyFacts(deps, await order(), org, { currentStatusUrl: s2.url, statussen: [s1, s2] }, new Date());
    await applyFacts(deps, await order(), org, { currentStatusUrl: s1.url, statussen: [s1] }, older);
    expect(((await order()).status as { url: string }).url).toBe(s2.url);
    const timeline = await db.selectFrom('timeline_entries').select('dedupe_key').where('order_id', '=', orderId).execute();
    expect(timeline.map((t) => t.dedupe_key).sort()).toEqual([s1.url, s2.url]);
  });

  it('leaves a later attempt’s outcome alone: a zaak found gone is not made fresh by facts fetched before', async () => {
    const fetchedBefore = new Date(Date.now() - 1000);
    await markGone(deps, await order(), org, new Date());
    await applyFacts(deps, await order(), org, { currentStatusUrl: s2.url, statussen: [s1, s2] }, fetchedBefore);
    expect(await order()).toMatchObject({ sync_state: 'gone' });
  });

  it('follows a correction: newer facts without the stored status', async () => {
    await applyFacts(deps, await order(), org, { currentStatusUrl: s1.url, statussen: [s1] }, new Date());
    expect(((await order()).status as { url: string }).url).toBe(s1.url);
  });
});

describe('a status set between reading the zaak and reading its statuses', () => {
  it('takes the later one from the list as current', async () => {
    const s3 = status(3, '2026-11-25T12:00:00Z');
    await applyFacts(deps, await order(), org, { currentStatusUrl: s2.url, statussen: [s1, s2, s3] }, new Date());
    expect(((await order()).status as { url: string }).url).toBe(s3.url);
  });
});
