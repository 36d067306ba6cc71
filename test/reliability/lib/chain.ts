// A gateway process on PostgreSQL or on a PGlite directory, with subcontractors simulated in the
// test process and orders seeded in bulk. Loopback only.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, onTestFinished } from 'vitest';
import { createBenchDatabase, DEFAULT_SERVER_URL, seedOrders } from '../../../bench/lib/database.ts';
import { startGatewayProcess, tail, type GatewayProcess } from '../../../bench/lib/gateway-process.ts';
import { benchNetwork, clientAuthorization, createRemoteZaken, startBenchOrg, type BenchOrg } from '../../../bench/lib/network.ts';
import { openDatabase, type Db } from '../../../src/db/database.ts';
import { migrateToLatest } from '../../../src/db/migrate.ts';

export interface OrgSpec {
  id: string;
  orders: number;
  maxConcurrency?: number;
}

export interface ChainOptions {
  engine: 'postgres' | 'pglite';
  orgs: OrgSpec[];
  env?: Record<string, string>;
  /** Rewrites the database URL the gateway gets (e.g. through a fault proxy). */
  via?: (url: string) => string;
}

export interface ReliabilityChain {
  engine: 'postgres' | 'pglite';
  /** Stops the gateway and the simulators, drops the database (also run after the test or file). */
  close(): Promise<void>;
  gateway: GatewayProcess;
  orgs: Record<string, BenchOrg>;
  zaakUrls: Record<string, string[]>;
  orderIds: Record<string, string[]>;
  databaseUrl: string;
  /** A database handle. On PGlite only while the gateway is stopped (one process per directory). */
  query<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  operator<T = unknown>(path: string): Promise<T>;
}

const ROOT = new URL('../../../', import.meta.url).pathname;

export const serverUrl = () => {
  const url = process.env.TEST_DATABASE_URL;
  return url && /^postgres(ql)?:\/\//.test(url) ? url : DEFAULT_SERVER_URL;
};

/** Cleanups run in reverse order, once, after the test that started the chain (or the file). */
function cleanupStack() {
  const steps: (() => unknown)[] = [];
  let done: Promise<void> | undefined;
  const run = () =>
    (done ??= (async () => {
      for (const step of steps.reverse())
        await Promise.resolve()
          .then(step)
          .catch((e) => process.stderr.write(`cleanup failed: ${(e as Error).message}\n`));
    })());
  try {
    onTestFinished(run); // started inside a test
  } catch {
    afterAll(run); // started while collecting a file or describe
  }
  return { add: (step: () => unknown) => void steps.push(step), run };
}

export async function startReliabilityChain(options: ChainOptions): Promise<ReliabilityChain> {
  const cleanup = cleanupStack();
  const dir = mkdtempSync(join(tmpdir(), `ks-reliability-${options.engine}-`));
  cleanup.add(() => rmSync(dir, { recursive: true, force: true }));
  const orgs: Record<string, BenchOrg> = {};
  const zaakUrls: Record<string, string[]> = {};
  for (const spec of options.orgs) {
    const org = await startBenchOrg(spec.id, { maxConcurrency: spec.maxConcurrency });
    cleanup.add(() => org.sim.close());
    orgs[spec.id] = org;
    zaakUrls[spec.id] = await createRemoteZaken(org, spec.orders);
  }

  let databaseUrl: string;
  let query: ReliabilityChain['query'];
  const orderIds: Record<string, string[]> = {};
  const seed = async (db: Db) => {
    for (const spec of options.orgs) {
      orderIds[spec.id] = await seedOrders(db, { organisationId: spec.id, product: 'traplift', zaakUrls: zaakUrls[spec.id], tag: spec.id });
    }
  };
  if (options.engine === 'postgres') {
    const bench = await createBenchDatabase(serverUrl(), 'ks_reliability');
    cleanup.add(() => bench.drop());
    await seed(bench.db);
    databaseUrl = bench.url;
    query = (fn) => fn(bench.db);
  } else {
    databaseUrl = join(dir, 'pglite');
    const open = async () => {
      const database = await openDatabase(databaseUrl);
      await migrateToLatest(database.db);
      return database;
    };
    const first = await open();
    await seed(first.db);
    await first.close();
    query = async (fn) => {
      const database = await open();
      try {
        return await fn(database.db);
      } finally {
        await database.close();
      }
    };
  }

  // The gateway's network file and log stay as test artefacts (test-artifacts/ is not committed).
  const artefacts = join(ROOT, 'test-artifacts', 'reliability', `${options.orgs.map((o) => o.id).join('+')}-${options.engine}-${Date.now()}`);
  const gateway = await startGatewayProcess({
    databaseUrl: options.via ? options.via(databaseUrl) : databaseUrl,
    network: benchNetwork(Object.values(orgs).map((o) => o.organisation)),
    dir: artefacts,
    env: { LOG_LEVEL: 'warn', SHUTDOWN_TIMEOUT_SECONDS: '3', ...options.env },
  });
  cleanup.add(async () => {
    if (!gateway.alive() || process.env.KS_SHOW_GATEWAY_LOG)
      process.stderr.write(`\n── gateway log (${gateway.alive() ? 'running' : 'exited'}) ──\n${tail(gateway.logFile, 40)}\n`);
    await gateway.stop();
  });

  return {
    engine: options.engine,
    close: cleanup.run,
    gateway,
    orgs,
    zaakUrls,
    orderIds,
    databaseUrl,
    query,
    async operator(path) {
      const res = await fetch(`${gateway.url}${path}`, { headers: { authorization: clientAuthorization('beheer') }, signal: AbortSignal.timeout(10_000) });
      if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as never;
    },
  };
}

/** Waits until no job of these organisations is queued or running (twice in a row). */
export async function waitForQuietJobs(chain: ReliabilityChain, orgIds: string[], timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  let quietTimes = 0;
  while (Date.now() < until) {
    try {
      const { organisations } = await chain.operator<{ organisations: { id: string; jobs: { queued: number; running: number } }[] }>('/api/v1/ops/overview');
      const busy = organisations.filter((o) => orgIds.includes(o.id)).reduce((n, o) => n + o.jobs.queued + o.jobs.running, 0);
      quietTimes = busy === 0 ? quietTimes + 1 : 0;
      if (quietTimes >= 2) return true;
    } catch {
      quietTimes = 0;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}
