// R2 database outage: the gateway's line to PostgreSQL is cut for 30 s through a TCP fault proxy
// (packets held, as in a network partition), later reset for 10 s (as when PostgreSQL restarts).
// Meanwhile notifications keep coming. The intake must answer 503 with Retry-After within 10 s —
// never 500, never a hang — /health/ready must say 503, and afterwards the same process must work
// again on its own, with no acknowledged notification lost.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startTcpProxy } from '../helpers/tcp-proxy.ts';
import { serverUrl, startReliabilityChain, waitForQuietJobs } from './lib/chain.ts';
import { ledgerOf, printLedger } from './lib/ledger.ts';
import { Sender } from './lib/sender.ts';

const RATE = 100;
const log = (m: string) => process.stderr.write(`[R2 ${new Date().toISOString().slice(11, 23)}] ${m}\n`);

describe('R2 database outage', () => {
  it('answers 503 + Retry-After within 10 s while PostgreSQL is unreachable, and recovers without a restart', async () => {
    const server = new URL(serverUrl());
    const proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port || 5432) });
    onTestFinished(() => proxy.close()); // after the gateway has stopped (these hooks run in reverse)
    const chain = await startReliabilityChain({
      engine: 'postgres',
      orgs: [{ id: 'outage-bv', orders: 50 }],
      via: (url) => proxy.via(url),
      env: { SYNC_DEBOUNCE_MS: '200', JOB_POLL_INTERVAL_MS: '100', JOB_LEASE_SECONDS: '5' },
    });
    const org = chain.orgs['outage-bv'];
    const zaken = chain.zaakUrls['outage-bv'];
    const pid = chain.gateway.pid;
    // Enough connections that no request waits in the client: latency is the gateway's.
    const sender = new Sender({
      origin: chain.gateway.url,
      authorization: () => org.notifyAuthorization(),
      retryDelayMs: 1000,
      requestTimeoutMs: 30_000,
      connections: 1024,
    });
    let i = 0;
    const make = async () => {
      const zaak = zaken[i++ % zaken.length];
      if (i % 20 === 0) {
        const status = await org.sim.setStatus(zaak, org.sim.statussen(zaak).length % 3, { notify: false });
        return { kanaal: 'zaken', hoofdObject: zaak, resource: 'status', resourceUrl: status.url, actie: 'create', aanmaakdatum: new Date().toISOString() };
      }
      return {
        kanaal: 'zaken',
        hoofdObject: zaak,
        resource: 'zaak',
        resourceUrl: `${zaak}?v=${randomUUID()}`,
        actie: 'partial_update',
        aanmaakdatum: new Date().toISOString(),
      };
    };
    let driving = true;
    const drive = (async () => {
      while (driving) {
        for (let k = 0; k < RATE / 20 && sender.outstanding() < 3000; k++) sender.send(await make());
        await sleep(50);
      }
    })();
    const ready: { at: number; status: number | string; ms: number }[] = [];
    const probeReady = async () => {
      const t = Date.now();
      try {
        const res = await fetch(`${chain.gateway.url}/health/ready`, { signal: AbortSignal.timeout(15_000) });
        await res.body?.cancel();
        ready.push({ at: t, status: res.status, ms: Date.now() - t });
      } catch (error) {
        ready.push({ at: t, status: (error as Error).name, ms: Date.now() - t });
      }
    };

    const windows: { mode: string; from: number; to: number }[] = [];
    const outage = async (mode: 'blackhole' | 'reset', seconds: number) => {
      await sleep(4000);
      log(`cut (${mode}) for ${seconds} s`);
      const from = Date.now();
      proxy.cut(mode);
      while (Date.now() - from < seconds * 1000) {
        void probeReady();
        await sleep(1000);
      }
      proxy.heal();
      windows.push({ mode, from, to: Date.now() });
      log('healed');
    };
    await outage('blackhole', 30);
    await outage('reset', 10);
    await sleep(5000);
    driving = false;
    await drive;
    const allAcked = await sender.settle(60_000);
    const recoveredReady = await fetch(`${chain.gateway.url}/health/ready`).then((r) => r.status);
    const quiet = await waitForQuietJobs(chain, ['outage-bv'], 60_000);
    const ledger = await ledgerOf(chain, { 'outage-bv': sender });
    await sender.close();

    const attempts = sender.attempts();
    const during = (w: { from: number; to: number }) => attempts.filter((a) => a.at >= w.from && a.at < w.to);
    const answers = (list: typeof attempts) => list.reduce<Record<string, number>>((m, a) => ((m[a.answer] = (m[a.answer] ?? 0) + 1), m), {});
    const report = windows.map((w) => {
      const list = during(w);
      const refused = list.filter((a) => a.answer !== '204');
      const readyDuring = ready.filter((r) => r.at >= w.from && r.at < w.to);
      // After the line is back: the first acknowledged notification that was sent after healing.
      const firstOk = attempts.filter((a) => a.at >= w.to && a.answer === '204').sort((a, b) => a.at - b.at)[0];
      return {
        mode: w.mode,
        seconds: Math.round((w.to - w.from) / 1000),
        answers: answers(list),
        maxMs: Math.round(Math.max(0, ...list.map((a) => a.ms))),
        refusedWithoutRetryAfter: refused.filter((a) => a.answer === '503' && !a.retryAfter).length,
        ready: readyDuring.reduce<Record<string, number>>((m, r) => ((m[r.status] = (m[r.status] ?? 0) + 1), m), {}),
        readyMaxMs: Math.max(0, ...readyDuring.map((r) => r.ms)),
        firstAckAfterHealMs: firstOk ? firstOk.at + firstOk.ms - w.to : null,
      };
    });
    printLedger('R2 database outage', ledger, {
      'unexpected answers': sender.unexpected,
      'answers overall': sender.stats().answers,
      ...Object.fromEntries(report.map((r) => [`cut ${r.mode}`, r])),
    });

    expect(chain.gateway.pid, 'same process: no restart').toBe(pid);
    for (const r of report) {
      expect(
        Object.keys(r.answers).every((a) => a === '204' || a === '503'),
        `only 204 or 503 during the ${r.mode} cut: ${JSON.stringify(r.answers)}`,
      ).toBe(true);
      expect(r.answers['503'] ?? 0).toBeGreaterThan(0);
      expect(r.refusedWithoutRetryAfter).toBe(0);
      expect(r.maxMs, 'every answer within 10 s').toBeLessThan(10_000);
      expect(r.ready['503'] ?? 0, '/health/ready said 503').toBeGreaterThan(0);
      expect(Object.keys(r.ready).every((s) => s === '503' || s === '200')).toBe(true);
      expect(r.firstAckAfterHealMs).not.toBeNull();
    }
    expect(Object.keys(sender.stats().answers).every((a) => a === '204' || a === '503')).toBe(true);
    expect(allAcked).toBe(true);
    expect(recoveredReady).toBe(200);
    expect(quiet).toBe(true);
    expect(ledger.lostAcknowledged).toBe(0);
    expect(ledger.pending).toBe(0);
    expect(ledger.ordersDiffering).toBe(0);
  });
});
