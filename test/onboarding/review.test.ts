// The journey's guards, mail not configured, activation by the operator: a test counts only for the
// connection it tested, the operator's activation uses the invitation up at once, and the member's
// own destinations are never the gateway's private network (and tests are limited).
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { opsPage, startTestGateway, testNetwork } from '../helpers/gateway.ts';
import { AGREEMENT, api, connection, invited, memberSimulator } from './helpers.ts';

const sim = await memberSimulator();
const gateway = await startTestGateway({ network: testNetwork(), env: { ONBOARDING_TEST_WINDOW_SECONDS: '1' } });

async function accept(token: string) {
  const { body: join } = await api(gateway, `/api/v1/join/${token}`);
  const signer = { name: 'Sam Signer', email: 'sam@joiner.example', role: 'bestuurder' };
  return api(gateway, `/api/v1/join/${token}/acceptance`, { body: { signer, agreementVersion: join.agreement.version, agreementHash: join.agreement.hash } });
}

describe('a passed test and a changed connection', () => {
  const id = 'gewijzigd';
  let token = '';

  it('no longer counts once the connection changed; the operator activation is refused until tested again', async () => {
    const invitation = await invited(gateway, id, sim);
    token = invitation.token;
    expect((await accept(invitation.token)).status).toBe(201);
    const put = (body: unknown) => api(gateway, `/api/v1/join/${invitation.token}/connection`, { method: 'PUT', body });
    expect((await put(connection(sim, undefined, 'poll'))).status).toBe(200);
    expect((await api(gateway, `/api/v1/join/${invitation.token}/connection-test`, { body: {} })).body.passed).toBe(true);

    // Another secret after the test passed: the old verdict is not for this connection.
    expect((await put(connection(sim, 'another-secret-0123456789abcdef', 'poll'))).status).toBe(200);
    const refused = await api(gateway, `/api/v1/organisations/${id}/activate`, { operator: true, body: {} });
    expect(refused.status).toBe(422);
    expect(refused.body.invalidParams).toEqual([expect.objectContaining({ name: 'connection-test', reason: expect.stringContaining('changed') })]);
    const join = await api(gateway, `/api/v1/join/${invitation.token}`);
    expect(join.body.checklist).toContainEqual({ item: 'connection-test', done: false });

    expect((await put(connection(sim, undefined, 'poll'))).status).toBe(200);
    expect((await api(gateway, `/api/v1/join/${invitation.token}/connection-test`, { body: {} })).body.passed).toBe(true);
    expect((await api(gateway, `/api/v1/organisations/${id}/activate`, { operator: true, body: {} })).status).toBe(200);
  });

  it("the operator's activation uses the invitation up at once: after a suspension the link does not reopen the journey", async () => {
    const list = await api(gateway, `/api/v1/organisations/${id}/invitations`, { operator: true });
    expect(list.body.results.map((i: { state: string }) => i.state)).toEqual(['done']);
    expect((await api(gateway, `/api/v1/organisations/${id}/suspend`, { operator: true, body: {} })).status).toBe(200);
    const join = await api(gateway, `/api/v1/join/${token}`);
    expect(join.body.state).toBe('done');
    expect((await api(gateway, `/api/v1/join/${token}/connection-test`, { body: {} })).status).toBe(409);
  });
});

describe("the member's destinations", () => {
  const id = 'bestemming';
  let token = '';
  const put = (body: unknown, on = gateway, t = token) => api(on, `/api/v1/join/${t}/connection`, { method: 'PUT', body });

  it('refuses a cloud metadata address even with OUTBOUND_ALLOW_PRIVATE (422)', async () => {
    token = (await invited(gateway, id, sim)).token;
    const metadata = connection(sim, undefined, 'poll');
    metadata.zaken.apiRoot = 'http://169.254.169.254/latest/';
    const refused = await put(metadata);
    expect(refused.status).toBe(422);
    expect(refused.body.invalidParams).toEqual([expect.objectContaining({ name: 'zaken.apiRoot', code: 'forbidden-destination' })]);
    expect((await api(gateway, `/api/v1/organisations/${id}`, { operator: true })).body).not.toHaveProperty('zaken');
  });

  it('does not send a kept secret to another destination (400: write it again)', async () => {
    expect((await put(connection(sim, undefined, 'poll'))).status).toBe(200);
    const moved = connection(sim, undefined, 'poll') as { zaken: { apiRoot: string; auth: Record<string, unknown> } };
    moved.zaken.apiRoot = 'https://elders.example/zaken/api/v1/';
    moved.zaken.auth.secret = { configured: true };
    const refused = await put(moved);
    expect(refused.status).toBe(400);
    expect(refused.body.invalidParams).toEqual([expect.objectContaining({ name: 'zaken.auth.secret', code: 'required' })]);
    // The same destination keeps it.
    const same = connection(sim, undefined, 'poll') as { zaken: { auth: Record<string, unknown> } };
    same.zaken.auth.secret = { configured: true };
    expect((await put(same)).status).toBe(200);
  });

  it('reports an unreachable Zaken API by its category, not the transport error', async () => {
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const nowhere = connection(sim, undefined, 'poll');
    nowhere.zaken.apiRoot = `http://127.0.0.1:${port}/zaken/api/v1/`;
    expect((await put(nowhere)).status).toBe(200);
    const test = await api(gateway, `/api/v1/join/${token}/connection-test`, { body: {} });
    expect(test.body.steps[0]).toMatchObject({ step: 'zaken-api', verdict: 'failed' });
    expect(test.body.steps[0].reason).toMatch(/ could not be reached\.$/);
  });

  it("shows the joining member's last test verdicts to the operator on /ops", async () => {
    const page = await opsPage(gateway.app);
    const panel = page.slice(page.indexOf('id="joining"'));
    expect(panel).toContain('Members joining: connection tests');
    const row = panel.slice(panel.indexOf(`data-organisation="${id}"`), panel.indexOf('</tr>', panel.indexOf(`data-organisation="${id}"`)));
    expect(row).toContain('failed');
    expect(row).toContain('data-step="zaken-api" data-verdict="failed"');
    expect(row).toContain('could not be reached');
  });

  it('runs one test at a time and at most 10 an hour (429 with Retry-After)', async () => {
    const db = gateway.database.db;
    await db.insertInto('onboarding_connection_tests').values({ id: crypto.randomUUID(), organisation_id: id, connection_digest: 'x' }).execute();
    const running = await api(gateway, `/api/v1/join/${token}/connection-test`, { body: {} });
    expect(running.status).toBe(429);
    expect(running.body.code).toBe('connection-test-limited');
    await db.updateTable('onboarding_connection_tests').set({ finished_at: new Date(), passed: false }).where('organisation_id', '=', id).execute();
    const values = Array.from({ length: 8 }, () => ({ id: crypto.randomUUID(), organisation_id: id, finished_at: new Date(), passed: false }));
    await db.insertInto('onboarding_connection_tests').values(values).execute();
    const limited = await gateway.app.request(`/api/v1/join/${token}/connection-test`, { method: 'POST' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(3000);
  });
});

describe('without OUTBOUND_ALLOW_PRIVATE', () => {
  it('refuses a loopback Zaken API and a private OAuth2 issuer (422), by address or by name', async () => {
    const strict = await startTestGateway({ network: testNetwork(), env: { OUTBOUND_ALLOW_PRIVATE: 'false' } });
    const { token } = await invited(strict, 'strikt', sim);
    const body = {
      zaken: {
        apiRoot: 'http://localhost:8000/zaken/api/v1/',
        auth: { type: 'oauth2', issuer: 'http://10.0.0.7/realms/zgw', clientId: 'c', clientSecret: 'a-client-secret-0123456789' },
      },
      notifications: { mode: 'poll' },
    };
    const refused = await api(strict, `/api/v1/join/${token}/connection`, { method: 'PUT', body });
    expect(refused.status).toBe(422);
    expect(refused.body.invalidParams.map((p: { name: string; code: string }) => `${p.name} ${p.code}`).sort()).toEqual([
      'zaken.apiRoot forbidden-destination',
      'zaken.auth.issuer forbidden-destination',
    ]);
  });
});

describe('re-acceptance by a member that already joined', () => {
  it('opens only the agreement steps, leaves the status and connection as they are, and is used up once accepted', async () => {
    // 'gewijzigd' joined above and was suspended; a new agreement version is posted.
    const id = 'gewijzigd';
    const next = { ...AGREEMENT, version: '2027-2' };
    expect((await api(gateway, '/api/v1/agreements', { body: next, operator: true })).status).toBe(201);
    const invitation = await api(gateway, `/api/v1/organisations/${id}/invitations`, {
      body: { name: 'Sam Signer', email: 'sam@joiner.example' },
      operator: true,
    });
    expect(invitation.status).toBe(201);
    const token = String(invitation.body.url).split('/join/')[1];

    const join = await api(gateway, `/api/v1/join/${token}`);
    expect(join.status).toBe(200);
    expect(join.body).toMatchObject({ state: 'open', purpose: 'reaccept', checklist: [{ item: 'agreement', done: false }] });
    const before = (await api(gateway, `/api/v1/organisations/${id}`, { operator: true })).body;
    const connectionPut = await api(gateway, `/api/v1/join/${token}/connection`, { method: 'PUT', body: connection(sim, undefined, 'poll') });
    expect(connectionPut.status).toBe(409);
    expect((await api(gateway, `/api/v1/join/${token}/connection-test`, { body: {} })).status).toBe(409);

    expect((await accept(token)).body).toMatchObject({ activated: false });
    const after = (await api(gateway, `/api/v1/organisations/${id}`, { operator: true })).body;
    expect(after.status).toBe('suspended');
    expect(after.zaken).toEqual(before.zaken);
    expect(after.agreement).toMatchObject({ version: '2027-2', acceptedBy: 'Sam Signer' });
    expect((await api(gateway, `/api/v1/join/${token}`)).body.state).toBe('done');
    // The operator's activation does not ask for a new connection test.
    expect((await api(gateway, `/api/v1/organisations/${id}/activate`, { operator: true, body: {} })).status).toBe(200);
  });
});
