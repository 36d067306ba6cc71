// withTransaction: one transaction per unit of work, joined (not nested, not a second one) when
// the caller is inside a transaction already.
import { describe, expect, it } from 'vitest';
import { withTransaction } from '../../src/db/database.ts';
import { testDatabase } from '../helpers/db.ts';
import { insertBareCase } from '../helpers/fixtures.ts';

const database = await testDatabase();
const db = database.db;
const ID = '00000000-0000-4000-8000-0000000000aa';
const exists = async () => (await db.selectFrom('cases').select('id').where('id', '=', ID).execute()).length === 1;

describe('withTransaction', () => {
  it('joins an outer transaction: the same handle, and what the inner part wrote goes when the outer rolls back', async () => {
    let inner: unknown;
    await expect(
      withTransaction(db, async (outer) => {
        await withTransaction(outer, async (trx) => {
          inner = trx;
          await insertBareCase(trx, ID, 'KS-JOINED');
        });
        expect(inner).toBe(outer);
        throw new Error('the outer unit of work fails');
      }),
    ).rejects.toThrow('the outer unit of work fails');
    expect(await exists()).toBe(false);
  });

  it('commits on its own when called outside a transaction', async () => {
    await withTransaction(db, (trx) => insertBareCase(trx, ID, 'KS-ALONE'));
    expect(await exists()).toBe(true);
  });
});
