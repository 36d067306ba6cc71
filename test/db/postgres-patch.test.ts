// postgres.js 3.4.9 crashes the process when a connection closes while a deferred write is pending
// (porsager/postgres#1208, open upstream). The fix is patches/postgres+3.4.9.patch, applied by
// patch-package on `npm install` / `npm ci` (package.json "postinstall"). If this fails, the install
// skipped the patch (--ignore-scripts) or postgres.js was upgraded: check whether the new version
// fixed #1208 and drop or regenerate the patch (docs/ARCHITECTURE.md, "Patched dependencies").
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

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
