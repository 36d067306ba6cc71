import { defineConfig } from 'vitest/config';

// `npm run test:interop`: the chain against real Open Zaak 1.25.0 and Open Notificaties 1.11.0 from
// the shared rig (test/interop/README.md). One file at a time: they share the rig and stop parts of it.
export default defineConfig({
  test: {
    include: ['test/interop/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
    globalSetup: ['test/interop/lib/global-setup.ts'],
    env: { KS_TEST_LANE: process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite' },
  },
});
