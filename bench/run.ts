// npm run bench [-- --quick] [-- --only B1,B2]
// Gateway on real PostgreSQL (DATABASE_URL's server, default the local one; a fresh database per
// scenario, dropped afterwards), load from separate processes. Every target is a ratio against a
// baseline measured in the same run, or a bound stated in the issue. Writes bench/results/latest.json
// and prints a markdown table.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_SERVER_URL } from './lib/database.ts';
import { environment, markdownTable } from './lib/report.ts';
import type { BenchContext, ScenarioReport } from './lib/scenario.ts';
import { citizenScenario } from './scenarios/citizen.ts';
import { freshnessScenario } from './scenarios/freshness.ts';
import { ingestScenario } from './scenarios/ingest.ts';
import { isolationScenario } from './scenarios/isolation.ts';
import { leadTimesScenario } from './scenarios/lead-times.ts';
import { stackScenario } from './scenarios/stack.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    out: { type: 'string', default: new URL('./results/latest.json', import.meta.url).pathname },
  },
});
const quick = values.quick!;
const only = values.only
  ? new Set(
      values.only
        .toUpperCase()
        .split(',')
        .map((s) => s.trim()),
    )
  : undefined;
// B8 seeds a million cases with their status histories: about four minutes of the full run.
const budgetSec = quick ? 160 : 890;
const serverUrl = /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? '') ? process.env.DATABASE_URL! : DEFAULT_SERVER_URL;

const started = Date.now();
const startedAt = new Date(started).toISOString();
const dir = mkdtempSync(join(tmpdir(), 'ketenstatus-bench-'));
const ctx: BenchContext = {
  quick,
  serverUrl,
  dir,
  log: (m) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${m}\n`),
  secondsLeft: () => budgetSec - (Date.now() - started) / 1000,
};

type Runner = { ids: string[]; title: string; minSeconds: number; run: (ctx: BenchContext) => Promise<ScenarioReport | ScenarioReport[]> };
const scenarios: Runner[] = [
  { ids: ['B1'], title: 'stack', minSeconds: quick ? 10 : 40, run: stackScenario },
  { ids: ['B2', 'B3', 'B7'], title: 'ingest, replay, memory', minSeconds: quick ? 35 : 200, run: ingestScenario },
  { ids: ['B4'], title: 'freshness', minSeconds: quick ? 12 : 50, run: freshnessScenario },
  { ids: ['B5'], title: 'citizen read at scale', minSeconds: quick ? 12 : 120, run: citizenScenario },
  { ids: ['B6'], title: 'delivery isolation', minSeconds: quick ? 10 : 40, run: isolationScenario },
  { ids: ['B8'], title: 'chain lead times at scale', minSeconds: quick ? 45 : 270, run: leadTimesScenario },
];

// A scenario that hangs (a database that stops answering, a stuck child) must not hold the run.
setTimeout(
  () => {
    ctx.log(`the run exceeded its ${budgetSec} s budget by a minute; giving up`);
    process.exit(2);
  },
  (budgetSec + 60) * 1000,
).unref();

const env = await environment(serverUrl);
ctx.log(
  `ketenstatus bench (${quick ? 'quick' : 'full'}) on ${serverUrl.replace(/\/\/[^@]*@/, '//')}: Node ${env.node}, PostgreSQL ${env.postgres}, ${env.cpus} × ${env.cpu}`,
);
const reports: ScenarioReport[] = [];
for (const s of scenarios) {
  if (only && !s.ids.some((id) => only.has(id))) continue;
  if (ctx.secondsLeft() < s.minSeconds) {
    for (const id of s.ids) reports.push({ id, title: s.title, status: 'skipped', reason: `not enough of the ${budgetSec} s budget left`, figures: [] });
    continue;
  }
  const t0 = Date.now();
  try {
    const out = await s.run(ctx);
    const list = Array.isArray(out) ? out : [out];
    for (const r of list) reports.push({ ...r, seconds: Math.round((Date.now() - t0) / 1000) });
  } catch (error) {
    ctx.log(`${s.ids.join('/')} failed: ${(error as Error).stack}`);
    for (const id of s.ids) reports.push({ id, title: s.title, status: 'failed', reason: (error as Error).message.split('\n')[0], figures: [] });
  }
}

const seconds = Math.round((Date.now() - started) / 1000);
const table = markdownTable(env, reports, { quick, startedAt, seconds });
mkdirSync(join(values.out!, '..'), { recursive: true });
writeFileSync(values.out!, `${JSON.stringify({ startedAt, seconds, quick, environment: env, table, scenarios: reports }, null, 2)}\n`);
rmSync(dir, { recursive: true, force: true });
process.stdout.write(`\n${table}\n\nResults: ${values.out}\n`);
process.exit(reports.some((r) => r.status === 'failed') ? 1 : 0);
