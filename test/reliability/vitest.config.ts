import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// npm run test:reliability — the gateway as a process on PostgreSQL (TEST_DATABASE_URL's server,
// default the local one) and on PGlite, under kills, outages, overload and fuzzing. One file at a
// time: each one loads both cores. Bounded: every test has its own time limit, the whole run < 10 min.
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['test/reliability/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});
