// B4 freshness: a subcontractor that answers in 50 ms, 1,000 orders, a steady 200 status changes
// per second. For each change the driver sets the status at the simulator, sends the notification
// and notes when the gateway acknowledged it; then it watches the order row the citizen read
// serves (orders.status, polled every 10 ms over one query for all waiting orders) until the new
// status is there. Freshness = acknowledgement → visible.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { createBenchDatabase, seedOrders } from '../lib/database.ts';
import { paced } from '../lib/paced.ts';
import { startGatewayProcess, type GatewayProcess } from '../lib/gateway-process.ts';
import { benchNetwork, createRemoteZaken, startBenchOrg, type BenchOrg } from '../lib/network.ts';
import type { BenchContext, ScenarioReport } from '../lib/scenario.ts';
import { Samples, summarise } from '../lib/stats.ts';

const ORDERS = 1000;
const RATE = 200;
const DEBOUNCE_MS = 500;
const LATENCY_MS = 50;

export async function freshnessScenario(ctx: BenchContext): Promise<ScenarioReport> {
  const durationSec = ctx.quick ? 6 : 30;
  const db = await createBenchDatabase(ctx.serverUrl);
  let org: BenchOrg | undefined;
  let gateway: GatewayProcess | undefined;
  let pool: Pool | undefined;
  try {
    org = await startBenchOrg('fresh-bv', { maxConcurrency: 64 });
    const zaakUrls = await createRemoteZaken(org, ORDERS);
    const orderIds = await seedOrders(db.db, { organisationId: org.id, product: 'traplift', zaakUrls, tag: 'b4' });
    org.sim.setFaults({ latencyMs: LATENCY_MS });
    gateway = await startGatewayProcess({
      databaseUrl: db.url,
      network: benchNetwork([org.organisation]),
      dir: join(ctx.dir, 'freshness'),
      env: { SYNC_DEBOUNCE_MS: String(DEBOUNCE_MS), WORKER_CONCURRENCY: '64' },
    });
    pool = new Pool(gateway.url, { connections: 32 });
    const statusCount = org.sim.statustypeUrls('traplift').length;
    const sim = org.sim;
    const authorization = org.notifyAuthorization();
    const lastIndex = new Array<number>(ORDERS).fill(-1);
    const waiting = new Map<string, { url: string; ackAt: number; measured: boolean }>();
    const latencies = new Samples();
    const failures: Record<string, number> = {};
    let superseded = 0;

    // Orders with a change between setting its status and the acknowledgement: without this, two
    // changes of one order in flight at once could leave the earlier one as the one awaited (seen:
    // "never visible", with the gateway showing the simulator's current status).
    const inFlight = new Set<string>();
    const lastChange = new Array<number>(ORDERS).fill(0);
    const busy = (k: number) => waiting.has(orderIds[k]) || inFlight.has(orderIds[k]);
    const change = async (measured: boolean) => {
      // An order whose last change is still on its way is left alone, so each change is timed on its own.
      let k = Math.floor(Math.random() * ORDERS);
      for (let tries = 0; busy(k) && tries < 20; tries++) k = Math.floor(Math.random() * ORDERS);
      if (busy(k)) superseded++;
      const seq = ++lastChange[k];
      inFlight.add(orderIds[k]);
      try {
        lastIndex[k] = (lastIndex[k] + 1) % (statusCount - 1); // never the eindstatus: the zaak stays open
        const status = await sim.setStatus(zaakUrls[k], lastIndex[k], { notify: false });
        const body = JSON.stringify({
          kanaal: 'zaken',
          hoofdObject: zaakUrls[k],
          resource: 'status',
          resourceUrl: status.url,
          actie: 'create',
          aanmaakdatum: new Date().toISOString(),
          kenmerken: { bronorganisatie: '012345672' },
        });
        const res = await pool!.request({ path: '/api/v1/notificaties', method: 'POST', headers: { 'content-type': 'application/json', authorization }, body });
        await res.body.dump();
        if (res.statusCode !== 204) {
          failures[res.statusCode] = (failures[res.statusCode] ?? 0) + 1;
          return;
        }
        // A later change of this order (superseded) is the one to wait for, whichever was acknowledged last.
        if (seq === lastChange[k]) waiting.set(orderIds[k], { url: status.url, ackAt: performance.now(), measured });
      } finally {
        if (seq === lastChange[k]) inFlight.delete(orderIds[k]);
      }
    };

    // The job queue as the run goes: due-but-unclaimed and running sync jobs, every 5 s.
    const queueSamples: { at: number; due: number; running: number }[] = [];
    const queueTimer = setInterval(() => {
      void db.sql<{ due: number; running: number }[]>`select count(*) filter (where state = 'queued' and run_at <= now())::int as due,
        count(*) filter (where state = 'running')::int as running from jobs`.then(
        ([r]) => queueSamples.push({ at: Date.now(), ...r }),
        () => undefined,
      );
    }, 5000);
    let polling = true;
    const poller = (async () => {
      while (polling || waiting.size > 0) {
        const ids = [...waiting.keys()];
        if (ids.length > 0) {
          const rows = await db.sql<{ id: string; url: string | null }[]>`select id, status->>'url' as url from orders where id = any(${ids}::uuid[])`;
          const now = performance.now();
          for (const r of rows) {
            const w = waiting.get(r.id);
            if (w && r.url === w.url) {
              if (w.measured) latencies.push(now - w.ackAt);
              waiting.delete(r.id);
            }
          }
        }
        await sleep(10);
      }
    })();

    const drive = (seconds: number, measured: boolean) =>
      paced(RATE, seconds, () => change(measured).catch((e: Error) => void (failures[e.message] = (failures[e.message] ?? 0) + 1)));

    ctx.log(`B4: warm-up, then ${durationSec} s at ${RATE} changes/s over ${ORDERS} orders (simulator ${LATENCY_MS} ms, debounce ${DEBOUNCE_MS} ms)`);
    await drive(ctx.quick ? 2 : 3, false);
    // Steady state, not a cold start: the warm-up's changes are visible before the measured ones
    // begin (a new process's first syncs also open connections, fill caches and compile code).
    const warmUntil = performance.now() + 30_000;
    while (waiting.size > 0 && performance.now() < warmUntil) await sleep(20);
    const warmUpDrainMs = Math.round(performance.now() - (warmUntil - 30_000));
    const cpuBefore = gateway.cpuMs();
    const sent = await drive(durationSec, true);
    // Everything the gateway did for the measured changes: intake, sync (re-query and write), jobs.
    const cpuPerChangeUs = Math.round(((gateway.cpuMs() - cpuBefore) * 1000) / sent);
    const drainUntil = performance.now() + 15_000;
    while (waiting.size > 0 && performance.now() < drainUntil) await sleep(20);
    const notVisible = [...waiting.values()].filter((w) => w.measured).length;
    // What the gateway shows for a change that never became visible: its order, jobs and inbox rows.
    const missing = [...waiting.keys()].slice(0, 5);
    const unseen =
      missing.length === 0
        ? []
        : await db.sql`
      select o.id, o.status->>'url' as shown, o.sync_state, o.sync_error, o.last_sync_attempt_at, o.last_synced_at,
        (select json_agg(json_build_object('state', j.state, 'run_at', j.run_at, 'attempts', j.attempts, 'errors', j.errors)) from jobs j where j.dedupe_key = 'sync:' || o.id::text or j.payload->>'orderId' = o.id::text) as jobs,
        (select json_agg(json_build_object('state', i.state, 'received_at', i.received_at, 'resource', i.resource_url)) from inbox i where i.order_id = o.id) as inbox,
        (select json_agg(json_build_array(right(t.dedupe_key, 8), t.at) order by t.at) from timeline_entries t where t.order_id = o.id) as timeline
      from orders o where o.id = any(${missing}::uuid[])`;
    const truth = (orderId: string) => {
      const zaakUrl = zaakUrls[orderIds.indexOf(orderId)];
      return {
        current: sim.zaken().find((z) => z.url === zaakUrl)?.status,
        statussen: sim.statussen(zaakUrl).map((st) => [st.url.slice(-8), st.datumStatusGezet]),
      };
    };
    if (unseen.length > 0)
      ctx.log(
        `B4: never visible: ${JSON.stringify(unseen.map((u) => ({ ...u, expected: waiting.get(u.id as string)?.url, simulator: truth(u.id as string) })))}`,
      );
    polling = false;
    waiting.clear();
    await poller;
    clearInterval(queueTimer);
    ctx.log(
      `B4: warm-up's changes visible ${warmUpDrainMs} ms after it ended; job queue (due / running) every 5 s: ${queueSamples.map((q) => `${q.due}/${q.running}`).join(' ')}`,
    );

    const s = summarise(latencies.values());
    const p50Target = DEBOUNCE_MS + 250;
    const p99Target = DEBOUNCE_MS + 1000;
    ctx.log(`B4: ${s.n} changes timed: p50 ${s.p50} ms, p99 ${s.p99} ms, not visible within 15 s: ${notVisible}; gateway CPU ${cpuPerChangeUs} µs per change`);
    const clean = notVisible === 0 && Object.keys(failures).length === 0;
    return {
      id: 'B4',
      title: 'freshness: acknowledgement → status visible',
      status: 'ok',
      figures: [
        { label: 'B4 freshness p50', value: s.p50, unit: 'ms', target: `≤ ${p50Target} ms (debounce + 250)`, met: s.p50 <= p50Target && clean },
        {
          label: 'B4 freshness p99',
          value: s.p99,
          unit: 'ms',
          target: `≤ ${p99Target} ms (debounce + 1 s)`,
          met: s.p99 <= p99Target && clean,
          note: `${s.n} of ${sent} changes timed at ${RATE}/s, max ${s.max} ms; never visible: ${notVisible}; refused: ${JSON.stringify(failures)}; order busy (skipped): ${superseded}; the warm-up's changes were visible ${warmUpDrainMs} ms after it ended, before the measured ones began`,
        },
        {
          label: 'B4 gateway CPU per change',
          value: cpuPerChangeUs,
          unit: 'µs',
          note: `intake, re-query (zaak, statussen) and write, over the measured ${durationSec} s: at ${RATE}/s, ${Math.round((cpuPerChangeUs * RATE) / 10_000)} % of one core`,
        },
      ],
      details: {
        cpuPerChangeUs,
        warmUpDrainMs,
        unseen,
        durationSec,
        rate: RATE,
        orders: ORDERS,
        debounceMs: DEBOUNCE_MS,
        simulatorLatencyMs: LATENCY_MS,
        latency: s,
        failures,
        notVisible,
        sent,
        queueSamples,
      },
    };
  } finally {
    await pool?.close();
    await gateway?.stop();
    await org?.sim.close();
    await db.drop();
  }
}
