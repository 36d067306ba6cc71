/**
 * Repeats a batched delete until a batch removes fewer than `batchSize` rows: short transactions, so
 * a purge of months never holds a long lock. Returns how many rows went.
 */
export async function purgeInBatches(batchSize: number, deleteBatch: (limit: number) => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await deleteBatch(batchSize);
    total += n;
    if (n < batchSize) return total;
  }
}
