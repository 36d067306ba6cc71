import { createHmac, generateKeyPairSync, createSign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SECRETS, startTestGateway, token } from '../helpers/gateway.ts';

const { app } = await startTestGateway();
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

function hs(alg: 'HS256' | 'HS384' | 'HS512', claims: Record<string, unknown>, secret: string = SECRETS.beheer) {
  const input = `${b64({ alg, typ: 'JWT' })}.${b64(claims)}`;
  const hash = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' }[alg];
  return `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`;
}

const list = (jwt?: string) => app.request('/api/v1/organisations', jwt ? { headers: { authorization: `Bearer ${jwt}` } } : {});
const base = () => ({ iss: 'beheer', client_id: 'beheer', iat: now() });

describe('inbound ZGW JWT', () => {
  it('accepts a valid HS256 token of an operator', async () => {
    expect((await list(token('beheer'))).status).toBe(200);
  });

  it('answers 401 with WWW-Authenticate when no token is sent', async () => {
    const res = await list();
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('Bearer');
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it.each([
    ['alg none', () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(base())}.`],
    ['HS384', () => hs('HS384', base())],
    ['HS512', () => hs('HS512', base())],
    [
      'RS256',
      () => {
        const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
        const input = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64(base())}`;
        return `${input}.${createSign('RSA-SHA256').update(input).sign(privateKey).toString('base64url')}`;
      },
    ],
    ['a wrong secret', () => hs('HS256', base(), 'not-the-secret-0123456789')],
    ['no iss', () => hs('HS256', { client_id: 'beheer', iat: now() })],
    ['no iat', () => hs('HS256', { iss: 'beheer', client_id: 'beheer' })],
    ['no client_id', () => hs('HS256', { iss: 'beheer', iat: now() })],
    ['iat older than JWT_MAX_AGE_SECONDS', () => hs('HS256', { ...base(), iat: now() - 3601 })],
    ['iat ahead by more than the leeway', () => hs('HS256', { ...base(), iat: now() + 120 })],
    ['an unknown client', () => hs('HS256', { ...base(), client_id: 'stranger' }, 'whatever-secret-0123456')],
    ['garbage', () => 'not.a.jwt'],
  ])('rejects %s with 401', async (_name, make) => {
    const res = await list(make());
    expect(res.status).toBe(401);
    expect((await res.json()).status).toBe(401);
  });

  it('accepts iat within the leeway and up to the maximum age', async () => {
    expect((await list(hs('HS256', { ...base(), iat: now() + 30 }))).status).toBe(200);
    expect((await list(hs('HS256', { ...base(), iat: now() - 3500 }))).status).toBe(200);
  });

  it('answers 403 for a known client with the wrong role', async () => {
    const res = await list(token('zac'));
    expect(res.status).toBe(403);
    expect((await res.json()).detail).toContain('operator');
  });
});
