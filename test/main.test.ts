// The real process: `node src/main.ts` started as an operator would, with signals, a PGlite data
// directory on disk (or PostgreSQL), and start-up failures that explain themselves.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.ts';
import { signZgwJwt } from '../src/lib/zgw-jwt.ts';
import { freshDatabaseUrl, lane } from './helpers/db.ts';
import { freePort } from './helpers/ports.ts';
import { ROOT, spawnGateway } from './helpers/process.ts';

const NETWORK_FILE = join(ROOT, 'test/fixtures/network.json');
const INVALID_NETWORK_FILE = join(ROOT, 'test/fixtures/network-invalid.json');
const OPERATOR_SECRET = JSON.parse(readFileSync(NETWORK_FILE, 'utf8')).clients.find((c: { clientId: string }) => c.clientId === 'beheer').secret as string;
const SHUTDOWN_TIMEOUT_SECONDS = 5;

interface Gateway {
  child: ChildProcess;
  port: number;
  url: string;
  output: () => { stdout: string; stderr: string };
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children = new Set<ChildProcess>();
const tmpDirs: string[] = [];

afterEach(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
});

afterAll(() => {
  for (const dir of tmpDirs) rmSync(dir, { recursive: true, force: true });
});

/** In-memory PGlite, or a fresh PostgreSQL database in the PostgreSQL lane. */
const laneDatabaseUrl = async () => (lane === 'postgres' ? freshDatabaseUrl() : 'memory://');

function tmpDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ketenstatus-process-'));
  tmpDirs.push(dir);
  return dir;
}

/** PORT=0 would hide the port from us: take a free one and hand it over. */

async function startProcess(env: Record<string, string>): Promise<Gateway> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  // A clean environment: only what the gateway should see (no NETWORK_FILE → demo, no stray DATABASE_URL).
  const child = spawnGateway({
    PORT: String(port),
    LOG_LEVEL: 'info',
    SHUTDOWN_TIMEOUT_SECONDS: String(SHUTDOWN_TIMEOUT_SECONDS),
    NETWORK_FILE,
    // Required outside the demo (signs the HTML pages' session cookies).
    SESSION_SECRET: 'process-test-session-secret-0123456789abcdef',
    ...env,
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  return { child, port, url: `http://127.0.0.1:${port}`, output: () => ({ stdout, stderr }), exited };
}

type Response = { status: number; body: string };

function get(url: string, timeoutMs = 2000): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** Polls /health/ready until 200; fails early (with the process output) if the process exits. */
async function waitReady(gw: Gateway, timeoutMs = 45_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  let exit: { code: number | null } | undefined;
  void gw.exited.then((e) => (exit = e));
  for (;;) {
    if (exit) throw new Error(`gateway exited (${exit.code}) before it was ready:\n${gw.output().stderr}\n${gw.output().stdout}`);
    const res = await get(`${gw.url}/health/ready`).catch(() => undefined);
    if (res?.status === 200) return res;
    if (Date.now() > deadline) throw new Error(`gateway not ready after ${timeoutMs} ms:\n${gw.output().stderr}\n${gw.output().stdout}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Resolves with the exit, or rejects when the process is still running after timeoutMs. */
function exitWithin(gw: Gateway, timeoutMs: number) {
  return Promise.race([
    gw.exited,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still running ${timeoutMs} ms later:\n${gw.output().stdout}`)), timeoutMs).unref()),
  ]);
}

/**
 * How long a test waits for a signalled process to be gone: a net against a hang, not a measure.
 * Exit code 0 is what shows a stop within budget: past it the gateway's own hard stop exits 1.
 */
const EXIT_NET_MS = (SHUTDOWN_TIMEOUT_SECONDS + 25) * 1000;

/** SIGTERM, then the exit. */
function stop(gw: Gateway): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  gw.child.kill('SIGTERM');
  return exitWithin(gw, EXIT_NET_MS);
}

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const logLines = (stdout: string) =>
  stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        return { raw: l };
      }
    });

describe('the gateway process', () => {
  it('runs under Node 24 (type stripping)', () => {
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(24);
  });

  it.skipIf(lane === 'postgres')(
    'starts on a PGlite data directory, is ready, and exits 0 on SIGTERM (within its budget: its hard stop exits 1)',
    async () => {
      const dir = tmpDataDir();
      const gw = await startProcess({ DATABASE_URL: dir });
      const ready = await waitReady(gw);
      expect(JSON.parse(ready.body)).toMatchObject({ status: 'ready', checks: { database: true, migrations: true } });
      expect(existsSync(join(dir, 'ketenstatus.lock'))).toBe(true);

      const { code, signal } = await stop(gw);
      expect({ code, signal }).toEqual({ code: 0, signal: null });
      expect(existsSync(join(dir, 'ketenstatus.lock'))).toBe(false); // the directory is free again
      const lines = logLines(gw.output().stdout);
      expect(lines.every((l) => !('raw' in l))).toBe(true); // every stdout line is JSON
      expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['database ready', 'gateway listening', 'shutting down', 'stopped']));

      // The data survives a restart on the same directory (no migrations left to apply).
      const again = await startProcess({ DATABASE_URL: dir });
      await waitReady(again);
      expect(logLines(again.output().stdout).find((l) => l.msg === 'database ready')).toMatchObject({ engine: 'pglite', applied: [] });
      expect((await stop(again)).code).toBe(0);
    },
    120_000,
  );

  it.skipIf(lane === 'postgres')(
    'refuses a second process on the same PGlite data directory with a clear message',
    async () => {
      const dir = tmpDataDir();
      const first = await startProcess({ DATABASE_URL: dir });
      await waitReady(first);

      const second = await startProcess({ DATABASE_URL: dir });
      const { code } = await exitWithin(second, 30_000);
      expect(code).not.toBe(0);
      const { stderr } = second.output();
      expect(stderr).toContain('ketenstatus: cannot start:');
      expect(stderr).toContain(dir);
      expect(stderr).toMatch(/in use by process \d+/);
      expect(stderr).not.toMatch(/\n\s+at /); // an expected refusal: no stack trace

      // The first one is unharmed and still owns the directory.
      expect((await get(`${first.url}/health/ready`)).status).toBe(200);
      expect(readFileSync(join(dir, 'ketenstatus.lock'), 'utf8').trim()).toBe(String(first.child.pid));
      expect((await stop(first)).code).toBe(0);
    },
    120_000,
  );

  it.skipIf(lane === 'postgres')(
    'takes over a data directory whose process died without releasing it',
    async () => {
      const dir = tmpDataDir();
      const first = await startProcess({ DATABASE_URL: dir });
      await waitReady(first);
      first.child.kill('SIGKILL');
      await first.exited;
      expect(existsSync(join(dir, 'ketenstatus.lock'))).toBe(true); // stale

      const second = await startProcess({ DATABASE_URL: dir });
      await waitReady(second);
      expect((await stop(second)).code).toBe(0);
    },
    120_000,
  );

  it('stops start-up on an invalid NETWORK_FILE, naming the JSON path at fault', async () => {
    const gw = await startProcess({ DATABASE_URL: 'memory://', NETWORK_FILE: INVALID_NETWORK_FILE });
    const { code } = await exitWithin(gw, 30_000);
    expect(code).not.toBe(0);
    const { stderr } = gw.output();
    expect(stderr).toContain('ketenstatus: cannot start:');
    expect(stderr).toContain(INVALID_NETWORK_FILE);
    expect(stderr).toContain('$.organisations[0].zaken.apiRoot');
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(await connects(gw.port)).toBe(false);
  }, 60_000);

  // `npm start` in a terminal (LOG_FORMAT unset): stdout is a pseudo-terminal from util-linux's `script`.
  it.skipIf(!existsSync('/usr/bin/script'))(
    'writes readable log lines, not JSON, when stdout is a terminal',
    async () => {
      const port = await freePort();
      const child = spawn('/usr/bin/script', ['-qfec', `'${process.execPath}' src/main.ts`, '/dev/null'], {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? tmpdir(),
          HOST: '127.0.0.1',
          PORT: String(port),
          DATABASE_URL: 'memory://',
          NETWORK_FILE,
          SESSION_SECRET: 'process-test-session-secret-0123456789abcdef',
          LOG_LEVEL: 'info',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.add(child);
      let out = '';
      child.stdout!.on('data', (d) => (out += d));
      const exited = new Promise((resolve) => child.on('exit', resolve));
      const deadline = Date.now() + 45_000;
      while (!out.includes('gateway listening')) {
        if (Date.now() > deadline) throw new Error(`no 'gateway listening' line:\n${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      child.kill('SIGTERM'); // script ends the session, and the gateway with it
      await exited;
      expect(out).toMatch(/INFO\S*: \S*gateway listening/);
      expect(out).toMatch(/INFO\S*: \S*database ready/);
      expect(out).not.toMatch(/^\{"level"/m);
    },
    90_000,
  );

  it('stops start-up on an invalid environment variable, naming it', async () => {
    const gw = await startProcess({ DATABASE_URL: 'memory://', LOG_LEVEL: 'loud' });
    const { code } = await exitWithin(gw, 30_000);
    expect(code).not.toBe(0);
    expect(gw.output().stderr).toMatch(/cannot start: invalid environment:[\s\S]*LOG_LEVEL/);
  }, 60_000);

  it('on SIGTERM stops accepting connections, finishes the request in flight, then exits 0', async () => {
    const gw = await startProcess({ DATABASE_URL: await laneDatabaseUrl() });
    await waitReady(gw);

    // A request whose body is still arriving is in flight: start it, then signal.
    const token = signZgwJwt({ client_id: 'beheer' }, OPERATOR_SECRET);
    const body = JSON.stringify({
      id: 'late-org',
      name: 'Late B.V.',
      oin: '00000003099999999000',
      rsin: '099999997',
      status: 'pending',
      zaken: { apiRoot: 'http://127.0.0.1:1/zaken/api/v1/', auth: { type: 'zgw-jwt', clientId: 'gemeente-test', secret: 'test-secret-outbound-late-0123' } },
      notifications: { mode: 'poll' },
      products: [],
    });
    const req = http.request(`${gw.url}/api/v1/organisations/late-org`, {
      method: 'PUT',
      agent: false,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
    });
    const response = new Promise<Response>((resolve, reject) => {
      req.on('response', (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, body: text }));
      });
      req.on('error', reject);
    });
    req.write(body.slice(0, 20));
    await new Promise((r) => setTimeout(r, 300));

    gw.child.kill('SIGTERM');
    // Shutdown has begun and the listener is closed: from here the process is only waiting for the request.
    for (let i = 0; i < 500 && ((await connects(gw.port)) || !logLines(gw.output().stdout).some((l) => l.msg === 'shutting down')); i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(logLines(gw.output().stdout).map((l) => l.msg)).toContain('shutting down');
    expect(await connects(gw.port)).toBe(false); // no longer accepting
    expect(gw.child.exitCode).toBeNull(); // waiting for the request in flight

    req.end(body.slice(20));
    const res = await response; // answered in full after the signal: the request was not cut
    expect(res.status).toBe(201);
    expect(JSON.parse(res.body)).toMatchObject({ id: 'late-org' });
    const { code, signal } = await exitWithin(gw, EXIT_NET_MS);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  }, 90_000);

  it('stops cleanly on a SIGTERM that comes while it is still starting', async () => {
    const gw = await startProcess({ DATABASE_URL: await laneDatabaseUrl() });
    // 'database ready' is logged inside start-up, before the network, the listener and the workers
    // (on PostgreSQL that rest takes long enough for the signal to land in it every time).
    const deadline = Date.now() + 45_000;
    while (!logLines(gw.output().stdout).some((l) => l.msg === 'database ready')) {
      if (Date.now() > deadline) throw new Error(`no 'database ready' line:\n${gw.output().stderr}\n${gw.output().stdout}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    gw.child.kill('SIGTERM');
    const { code, signal } = await exitWithin(gw, EXIT_NET_MS);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(logLines(gw.output().stdout).map((l) => l.msg)).toContain('stopped');
  }, 90_000);

  it('cuts a request that outlives the shutdown timeout and still exits', async () => {
    const gw = await startProcess({ DATABASE_URL: await laneDatabaseUrl(), SHUTDOWN_TIMEOUT_SECONDS: '1' });
    await waitReady(gw);
    const token = signZgwJwt({ client_id: 'beheer' }, OPERATOR_SECRET);
    const req = http.request(`${gw.url}/api/v1/organisations/stuck`, {
      method: 'PUT',
      agent: false,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
    });
    const failed = new Promise<unknown>((resolve) => {
      req.on('error', resolve);
      req.on('response', (res) => resolve(res.statusCode));
    });
    req.write('{"id":');
    await new Promise((r) => setTimeout(r, 300));
    const t = Date.now();
    gw.child.kill('SIGTERM');
    const { code } = await exitWithin(gw, EXIT_NET_MS);
    expect(code).toBe(0);
    expect(Date.now() - t).toBeGreaterThanOrEqual(900);
    expect(await failed).toBeInstanceOf(Error); // the connection was cut
  }, 90_000);

  it.skipIf(lane === 'pglite')(
    'starts two processes at the same moment on one fresh PostgreSQL database',
    async () => {
      const url = await freshDatabaseUrl();
      const [a, b] = await Promise.all([startProcess({ DATABASE_URL: url }), startProcess({ DATABASE_URL: url })]);
      const [ra, rb] = await Promise.all([waitReady(a), waitReady(b)]);
      expect(JSON.parse(ra.body).status).toBe('ready');
      expect(JSON.parse(rb.body).status).toBe('ready');
      // Exactly one of them applied the migrations; the other waited for the lock and found none left.
      const applied = [a, b].map((g) => logLines(g.output().stdout).find((l) => l.msg === 'database ready')?.applied as string[]);
      expect(applied.map((x) => x.length > 0).sort()).toEqual([false, true]);

      const [sa, sb] = await Promise.all([stop(a), stop(b)]);
      expect(sa.code).toBe(0);
      expect(sb.code).toBe(0);
    },
    120_000,
  );
});

describe('closing the database at shutdown', () => {
  it('does not hang when a query is still running as close() begins', async () => {
    const database = await openDatabase(await laneDatabaseUrl());
    const straggler = sql`select pg_sleep(0.3)`.execute(database.db).then(
      () => 'finished',
      (e: Error) => e.message,
    );
    await new Promise((r) => setTimeout(r, 50));
    const closed = await Promise.race([
      database.close().then(() => 'closed'),
      new Promise((r) => setTimeout(() => r('still closing after 5 s'), 5000).unref()),
    ]);
    expect(closed).toBe('closed');
    expect(await straggler).toBeTypeOf('string');
  }, 20_000);
});
