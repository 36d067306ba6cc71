// Table types for Kysely. Keep in step with db/migrations.
import type { ColumnType, Generated, JSONColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T = unknown> = ColumnType<T, T, T>;

export interface OrganisationsTable {
  id: string;
  name: string;
  status: 'pending' | 'active' | 'suspended';
  config: Json<Record<string, unknown>>;
  source: 'file' | 'api';
  source_hash: string | null;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface OrganisationChangesTable {
  id: Generated<number>;
  organisation_id: string;
  action: string;
  actor: string;
  at: Timestamp;
  changes: Json<Record<string, unknown>>;
}

export interface JobsTable {
  id: Generated<number>;
  kind: string;
  payload: Json<Record<string, unknown>>;
  state: ColumnType<'queued' | 'running' | 'dead', 'queued' | 'running' | 'dead' | undefined>;
  run_at: Timestamp;
  attempts: Generated<number>;
  max_attempts: Generated<number>;
  lease_until: Date | null;
  locked_by: string | null;
  dedupe_key: string | null;
  group_key: string | null;
  errors: ColumnType<JobError[], JobError[] | undefined, JobError[]>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface JobError {
  at: string;
  attempt: number;
  error: string;
}

export interface DB {
  organisations: OrganisationsTable;
  organisation_changes: OrganisationChangesTable;
  jobs: JobsTable;
}

export type { JSONColumnType };
