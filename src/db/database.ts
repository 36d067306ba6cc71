// One handle type for both engines: embedded PGlite (default, single process) and real
// PostgreSQL through postgres.js (scale-out). Callers only see Kysely plus a few capabilities.
import { mkdirSync, openSync, closeSync, writeSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Kysely, PGliteDialect, sql, type Transaction } from 'kysely';
import { PostgresJSDialect } from 'kysely-postgres-js';
import { PGlite } from '@electric-sql/pglite';
import type { DB } from '../../db/schema.ts';
import { dialectClient } from './postgres-client.ts';

export type Db = Kysely<DB>;
/** A handle inside a transaction: what locks (FOR UPDATE) and what must commit together take. */
export type Trx = Transaction<DB>;

/** Runs `fn` in a transaction; called with a transaction already (`db.isTransaction`), joins it. */
export function withTransaction<T>(db: Db, fn: (trx: Trx) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db as Trx) : db.transaction().execute(fn);
}

/**
 * Lets the rest of `trx` keep generic plans (the pool plans every statement, see openPostgres). Only
 * for a transaction whose partial-index and ON CONFLICT predicates are literals, as the sync's are.
 */
export async function cachePlans(trx: Trx): Promise<void> {
  await sql`set local plan_cache_mode = auto`.execute(trx);
}

export interface Database {
  db: Db;
  /**
   * The notification intake's own connections (PostgreSQL: a pool of two, with cached generic
   * plans; PGlite: `db`). Its group-commit statement has a fixed text whose plan does not depend
   * on the values, so planning it again for every batch (as `db` does, see below) is waste — at
   * small batches most of its cost. Its own pool also keeps intake from queueing for a connection
   * behind the job workers.
   */
  intakeDb: Db;
  /**
   * The job workers' claims and bookkeeping (PostgreSQL: one connection of its own; PGlite: `db`),
   * so a claim never waits for a connection behind the jobs it would start.
   */
  queueDb: Db;
  engine: 'pglite' | 'postgres';
  /** LISTEN on a channel (pg_notify wakes every process on PostgreSQL, the one process on PGlite). */
  listen(channel: string, onNotify: () => void): Promise<() => Promise<void>>;
  ping(timeoutMs?: number): Promise<boolean>;
  /** Deadline per query and per wait for a connection (PostgreSQL; 0 = none). */
  setQueryTimeout(ms: number): void;
  close(): Promise<void>;
}

export class DataDirectoryLockedError extends Error {}

export async function openDatabase(url: string, options: { maxConnections?: number; queryTimeoutMs?: number } = {}): Promise<Database> {
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgres(url, options.maxConnections ?? 10, options.queryTimeoutMs ?? 0);
  return openPglite(url);
}

async function openPostgres(url: string, max: number, queryTimeoutMs: number): Promise<Database> {
  let deadline = queryTimeoutMs;
  // Patched at install time (patches/postgres+3.4.9.patch, docs/ARCHITECTURE.md): a reset connection
  // fails its queries instead of crashing the process. Loaded only when PostgreSQL is used.
  const { default: postgres } = await import('postgres');
  const connect = (poolSize: number, planCacheMode: 'force_custom_plan' | 'auto') => {
    const client = postgres(url, {
      max: poolSize,
      onnotice: () => {},
      connect_timeout: 10,
      connection: { plan_cache_mode: planCacheMode },
      // int8 (counts, bigserial ids) as number, as PGlite does; our ids stay far below 2^53.
      types: { int8: { to: 20, from: [20], serialize: (v: number) => String(v), parse: (v: string) => Number(v) } },
    });
    const db = new Kysely<DB>({ dialect: new PostgresJSDialect({ postgres: (async () => dialectClient(client, () => deadline)) as never }) });
    return { client, db };
  };
  // Statements are prepared (src/db/postgres-client.ts) to save a round trip, but planned with
  // their values each time, as unprepared ones are: a generic plan cannot use a partial index
  // (`where state = 'queued'`) for a parameterised `state = $1`, nor match a parameterised
  // ON CONFLICT ... WHERE against a partial unique index.
  const main = connect(max, 'force_custom_plan');
  const intake = connect(INTAKE_CONNECTIONS, 'auto');
  // The queue's claims and bookkeeping have no ON CONFLICT and no parameterised partial-index predicate.
  const queue = connect(QUEUE_CONNECTIONS, 'auto');
  const { client, db } = main;
  return {
    db,
    intakeDb: intake.db,
    queueDb: queue.db,
    engine: 'postgres',
    setQueryTimeout: (ms) => {
      deadline = ms;
    },
    async listen(channel, onNotify) {
      const sub = await client.listen(channel, () => onNotify());
      return () => sub.unlisten();
    },
    ping: (timeoutMs = 2000) => pingWith(db, timeoutMs),
    async close() {
      // postgres.js never resolves end() for a connection that was reserved (Kysely reserves one
      // per query) when end() began and released afterwards (porsager/postgres#925): a query still
      // in flight at shutdown would hang the process. Give stragglers a grace period, then cut.
      await Promise.all([main, intake, queue].map((pool) => pool.client.end({ timeout: CLOSE_GRACE_SECONDS })));
      await Promise.all([main, intake, queue].map((pool) => pool.db.destroy()));
    },
  };
}

/**
 * Statements the notification intake keeps in flight at once (src/sync/intake.ts), and so the
 * connections of its own pool: one can wait for its WAL flush while the next executes.
 */
export const INTAKE_CONNECTIONS = 2;

/** The job queue's own connections (claims, completions, retries; src/jobs). */
export const QUEUE_CONNECTIONS = 1;

/** How long close() lets queries still running finish before it cuts their connections. */
const CLOSE_GRACE_SECONDS = 2;

async function openPglite(url: string): Promise<Database> {
  const inMemory = url === 'memory://' || url.startsWith('memory://');
  let releaseLock = () => {};
  let dataDir: string | undefined;
  if (!inMemory) {
    dataDir = resolve(url.replace(/^file:\/\//, ''));
    mkdirSync(dataDir, { recursive: true });
    releaseLock = lockDataDirectory(dataDir);
  }
  const pg = new PGlite(inMemory ? undefined : dataDir);
  try {
    await pg.waitReady;
  } catch (error) {
    releaseLock();
    throw error;
  }
  const db = new Kysely<DB>({ dialect: new PGliteDialect({ pglite: pg as never }) });
  return {
    db,
    intakeDb: db,
    queueDb: db,
    engine: 'pglite',
    setQueryTimeout: () => {}, // one in-process connection: nothing on the network to wait for
    async listen(channel, onNotify) {
      return pg.listen(channel, () => onNotify());
    },
    ping: (timeoutMs = 2000) => pingWith(db, timeoutMs),
    async close() {
      await db.destroy();
      if (!pg.closed) await pg.close();
      releaseLock();
    },
  };
}

async function pingWith(db: Db, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<false>((r) => (timer = setTimeout(() => r(false), timeoutMs)));
    const query = sql`select 1 as ok`.execute(db).then(
      () => true,
      () => false,
    );
    return await Promise.race([query, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// PGlite is single-process: a second gateway on the same directory would corrupt it.
function lockDataDirectory(dir: string): () => void {
  const lockPath = join(dir, 'ketenstatus.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(lockPath, 'utf8').trim());
      if (holder && holder !== process.pid && isAlive(holder)) {
        throw new DataDirectoryLockedError(
          `the PGlite data directory ${dir} is in use by process ${holder}; PGlite allows one gateway process per directory (use PostgreSQL to run several)`,
        );
      }
      rmSync(lockPath, { force: true }); // stale lock from a process that died
    }
  }
  throw new DataDirectoryLockedError(`could not lock the PGlite data directory ${dir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
