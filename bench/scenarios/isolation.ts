// B6 delivery isolation: five webhook subscribers (CloudEvents) on loopback; the supplier changes
// case phases at a steady rate; each subscriber notes event time → arrival. Once with all five
// healthy, once with one that accepts connections and never answers. The four that never hang are
// the ones timed, in both runs, and only for events of the run itself (a hanging run leaves a
// backlog for the fifth, late by design, delivered before the next run): their delivery p99 with
// the fifth hanging must stay within 1.2 × their p99 with the fifth healthy.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { createBenchDatabase } from '../lib/database.ts';
import { paced } from '../lib/paced.ts';
import { startGatewayProcess, type GatewayProcess } from '../lib/gateway-process.ts';
import { benchNetwork, clientAuthorization } from '../lib/network.ts';
import type { BenchContext, ScenarioReport } from '../lib/scenario.ts';
import { round, Samples, summarise, type LatencySummary } from '../lib/stats.ts';

const SUBSCRIBERS = 5;
const CASES = 200;
const RATE = 40;

interface Subscriber {
  url: string;
  hang: boolean;
  latencies: Samples | undefined;
  /** Events older than this (epoch ms) are not timed. */
  since: number;
  held: number;
  close(): Promise<void>;
}

async function startSubscriber(): Promise<Subscriber> {
  const self: Subscriber = { url: '', hang: false, latencies: undefined, since: 0, held: 0, close: async () => {} };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (self.hang) {
        self.held++;
        return; // never answers; the gateway's attempt timeout ends it
      }
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { time?: string; type?: string };
        const at = body.time ? Date.parse(body.time) : NaN;
        if (self.latencies && at >= self.since && body.type?.endsWith('case.status-changed')) self.latencies.push(Date.now() - at);
      } catch {
        // a test delivery or something else: answered all the same
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  self.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
  self.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return self;
}

export async function isolationScenario(ctx: BenchContext): Promise<ScenarioReport> {
  const durationSec = ctx.quick ? 4 : 12;
  const cases = ctx.quick ? 60 : CASES;
  const db = await createBenchDatabase(ctx.serverUrl);
  const subscribers: Subscriber[] = [];
  let gateway: GatewayProcess | undefined;
  let pool: Pool | undefined;
  try {
    for (let i = 0; i < SUBSCRIBERS; i++) subscribers.push(await startSubscriber());
    gateway = await startGatewayProcess({
      databaseUrl: db.url,
      network: benchNetwork([]),
      dir: join(ctx.dir, 'isolation'),
      // Retries within seconds, not 25 s: the hanging round's backlog is delivered before the next
      // all-healthy round is timed (see drain below).
      env: { WEBHOOK_ALLOW_HTTP_HOSTS: '127.0.0.1', DELIVERY_TIMEOUT_MS: '5000', DELIVERY_RETRY_BASE_SECONDS: '0.2', LOG_LEVEL: 'warn' },
    });
    pool = new Pool(gateway.url, { connections: 16 });
    const call = async (method: string, path: string, client: 'zac' | 'portaal', body?: unknown) => {
      const res = await pool!.request({
        method: method as 'POST',
        path,
        headers: { authorization: clientAuthorization(client), 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.body.text();
      if (res.statusCode >= 300) throw new Error(`${method} ${path} answered ${res.statusCode}: ${text.slice(0, 300)}`);
      return text ? JSON.parse(text) : undefined;
    };
    for (const s of subscribers)
      await call('POST', '/api/v1/subscriptions', 'portaal', { callbackUrl: s.url, events: ['case.status-changed'], format: 'cloudevents' });
    const caseIds: string[] = [];
    for (let i = 0; i < cases; i++) caseIds.push((await call('POST', '/api/v1/cases', 'zac', { title: `Isolatie ${i}`, citizen: { bsn: '111222333' } })).id);

    const phases = new Map<string, boolean>();
    const drive = (seconds: number) =>
      paced(
        RATE,
        seconds,
        (k) => {
          const id = caseIds[k % caseIds.length];
          const next = !phases.get(id);
          phases.set(id, next);
          return call('POST', `/api/v1/cases/${id}/status`, 'zac', { phase: next ? 'in_behandeling' : 'ontvangen' }).catch(() => undefined);
        },
        5,
      );
    const run = async (label: string, hang: boolean) => {
      subscribers[SUBSCRIBERS - 1].hang = hang;
      const since = Date.now();
      for (const s of subscribers) Object.assign(s, { latencies: new Samples(), since });
      ctx.log(`B6: ${label}: ${durationSec} s at ${RATE} phase changes/s over ${cases} cases, ${SUBSCRIBERS} subscribers`);
      const sent = await drive(durationSec);
      await sleep(2000); // the last deliveries arrive
      const healthy = subscribers.slice(0, SUBSCRIBERS - 1); // the four that never hang
      const all = new Samples();
      for (const s of healthy) for (const v of s.latencies!.values()) all.push(v);
      for (const s of subscribers) s.latencies = undefined;
      return { sent, healthy: summarise(all.values()), values: Float64Array.from(all.values()) };
    };

    await run('warm-up', false).then(() => undefined);
    // Alternated, so that a noisy moment does not fall on one side only. Each side's p99 is taken
    // over all its rounds' deliveries together: one 12 s round has about 1,900, so its p99 rests
    // on its 19 slowest, and a median of three such p99s moved the ratio between 0.86 and 1.4 with
    // the same code on one day (2026-12-04); pooled, the p99 rests on about 58.
    const rounds = ctx.quick ? 1 : 3;
    const baselines: Awaited<ReturnType<typeof run>>[] = [];
    const isolateds: Awaited<ReturnType<typeof run>>[] = [];
    // A hanging round leaves the fifth subscriber hundreds of deliveries behind; answered again, it
    // takes them in a burst. Timed in the next all-healthy round, that burst made "all healthy"
    // the slower side (ratios 0.71 and 0.73 on 2026-12-04): so it is delivered first.
    const drains: { ms: number; left: number }[] = [];
    const drain = async () => {
      const t0 = Date.now();
      for (;;) {
        const [{ n }] = await db.sql<{ n: number }[]>`select count(*)::int as n from deliveries where state in ('waiting', 'pending', 'delivering')`;
        if (Number(n) === 0 || Date.now() - t0 > 30_000) return { ms: Date.now() - t0, left: Number(n) };
        await sleep(200);
      }
    };
    for (let i = 0; i < rounds; i++) {
      baselines.push(await run('all healthy', false));
      isolateds.push(await run('one subscriber hangs', true));
      subscribers[SUBSCRIBERS - 1].hang = false;
      drains.push(await drain());
      ctx.log(`B6: the hanging round's backlog delivered in ${drains.at(-1)!.ms} ms (${drains.at(-1)!.left} left)`);
    }
    const pooled = (runs: typeof baselines) => ({
      sent: runs.reduce((n, r) => n + r.sent, 0),
      healthy: summarise(runs.flatMap((r) => [...r.values])),
    });
    const baseline = pooled(baselines);
    const isolated = pooled(isolateds);
    const ratio = round(isolated.healthy.p99 / baseline.healthy.p99, 2);
    const expected = (r: { sent: number }) => r.sent * (SUBSCRIBERS - 1);
    ctx.log(`B6: healthy p99 ${baseline.healthy.p99} ms all healthy, ${isolated.healthy.p99} ms with one hanging (${ratio}×)`);
    const note = (r: { sent: number; healthy: LatencySummary }) =>
      `${rounds} round${rounds === 1 ? '' : 's'}: ${r.healthy.n} of ~${expected(r)} deliveries to the four timed, p50 ${r.healthy.p50} ms, max ${r.healthy.max} ms`;
    const perRound = (runs: typeof baselines) => runs.map((r) => r.healthy.p99).join(', ');
    const withoutValues = (runs: typeof baselines) => runs.map(({ values: _values, ...r }) => r);
    return {
      id: 'B6',
      title: 'delivery isolation: one of five subscribers hangs',
      status: 'ok',
      figures: [
        { label: 'B6 healthy delivery p99, all healthy', value: baseline.healthy.p99, unit: 'ms', note: note(baseline) },
        {
          label: 'B6 healthy delivery p99, one hangs',
          value: isolated.healthy.p99,
          unit: 'ms',
          note: `${note(isolated)}; requests held by the hanging one: ${subscribers[SUBSCRIBERS - 1].held}`,
        },
        {
          label: 'B6 one hangs / all healthy',
          value: ratio,
          target: '≤ 1.2',
          met: ratio <= 1.2,
          note: `p99 over all rounds' deliveries; p99 per round, all healthy: ${perRound(baselines)} ms; one hangs: ${perRound(isolateds)} ms; each hanging round's backlog delivered before the next round (${drains.map((d) => `${round(d.ms / 1000, 1)} s${d.left ? `, ${d.left} left` : ''}`).join(', ')})`,
        },
      ],
      details: { durationSec, rate: RATE, cases, rounds, baselines: withoutValues(baselines), isolateds: withoutValues(isolateds), drains },
    };
  } finally {
    await pool?.close();
    await gateway?.stop();
    for (const s of subscribers) await s.close();
    await db.drop();
  }
}
