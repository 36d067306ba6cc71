import { randomBytes } from 'node:crypto';
import { afterAll } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';

export const lane = (process.env.KS_TEST_LANE ?? 'pglite') as 'pglite' | 'postgres';

/** A fresh migrated database URL for this test file: in-memory PGlite, or a new PostgreSQL database. */
export async function freshDatabaseUrl(): Promise<string> {
  if (lane === 'pglite') return 'memory://';
  const base = process.env.TEST_DATABASE_URL;
  if (!base) throw new Error('KS_TEST_LANE=postgres needs TEST_DATABASE_URL');
  const name = `ks_test_${randomBytes(6).toString('hex')}`;
  const { default: postgres } = await import('postgres');
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  afterAll(async () => {
    const cleanup = postgres(base, { max: 1, onnotice: () => {} });
    await cleanup.unsafe(`drop database if exists ${name} with (force)`).catch(() => undefined);
    await cleanup.end();
  });
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Opens (and closes after the file) a migrated database for the current lane. */
export async function testDatabase(): Promise<Database> {
  const database = await openDatabase(await freshDatabaseUrl());
  await migrateToLatest(database.db);
  afterAll(() => database.close());
  return database;
}
