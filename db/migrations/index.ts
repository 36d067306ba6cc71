import type { Migration } from 'kysely/migration';
import * as foundation from './20261125_01_foundation.ts';

// Listed explicitly (not read from disk) so migrations work the same from any working directory.
export const migrations: Record<string, Migration> = {
  '20261125_01_foundation': foundation,
};
