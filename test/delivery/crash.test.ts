// Crash safety with the real process: `node src/main.ts` killed (SIGKILL) while a delivery is in
// flight and another waits behind it, restarted on the same database: both arrive, in order, the
// first with the webhook-id it had before the crash.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { signZgwJwt } from '../../src/lib/zgw-jwt.ts';
import { freshDatabaseUrl, lane } from '../helpers/db.ts';
import { freePort } from '../helpers/ports.ts';
import { ROOT, spawnGateway } from '../helpers/process.ts';
import { startSubscriber } from '../helpers/subscriber.ts';
import { waitFor } from '../helpers/wait.ts';

const dir = mkdtempSync(join(tmpdir(), 'ketenstatus-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PORTAL_SECRET = 'test-secret-portaal-0123456789ab';
const network = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/network.json'), 'utf8'));
network.clients.push({ clientId: 'portaal', secret: PORTAL_SECRET, role: 'portal' });
const NETWORK_FILE = join(dir, 'network.json');
writeFileSync(NETWORK_FILE, JSON.stringify(network));
const secretOf = (id: string) => network.clients.find((c: { clientId: string }) => c.clientId === id).secret as string;

const children = new Set<ChildProcess>();
afterEach(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

async function startGatewayProcess(databaseUrl: string, port: number) {
  const child = spawnGateway({
    PORT: String(port),
    LOG_LEVEL: 'warn',
    NETWORK_FILE,
    DATABASE_URL: databaseUrl,
    SESSION_SECRET: 'crash-test-session-secret-0123456789abcdef',
    OUTBOUND_ALLOW_PRIVATE: 'true',
    WEBHOOK_ALLOW_HTTP_HOSTS: '127.0.0.1',
    DELIVERY_TIMEOUT_MS: '1000',
    JOB_POLL_INTERVAL_MS: '100',
  });
  children.add(child);
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`gateway exited:\n${output}`);
      return (await fetch(`${url}/health/ready`).catch(() => undefined))?.status === 200;
    },
    45_000,
    `gateway ready (${output})`,
  );
  const call = (client: string, path: string, body?: unknown) =>
    fetch(`${url}${path}`, {
      method: body ? 'POST' : 'GET',
      headers: { authorization: `Bearer ${signZgwJwt({ client_id: client }, secretOf(client))}`, 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
  return { child, exited, call };
}

describe('crash safety', () => {
  it('delivers after a SIGKILL mid-delivery and a restart, with the same webhook-id, losing nothing', async () => {
    const databaseUrl = lane === 'postgres' ? await freshDatabaseUrl() : join(dir, 'data');
    const port = await freePort();
    const sub = await startSubscriber();
    const first = await startGatewayProcess(databaseUrl, port);

    expect((await first.call('portaal', '/api/v1/subscriptions', { callbackUrl: sub.url, events: ['case.status-changed'], format: 'zgw' })).status).toBe(201);
    sub.respond(() => 'hang');
    const created = await first.call('zac', '/api/v1/cases', { title: 'Aanvraag', citizen: { bsn: '111222333' } });
    const caseId = (await created.json()).id as string;
    expect((await first.call('zac', `/api/v1/cases/${caseId}/status`, { phase: 'in_behandeling' })).status).toBe(200);
    const inFlight = await waitFor(() => sub.events()[0], 15_000, 'first delivery in flight');
    // A second change while the first is in flight: it waits behind it, only in the database.
    expect((await first.call('zac', `/api/v1/cases/${caseId}/status`, { phase: 'actie_vereist' })).status).toBe(200);

    first.child.kill('SIGKILL');
    await first.exited;
    sub.respond(() => ({ status: 204 }));

    const second = await startGatewayProcess(databaseUrl, port);
    const events = await waitFor(() => sub.events().length >= 3 && sub.events(), 30_000, 'redelivery after restart');
    const [again, next] = events.slice(1);
    expect(again.headers['webhook-id']).toBe(inFlight.headers['webhook-id']);
    expect(again.body).toBe(inFlight.body);
    expect(again.json.kenmerken.phase).toBe('in_behandeling');
    expect(next.json.kenmerken.phase).toBe('actie_vereist');
    expect(next.headers['webhook-id']).not.toBe(inFlight.headers['webhook-id']);

    // The attempt cut off by the crash is on record.
    const deliveries = await (await second.call('beheer', '/api/v1/ops/deliveries?state=delivered')).json();
    const redelivered = deliveries.results.find((d: { webhookId: string }) => d.webhookId === inFlight.headers['webhook-id']);
    expect(redelivered.attemptLog.map((a: { error: string | null }) => a.error)).toEqual([expect.stringContaining('lease expired'), null]);
    second.child.kill('SIGTERM');
    await second.exited;
  }, 120_000);
});
