// B2 ingest, B3 replay and B7 memory: one gateway process on a fresh PostgreSQL database with
// 10,000 tracked orders. The debounce is set long (10 min) so that what is measured is the intake
// alone — authenticate, validate, commit inbox row + job + order stamp, acknowledge — and no
// re-query competes for the two cores (B4 measures the whole path).
import { join } from 'node:path';
import { createBenchDatabase, seedOrders } from '../lib/database.ts';
import { startGatewayProcess, type GatewayProcess } from '../lib/gateway-process.ts';
import { load } from '../lib/load.ts';
import { benchNetwork, startBenchOrg, type BenchOrg } from '../lib/network.ts';
import { rssSampler } from '../lib/proc.ts';
import { indexOfStatusUrl, type RequestSpec } from '../lib/requests.ts';
import { accessDurations, intakeBetween, logEnd, scrapeIntake } from '../lib/server-metrics.ts';
import { measure, paired, startNoopServer, type BenchContext, type Figure, type Measured, type Paired, type ScenarioReport } from '../lib/scenario.ts';
import { median, round } from '../lib/stats.ts';

const ORDERS = 10_000;
const CONNECTIONS = 128;

export async function ingestScenario(ctx: BenchContext): Promise<ScenarioReport[]> {
  const rounds = ctx.quick ? 1 : 3;
  const durationSec = ctx.quick ? 3 : 5;
  const soakSec = ctx.quick ? 15 : 120;
  const db = await createBenchDatabase(ctx.serverUrl);
  let org: BenchOrg | undefined;
  let gateway: GatewayProcess | undefined;
  const noop = await startNoopServer('hono');
  // PostgreSQL's CPU is read from this machine's processes: only when the database server is here.
  const localPostgres = ['127.0.0.1', 'localhost', '[::1]', ''].includes(new URL(ctx.serverUrl).hostname);
  try {
    org = await startBenchOrg('bench-bv');
    const apiRoot = org.sim.zakenApiRoot;
    const zaakUrls = Array.from({ length: ORDERS }, (_, i) => `${apiRoot}zaken/0b0b0000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`);
    await seedOrders(db.db, { organisationId: org.id, product: 'traplift', zaakUrls, tag: 'b2' });
    gateway = await startGatewayProcess({
      databaseUrl: db.url,
      network: benchNetwork([org.organisation]),
      dir: join(ctx.dir, 'ingest'),
      env: { SYNC_DEBOUNCE_MS: '600000' },
    });
    const gw = gateway;
    let next = 0;
    const notifications = (extra: Partial<Extract<RequestSpec, { kind: 'notification' }>> = {}): RequestSpec => ({
      kind: 'notification',
      path: '/api/v1/notificaties',
      authorization: org!.notifyAuthorization(),
      apiRoot,
      zaakUrls,
      start: next,
      ...extra,
    });

    // B2 peak, each round after the two baselines measured just before it: GET /health/live through
    // the same gateway process and middleware (the bar), and the bare Hono no-op of B1.
    ctx.log(`B2: ${rounds} rounds of /health/live, Hono no-op and intake, ${durationSec} s each, ${CONNECTIONS} connections`);
    const rss = rssSampler(gw.pid);
    const intakeBefore = await scrapeIntake(gw.url);
    const live: Measured[] = [];
    const b2 = await paired(
      rounds,
      async () => {
        live.push(
          await measure(gw.pid, {
            origin: gw.url,
            mode: 'max',
            connections: 64,
            durationSec,
            warmupSec: 1,
            requests: { kind: 'get', paths: ['/health/live'], authorizations: [] },
          }),
        );
        return measure(noop.pid, { origin: noop.url, mode: 'max', connections: 64, durationSec, warmupSec: 1, requests: { kind: 'noop', path: '/noop' } });
      },
      async () => {
        const m = await measure(
          gw.pid,
          { origin: gw.url, mode: 'max', connections: CONNECTIONS, durationSec, warmupSec: 1, requests: notifications() },
          { postgres: localPostgres },
        );
        next += m.result.produced;
        return m;
      },
    );
    const peakRss = rss.stop().peak;
    const peakGroupCommit = intakeBetween(intakeBefore, await scrapeIntake(gw.url));
    const peak = b2.subjectRps;
    const liveRps = Math.round(median(live.map((m) => m.result.okRps)));
    const liveRatio = round(median(live.map((m, i) => b2.subject[i].result.okRps / m.result.okRps)), 3);
    const intakeErrors = b2.subject.reduce((n, m) => n + m.result.completed - (m.result.statuses['204'] ?? 0), 0);
    ctx.log(`B2: intake ${peak}/s vs no-op ${b2.baselineRps}/s → ${b2.ratio}; peak RSS ${round(peakRss, 0)} MB; ${peakGroupCommit}`);

    // B2 at 80 % of peak, open loop: latency counts from when each request was due.
    const from80 = logEnd(gw.logFile);
    const intake80 = await scrapeIntake(gw.url);
    const at80 = await load({
      origin: gw.url,
      mode: 'rate',
      rate: Math.round(peak * 0.8),
      connections: CONNECTIONS * 2,
      durationSec: durationSec * 2,
      warmupSec: 2,
      requests: notifications(),
    });
    next += at80.produced;
    // On the gateway's clock, from its access lines (warm-up included: the first seconds count too).
    const onGateway80 = await accessDurations(gw.logFile, from80, '/api/v1/notificaties', 204);
    const groupCommit80 = intakeBetween(intake80, await scrapeIntake(gw.url));
    ctx.log(
      `B2: at 80 % (${Math.round(peak * 0.8)}/s) p50 ${at80.latency.p50} ms p99 ${at80.latency.p99} ms; on the gateway's clock p50 ${onGateway80.p50} ms p99 ${onGateway80.p99} ms; ${groupCommit80}`,
    );
    // The same open-loop generator against the Hono no-op at 80 % of the no-op's own peak: the
    // latency floor of this generator on this machine, for reading the figure above.
    const noop80 = await load({
      origin: noop.url,
      mode: 'rate',
      rate: Math.round(b2.baselineRps * 0.8),
      connections: CONNECTIONS * 2,
      durationSec: durationSec * 2,
      warmupSec: 2,
      requests: { kind: 'noop', path: '/noop' },
    });
    ctx.log(`B2: Hono no-op at 80 % of its peak (${Math.round(b2.baselineRps * 0.8)}/s) p50 ${noop80.latency.p50} ms p99 ${noop80.latency.p99} ms`);

    // B3: exactly the notifications that were stored, sent again.
    const stored = await db.sql<{ resource_url: string }[]>`select resource_url from inbox`;
    const indices = stored.map((r) => indexOfStatusUrl(r.resource_url)).filter((i): i is number => i !== undefined);
    const rowsBefore = await counts(db.sql);
    let addedByReplay = { inbox: 0, jobs: 0 };
    const replay = await paired(
      rounds,
      () =>
        measure(gw.pid, { origin: gw.url, mode: 'max', connections: CONNECTIONS, durationSec, warmupSec: 1, requests: notifications() }).then((m) => {
          next += m.result.produced;
          return m;
        }),
      async () => {
        await new Promise((r) => setTimeout(r, 300)); // let the last in-flight new notifications commit
        const before = await counts(db.sql);
        const m = await measure(gw.pid, {
          origin: gw.url,
          mode: 'max',
          connections: CONNECTIONS,
          durationSec,
          warmupSec: 1,
          requests: notifications({ indices: shuffle(indices) }),
        });
        const after = await counts(db.sql);
        addedByReplay = { inbox: addedByReplay.inbox + after.inbox - before.inbox, jobs: addedByReplay.jobs + after.jobs - before.jobs };
        return m;
      },
    );
    const rowsAfter = await counts(db.sql);
    const added = addedByReplay.inbox + addedByReplay.jobs;
    ctx.log(`B3: replay ${replay.subjectRps}/s vs new ${replay.baselineRps}/s → ${replay.ratio}; rows added by the replay ${JSON.stringify(addedByReplay)}`);

    // B7: a soak at half the peak; RSS sampled each second.
    ctx.log(`B7: soak at 50 % (${Math.round(peak * 0.5)}/s) for ${soakSec} s`);
    const soakRss = rssSampler(gw.pid, 1000);
    const soak = await load({
      origin: gw.url,
      mode: 'rate',
      rate: Math.round(peak * 0.5),
      connections: CONNECTIONS,
      durationSec: soakSec,
      warmupSec: 1,
      requests: notifications(),
    });
    next += soak.produced;
    const { samples } = soakRss.stop();
    const window = Math.max(3, Math.floor(samples.length / 10));
    const soakStart = median(samples.slice(0, window));
    const soakEnd = median(samples.slice(-window));
    const growth = round((soakEnd / soakStart - 1) * 100, 1);
    ctx.log(`B7: RSS ${round(soakStart, 0)} → ${round(soakEnd, 0)} MB (${growth} %), soak p99 ${soak.latency.p99} ms`);

    const b2Figures: Figure[] = [
      { label: 'B2 intake peak', value: peak, unit: 'req/s', note: `${CONNECTIONS} connections; non-204 answers: ${intakeErrors}; ${peakGroupCommit}` },
      {
        label: 'B2 intake / GET /health/live, same middleware',
        value: liveRatio,
        target: '≥ 0.25',
        met: liveRatio >= 0.25,
        note: `/health/live ${liveRps}/s through the gateway's own process and middleware, in the same rounds`,
      },
      // The bar against a bare no-op is retired on two shared cores (bench/README.md); still shown.
      { label: 'B2 intake / Hono no-op', value: b2.ratio, note: `no-op ${b2.baselineRps}/s in the same rounds; not a target on two shared cores` },
      // Judged on the gateway's clock: on two cores shared with the generator, the client's clock
      // measures the generator too (its p99 against a bare no-op at 80 % is the next figure).
      {
        label: 'B2 p99 at 80 % of peak, gateway clock',
        value: onGateway80.p99,
        unit: 'ms',
        target: '≤ 50 ms',
        met: onGateway80.p99 <= 50 && okOnly(at80),
        note: `open loop ${at80.offeredRate}/s from a separate process; every access line's duration, counted from admission: p50 ${onGateway80.p50} ms, ${onGateway80.n} requests; ${groupCommit80}; answers ${JSON.stringify(at80.statuses)}${errorsNote(at80.errors)}`,
      },
      {
        label: 'B2 p99 at 80 % of peak, client clock',
        value: at80.latency.p99,
        unit: 'ms',
        note: `from when each request was due: p50 ${at80.latency.p50} ms; generator send lag p99 ${at80.sendLag?.p99} ms`,
      },
      {
        label: 'B2 Hono no-op p99 at 80 % of its peak',
        value: noop80.latency.p99,
        unit: 'ms',
        note: `the same generator, ${noop80.offeredRate}/s, ${CONNECTIONS * 2} connections: p50 ${noop80.latency.p50} ms; generator send lag p99 ${noop80.sendLag?.p99} ms`,
      },
      {
        label: 'B2 gateway CPU per notification',
        value: median(b2.subject.map((m) => m.cpuUsPerRequest)),
        unit: 'µs',
        note: `Hono no-op: ${median(b2.baseline.map((m) => m.cpuUsPerRequest))} µs`,
      },
      // Both cores are shared by the gateway, PostgreSQL and the load generator, so the ratio above
      // is about what a notification costs the whole machine against what a no-op request costs it.
      { label: 'B2 machine CPU per notification', value: median(b2.subject.map((m) => m.machineUsPerRequest)), unit: 'µs', note: machineNote(b2) },
    ];
    const b3Figures: Figure[] = [
      {
        label: 'B3 replay / new',
        value: replay.ratio,
        target: '≥ 1.0',
        met: replay.ratio >= 1.0,
        note: `replay ${replay.subjectRps}/s, new ${replay.baselineRps}/s in the same rounds`,
      },
      {
        label: 'B3 rows added by the replay',
        value: added,
        target: '0',
        met: added === 0,
        note: `${indices.length} stored notifications replayed (inbox and jobs rows counted around each replay run)`,
      },
    ];
    const b7Figures: Figure[] = [
      { label: 'B7 RSS at B2 peak', value: round(peakRss, 0), unit: 'MB', target: '< 300 MB', met: peakRss < 300 },
      {
        label: `B7 RSS growth over ${soakSec} s at 50 %`,
        value: growth,
        unit: '%',
        target: '< 10 %',
        met: growth < 10,
        note: `${round(soakStart, 0)} → ${round(soakEnd, 0)} MB; soak p99 ${soak.latency.p99} ms, answers ${JSON.stringify(soak.statuses)}`,
      },
    ];
    return [
      {
        id: 'B2',
        title: 'ingest: authenticated notification committed and acknowledged',
        status: 'ok',
        figures: b2Figures,
        details: { rounds, durationSec, b2, at80, onGateway80, noop80 },
      },
      { id: 'B3', title: 'replay: the same notifications again', status: 'ok', figures: b3Figures, details: { replay, rowsBefore, rowsAfter } },
      { id: 'B7', title: 'memory', status: 'ok', figures: b7Figures, details: { peakRss, soakSamples: samples, soak } },
    ];
  } finally {
    noop.stop();
    await gateway?.stop();
    await org?.sim.close();
    await db.drop();
  }
}

async function counts(sql: Awaited<ReturnType<typeof createBenchDatabase>>['sql']) {
  const [r] = await sql<{ inbox: number; jobs: number }[]>`
    select (select count(*)::int from inbox) as inbox, (select count(*)::int from jobs) as jobs`;
  return r;
}

function machineNote(b2: Paired): string {
  const m = (xs: Measured[], f: (x: Measured) => number | undefined) => median(xs.map((x) => f(x) ?? NaN));
  const gateway = m(b2.subject, (x) => x.cpuUsPerRequest);
  const postgres = m(b2.subject, (x) => x.postgresUsPerRequest);
  const machine = m(b2.subject, (x) => x.machineUsPerRequest);
  const noopServer = m(b2.baseline, (x) => x.cpuUsPerRequest);
  const noopMachine = m(b2.baseline, (x) => x.machineUsPerRequest);
  const intake = Number.isFinite(postgres)
    ? `gateway ${gateway}, PostgreSQL ${round(postgres, 1)}, load generator and kernel ${round(machine - gateway - postgres, 1)} µs`
    : `gateway ${gateway}, the rest ${round(machine - gateway, 1)} µs (PostgreSQL not on this machine)`;
  return `medians over the rounds: ${intake}; Hono no-op ${noopMachine} µs a request (server ${noopServer}, load generator and kernel ${round(noopMachine - noopServer, 1)}); machine CPU ratio no-op / intake ${round(noopMachine / machine, 3)}`;
}

const okOnly = (r: { statuses: Record<string, number>; errors: Record<string, number> }) =>
  Object.keys(r.statuses).every((s) => s === '204') && Object.keys(r.errors).length === 0;

const errorsNote = (errors: Record<string, number>) => (Object.keys(errors).length ? `; errors ${JSON.stringify(errors)}` : '');

function shuffle<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
