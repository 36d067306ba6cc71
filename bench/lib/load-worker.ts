// The load generator. Runs in its own process (bench/lib/load.ts forks it), so it never shares an
// event loop with the gateway or the orchestrator. Two modes:
//  - max:  closed loop with autocannon — N connections, each sends the next request when the last
//          one answered; measures peak throughput.
//  - rate: open loop with undici — requests are due at a fixed rate whatever the server does, and
//          latency counts from the moment a request was due (no coordinated omission); latency is
//          also kept per status code, so admitted and rejected requests can be told apart.
import autocannon from 'autocannon';
import { Pool } from 'undici';
import { machineBusyMs, postgresCpuMs } from './proc.ts';
import { requestFactory, type RequestSpec } from './requests.ts';
import { Samples, summarise, type LatencySummary } from './stats.ts';

export interface LoadSpec {
  origin: string;
  mode: 'max' | 'rate';
  connections: number;
  durationSec: number;
  /** Seconds of unmeasured load first (rate mode: at the same rate; connections and JIT warm up). */
  warmupSec?: number;
  /** rate mode: requests per second. */
  rate?: number;
  timeoutSec?: number;
  requests: RequestSpec;
  /** Also sample the local PostgreSQL's CPU over the run (see `machine` in the result). */
  postgres?: boolean;
}

export interface LoadResult {
  mode: 'max' | 'rate';
  durationSec: number;
  connections: number;
  offeredRate?: number;
  completed: number;
  /** Completed requests per second (any status). */
  rps: number;
  /** 2xx answers per second. */
  okRps: number;
  statuses: Record<string, number>;
  errors: Record<string, number>;
  latency: LatencySummary;
  latencyByStatus: Record<string, LatencySummary>;
  /** rate mode: how late the generator sent requests (ms after they were due); large = the generator fell behind. */
  sendLag?: LatencySummary;
  /** Rejections (429/503) that carried Retry-After, and those that did not (rate mode only). */
  retryAfter?: { with: number; without: number };
  /** Requests the factory produced, warm-up included (the next run's start index). */
  produced: number;
  /**
   * CPU the whole machine (and its PostgreSQL, when asked) spent from the first request of the
   * warm-up to the last answer: taken here, so that starting this worker is not in it.
   */
  machine?: { busyMs: number; postgresMs?: number };
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const busy = machineBusyMs();
  const postgres = spec.postgres ? postgresCpuMs() : 0;
  const result = await (spec.mode === 'max' ? runMax(spec) : runRate(spec));
  return { ...result, machine: { busyMs: machineBusyMs() - busy, ...(spec.postgres ? { postgresMs: postgresCpuMs() - postgres } : {}) } };
}

async function runMax(spec: LoadSpec): Promise<LoadResult> {
  const factory = requestFactory(spec.requests);
  const opts: autocannon.Options = {
    url: spec.origin,
    connections: spec.connections,
    duration: spec.durationSec,
    timeout: spec.timeoutSec ?? 10,
    requests: [{ setupRequest: (req) => ({ ...req, ...factory.next() }) }],
  };
  if (spec.warmupSec) (opts as unknown as { warmup: unknown }).warmup = { connections: spec.connections, duration: spec.warmupSec };
  const result = await autocannon(opts);
  const statuses: Record<string, number> = {};
  for (const [code, s] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = (s as { count: number }).count;
  const completed = Object.values(statuses).reduce((a, b) => a + b, 0);
  const ok = Object.entries(statuses)
    .filter(([c]) => c.startsWith('2'))
    .reduce((a, [, n]) => a + n, 0);
  const l = result.latency;
  return {
    mode: 'max',
    durationSec: result.duration,
    connections: spec.connections,
    completed,
    rps: completed / result.duration,
    okRps: ok / result.duration,
    statuses,
    errors: { ...(result.errors ? { errors: result.errors } : {}), ...(result.timeouts ? { timeouts: result.timeouts } : {}) },
    latency: { n: completed, p50: l.p50, p90: l.p90, p99: l.p99, max: l.max, mean: l.average },
    latencyByStatus: {},
    produced: factory.produced(),
  };
}

async function runRate(spec: LoadSpec): Promise<LoadResult> {
  const rate = spec.rate ?? 100;
  const factory = requestFactory(spec.requests);
  const pool = new Pool(spec.origin, {
    connections: spec.connections,
    pipelining: 1,
    headersTimeout: (spec.timeoutSec ?? 30) * 1000,
    bodyTimeout: (spec.timeoutSec ?? 30) * 1000,
  });
  const byStatus = new Map<string, Samples>();
  const all = new Samples();
  const errors: Record<string, number> = {};
  const retryAfter = { with: 0, without: 0 };
  let sent = 0;
  let outstanding = 0;
  const maxOutstanding = 20_000;

  const lag = new Samples();
  const record = (code: string, ms: number, retryAfterHeader: boolean) => {
    let s = byStatus.get(code);
    if (!s) byStatus.set(code, (s = new Samples()));
    s.push(ms);
    all.push(ms);
    if (code === '429' || code === '503') {
      if (retryAfterHeader) retryAfter.with++;
      else retryAfter.without++;
    }
  };
  // dispatch() with a bare handler: no response stream per request, so the generator spends little
  // CPU per request (it shares the machine with what it measures). Latency is taken at the headers.
  const fire = (due: number, measured: boolean) => {
    if (measured) lag.push(performance.now() - due);
    const r = factory.next();
    outstanding++;
    let code = '';
    let ms = 0;
    let hasRetryAfter = false;
    pool.dispatch({ origin: spec.origin, path: r.path, method: r.method, headers: r.headers, body: r.body }, {
      onConnect() {},
      onHeaders(statusCode: number, rawHeaders: Buffer[]) {
        ms = performance.now() - due;
        code = String(statusCode);
        for (let i = 0; i < rawHeaders.length; i += 2) {
          if (rawHeaders[i].length === 11 && rawHeaders[i].toString('latin1').toLowerCase() === 'retry-after') hasRetryAfter = true;
        }
        return true;
      },
      onData() {
        return true;
      },
      onComplete() {
        outstanding--;
        if (measured) record(code, ms, hasRetryAfter);
      },
      onError(e: Error & { code?: string }) {
        outstanding--;
        if (!measured) return;
        const key = e.code ?? e.name ?? 'error';
        errors[key] = (errors[key] ?? 0) + 1;
      },
    } as never);
  };

  const start = performance.now();
  const measureFrom = start + (spec.warmupSec ?? 0) * 1000;
  const end = measureFrom + spec.durationSec * 1000;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const now = performance.now();
      const target = Math.floor(((Math.min(now, end) - start) / 1000) * rate);
      while (sent < target) {
        const due = start + (sent / rate) * 1000;
        sent++;
        if (outstanding >= maxOutstanding) {
          errors['generator-saturated'] = (errors['generator-saturated'] ?? 0) + 1;
          continue;
        }
        fire(due, due >= measureFrom);
      }
      if (now >= end) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  const drainUntil = performance.now() + (spec.timeoutSec ?? 30) * 1000;
  while (outstanding > 0 && performance.now() < drainUntil) await new Promise((r) => setTimeout(r, 10));
  await pool.destroy();

  const statuses: Record<string, number> = {};
  const latencyByStatus: Record<string, LatencySummary> = {};
  for (const [code, s] of byStatus) {
    statuses[code] = s.length;
    latencyByStatus[code] = summarise(s.values());
  }
  const ok = Object.entries(statuses)
    .filter(([c]) => c.startsWith('2'))
    .reduce((a, [, n]) => a + n, 0);
  return {
    mode: 'rate',
    durationSec: spec.durationSec,
    connections: spec.connections,
    offeredRate: rate,
    completed: all.length,
    rps: all.length / spec.durationSec,
    okRps: ok / spec.durationSec,
    statuses,
    errors,
    latency: summarise(all.values()),
    latencyByStatus,
    retryAfter,
    sendLag: summarise(lag.values()),
    produced: factory.produced(),
  };
}

// As a child process: one spec in over IPC, one result out.
if (process.send) {
  process.once('message', (spec: LoadSpec) => {
    runLoad(spec).then(
      (result) => process.send!({ ok: true, result }, () => process.exit(0)),
      (error: Error) => process.send!({ ok: false, error: error.stack ?? String(error) }, () => process.exit(1)),
    );
  });
}
