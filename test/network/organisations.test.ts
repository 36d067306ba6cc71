import { describe, expect, it } from 'vitest';
import { authHeader, startTestGateway, testNetwork } from '../helpers/gateway.ts';
import { organisation } from '../helpers/fixtures.ts';
import { validateNetwork } from '../../src/network/validate.ts';

const gateway = await startTestGateway({ network: testNetwork([organisation('hulpmiddelen-bv')]) });
const { app } = gateway;
const operator = authHeader('beheer');
const put = (id: string, body: unknown) =>
  app.request(`/api/v1/organisations/${id}`, { method: 'PUT', headers: { ...operator, 'content-type': 'application/json' }, body: JSON.stringify(body) });
const post = (path: string, body?: unknown) =>
  app.request(path, {
    method: 'POST',
    headers: { ...operator, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });

describe('operator API for the trust network', () => {
  it('lists the organisations from the network file without any secret', async () => {
    const res = await app.request('/api/v1/organisations', { headers: operator });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ count: 1, results: [{ id: 'hulpmiddelen-bv', status: 'active' }] });
    expect(text).not.toContain('outbound-secret');
    expect(text).not.toContain('notify-secret');
    expect(JSON.parse(text).results[0].zaken.auth.secret).toEqual({ configured: true });
  });

  it('is for operators only', async () => {
    expect((await app.request('/api/v1/organisations', { headers: authHeader('zac') })).status).toBe(403);
    expect((await app.request('/api/v1/organisations/hulpmiddelen-bv')).status).toBe(401);
  });

  it('answers 404 for an unknown organisation', async () => {
    expect((await app.request('/api/v1/organisations/onbekend', { headers: operator })).status).toBe(404);
  });

  it('creates an organisation with PUT, records who did it, and never shows the secret', async () => {
    const res = await put('bouwbedrijf', organisation('bouwbedrijf', { status: 'pending', agreement: undefined }));
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ id: 'bouwbedrijf', status: 'pending' });
    expect(gateway.network.get('bouwbedrijf')?.status).toBe('pending'); // in effect without restart
    const changes = await (await app.request('/api/v1/organisations/bouwbedrijf/changes', { headers: operator })).json();
    expect(changes.results[0]).toMatchObject({ actor: 'beheer', action: 'create' });
    expect(JSON.stringify(changes)).not.toContain('outbound-secret');
  });

  it('validates a PUT and names the field at fault', async () => {
    const bad = organisation('kapot', { zaken: { apiRoot: 'ftp://nope', auth: { type: 'zgw-jwt', clientId: 'x', secret: 'short' } } } as never);
    const res = await put('kapot', bad);
    expect(res.status).toBe(400);
    const body = await res.json();
    const names = body.invalidParams.map((p: { name: string }) => p.name);
    expect(names).toContain('zaken.apiRoot');
    expect(names).toContain('zaken.auth.secret');
    expect(gateway.network.get('kapot')).toBeUndefined();
  });

  it('refuses an API root that fits the pattern but is no URL (a port above 65535)', async () => {
    const base = organisation('poort');
    const res = await put('poort', { ...base, zaken: { ...base.zaken, apiRoot: 'https://zaken.example:99999/zaken/api/v1/' } });
    expect(res.status).toBe(400);
    expect((await res.json()).invalidParams).toEqual([expect.objectContaining({ name: 'zaken.apiRoot', code: 'invalid' })]);
    expect(gateway.network.get('poort')).toBeUndefined();
  });

  it('refuses an id mismatch between path and body', async () => {
    expect((await put('een', organisation('twee'))).status).toBe(400);
  });

  it('refuses active without an agreement', async () => {
    const res = await put('zonder-akkoord', organisation('zonder-akkoord', { agreement: undefined }));
    expect(res.status).toBe(400);
    expect((await res.json()).invalidParams[0].name).toBe('agreement');
  });

  it('keeps pending a member without an accepted agreement, and takes none from the activation', async () => {
    await put('wachtend', organisation('wachtend', { status: 'pending', agreement: undefined }));
    const refused = await post('/api/v1/organisations/wachtend/activate');
    expect(refused.status).toBe(422);
    expect((await refused.json()).invalidParams).toEqual([expect.objectContaining({ name: 'agreement', code: 'required' })]);
    // Only an acceptance records one (test/agreements/agreements.test.ts): the body's is read-only.
    const agreement = { version: '2026-2', acceptedAt: '2026-11-01T10:00:00Z', acceptedBy: 'P. de Vries' };
    const given = await post('/api/v1/organisations/wachtend/activate', { agreement });
    expect(given.status).toBe(422);
    expect((await given.json()).invalidParams).toEqual([expect.objectContaining({ name: 'agreement', code: 'read-only' })]);
    expect(gateway.network.get('wachtend')).toMatchObject({ status: 'pending' });
    expect(gateway.network.get('wachtend')?.agreement).toBeUndefined();
  });

  it('suspends and records the reason', async () => {
    const res = await post('/api/v1/organisations/hulpmiddelen-bv/suspend', { reason: 'contract beëindigd' });
    expect(res.status).toBe(200);
    expect(gateway.network.get('hulpmiddelen-bv')?.status).toBe('suspended');
    const changes = await (await app.request('/api/v1/organisations/hulpmiddelen-bv/changes', { headers: operator })).json();
    expect(changes.results[0]).toMatchObject({ action: 'suspend', actor: 'beheer', changes: { fields: ['status'], reason: 'contract beëindigd' } });
  });

  it('takes activate and suspend with no body, an empty one (Content-Length: 0, with or without a type) or JSON', async () => {
    expect((await put('leeg-bv', organisation('leeg-bv'))).status).toBe(201);
    const empty = [
      {},
      { 'content-length': '0' },
      { 'content-length': '0', 'content-type': 'application/json' },
      { 'content-length': '0', 'content-type': 'text/plain' },
    ];
    for (const headers of empty) {
      for (const action of ['suspend', 'activate']) {
        const res = await app.request(`/api/v1/organisations/leeg-bv/${action}`, {
          method: 'POST',
          headers: { ...operator, ...headers },
          body: 'content-length' in headers ? '' : undefined,
        });
        expect(res.status, `${action} ${JSON.stringify(headers)}`).toBe(200);
      }
    }
    expect((await post('/api/v1/organisations/leeg-bv/suspend', { reason: 'onderhoud' })).status).toBe(200);
    expect(gateway.network.get('leeg-bv')?.status).toBe('suspended');
    expect((await post('/api/v1/organisations/leeg-bv/activate', {})).status).toBe(200);
  });

  it('refuses a suspend reason over 500 characters and unknown fields, rather than cutting or ignoring them', async () => {
    const long = await post('/api/v1/organisations/hulpmiddelen-bv/suspend', { reason: 'x'.repeat(501) });
    expect(long.status).toBe(400);
    expect((await long.json()).invalidParams).toEqual([expect.objectContaining({ name: 'reason', code: 'too_big' })]);
    expect((await post('/api/v1/organisations/hulpmiddelen-bv/suspend', { reden: 'typo' })).status).toBe(400);
    expect(
      (await post('/api/v1/organisations/hulpmiddelen-bv/activate', { agreement: { version: '', acceptedAt: '2026-11-01T10:00:00Z', acceptedBy: 'P' } }))
        .status,
    ).toBe(400);
    expect(
      (
        await app.request('/api/v1/organisations/hulpmiddelen-bv/suspend', {
          method: 'POST',
          headers: { ...operator, 'content-type': 'text/plain' },
          body: 'stop',
        })
      ).status,
    ).toBe(415);
  });

  it('refuses an RSIN that fails the elfproef, in the operator API and the network file', async () => {
    const res = await put('elf-bv', organisation('elf-bv', { rsin: '012345678' }));
    expect(res.status).toBe(400);
    expect((await res.json()).invalidParams).toEqual([expect.objectContaining({ name: 'rsin', code: 'elfproef' })]);
    expect((await put('elf-bv', organisation('elf-bv', { rsin: '111222333' }))).status).toBe(201);
    const net = testNetwork([organisation('a', { rsin: '087654321' })]);
    net.self.rsin = '001234567';
    expect(validateNetwork(net).map((p) => `${p.path} ${p.code}`)).toEqual(['$.self.rsin elfproef', '$.organisations[0].rsin elfproef']);
  });

  it('keeps a stored secret when a PUT says { configured: true } and records that a secret changed', async () => {
    const current = await (await app.request('/api/v1/organisations/bouwbedrijf', { headers: operator })).json();
    const roundTrip = await put('bouwbedrijf', { ...current, name: 'Bouwbedrijf De Steiger' });
    expect(roundTrip.status).toBe(200);
    expect(gateway.network.zakenOrganisation('bouwbedrijf')?.zaken.auth).toMatchObject({ secret: 'outbound-secret-0123456789' });
    const rotated = await put('bouwbedrijf', {
      ...current,
      name: 'Bouwbedrijf De Steiger',
      zaken: { ...current.zaken, auth: { ...current.zaken.auth, secret: 'a-brand-new-secret-012345' } },
    });
    expect(rotated.status).toBe(200);
    const changes = await (await app.request('/api/v1/organisations/bouwbedrijf/changes', { headers: operator })).json();
    expect(changes.results[0].changes.fields).toEqual(['zaken.auth.secret']);
    expect(JSON.stringify(changes)).not.toContain('a-brand-new-secret');
  });

  it('refuses { configured: true } when nothing is stored', async () => {
    const res = await put(
      'nieuw',
      organisation('nieuw', { zaken: { apiRoot: 'https://z.example/api/', auth: { type: 'zgw-jwt', clientId: 'x', secret: { configured: true } } } }),
    );
    expect(res.status).toBe(422);
  });
});
