// The gateway as its own process (`node src/main.ts`), as an operator starts it: for the tests of
// start-up, shutdown and crashes.
import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A clean environment: only what the gateway should see (no stray DATABASE_URL, no NETWORK_FILE unless given). */
export function spawnGateway(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
