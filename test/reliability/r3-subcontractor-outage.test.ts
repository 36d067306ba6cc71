// R3 subcontractor outage, compressed: the breaker opens after 3 failures and stays open 2 s
// (instead of 5 and 30 s), the outage lasts 20 s (instead of minutes). While one subcontractor's
// API gives no answer at all, its notifications are still acknowledged, the breaker opens and its
// orders show a gap; another organisation's changes keep arriving. Afterwards the breaker closes,
// the gaps go, and every order catches up with the subcontractor's truth.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { clientAuthorization } from '../../bench/lib/network.ts';
import type { Notification } from '../../src/sync/intake.ts';
import { startReliabilityChain, waitForQuietJobs, type ReliabilityChain } from './lib/chain.ts';
import { ledgerOf, printLedger } from './lib/ledger.ts';
import { Sender } from './lib/sender.ts';

const OUTAGE_SECONDS = 20;
const ORDERS = 10;
const log = (m: string) => process.stderr.write(`[R3 ${new Date().toISOString().slice(11, 23)}] ${m}\n`);

interface Overview {
  organisations: { id: string; breaker: string; consecutiveFailures: number; jobs: { queued: number; running: number; dead: number } }[];
}

describe('R3 subcontractor outage', () => {
  it('keeps other organisations flowing, shows the gap, and catches up after the outage', async () => {
    const chain = await startReliabilityChain({
      engine: 'postgres',
      orgs: [
        { id: 'down-bv', orders: ORDERS },
        { id: 'steady-bv', orders: ORDERS },
      ],
      env: {
        SYNC_DEBOUNCE_MS: '100',
        JOB_POLL_INTERVAL_MS: '100',
        SYNC_BREAKER_THRESHOLD: '3',
        SYNC_BREAKER_OPEN_SECONDS: '2',
        OUTBOUND_TIMEOUT_MS: '1000',
      },
    });
    const senders: Record<string, Sender> = {};
    for (const id of ['down-bv', 'steady-bv'])
      senders[id] = new Sender({ origin: chain.gateway.url, authorization: () => chain.orgs[id].notifyAuthorization() });
    const change = async (org: string, k: number) => {
      const zaak = chain.zaakUrls[org][k];
      const sim = chain.orgs[org].sim;
      const status = await sim.setStatus(zaak, sim.statussen(zaak).length % 3, { notify: false });
      const n: Notification = {
        kanaal: 'zaken',
        hoofdObject: zaak,
        resource: 'status',
        resourceUrl: status.url,
        actie: 'create',
        aanmaakdatum: new Date().toISOString(),
      };
      const entry = senders[org].send(n);
      return { org, k, url: status.url, at: Date.now(), entry };
    };
    const visible = async (org: string, k: number, url: string) => {
      const orderId = chain.orderIds[org][k];
      return chain
        .query(async (db) => (await db.selectFrom('orders').select('status').where('id', '=', orderId).executeTakeFirst())?.status as { url?: string } | null)
        .then((s) => s?.url === url);
    };
    const until = async (probe: () => Promise<boolean>, ms: number) => {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        if (await probe()) return true;
        await sleep(100);
      }
      return false;
    };

    // Before: both organisations in sync.
    for (const org of ['down-bv', 'steady-bv']) for (let k = 0; k < ORDERS; k++) await change(org, k);
    expect(await waitForQuietJobs(chain, ['down-bv', 'steady-bv'], 30_000)).toBe(true);

    // The outage: down-bv's API resets every connection.
    log(`down-bv goes down for ${OUTAGE_SECONDS} s`);
    chain.orgs['down-bv'].sim.setFaults({ down: true });
    const outageStart = Date.now();
    const steadyLatencies: number[] = [];
    const downChanges: Awaited<ReturnType<typeof change>>[] = [];
    let breakerOpened = false;
    let gapShown = false;
    let round = 0;
    while (Date.now() - outageStart < OUTAGE_SECONDS * 1000) {
      downChanges.push(await change('down-bv', round % ORDERS));
      const steady = await change('steady-bv', round % ORDERS);
      // The steady organisation's change must come through while the other is down.
      if (await until(() => visible('steady-bv', steady.k, steady.url), 10_000)) steadyLatencies.push(Date.now() - steady.at);
      else steadyLatencies.push(Number.POSITIVE_INFINITY);
      const overview = await chain.operator<Overview>('/api/v1/ops/overview');
      breakerOpened ||= overview.organisations.find((o) => o.id === 'down-bv')?.breaker === 'open';
      if (!gapShown) gapShown = await hasGap(chain, 'down-bv', downChanges[0].k);
      round++;
      await sleep(500);
    }
    const acknowledgedDuringOutage = downChanges.filter((c) => c.entry.acked).length;
    log(
      `outage over: breaker opened ${breakerOpened}, gap shown ${gapShown}; steady-bv changes visible in ${steadyLatencies.map((l) => Math.round(l)).join(', ')} ms`,
    );

    // Recovery and catch-up.
    chain.orgs['down-bv'].sim.setFaults({ down: false });
    const recoveryStart = Date.now();
    const caughtUp = await until(async () => {
      for (let k = 0; k < ORDERS; k++) {
        const sim = chain.orgs['down-bv'].sim;
        const truth = sim.zaken().find((z) => z.url === chain.zaakUrls['down-bv'][k])?.status;
        if (truth && !(await visible('down-bv', k, truth))) return false;
      }
      return true;
    }, 60_000);
    const catchUpMs = Date.now() - recoveryStart;
    const gapGone = await until(async () => !(await hasGap(chain, 'down-bv', downChanges[0].k)), 30_000);
    const breakerClosed = await until(
      async () => (await chain.operator<Overview>('/api/v1/ops/overview')).organisations.find((o) => o.id === 'down-bv')?.breaker === 'closed',
      30_000,
    );
    await Promise.all(Object.values(senders).map((s) => s.settle(30_000)));
    const quiet = await waitForQuietJobs(chain, ['down-bv', 'steady-bv'], 60_000);
    const ledger = await ledgerOf(chain, senders);
    for (const s of Object.values(senders)) await s.close();
    printLedger('R3 subcontractor outage', ledger, {
      'outage (s)': OUTAGE_SECONDS,
      'down-bv notifications acknowledged during the outage': `${acknowledgedDuringOutage} of ${downChanges.length}`,
      'breaker opened': breakerOpened,
      'gap shown while down': gapShown,
      'steady-bv change → visible during the outage (ms)': steadyLatencies.map((l) => Math.round(l)),
      'catch-up after the outage (ms)': catchUpMs,
      'gap gone afterwards': gapGone,
      'breaker closed afterwards': breakerClosed,
    });

    expect(acknowledgedDuringOutage).toBe(downChanges.length);
    expect(breakerOpened).toBe(true);
    expect(gapShown).toBe(true);
    expect(steadyLatencies.every(Number.isFinite), 'every steady-bv change visible during the outage').toBe(true);
    expect(caughtUp).toBe(true);
    expect(gapGone).toBe(true);
    expect(breakerClosed).toBe(true);
    expect(quiet).toBe(true);
    expect(ledger.lostAcknowledged).toBe(0);
    expect(ledger.pending).toBe(0);
    expect(ledger.ordersDiffering).toBe(0);
    expect(ledger.duplicateTimelineEntries).toBe(0);
    expect(ledger.missingTimelineEntries).toBe(0);
  });
});

/** Does the supplier's view of the order's case show a gap for this organisation? */
async function hasGap(chain: ReliabilityChain, org: string, k: number): Promise<boolean> {
  const orderId = chain.orderIds[org][k];
  const caseId = await chain.query(async (db) => (await db.selectFrom('orders').select('case_id').where('id', '=', orderId).executeTakeFirstOrThrow()).case_id);
  const res = await fetch(`${chain.gateway.url}/api/v1/cases/${caseId}`, { headers: { authorization: clientAuthorization('zac') } });
  const body = (await res.json()) as { combinedStatus?: { gaps?: { organisation?: { id: string }; kind: string }[] } };
  return (body.combinedStatus?.gaps ?? []).some((g) => g.organisation?.id === org && g.kind === 'unreachable');
}
