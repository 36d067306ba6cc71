import { defineConfig } from 'vitest/config';

// The suite runs once on embedded PGlite and, when TEST_DATABASE_URL is set, once more on
// PostgreSQL (a fresh database per test file).
const lanes = [
  { name: 'pglite', env: { KS_TEST_LANE: 'pglite' } },
  ...(process.env.TEST_DATABASE_URL ? [{ name: 'postgres', env: { KS_TEST_LANE: 'postgres' } }] : []),
];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: lanes.map((lane) => ({
      extends: true,
      test: {
        name: lane.name,
        env: lane.env,
        include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
        exclude: ['test/reliability/**', 'test/interop/**', 'node_modules/**'],
        setupFiles: ['test/helpers/lane-marker.ts'],
      },
    })),
  },
});
