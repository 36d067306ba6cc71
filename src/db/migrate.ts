import { Migrator } from 'kysely/migration';
import { migrations } from '../../db/migrations/index.ts';
import type { Db } from './database.ts';

export class MigrationError extends Error {}

/** Runs pending migrations. On PostgreSQL Kysely holds an advisory lock, so concurrent starts are safe. */
export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new MigrationError(`migration ${failed?.migrationName ?? ''} failed: ${String((error as Error)?.message ?? error)}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
