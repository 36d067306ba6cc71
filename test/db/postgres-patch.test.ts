// The gateway loads postgres.js with the fix for the open upstream crash on a reset connection
// (src/db/postgres-driver.ts). If an upgrade changes the source so the fix no longer applies, this
// fails: check whether the new version fixed porsager/postgres#1208 and drop or adapt the patch.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('postgres.js as the gateway loads it', () => {
  it('carries the fix for the deferred write on a closed connection', () => {
    const script = "const m = await import('./src/db/postgres-driver.ts'); await m.loadPostgres(); process.stdout.write(String(m.postgresPatched()));";
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: new URL('../..', import.meta.url).pathname, encoding: 'utf8' });
    expect(out).toBe('true');
  });
});
