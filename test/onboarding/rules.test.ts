// The rules around the journey, mail not configured: the pending member's shape, automatic
// activation, an expired or unknown link, a missing zaaktype, and no orders for a pending member.
import { describe, expect, it } from 'vitest';
import { authHeader, startTestGateway, testNetwork } from '../helpers/gateway.ts';
import { api, connection, invited, memberSimulator, pendingMember } from './helpers.ts';

const sim = await memberSimulator();
const gateway = await startTestGateway({ network: testNetwork(), env: { ONBOARDING_AUTO_ACTIVATE: 'true', ONBOARDING_TEST_WINDOW_SECONDS: '1' } });

async function accept(token: string) {
  const { body: join } = await api(gateway, `/api/v1/join/${token}`);
  expect(join.signerConfirmationRequired).toBe(false);
  const signer = { name: 'Sam Signer', email: 'sam@joiner.example', role: 'bestuurder' };
  return api(gateway, `/api/v1/join/${token}/acceptance`, { body: { signer, agreementVersion: join.agreement.version, agreementHash: join.agreement.hash } });
}

describe('a pending member without a connection', () => {
  it('is valid pending, and not active without zaken', async () => {
    const body = pendingMember('nog-niet-actief', sim);
    const active = await api(gateway, '/api/v1/organisations/nog-niet-actief', { method: 'PUT', body: { ...body, status: 'active' }, operator: true });
    expect(active.status).toBe(400);
    expect(active.body.invalidParams.map((p: { name: string }) => p.name)).toContain('zaken');
    const pending = await api(gateway, '/api/v1/organisations/nog-niet-actief', { method: 'PUT', body, operator: true });
    expect(pending.status).toBe(201);
    expect(pending.body).not.toHaveProperty('zaken');
    // Activated without its connection: refused, whatever agreement the operator gives.
    const agreement = { version: '2026-1', acceptedAt: '2026-01-10T09:00:00Z', acceptedBy: 'J. Jansen' };
    expect((await api(gateway, '/api/v1/organisations/nog-niet-actief/activate', { body: { agreement }, operator: true })).status).toBe(422);
  });

  it('never gets an order: placing one answers as for any pending organisation', async () => {
    const created = await gateway.app.request('/api/v1/cases', {
      method: 'POST',
      headers: { ...authHeader('zac'), 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Aanvraag', citizen: { bsn: '999993653' } }),
    });
    const c = await created.json();
    const order = await gateway.app.request(`/api/v1/cases/${c.id}/orders`, {
      method: 'POST',
      headers: { ...authHeader('zac'), 'content-type': 'application/json' },
      body: JSON.stringify({ subcontractor: 'nog-niet-actief', product: 'traplift' }),
    });
    expect(order.status).toBe(422);
    expect((await order.json()).invalidParams[0]).toMatchObject({ name: 'subcontractor', code: 'pending' });
    const jobs = await gateway.database.db.selectFrom('jobs').select('kind').where('group_key', '=', 'nog-niet-actief').execute();
    expect(jobs).toEqual([]);
  });

  it('is not invited once active, and an unknown link is 404', async () => {
    expect((await api(gateway, '/api/v1/join/AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGhIjKlMnOpQ')).status).toBe(404);
    expect((await api(gateway, '/api/v1/join/x')).status).toBe(404);
  });
});

describe('joining without mail, activated automatically', () => {
  it('answers 410 for an expired link', async () => {
    const invitation = await invited(gateway, 'verlopen', sim);
    await gateway.database.db
      .updateTable('onboarding_invitations')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', invitation.id)
      .execute();
    const join = await api(gateway, `/api/v1/join/${invitation.token}`);
    expect(join.status).toBe(410);
    expect(join.body.code).toBe('invitation-expired');
    const signer = { name: 'Sam Signer', email: 'sam@joiner.example', role: 'bestuurder' };
    const late = await api(gateway, `/api/v1/join/${invitation.token}/acceptance`, {
      body: { signer, agreementVersion: '2027-1', agreementHash: 'a'.repeat(64) },
    });
    expect(late.status).toBe(410);
  });

  it('fails step 2 for a zaaktype the Catalogi API does not know, then activates once all pass', async () => {
    const id = 'automatisch';
    const invitation = await invited(gateway, id, sim);
    const accepted = await accept(invitation.token);
    expect(accepted.status).toBe(201);
    expect(accepted.body.activated).toBe(false); // not connected, not tested

    // A product whose zaaktype is not in the member's catalogue.
    const org = (await api(gateway, `/api/v1/organisations/${id}`, { operator: true })).body;
    const missing = {
      ...org,
      products: [
        ...org.products,
        { code: 'onbekend', name: { nl: 'Onbekend' }, zaaktype: `${sim.zaaktypeUrl('traplift').replace(/[^/]+$/, '')}00000000-0000-4000-8000-000000000000` },
      ],
    };
    delete missing.agreementState;
    expect((await api(gateway, `/api/v1/organisations/${id}`, { method: 'PUT', body: missing, operator: true })).status).toBe(200);
    expect((await api(gateway, `/api/v1/join/${invitation.token}/connection`, { method: 'PUT', body: connection(sim, undefined, 'poll') })).status).toBe(200);
    const failed = await api(gateway, `/api/v1/join/${invitation.token}/connection-test`, { body: {} });
    expect(failed.body.steps).toEqual([
      expect.objectContaining({ step: 'zaken-api', verdict: 'passed' }),
      expect.objectContaining({ step: 'zaaktypen', verdict: 'failed', reason: expect.stringContaining('product onbekend') }),
      expect.objectContaining({ step: 'notification', verdict: 'skipped' }),
    ]);
    expect((await api(gateway, `/api/v1/organisations/${id}`, { operator: true })).body.status).toBe('pending');

    const current = (await api(gateway, `/api/v1/organisations/${id}`, { operator: true })).body;
    const fixed = { ...current, products: current.products.filter((p: { code: string }) => p.code !== 'onbekend') };
    delete fixed.agreementState;
    delete fixed.notificationSubscription;
    expect((await api(gateway, `/api/v1/organisations/${id}`, { method: 'PUT', body: fixed, operator: true })).status).toBe(200);
    const passed = await api(gateway, `/api/v1/join/${invitation.token}/connection-test`, { body: {} });
    expect(passed.body).toMatchObject({ passed: true, activated: true });
    const now = (await api(gateway, `/api/v1/organisations/${id}`, { operator: true })).body;
    expect(now.status).toBe('active');
    expect(now.agreement).toMatchObject({ version: '2027-1', acceptedBy: 'Sam Signer' });
    const join = await api(gateway, `/api/v1/join/${invitation.token}`);
    expect(join.body.state).toBe('done');
    expect(join.body.checklist.every((i: { done: boolean }) => i.done)).toBe(true);
    // Active now: a second invitation is a re-acceptance only.
    const again = await api(gateway, `/api/v1/organisations/${id}/invitations`, { body: { name: 'X', email: 'x@y.example' }, operator: true });
    expect(again.status).toBe(201);
    expect((await api(gateway, `/api/v1/join/${String(again.body.url).split('/join/')[1]}`)).body.purpose).toBe('reaccept');
  });
});
