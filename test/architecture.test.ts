// The shape of src/: dependencies point one way and no module imports itself round a cycle,
// type-only imports included (docs/ARCHITECTURE.md "Code layout").
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../src');

/**
 * Each area of src/ (a folder, or a top-level file) and its layer: an area may import only from
 * lower layers. Areas on one layer are siblings and import nothing from each other.
 */
const LAYERS: Record<string, number> = {
  lib: 0,
  config: 0,
  i18n: 0,
  db: 1,
  log: 1,
  metrics: 1,
  simulator: 1,
  http: 2,
  network: 3,
  jobs: 3,
  'access-log': 3,
  outbound: 4,
  mail: 4,
  agreements: 4,
  cases: 5,
  sync: 6,
  citizen: 6,
  delivery: 6,
  subscriptions: 6,
  partner: 6,
  ops: 7,
  onboarding: 7,
  staff: 7,
  notices: 7,
  web: 8,
  app: 9,
  gateway: 10,
  demo: 11,
  main: 12,
  cli: 12,
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Relative imports of a file, `import type` and `import()` included, resolved to paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => resolve(dirname(file), m[1]));
}

const areaOf = (file: string) => relative(SRC, file).split('/')[0].replace(/\.ts$/, '');
const files = sourceFiles(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f).filter((d) => d.startsWith(SRC))]));
// db/ (the table types, the migrations) is imported by src/ and types its JSON columns from it: cycles are looked for across both.
const DB_DIR = resolve(SRC, '../db');
const withDb = [...files, ...sourceFiles(DB_DIR)];
const fullGraph = new Map(withDb.map((f) => [f, importsOf(f).filter((d) => withDb.includes(d))]));

describe('the layout of src/', () => {
  it('gives every area a layer', () => {
    expect([...new Set(files.map(areaOf))].filter((a) => LAYERS[a] === undefined)).toEqual([]);
  });

  it('has every import point to a lower layer or stay in its area', () => {
    const upward = [...graph].flatMap(([file, deps]) =>
      deps
        .filter((dep) => areaOf(dep) !== areaOf(file) && LAYERS[areaOf(dep)] >= LAYERS[areaOf(file)])
        .map((dep) => `${relative(SRC, file)} -> ${relative(SRC, dep)}`),
    );
    expect(upward).toEqual([]);
  });

  it('has no import cycles between files, db/ included', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]) => {
      state.set(file, 'open');
      for (const dep of fullGraph.get(file) ?? []) {
        if (state.get(dep) === 'open') cycles.push([...path.slice(path.indexOf(dep)), dep].map((f) => relative(SRC, f)).join(' -> '));
        else if (!state.has(dep)) visit(dep, [...path, dep]);
      }
      state.set(file, 'done');
    };
    for (const file of fullGraph.keys()) if (!state.has(file)) visit(file, [file]);
    expect(fullGraph.get(resolve(DB_DIR, 'schema.ts'))?.length).toBeGreaterThan(0);
    expect(cycles).toEqual([]);
  });

  it('has db/ take only types from src/ (the table types name the JSON columns’ shapes)', () => {
    const runtime = sourceFiles(DB_DIR).flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/^import (?!type\b)[^;]*?from ['"](\.\.\/src\/[^'"]+)['"]/gm)].map((m) => `${relative(DB_DIR, f)} -> ${m[1]}`),
    );
    expect(runtime).toEqual([]);
  });

  it('resolves every relative import to a file', () => {
    const missing = [...graph].flatMap(([file, deps]) =>
      deps.filter((d) => !graph.has(d) && !d.endsWith('.json') && !d.endsWith('.d.ts')).map((d) => `${relative(SRC, file)} -> ${relative(SRC, d)}`),
    );
    expect(missing).toEqual([]);
  });
});

/** Files of src/ whose code (comments left out) matches `pattern`, relative to src/. */
const filesWith = (pattern: RegExp) =>
  files
    .filter((f) =>
      pattern.test(
        readFileSync(f, 'utf8')
          .replace(/^\s*(\/\/|\*|\/\*\*).*$/gm, '')
          .replace(/\/\/.*$/gm, ''),
      ),
    )
    .map((f) => relative(SRC, f))
    .sort();

describe('one owner per concept', () => {
  it('the sync job: its kind and key are spelt out only in cases/sync-job.ts', () => {
    expect(filesWith(/'order\.sync'|'sync:'/)).toEqual(['cases/sync-job.ts']);
  });

  it('the access-log row: written only by src/access-log', () => {
    expect(filesWith(/insert into access_log|insertInto\('access_log'\)/)).toEqual(['access-log/access-log.ts']);
  });

  it('the jobs table is read only by the job queue, and its workers woken only through it', () => {
    expect(filesWith(/selectFrom\('jobs'\)|\bfrom jobs\b|pg_notify\('ketenstatus_jobs'/)).toEqual(['jobs/queue.ts']);
    expect(filesWith(/JOBS_CHANNEL|'ketenstatus_jobs'\)/)).toEqual(['jobs/queue.ts', 'jobs/worker.ts']);
  });

  it('the organisations and their change records are read and written only by src/network', () => {
    expect(
      filesWith(/(selectFrom|insertInto|updateTable|deleteFrom)\('organisation(s|_changes)'\)|\b(from|join|into|update) organisation(s|_changes)\b/),
    ).toEqual(['network/repository.ts']);
  });

  it('every job kind is spelt out once, in its constant', () => {
    const kinds = files.flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/export const \w+_JOB = '([^']+)'/g)].map((m) => m[1]));
    expect(kinds).toContain('notice.send');
    expect(kinds.filter((kind) => filesWith(new RegExp(`['\`]${kind.replace('.', '\\.')}['\`]`)).length !== 1)).toEqual([]);
  });

  it('a waiting job’s coalescing rule is spelt out only by the job queue, for set-based inserts too', () => {
    expect(filesWith(/on conflict \(dedupe_key\) where|state = 'queued' and dedupe_key is not null|column\('dedupe_key'\)\s*\.where\(/)).toEqual([
      'jobs/queue.ts',
    ]);
  });

  it('JSON columns are written through json() without casting it away', () => {
    expect(filesWith(/json\([^;]*\)\s+as never/)).toEqual([]);
  });
});

describe('transactions', () => {
  const code = (f: string) =>
    readFileSync(f, 'utf8')
      .replace(/^\s*(\/\/|\*|\/\*\*).*$/gm, '')
      .replace(/\/\/.*$/gm, '');

  it('are opened only by withTransaction, which joins an outer one', () => {
    expect(filesWith(/\.transaction\(\)/)).toEqual(['db/database.ts']);
  });

  it('a handle named trx is a Trx (Transaction<DB>), never the pool type', () => {
    expect(filesWith(/\btrx\??: (Db|Kysely)\b/)).toEqual([]);
  });

  it('every row or advisory lock is taken on a trx, bar one-statement SKIP LOCKED claims', () => {
    const locks = files.flatMap((f) => {
      const text = code(f);
      return [
        ...text.matchAll(
          /\bfor (update|no key update|share|key share)\b(?![^`]*?skip locked)|pg_advisory_xact_lock|\.for(Update|NoKeyUpdate|Share|KeyShare)\(\)/g,
        ),
      ].map((m) => {
        // A builder chain's handle is where it starts; a raw statement's is what it executes on.
        const handle = m[0].startsWith('.')
          ? [...text.slice(0, m.index).matchAll(/\b(\w+)\s*\.\s*(selectFrom|updateTable)\(/g)].at(-1)?.[1]
          : /\.execute\((\w+)\)/.exec(text.slice(m.index))?.[1];
        return `${relative(SRC, f)}: ${m[0]} on ${handle}`;
      });
    });
    expect(locks.length).toBeGreaterThan(10);
    expect(locks.filter((l) => !l.endsWith(' on trx'))).toEqual([]);
  });
});

describe('the README', () => {
  const readme = readFileSync(resolve(SRC, '../README.md'), 'utf8');

  it('stays a newcomer’s read: at most 350 lines', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(350);
  });

  it('lists every folder under src/ in its layout table', () => {
    const folders = readdirSync(SRC, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    expect(folders.filter((f) => !readme.includes(`| \`src/${f}/\``))).toEqual([]);
  });
});
