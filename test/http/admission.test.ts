// Admission control: bounded in-flight requests, a short queue, 503 + Retry-After beyond.
import { stat } from 'node:fs';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { admission } from '../../src/http/admission.ts';
import { waitFor } from '../helpers/wait.ts';

/** The limiter's state is in memory and may be brief (a queued request can time out after 20 ms): polled every 5 ms. */
const until = (ok: () => boolean) => waitFor(ok, 15_000, 'the limiter state', 5);

function heldApp(options: { maxInFlight: number; maxQueue: number; queueTimeoutMs: number }) {
  const gates: (() => void)[] = [];
  const limiter = admission({ ...options, exempt: (path) => path.startsWith('/health/') });
  const app = new Hono()
    .use(limiter.middleware)
    .get('/work', () => new Promise<Response>((resolve) => gates.push(() => resolve(new Response('done')))))
    .get('/health/live', (c) => c.text('live'));
  const waitForGates = async (n: number) => {
    await until(() => gates.length >= n);
    expect(gates.length).toBe(n);
  };
  return { app, gates, limiter, waitForGates };
}

describe('admission', () => {
  it('handles up to maxInFlight at once, queues a few and turns the rest away with 503, Retry-After and problem+json', async () => {
    const { app, gates, limiter, waitForGates } = heldApp({ maxInFlight: 2, maxQueue: 1, queueTimeoutMs: 5000 });
    const first = [app.request('/work'), app.request('/work')];
    await waitForGates(2);
    const queued = app.request('/work');
    await until(() => limiter.stats().queued === 1);
    expect(limiter.stats()).toMatchObject({ inFlight: 2, queued: 1 });

    const refused = await app.request('/work');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(await refused.json()).toMatchObject({ status: 503, code: 'overloaded' });
    expect((await app.request('/health/live')).status).toBe(200); // probes pass when full

    gates.shift()!(); // one finishes: its slot goes to the queued request
    expect(await (await first[0]).text()).toBe('done');
    await waitForGates(2);
    for (const open of gates.splice(0)) open();
    expect((await queued).status).toBe(200);
    expect((await first[1]).status).toBe(200);
    expect(limiter.stats()).toMatchObject({ inFlight: 0, queued: 0, rejected: 1 });
  });

  it('turns a queued request away when no slot frees up in time', async () => {
    const { app, gates, limiter, waitForGates } = heldApp({ maxInFlight: 1, maxQueue: 5, queueTimeoutMs: 30 });
    const held = app.request('/work');
    await waitForGates(1);
    const late = await app.request('/work');
    expect(late.status).toBe(503);
    expect(late.headers.get('retry-after')).toBe('1');
    gates.shift()!();
    expect((await held).status).toBe(200);
    expect(limiter.stats()).toMatchObject({ inFlight: 0, queued: 0 });
  });

  it('admits a queued request whose slot came free while the event loop stood still longer than the wait', async () => {
    const { app, gates, limiter, waitForGates } = heldApp({ maxInFlight: 1, maxQueue: 5, queueTimeoutMs: 20 });
    const held = app.request('/work');
    await waitForGates(1);
    const queued = app.request('/work');
    await until(() => limiter.stats().queued === 1);
    expect(limiter.stats()).toMatchObject({ inFlight: 1, queued: 1 });
    // A stall from the check phase: in the next loop turn the queued request's timer is due (timers
    // phase) and the held request's end is ready to be read (poll phase, after it).
    await new Promise<void>((resolve) =>
      setImmediate(() => {
        stat(import.meta.filename, () => gates.shift()!());
        const until = Date.now() + 60;
        while (Date.now() < until); // the loop stands still; the stat completes meanwhile
        resolve();
      }),
    );
    expect((await held).status).toBe(200);
    await waitForGates(1);
    gates.shift()!();
    expect((await queued).status).toBe(200);
    expect(limiter.stats()).toMatchObject({ inFlight: 0, queued: 0, rejected: 0 });
  });

  it('is off with maxInFlight 0', async () => {
    const { app, gates, waitForGates } = heldApp({ maxInFlight: 0, maxQueue: 0, queueTimeoutMs: 0 });
    const all = Array.from({ length: 5 }, () => app.request('/work'));
    await waitForGates(5);
    for (const open of gates.splice(0)) open();
    expect((await Promise.all(all)).map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
  });
});

describe('admission in front of node:http', () => {
  it('refuses beyond the cap before the framework sees the request, and frees the slot when a response ends', async () => {
    const { createServer } = await import('node:http');
    const limiter = admission({ maxInFlight: 1, maxQueue: 0, queueTimeoutMs: 0, exempt: (p) => p === '/health/live' });
    let release: () => void = () => {};
    let seen = 0;
    const server = createServer(
      limiter.wrapListener((req, res) => {
        seen++;
        if (req.url === '/slow') release = () => res.end('slow');
        else res.end('ok');
      }),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const slow = fetch(`${base}/slow`);
      await until(() => seen > 0);
      const refused = await fetch(`${base}/fast?x=1`, { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(refused.headers.get('content-type')).toBe('application/problem+json');
      expect(await refused.json()).toMatchObject({ status: 503, code: 'overloaded', instance: '/fast' });
      expect((await fetch(`${base}/health/live`)).status).toBe(200);
      expect(seen).toBe(2); // the slow one and the exempt probe; never the refused one
      release();
      expect(await (await slow).text()).toBe('slow');
      await until(() => limiter.stats().inFlight === 0); // the slot frees when the response has ended
      expect((await fetch(`${base}/fast`)).status).toBe(200);
      expect(limiter.stats()).toMatchObject({ inFlight: 0, rejected: 1 });
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

describe('the access line behind admission', () => {
  it('counts the time a request waited for a slot', async () => {
    const { serve } = await import('@hono/node-server');
    const { requestLog } = await import('../../src/http/request-log.ts');
    const { createLogger } = await import('../../src/log.ts');
    const { createMetrics } = await import('../../src/metrics.ts');
    const lines: { route: string; duration_ms: number }[] = [];
    const logger = createLogger('info', { write: (chunk: string) => void lines.push(JSON.parse(chunk)) });
    let release: () => void = () => {};
    const app = new Hono()
      .use(requestLog(logger, createMetrics()))
      .get('/slow', () => new Promise<Response>((resolve) => (release = () => resolve(new Response('slow')))))
      .get('/fast', (c) => c.text('fast'));
    const limiter = admission({ maxInFlight: 1, maxQueue: 5, queueTimeoutMs: 5000 });
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1', createServer: limiter.createServer }, () => resolve(s));
    });
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const slow = fetch(`${base}/slow`);
      await until(() => limiter.stats().inFlight > 0);
      const fast = fetch(`${base}/fast`);
      await until(() => limiter.stats().queued > 0);
      expect(limiter.stats()).toMatchObject({ inFlight: 1, queued: 1 });
      await new Promise((r) => setTimeout(r, 300));
      release();
      expect(await (await fast).text()).toBe('fast');
      await (await slow).text();
      const line = lines.find((l) => l.route === '/fast');
      expect(line?.duration_ms, 'waited about 300 ms for the slot, then answered at once').toBeGreaterThanOrEqual(250);
    } finally {
      (server as import('node:http').Server).closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
