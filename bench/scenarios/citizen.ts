// B5 citizen read at scale: GET /api/v1/me/cases with a real OIDC access token (ES256, verified
// against the issuer's JWKS) and the access-log rows written in the same statement, 10 connections.
// Once over 1,000,000 cases of 200,000 citizens (seeded in bulk), once over 10,000 cases, and once
// with the access log off (BENCHMARK_NO_ACCESS_LOG) as the baseline for what the log costs.
import { join } from 'node:path';
import { createBenchDatabase, type BenchDatabase } from '../lib/database.ts';
import { startGatewayProcess, type GatewayProcess } from '../lib/gateway-process.ts';
import { startIssuer, type Issuer } from '../lib/issuer.ts';
import { benchNetwork } from '../lib/network.ts';
import type { LoadSpec } from '../lib/load.ts';
import { measure, paired, skipped, type BenchContext, type ScenarioReport } from '../lib/scenario.ts';
import { median, round } from '../lib/stats.ts';

const CASES_PER_CITIZEN = 5;
const CONNECTIONS = 10;
const TOKENS = 500;

export async function citizenScenario(ctx: BenchContext): Promise<ScenarioReport> {
  const big = ctx.quick ? 50_000 : 1_000_000;
  const durationSec = ctx.quick ? 3 : 6;
  const rounds = ctx.quick ? 1 : 2;
  const issuer = await startIssuer();
  const opened: { db: BenchDatabase; gateways: GatewayProcess[] }[] = [];
  try {
    const start = async (cases: number, tag: string) => {
      const t0 = Date.now();
      const db = await createBenchDatabase(ctx.serverUrl);
      const entry = { db, gateways: [] as GatewayProcess[] };
      opened.push(entry);
      const bsns = await seedCitizens(db, cases);
      ctx.log(`B5: seeded ${cases} cases for ${cases / CASES_PER_CITIZEN} citizens in ${Math.round((Date.now() - t0) / 1000)} s`);
      const tokens = await Promise.all(bsns.map((b) => issuer.token(b).then((t) => `Bearer ${t}`)));
      const gateway = async (name: string, env: Record<string, string> = {}) => {
        const g = await startGatewayProcess({
          databaseUrl: db.url,
          network: benchNetwork([]),
          dir: join(ctx.dir, `citizen-${tag}-${name}`),
          env: { CITIZEN_OIDC_ISSUER: issuer.url, ...env },
        });
        entry.gateways.push(g);
        return g;
      };
      return { db, tokens, gateway, gateways: entry.gateways };
    };
    const spec = (g: GatewayProcess, tokens: string[]): LoadSpec => ({
      origin: g.url,
      mode: 'max',
      connections: CONNECTIONS,
      durationSec,
      warmupSec: 1,
      requests: { kind: 'get', paths: ['/api/v1/me/cases'], authorizations: tokens },
    });

    const large = await start(big, 'large');
    const logged = await large.gateway('logged');
    const unlogged = await large.gateway('unlogged', { BENCHMARK_NO_ACCESS_LOG: 'true' });
    // Tokens verified once, the JWKS fetched: the runs measure reads, not start-up.
    await measure(logged.pid, { ...spec(logged, large.tokens), durationSec: 1, warmupSec: 0 });
    await measure(unlogged.pid, { ...spec(unlogged, large.tokens), durationSec: 1, warmupSec: 0 });
    ctx.log(`B5: ${rounds} rounds of no-log / logged reads over ${big} cases, ${durationSec} s each`);
    const log = await paired(
      rounds,
      () => measure(unlogged.pid, spec(unlogged, large.tokens)),
      () => measure(logged.pid, spec(logged, large.tokens)),
    );
    const p99Large = median(log.subject.map((m) => m.result.latency.p99));
    const okLarge = log.subject.every((m) => Object.keys(m.result.statuses).every((s) => s === '200'));
    const [{ rows: logRows }] = await large.db.sql<{ rows: number }[]>`select count(*)::int as rows from access_log`;
    for (const g of large.gateways.splice(0)) await g.stop();

    const small = await start(10_000, 'small');
    const smallGateway = await small.gateway('logged');
    await measure(smallGateway.pid, { ...spec(smallGateway, small.tokens), durationSec: 1, warmupSec: 0 });
    const smallRuns = [];
    for (let i = 0; i < rounds; i++) smallRuns.push(await measure(smallGateway.pid, spec(smallGateway, small.tokens)));
    const p99Small = median(smallRuns.map((m) => m.result.latency.p99));
    const scaling = round(p99Large / p99Small, 2);
    ctx.log(`B5: p99 ${p99Large} ms at ${big} cases, ${p99Small} ms at 10,000; logged ${log.subjectRps}/s vs no-log ${log.baselineRps}/s`);

    return {
      id: 'B5',
      title: 'citizen read at scale',
      status: 'ok',
      figures: [
        {
          label: `B5 p99 at ${big.toLocaleString('en')} cases`,
          value: p99Large,
          unit: 'ms',
          target: '≤ 25 ms',
          met: p99Large <= 25 && okLarge,
          note: `${CONNECTIONS} connections, ${log.subjectRps} reads/s, p50 ${median(log.subject.map((m) => m.result.latency.p50))} ms; ${TOKENS} citizens' tokens; answers ${JSON.stringify(log.subject[0].result.statuses)}; access-log rows written: ${logRows}`,
        },
        { label: 'B5 p99 at 10,000 cases', value: p99Small, unit: 'ms', note: `${Math.round(median(smallRuns.map((m) => m.result.okRps)))} reads/s` },
        { label: `B5 p99(${big >= 1_000_000 ? '1M' : big.toLocaleString('en')}) / p99(10k)`, value: scaling, target: '≤ 1.5', met: scaling <= 1.5 },
        {
          label: 'B5 logged / no-log throughput',
          value: log.ratio,
          target: '≥ 0.6',
          met: log.ratio >= 0.6,
          note: `no-log ${log.baselineRps}/s, logged ${log.subjectRps}/s in the same rounds`,
        },
      ],
      details: { cases: big, citizens: big / CASES_PER_CITIZEN, durationSec, rounds, log, smallRuns },
    };
  } catch (error) {
    if (/BENCHMARK_NO_ACCESS_LOG|CITIZEN_OIDC/.test((error as Error).message)) return skipped('B5', 'citizen read at scale', (error as Error).message);
    throw error;
  } finally {
    for (const { db, gateways } of opened) {
      for (const g of gateways) await g.stop();
      await db.drop();
    }
    await (issuer as Issuer).close();
  }
}

/**
 * `cases` cases for cases/5 citizens with valid (elfproef) BSNs, one order each, in a few
 * statements; returns the BSNs of TOKENS citizens picked at random.
 */
async function seedCitizens(db: BenchDatabase, cases: number): Promise<string[]> {
  const citizens = cases / CASES_PER_CITIZEN;
  await db.sql.unsafe(`
    create temporary table citizen_bsn as
    with cand as (
      select c, lpad(((c::bigint * 7919 + 10000019) % 100000000)::text, 8, '0') as base
      from generate_series(1, ${Math.ceil(citizens * 1.2) + 100}) c
    ), summed as (
      select c, base, (${[0, 1, 2, 3, 4, 5, 6, 7].map((i) => `substr(base, ${i + 1}, 1)::int * ${9 - i}`).join(' + ')}) % 11 as check_digit from cand
    )
    select row_number() over (order by c) - 1 as n, base || check_digit::text as bsn
    from summed where check_digit < 10 and base <> '00000000'
    order by c limit ${citizens}`);
  await db.sql.unsafe(`
    insert into cases (id, reference, title, citizen_bsn, confidentiality, product, phase, combined_status, created_by, created_at, updated_at)
    select md5('b5-' || z.n || '-' || k)::uuid, 'B5-' || z.n || '-' || k, 'Aanvraag ' || k, z.bsn, 'openbaar', 'traplift',
           (array['ontvangen', 'in_behandeling', 'afgerond'])[1 + (z.n + k) % 3], '{}'::jsonb, 'zac',
           now() - ((z.n % 700) || ' days')::interval, now() - ((z.n % 300) || ' hours')::interval
    from citizen_bsn z cross join generate_series(1, ${CASES_PER_CITIZEN}) k`);
  await db.sql.unsafe(`
    insert into orders (id, case_id, subcontractor, product, state, planned_identificatie, sync_state, status, last_synced_at)
    select md5('b5o-' || c.id)::uuid, c.id, 'hulpmiddelen-bv', 'traplift', 'placed', 'KS-' || c.reference, 'fresh',
           '{"phase":"in_behandeling","omschrijving":"In behandeling","statustekst":"Wij zijn bezig met uw aanvraag.","volgnummer":2,"isEindstatus":false}'::jsonb, now()
    from cases c`);
  await db.sql.unsafe('analyze cases; analyze orders');
  const picked = await db.sql<{ bsn: string }[]>`select bsn from citizen_bsn order by random() limit ${TOKENS}`;
  return picked.map((r) => r.bsn);
}
