// The journey's guards, mail not configured, activation by the operator: a test counts only for the
// connection it tested, and the operator's activation uses the invitation up at once.
import { describe, expect, it } from 'vitest';
import { startTestGateway, testNetwork } from '../helpers/gateway.ts';
import { api, connection, invited, memberSimulator } from './helpers.ts';

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
