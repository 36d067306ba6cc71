// The join journey end to end through the HTTP surface, mail configured (SMTP sink): invite → the
// join link → the signer's code from the mail → acceptance with a receipt → the connection at a
// simulated Zaken API → the connection test → the operator's activation.
import { describe, expect, it } from 'vitest';
import { signZgwJwt } from '../../src/lib/zgw-jwt.ts';
import { startTestGateway, testNetwork } from '../helpers/gateway.ts';
import { startMailSink } from '../helpers/smtp.ts';
import { api, connection, invited, memberSimulator, sendTestNotification } from './helpers.ts';
import { waitFor } from '../helpers/wait.ts';

const sink = await startMailSink();
const sim = await memberSimulator();
const gateway = await startTestGateway({
  network: testNetwork(),
  env: { SMTP_URL: sink.url, MAIL_FROM: 'ketenstatus@gemeente-test.example', ONBOARDING_TEST_WINDOW_SECONDS: '2', PUBLIC_BASE_URL: 'http://gateway.test' },
});

describe('joining, mail configured, activation by the operator', () => {
  const id = 'hulpmiddelen-nieuw';
  let invitation: Awaited<ReturnType<typeof invited>>;
  let credentials: { clientId: string; secret: string };

  it('invites a pending member: the link is mailed and valid for 14 days', async () => {
    invitation = await invited(gateway, id, sim);
    expect(invitation.url).toMatch(/^http:\/\/gateway\.test\/join\/[A-Za-z]{43}$/);
    const days = (Date.parse(invitation.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(13.9);
    expect(days).toBeLessThanOrEqual(14);
    const mail = await sink.waitFor((m) => m.to.includes('petra@joiner.example'));
    expect(mail.text).toContain(invitation.url);
    const list = await api(gateway, `/api/v1/organisations/${id}/invitations`, { operator: true });
    expect(list.body.results).toEqual([expect.objectContaining({ id: invitation.id, state: 'open', email: 'petra@joiner.example' })]);
  });

  it('shows the organisation, the agreement in three layers with its hash, and what is missing', async () => {
    const join = await api(gateway, `/api/v1/join/${invitation.token}`);
    expect(join.status).toBe(200);
    expect(join.body.state).toBe('open');
    expect(join.body.organisation).toMatchObject({ id, status: 'pending', notifications: { mode: 'push' } });
    expect(join.body.agreement).toMatchObject({ version: '2027-1', hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(join.body.agreement.summary.nl).toContain('status');
    expect(join.body.agreement.terms.retentionDays).toBe(400);
    expect(join.body.checklist).toEqual([
      { item: 'agreement', done: false },
      { item: 'connection', done: false },
      { item: 'connection-test', done: false },
      { item: 'activation', done: false },
    ]);
    expect(join.body.signerConfirmationRequired).toBe(true);
  });

  it('refuses acceptance until the signer confirms the address with the mailed code', async () => {
    const { body: join } = await api(gateway, `/api/v1/join/${invitation.token}`);
    const signer = { name: 'Petra Planner', email: 'petra@joiner.example', role: 'directeur' };
    const accept = { signer, agreementVersion: join.agreement.version, agreementHash: join.agreement.hash };
    expect((await api(gateway, `/api/v1/join/${invitation.token}/acceptance`, { body: accept })).status).toBe(403);

    sink.clear();
    expect((await api(gateway, `/api/v1/join/${invitation.token}/signer`, { body: signer })).status).toBe(202);
    const mail = await sink.waitFor((m) => m.subject.includes('code'));
    const code = /\b(\d{6})\b/.exec(mail.text)![1];
    const wrong = code === '000000' ? '111111' : '000000';
    const refused = await api(gateway, `/api/v1/join/${invitation.token}/signer/verify`, { body: { code: wrong } });
    expect(refused.status).toBe(422);
    expect(refused.body.invalidParams[0]).toMatchObject({ name: 'code', code: 'wrong' });
    expect((await api(gateway, `/api/v1/join/${invitation.token}/signer/verify`, { body: { code } })).status).toBe(200);

    const stale = await api(gateway, `/api/v1/join/${invitation.token}/acceptance`, { body: { ...accept, agreementHash: '0'.repeat(64) } });
    expect(stale.status).toBe(409);
    // Another name and role than the confirmed signer's: the receipt names the confirmed signer.
    const accepted = await api(gateway, `/api/v1/join/${invitation.token}/acceptance`, {
      body: { ...accept, signer: { ...signer, name: 'Iemand Anders', role: 'stagiair' } },
    });
    expect(accepted.status).toBe(201);
    const payload = JSON.parse(Buffer.from(accepted.body.receipt.split('.')[1], 'base64url').toString());
    expect(payload.signer).toEqual(signer);
    expect(accepted.body.receipt.split('.')).toHaveLength(3);
    expect(accepted.body.jwksUrl).toBe('http://gateway.test/.well-known/jwks.json');
    expect(accepted.body.activated).toBe(false);
  });

  it('takes the connection with write-only secrets and push credentials shown once', async () => {
    const put = await api(gateway, `/api/v1/join/${invitation.token}/connection`, { method: 'PUT', body: connection(sim, 'a-wrong-secret-0123456789abcdef') });
    expect(put.status).toBe(200);
    expect(JSON.stringify(put.body.connection)).not.toContain('a-wrong-secret');
    expect(put.body.connection.zaken.auth.secret).toEqual({ configured: true });
    credentials = put.body.notificationCredentials;
    expect(credentials).toEqual({ clientId: `${id}-notificaties`, secret: expect.any(String) });
    const join = await api(gateway, `/api/v1/join/${invitation.token}`);
    expect(JSON.stringify(join.body)).not.toContain(credentials.secret);
    expect(join.body.connection.notifications).toEqual({ mode: 'push', clientId: credentials.clientId, secret: { configured: true } });
    const org = await api(gateway, `/api/v1/organisations/${id}`, { operator: true });
    expect(org.body.status).toBe('pending');
    expect(org.body.zaken.apiRoot).toBe(sim.zakenApiRoot);
  });

  it('refuses any other notification from the pending member (403)', async () => {
    const other = await gateway.app.request('/api/v1/notificaties', {
      method: 'POST',
      headers: { authorization: `Bearer ${signZgwJwt({ client_id: credentials.clientId }, credentials.secret)}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        kanaal: 'zaken',
        hoofdObject: `${sim.zakenApiRoot}zaken/x`,
        resource: 'status',
        resourceUrl: `${sim.zakenApiRoot}statussen/x`,
        actie: 'create',
        aanmaakdatum: new Date().toISOString(),
      }),
    });
    expect(other.status).toBe(403);
  });

  it('fails step 1 with a plain reason for a wrong secret, and step 3 without the notification', async () => {
    const test = await api(gateway, `/api/v1/join/${invitation.token}/connection-test`, { body: {} });
    expect(test.status).toBe(200);
    expect(test.body.passed).toBe(false);
    expect(test.body.steps[0]).toMatchObject({ step: 'zaken-api', verdict: 'failed', reason: expect.stringContaining('did not accept our credentials') });
    expect(test.body.steps[2]).toMatchObject({ step: 'notification', verdict: 'failed' });
  });

  it('refuses the operator activation while the test has not passed', async () => {
    const refused = await api(gateway, `/api/v1/organisations/${id}/activate`, { operator: true, body: {} });
    expect(refused.status).toBe(422);
    expect(refused.body.invalidParams).toEqual([expect.objectContaining({ name: 'connection-test' })]);
  });

  it('passes with the right secret and a test notification within the window; the operator sees the results', async () => {
    const put = await api(gateway, `/api/v1/join/${invitation.token}/connection`, { method: 'PUT', body: connection(sim) });
    expect(put.status).toBe(200);
    expect(put.body.notificationCredentials).toBeUndefined(); // given once; kept
    const running = api(gateway, `/api/v1/join/${invitation.token}/connection-test`, { body: {} });
    // The member sends its test notification once the test runs (the page tells it how).
    await waitFor(async () =>
      (await api(gateway, `/api/v1/organisations/${id}/connection-tests`, { operator: true })).body.results.some(
        (t: { finishedAt: string | null }) => t.finishedAt === null,
      ),
    );
    expect((await sendTestNotification(gateway, sim, credentials)).status).toBe(204);
    const test = await running;
    expect(test.body.steps.map((s: { verdict: string }) => s.verdict)).toEqual(['passed', 'passed', 'passed']);
    expect(test.body.passed).toBe(true);
    expect(test.body.activated).toBe(false);
    const tests = await api(gateway, `/api/v1/organisations/${id}/connection-tests`, { operator: true });
    expect(tests.body.results.map((t: { passed: boolean }) => t.passed)).toEqual([true, false]);
  });

  it('activates on the operator confirm; the invitation is then used up', async () => {
    const active = await api(gateway, `/api/v1/organisations/${id}/activate`, { operator: true, body: {} });
    expect(active.status).toBe(200);
    expect(active.body.status).toBe('active');
    const changes = await api(gateway, `/api/v1/organisations/${id}/changes`, { operator: true });
    expect(changes.body.results.map((c: { action: string }) => c.action)).toEqual(
      expect.arrayContaining(['activate', 'connect', 'accept-agreement', 'create']),
    );
    const join = await api(gateway, `/api/v1/join/${invitation.token}`);
    expect(join.body.state).toBe('done');
    expect((await api(gateway, `/api/v1/join/${invitation.token}/connection-test`, { body: {} })).status).toBe(409);
  });
});
