// The gateway as its own OS process (`node src/main.ts`), as it runs in production: the bench and the
// reliability suite measure it, kill it and restart it from here. Loopback only.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { NetworkDefinition } from '../../src/network/types.ts';
import { procSample } from './proc.ts';

const MAIN = process.env.KS_GATEWAY_MAIN ?? new URL('../../src/main.ts', import.meta.url).pathname;
const ROOT = new URL('../../', import.meta.url).pathname;
/** The Node flags of `npm start` and the Dockerfile's CMD: the gateway is measured as it is run. */
export const GATEWAY_NODE_FLAGS = ['--max-semi-space-size=16', '--heap-growing-percent=50'];
/** Extra flags for a look inside, e.g. KS_GATEWAY_NODE_FLAGS='--cpu-prof --cpu-prof-dir=/tmp/prof'. */
const EXTRA_FLAGS = (process.env.KS_GATEWAY_NODE_FLAGS ?? '').split(' ').filter(Boolean);

export interface GatewayProcessOptions {
  databaseUrl: string;
  network: NetworkDefinition;
  /** Working directory for the network file and the log. */
  dir: string;
  env?: Record<string, string>;
  port?: number;
  readyTimeoutMs?: number;
}

export interface GatewayProcess {
  url: string;
  port: number;
  readonly pid: number;
  logFile: string;
  /** True while the process runs. */
  alive(): boolean;
  rssMb(): number;
  cpuMs(): number;
  /** Sends a signal and waits for the process to exit. */
  kill(signal?: NodeJS.Signals): Promise<number | null>;
  /** Starts the same gateway again (same port, database and network) after it exited. */
  restart(): Promise<void>;
  /** SIGTERM, then SIGKILL after 15 s. */
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

export async function startGatewayProcess(options: GatewayProcessOptions): Promise<GatewayProcess> {
  mkdirSync(options.dir, { recursive: true });
  const networkFile = join(options.dir, 'network.json');
  writeFileSync(networkFile, JSON.stringify(options.network, null, 2));
  const port = options.port ?? (await freePort());
  const logFile = join(options.dir, 'gateway.log');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    ...(process.env.TZ ? { TZ: process.env.TZ } : {}),
    DATABASE_URL: options.databaseUrl,
    NETWORK_FILE: networkFile,
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    OUTBOUND_ALLOW_PRIVATE: 'true',
    SESSION_SECRET: 'bench-session-secret-0123456789abcdef0123',
    LOG_LEVEL: 'info',
    ...options.env,
  };
  let child: ChildProcess;
  let exited: Promise<number | null>;

  const launch = async () => {
    const fd = openSync(logFile, 'a');
    child = spawn(process.execPath, [...GATEWAY_NODE_FLAGS, ...EXTRA_FLAGS, MAIN], { cwd: ROOT, env, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
    // Never outlive the process that started it (a test runner stopping early, an error).
    const orphanGuard = () => child.kill('SIGKILL');
    process.once('exit', orphanGuard);
    void exited.then(() => process.off('exit', orphanGuard));
    await waitReady(`http://127.0.0.1:${port}`, options.readyTimeoutMs ?? 60_000, () => child.exitCode !== null || child.signalCode !== null, logFile);
  };
  await launch();

  const self: GatewayProcess = {
    url: `http://127.0.0.1:${port}`,
    port,
    get pid() {
      return child.pid!;
    },
    logFile,
    alive: () => child.exitCode === null && child.signalCode === null,
    rssMb: () => procSample(child.pid!).rssMb,
    cpuMs: () => procSample(child.pid!).cpuMs,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    async restart() {
      if (child.exitCode === null && child.signalCode === null) throw new Error('the gateway is still running');
      await launch();
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
  return self;
}

async function waitReady(url: string, timeoutMs: number, died: () => boolean, logFile: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (died()) throw new Error(`the gateway exited during start-up:\n${tail(logFile)}`);
    try {
      const res = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2000) });
      await res.body?.cancel();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the gateway was not ready within ${timeoutMs} ms:\n${tail(logFile)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
