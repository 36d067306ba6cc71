// Leaves a mark per database lane so .ci/run can prove the PostgreSQL lane really ran.
import { appendFileSync, mkdirSync } from 'node:fs';
import { afterAll, expect } from 'vitest';

afterAll(() => {
  const lane = process.env.KS_TEST_LANE ?? 'pglite';
  mkdirSync('test-artifacts/lanes', { recursive: true });
  appendFileSync(`test-artifacts/lanes/${lane}`, `${expect.getState().testPath ?? 'unknown'}\n`);
});
