// R4 overload: notifications offered at twice the measured peak, open loop, from a separate
// process. Whatever is not admitted must be told when to come back (429 or 503 with Retry-After;
// at least 99 % of the refusals), throughput must not collapse, and memory must stay bounded.
//
// The admitted p99 against the 80 % run is printed, on the gateway's clock (every access line's
// duration, counted from when admission first saw the request, so a wait for a slot counts) and on
// the client's, but not asserted. With a slot waited for up to 100 ms (the default until
// 2026-12-04) it measured 4.1–4.3 × the 80 % run (p99 128–130 ms at 2 ×): largely the wait itself.
// With 50 ms (now the default) 2.9–5.2 × (p99 90–104 ms against 19–34 ms); with 25 ms 2.2–2.7 ×,
// but bench B2's 80 % run then had 109 of 56,940 notifications refused in bursts, which is worse
// than a slower tail at 2 × peak; 10 ms gave 2.3 × and refused some of R4's own 80 % run.
// What remains is not the number in flight: an adaptive cap was tried (while refusing, AIMD on
// the admitted requests' mean latency against twice the mean without refusals, down to 16 at
// once), and the admitted rate fell from ~7,000 to 2,200–2,400/s while the admitted p50 stayed at
// ~30 ms. At 2 × the admitted requests wait behind the refusals (~8,000/s) and the generator on
// the same two cores, not behind each other.
import { describe, expect, it } from 'vitest';
import { load, type LoadResult } from '../../bench/lib/load.ts';
import { rssSampler } from '../../bench/lib/proc.ts';
import { accessDurations, logEnd } from '../../bench/lib/server-metrics.ts';
import type { RequestSpec } from '../../bench/lib/requests.ts';
import { startReliabilityChain } from './lib/chain.ts';

const log = (m: string) => process.stderr.write(`[R4 ${new Date().toISOString().slice(11, 23)}] ${m}\n`);

describe('R4 overload', () => {
  it('refuses the excess with 503/429 + Retry-After and keeps admitted requests fast at 2 × peak', async () => {
    const chain = await startReliabilityChain({
      engine: 'postgres',
      orgs: [{ id: 'busy-bv', orders: 500 }],
      env: { SYNC_DEBOUNCE_MS: '600000', LOG_LEVEL: 'info', ...JSON.parse(process.env.R4_ENV ?? '{}') }, // the intake alone, as in bench B2
    });
    const org = chain.orgs['busy-bv'];
    const gw = chain.gateway;
    let next = 0;
    const notifications = (): RequestSpec => ({
      kind: 'notification',
      path: '/api/v1/notificaties',
      authorization: org.notifyAuthorization(),
      apiRoot: org.sim.zakenApiRoot,
      zaakUrls: chain.zaakUrls['busy-bv'],
      start: next,
    });
    const run = async (spec: Parameters<typeof load>[0]) => {
      const r = await load(spec);
      next += r.produced;
      return r;
    };

    await run({ origin: gw.url, mode: 'max', connections: 64, durationSec: 2, requests: notifications() }); // warm-up
    const peak = await run({ origin: gw.url, mode: 'max', connections: 128, durationSec: 4, requests: notifications() });
    const peakRps = peak.okRps;
    log(`peak ${Math.round(peakRps)}/s`);
    // The gateway's own durations of the admitted notifications written after `from`.
    const admittedOnGateway = (from: number) => accessDurations(gw.logFile, from, '/api/v1/notificaties', 204);
    const from80 = logEnd(gw.logFile);
    const at80 = await run({ origin: gw.url, mode: 'rate', rate: Math.round(peakRps * 0.8), connections: 256, durationSec: 8, requests: notifications() });
    const p99at80 = at80.latencyByStatus['204']?.p99 ?? NaN;
    const server80 = await admittedOnGateway(from80);
    const rssBefore = gw.rssMb();
    log(`80 %: p99 ${p99at80} ms, answers ${JSON.stringify(at80.statuses)}; RSS ${Math.round(rssBefore)} MB`);

    const rss = rssSampler(gw.pid, 250);
    const cpuBefore = gw.cpuMs();
    const from200 = logEnd(gw.logFile);
    const at200 = await run({ origin: gw.url, mode: 'rate', rate: Math.round(peakRps * 2), connections: 1024, durationSec: 10, requests: notifications() });
    const { peak: rssPeak } = rss.stop();
    const gatewayCpu = (gw.cpuMs() - cpuBefore) / (at200.durationSec * 1000);
    const server200 = await admittedOnGateway(from200);
    const admitted = at200.statuses['204'] ?? 0;
    const refusals = refusalsOf(at200);
    const withRetryAfter = at200.retryAfter?.with ?? 0;
    const share = refusals === 0 ? 1 : withRetryAfter / refusals;
    const p99Admitted = at200.latencyByStatus['204']?.p99 ?? NaN;
    process.stdout.write(
      `\n── R4 overload ──\n${JSON.stringify(
        {
          peakRps: Math.round(peakRps),
          at80: { offered: at80.offeredRate, answers: at80.statuses, errors: at80.errors, p99: p99at80, onGateway: server80, sendLagP99: at80.sendLag?.p99 },
          at200: {
            offered: at200.offeredRate,
            answers: at200.statuses,
            errors: at200.errors,
            admittedPerSecond: Math.round(admitted / at200.durationSec),
            sendLagP99: at200.sendLag?.p99,
            admittedP99: p99Admitted,
            admittedOnGateway: server200,
            admittedP99Over80OnGateway: Math.round((server200.p99 / server80.p99) * 100) / 100,
            refusedP99: at200.latencyByStatus['503']?.p99 ?? null,
            refusals,
            refusalsWithRetryAfter: withRetryAfter,
          },
          gatewayCpuShare: Math.round(gatewayCpu * 100) / 100,
          rssMb: { before: Math.round(rssBefore), peak: Math.round(rssPeak) },
        },
        null,
        2,
      )}\n`,
    );

    expect(refusals, 'the excess is refused').toBeGreaterThan(0);
    expect(share, 'refusals that are 429/503 with Retry-After').toBeGreaterThanOrEqual(0.99);
    expect(
      Object.keys(at200.statuses).filter((s) => Number(s) >= 500 && s !== '503'),
      'no other 5xx',
    ).toEqual([]);
    expect(server80.n, 'an access line for every admitted notification at 80 %').toBeGreaterThanOrEqual(at80.statuses['204'] ?? 0);
    expect(server200.n, 'an access line for every admitted notification at 2 × peak').toBeGreaterThanOrEqual(admitted);
    // Not collapsing, on two cores shared with a generator that now sends twice the peak (it takes
    // the CPU the gateway had at peak; seen: 0.49–0.6 × peak admitted). A collapse is far below.
    expect(admitted / at200.durationSec, 'admitted throughput does not collapse').toBeGreaterThanOrEqual(0.4 * peakRps);
    expect(rssPeak, 'memory bounded').toBeLessThan(Math.max(512, rssBefore * 1.5));
    expect(gw.alive()).toBe(true);
  });
});

/**
 * Everything the gateway did not admit: non-204 answers and requests that got no answer. Requests
 * the generator never sent (all its connections busy: 'generator-saturated') never reached the
 * gateway and are not counted; they are in the printed errors.
 */
function refusalsOf(r: LoadResult): number {
  const answered = Object.entries(r.statuses)
    .filter(([s]) => s !== '204')
    .reduce((n, [, c]) => n + c, 0);
  const failed = Object.entries(r.errors)
    .filter(([e]) => e !== 'generator-saturated')
    .reduce((n, [, c]) => n + c, 0);
  return answered + failed;
}
