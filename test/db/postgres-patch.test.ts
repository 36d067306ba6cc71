// postgres.js 3.4.9 crashes the process when a connection closes while a deferred write is pending
// (porsager/postgres#1208, open upstream). The fix is patches/postgres+3.4.9.patch, applied by
// patch-package on `npm install` / `npm ci` (package.json "postinstall"). If this fails, the install
// skipped the patch (--ignore-scripts) or postgres.js was upgraded: check whether the new version
// fixed #1208 and drop or regenerate the patch (docs/ARCHITECTURE.md, "Patched dependencies").
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { freshDatabaseUrl, lane } from '../helpers/db.ts';

const MARKER = 'ketenstatus patch (porsager/postgres#1208)';

describe('postgres.js as installed', () => {
  it('is the version the committed patch was made for', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.resolve('postgres')), 'utf8')) as { version: string };
    const patch = readFileSync(new URL('../../patches/postgres+3.4.9.patch', import.meta.url), 'utf8');
    expect(pkg.version).toBe('3.4.9');
    expect(patch).toContain(MARKER);
  });

  it('carries the fix for the deferred write on a closed connection, in the module the gateway imports', async () => {
    const connection = readFileSync(new URL('./connection.js', import.meta.resolve('postgres')), 'utf8');
    expect(connection).toContain(MARKER);
    expect(connection).toContain("if (!socket) {\n      chunk = nextWriteTimer = null\n      error(Errors.connection('CONNECTION_CLOSED', options))");
    expect(connection).toContain('return fetchArrayTypes().catch(');
    expect(connection.match(/\n {4}clearImmediate\(nextWriteTimer\)\n {4}chunk = nextWriteTimer = null/g)).toHaveLength(2);
  });
});

// The crash itself, in a child process (an uncaughtException ends the process that runs it): a
// reserved connection whose backend is terminated, queried twice — the reproduction of #1208. Unpatched
// 3.4.9 dies with "TypeError: Cannot read properties of null (reading 'write')" in the first round.
// A query on such a connection may also never settle (a separate upstream problem; the gateway never
// reuses a reserved connection that lost its socket): each is given a second, then counted as pending.
const REPRODUCTION = `
const { default: postgres } = await import('postgres');
const within = (p, ms) => Promise.race([p.then(() => 'ok', (e) => e.code ?? String(e)), new Promise((r) => setTimeout(r, ms, 'pending'))]);
const killer = postgres(process.env.PG_URL, { max: 1, onnotice: () => {} });
const outcomes = [];
for (let round = 0; round < 3; round++) {
  const sql = postgres(process.env.PG_URL, { max: 1, onnotice: () => {} });
  const reserved = await sql.reserve();
  const [{ pid }] = await reserved\`select pg_backend_pid() as pid\`;
  await killer\`select pg_terminate_backend(\${pid})\`;
  for (let i = 0; i < 2; i++) outcomes.push(await within(reserved\`select 1\`, 1000));
  await new Promise((r) => setTimeout(r, 20));
  sql.end({ timeout: 0 }).catch(() => {});
}
process.stdout.write(JSON.stringify(outcomes));
process.exit(0);
`;

describe.runIf(lane === 'postgres')('postgres.js on a connection whose backend was terminated', () => {
  it('fails the queries instead of ending the process', async () => {
    const url = await freshDatabaseUrl();
    const root = new URL('../..', import.meta.url).pathname;
    const child = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', REPRODUCTION], {
      cwd: root,
      env: { ...process.env, PG_URL: url },
      timeout: 20_000,
    }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }),
    );
    expect(child.stderr).not.toContain('TypeError');
    expect(child.code).toBe(0);
    const outcomes = JSON.parse(child.stdout) as string[];
    expect(outcomes).toHaveLength(6);
    // Each round's first query after the termination fails; none succeeds on the dead connection.
    expect(outcomes.filter((o) => o === 'ok')).toEqual([]);
    for (const round of [0, 2, 4]) expect(outcomes[round]).toMatch(/^(CONNECTION_CLOSED|ECONNRESET|57P01)$/);
  }, 30_000);
});
