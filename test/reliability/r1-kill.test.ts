// R1 kill -9 ledger. Notifications at half the measured peak; the gateway is killed with SIGKILL
// at ten random moments and restarted each time; the senders keep sending what was not
// acknowledged. Afterwards the ledger must hold: every acknowledged notification is stored, every
// stored one ended synced or dead-lettered, every order shows the simulator's truth, and no remote
// status is in a timeline twice (or missing). On PostgreSQL, then on a PGlite directory with the
// single gateway process killed and restarted on the same directory.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { load } from '../../bench/lib/load.ts';
import type { Notification } from '../../src/sync/intake.ts';
import { startReliabilityChain, waitForQuietJobs } from './lib/chain.ts';
import { ledgerOf, printLedger } from './lib/ledger.ts';
import { Sender } from './lib/sender.ts';

const ORDERS = 100;
const KILLS = 10;
/** One notification in this many is a real status change; the rest are about other resources of the zaak. */
const STATUS_EVERY = 100;
const MAX_RATE = 1500;
const only = process.env.R1_ENGINE;
const log = (m: string) => process.stderr.write(`[R1 ${new Date().toISOString().slice(11, 23)}] ${m}\n`);

for (const engine of ['postgres', 'pglite'] as const) {
  describe.skipIf(only !== undefined && only !== engine)(`R1 kill -9 ledger on ${engine}`, () => {
    it(`loses no acknowledged notification over ${KILLS} kills and converges on the truth`, async () => {
      const chain = await startReliabilityChain({
        engine,
        orgs: [{ id: 'kill-bv', orders: ORDERS, maxConcurrency: 16 }],
        env: { SYNC_DEBOUNCE_MS: '200', JOB_LEASE_SECONDS: '3', JOB_POLL_INTERVAL_MS: '100', WORKER_CONCURRENCY: '16' },
      });
      const org = chain.orgs['kill-bv'];
      const zaken = chain.zaakUrls['kill-bv'];
      const apiRoot = org.sim.zakenApiRoot;

      // Peak: a short closed-loop burst of distinct notifications from a separate process.
      const probe = await load({
        origin: chain.gateway.url,
        mode: 'max',
        connections: 64,
        durationSec: 3,
        requests: { kind: 'notification', path: '/api/v1/notificaties', authorization: org.notifyAuthorization(), apiRoot, zaakUrls: zaken, start: 0 },
      });
      const rate = Math.max(50, Math.min(MAX_RATE, Math.round(probe.okRps / 2)));
      log(`${engine}: peak ${Math.round(probe.okRps)}/s, driving ${rate}/s`);

      const sender = new Sender({ origin: chain.gateway.url, authorization: () => org.notifyAuthorization(), retryDelayMs: 250 });
      const make = async (i: number): Promise<Notification> => {
        const zaak = zaken[Math.floor(Math.random() * zaken.length)];
        if (i % STATUS_EVERY === 0) {
          const current = org.sim.statussen(zaak).length;
          const status = await org.sim.setStatus(zaak, current % 3, { notify: false }); // never the eindstatus
          return { kanaal: 'zaken', hoofdObject: zaak, resource: 'status', resourceUrl: status.url, actie: 'create', aanmaakdatum: new Date().toISOString() };
        }
        return {
          kanaal: 'zaken',
          hoofdObject: zaak,
          resource: 'zaakinformatieobject',
          resourceUrl: `${apiRoot}zaakinformatieobjecten/${randomUUID()}`,
          actie: 'create',
          aanmaakdatum: new Date().toISOString(),
        };
      };

      let killing = true;
      const killsAt: number[] = [];
      const started = Date.now();
      const driving = (async () => {
        let i = 0;
        while (killing) {
          const t = performance.now();
          const due = rate / 20;
          // Backpressure: while the gateway is down, unacknowledged notifications pile up; stop adding.
          for (let k = 0; k < due && sender.outstanding() < 5000; k++) sender.send(await make(i++));
          await sleep(Math.max(0, 50 - (performance.now() - t)));
        }
        return i;
      })();
      const restarts: number[] = [];
      for (let k = 0; k < KILLS; k++) {
        await sleep(700 + Math.random() * 2300);
        killsAt.push(Date.now() - started);
        await chain.gateway.kill('SIGKILL');
        const t = Date.now();
        await chain.gateway.restart();
        restarts.push(Date.now() - t);
        log(`kill ${k + 1}: back after ${Date.now() - t} ms; ${JSON.stringify(sender.stats())}`);
      }
      await sleep(2000);
      killing = false;
      const sent = await driving;

      log(`load stopped after ${sent} notifications; settling`);
      const allAcked = await sender.settle(60_000);
      log(`settled: ${JSON.stringify(sender.stats())}`);
      const quiet = await waitForQuietJobs(chain, ['kill-bv'], 90_000);
      log(`jobs quiet: ${quiet}`);
      if (engine === 'pglite') await chain.gateway.stop();
      const ledger = await ledgerOf(chain, { 'kill-bv': sender });
      await sender.close();
      printLedger(`R1 ${engine}`, ledger, {
        'peak (probe, req/s)': Math.round(probe.okRps),
        'rate (req/s)': rate,
        'kills at (ms)': killsAt,
        'restart to ready (ms)': restarts,
        'sender answers': sender.stats().answers,
        'probe notifications': probe.completed,
        'notifications driven': sent,
      });

      expect(allAcked, 'every notification acknowledged in the end').toBe(true);
      expect(quiet, 'the job queue went quiet').toBe(true);
      expect(ledger.lostAcknowledged).toBe(0);
      expect(ledger.pending).toBe(0);
      expect(ledger.ordersDiffering).toBe(0);
      expect(ledger.duplicateTimelineEntries).toBe(0);
      expect(ledger.missingTimelineEntries).toBe(0);
      expect(ledger.acknowledged).toBe(ledger.sent);
    });
  });
}
