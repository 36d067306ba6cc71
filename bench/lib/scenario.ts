// What every scenario gets and gives back.
import { fork, type ChildProcess } from 'node:child_process';
import { load, type LoadResult, type LoadSpec } from './load.ts';
import { procSample } from './proc.ts';
import { median, round } from './stats.ts';

export interface BenchContext {
  quick: boolean;
  /** PostgreSQL server URL; each scenario creates (and drops) its own database on it. */
  serverUrl: string;
  /** A scratch directory for this run. */
  dir: string;
  log(message: string): void;
  /** Seconds left of the whole run's budget. */
  secondsLeft(): number;
}

export interface Figure {
  /** e.g. "B2 peak". */
  label: string;
  value: number | string | null;
  unit?: string;
  target?: string;
  /** true / false when a target applies; null when not measured. */
  met?: boolean | null;
  note?: string;
}

export interface ScenarioReport {
  id: string;
  title: string;
  status: 'ok' | 'skipped' | 'failed';
  reason?: string;
  figures: Figure[];
  details?: Record<string, unknown>;
  seconds?: number;
}

export const skipped = (id: string, title: string, reason: string): ScenarioReport => ({ id, title, status: 'skipped', reason, figures: [] });

/** A load run with CPU time per request: the target process's, and the whole machine's. */
export interface Measured {
  result: LoadResult;
  /** The target's CPU time per request sent, both counted over the warm-up and the run. */
  cpuUsPerRequest: number;
  /** Busy CPU of the whole machine per request (all cores), and of its PostgreSQL when asked for. */
  machineUsPerRequest: number;
  postgresUsPerRequest?: number;
}

export async function measure(pid: number, spec: LoadSpec, options: { postgres?: boolean } = {}): Promise<Measured> {
  const before = procSample(pid).cpuMs;
  const result = await load({ ...spec, postgres: options.postgres });
  const after = procSample(pid).cpuMs;
  // The CPU counters run through the warm-up too: per request *sent* (warm-up included), not per
  // request completed in the measured window, which overstated every figure by the warm-up's share.
  const perRequest = (ms: number) => round((ms * 1000) / Math.max(1, result.produced), 1);
  return {
    result,
    cpuUsPerRequest: perRequest(after - before),
    machineUsPerRequest: perRequest(result.machine?.busyMs ?? NaN),
    ...(options.postgres ? { postgresUsPerRequest: perRequest(result.machine?.postgresMs ?? NaN) } : {}),
  };
}

export interface Paired {
  baseline: Measured[];
  subject: Measured[];
  /** Median over rounds of subject/baseline 2xx throughput, each pair measured back to back. */
  ratio: number;
  baselineRps: number;
  subjectRps: number;
}

/** Alternates baseline and subject runs so that a noisy neighbour hits both alike. */
export async function paired(rounds: number, baseline: () => Promise<Measured>, subject: () => Promise<Measured>): Promise<Paired> {
  const a: Measured[] = [];
  const b: Measured[] = [];
  for (let i = 0; i < rounds; i++) {
    a.push(await baseline());
    b.push(await subject());
  }
  return {
    baseline: a,
    subject: b,
    ratio: round(median(a.map((x, i) => b[i].result.okRps / x.result.okRps)), 3),
    baselineRps: Math.round(median(a.map((x) => x.result.okRps))),
    subjectRps: Math.round(median(b.map((x) => x.result.okRps))),
  };
}

/** Starts bench/servers/noop.ts in a mode and returns its URL. */
export async function startNoopServer(mode: 'raw' | 'hono' | 'gateway'): Promise<{ url: string; pid: number; stop(): void }> {
  const child: ChildProcess = fork(new URL('../servers/noop.ts', import.meta.url), [mode], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`noop server ${mode} exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, pid: child.pid!, stop: () => void child.kill('SIGKILL') };
}

export const fmt = (v: number, digits = 0) => (Number.isFinite(v) ? v.toFixed(digits) : String(v));
