// B1 stack: a no-op Hono route (read and parse a JSON body, answer 204) against raw node:http
// doing the same, each in its own process, loaded from a third.
import { measure, paired, startNoopServer, type BenchContext, type ScenarioReport } from '../lib/scenario.ts';
import { median, round } from '../lib/stats.ts';

export async function stackScenario(ctx: BenchContext): Promise<ScenarioReport> {
  const rounds = ctx.quick ? 1 : 3;
  const durationSec = ctx.quick ? 2 : 4;
  const connections = 64;
  const raw = await startNoopServer('raw');
  const hono = await startNoopServer('hono');
  const stack = await startNoopServer('gateway');
  try {
    const run = (server: { url: string; pid: number }) => () =>
      measure(server.pid, { origin: server.url, mode: 'max', connections, durationSec, warmupSec: 1, requests: { kind: 'noop', path: '/noop' } });
    ctx.log(`B1: ${rounds} rounds of raw node:http / Hono, ${durationSec} s each`);
    const b1 = await paired(rounds, run(raw), run(hono));
    ctx.log(`B1: raw ${b1.baselineRps}/s, Hono ${b1.subjectRps}/s, ratio ${b1.ratio}`);
    const withMiddleware = await paired(rounds, run(hono), run(stack));
    const cpu = (ms: { cpuUsPerRequest: number }[]) => median(ms.map((m) => m.cpuUsPerRequest));
    const cpuRaw = cpu(b1.baseline);
    const cpuHono = cpu(b1.subject);
    const cpuStack = cpu(withMiddleware.subject);
    return {
      id: 'B1',
      title: 'stack: Hono no-op vs raw node:http',
      status: 'ok',
      figures: [
        { label: 'B1 raw node:http', value: b1.baselineRps, unit: 'req/s' },
        { label: 'B1 Hono no-op', value: b1.subjectRps, unit: 'req/s' },
        { label: 'B1 Hono / raw', value: b1.ratio, target: '≥ 0.85', met: b1.ratio >= 0.85 },
        { label: 'B1 server CPU per request raw / Hono', value: `${cpuRaw} / ${cpuHono} µs`, note: `CPU ratio ${round(cpuRaw / cpuHono, 2)}` },
        {
          label: 'B1 Hono + gateway middleware / Hono',
          value: withMiddleware.ratio,
          note: `request id, access line at info, metrics, 405, body limit: ${cpuStack} µs CPU per request`,
        },
      ],
      details: { rounds, durationSec, connections, b1, withMiddleware },
    };
  } finally {
    raw.stop();
    hono.stop();
    stack.stop();
  }
}
