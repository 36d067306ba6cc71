// Citizen access tokens: only RS256/ES256/PS256 JWTs from the configured issuer, for this
// audience, in their validity window, carrying a BSN. Every attack answers 401 with
// WWW-Authenticate; a gateway without an issuer answers 503.
import { exportSPKI, importJWK, SignJWT, type CryptoKey } from 'jose';
import { describe, expect, it } from 'vitest';
import { CitizenAuthenticator, CitizenAuthError, CitizenAuthUnavailable } from '../../src/citizen/auth.ts';
import { startTestGateway } from '../helpers/gateway.ts';
import { BSN, seedCases, startCitizenGateway } from './helpers/citizen.ts';

const HIGH = 'urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard';
const MIDDLE = 'urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract';

const { app, issuer, db } = await startCitizenGateway();
await seedCases(db, [{ bsn: BSN.anna }]);
const strict = await startCitizenGateway({ env: { CITIZEN_MIN_ACR: HIGH } });
const plain = await startTestGateway();
const call = (token?: string, path = '/api/v1/me/cases') => app.request(path, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

async function expect401(res: Response, error?: string) {
  expect(res.status).toBe(401);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  const challenge = res.headers.get('www-authenticate') ?? '';
  expect(challenge).toMatch(/^Bearer realm="ketenstatus"/);
  if (error) expect(challenge).toContain(`error="${error}"`);
  const body = await res.text();
  expect(body).not.toContain('Traplift');
  expect(body).not.toContain(BSN.anna);
}

describe('a valid token', () => {
  it('is accepted with RS256, ES256 and PS256 keys', async () => {
    const es = await issuer.addKey('ES256');
    const ps = await issuer.addKey('PS256');
    for (const kid of [undefined, es, ps]) {
      const res = await call(await issuer.token(BSN.anna, { kid }));
      expect(res.status).toBe(200);
      expect((await res.json()).count).toBe(1);
    }
  });
});

describe('token attacks all answer 401', () => {
  const attacks: [string, () => Promise<string | undefined>, string?][] = [
    ['no Authorization header', async () => undefined],
    [
      'alg none (unsigned)',
      async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: issuer.url, aud: 'ketenstatus', sub: 'x', bsn: BSN.anna, exp: now() + 600 })}.`,
      'invalid_token',
    ],
    [
      "HS256 signed with the issuer's public key (PEM)",
      async () => {
        const pem = await exportSPKI((await importJWK(issuer.publicJwk(), 'RS256', { extractable: true })) as CryptoKey);
        return new SignJWT({ bsn: BSN.anna })
          .setProtectedHeader({ alg: 'HS256', kid: 'rs256-1' })
          .setIssuer(issuer.url)
          .setAudience('ketenstatus')
          .setSubject('x')
          .setExpirationTime('5m')
          .sign(new TextEncoder().encode(pem));
      },
      'invalid_token',
    ],
    [
      "HS256 signed with the public key's modulus",
      async () =>
        new SignJWT({ bsn: BSN.anna })
          .setProtectedHeader({ alg: 'HS256', kid: 'rs256-1' })
          .setIssuer(issuer.url)
          .setAudience('ketenstatus')
          .setSubject('x')
          .setExpirationTime('5m')
          .sign(Buffer.from(issuer.publicJwk().n!, 'base64url')),
      'invalid_token',
    ],
    ['an expired token', () => issuer.token(BSN.anna, { claims: { exp: now() - 120, iat: now() - 720 } }), 'invalid_token'],
    ['a token not valid yet (nbf)', () => issuer.token(BSN.anna, { claims: { nbf: now() + 600 } }), 'invalid_token'],
    ['a token for another audience', () => issuer.token(BSN.anna, { claims: { aud: 'another-service' } }), 'invalid_token'],
    ['a token from another issuer', () => issuer.token(BSN.anna, { claims: { iss: 'https://idp.evil.example' } }), 'invalid_token'],
    ['a token with an unknown kid', async () => issuer.token(BSN.anna, { kid: await issuer.addKey('RS256', false) }), 'invalid_token'],
    [
      'a token forged with another key under a published kid',
      async () => issuer.token(BSN.anna, { kid: await issuer.addKey('RS256', false), header: { kid: 'rs256-1' } }),
      'invalid_token',
    ],
    ['a token signed with RS384', async () => issuer.token(BSN.anna, { kid: await issuer.addKey('RS384') }), 'invalid_token'],
    ['a token without a BSN claim', () => issuer.token(undefined), 'invalid_token'],
    ['a token whose BSN fails the elfproef', () => issuer.token('123456789'), 'invalid_token'],
    ['a token without exp', () => issuer.token(BSN.anna, { claims: { exp: undefined } }), 'invalid_token'],
    [
      'a tampered payload',
      async () => {
        const [h, , s] = (await issuer.token(BSN.bram)).split('.');
        return `${h}.${b64({ iss: issuer.url, aud: 'ketenstatus', sub: 'x', bsn: BSN.anna, exp: now() + 600 })}.${s}`;
      },
      'invalid_token',
    ],
    ['garbage', async () => 'not.a.jwt', 'invalid_token'],
  ];

  it.each(attacks)('%s', async (_name, make, error) => {
    await expect401(await call(await make()), error);
  });

  it('protects every citizen endpoint', async () => {
    for (const path of ['/api/v1/me/cases', '/api/v1/me/cases/00000000-0000-4000-8000-000000000000', '/api/v1/me/access-log', '/api/v1/me/mandates']) {
      await expect401(await call(undefined, path));
      await expect401(await call(await issuer.token(BSN.anna, { claims: { aud: 'x' } }), path));
    }
    await expect401(await app.request('/api/v1/me/mandates', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }));
  });
});

describe('keys', () => {
  it('an unknown kid triggers one JWKS refresh, then the cooldown spares the issuer', async () => {
    const auth = new CitizenAuthenticator({ issuer: issuer.url, audience: 'ketenstatus', bsnClaim: 'bsn', jwksCooldownMs: 0 });
    await auth.verify(await issuer.token(BSN.anna));
    const before = issuer.jwksFetches();
    const rotated = await issuer.addKey('ES256', false);
    await expect(auth.verify(await issuer.token(BSN.anna, { kid: rotated }))).rejects.toBeInstanceOf(CitizenAuthError);
    expect(issuer.jwksFetches()).toBe(before + 1);
    issuer.publish(rotated); // key rotation at the issuer: picked up without a restart
    expect(await auth.verify(await issuer.token(BSN.bram, { kid: rotated }))).toMatchObject({ bsn: BSN.bram });
    expect(issuer.jwksFetches()).toBe(before + 2);

    const cooled = new CitizenAuthenticator({ issuer: issuer.url, audience: 'ketenstatus', bsnClaim: 'bsn' });
    await cooled.verify(await issuer.token(BSN.anna));
    const afterFirst = issuer.jwksFetches();
    const unknown = await issuer.addKey('RS256', false);
    for (let i = 0; i < 3; i++) await expect(cooled.verify(await issuer.token(BSN.anna, { kid: unknown }))).rejects.toBeInstanceOf(CitizenAuthError);
    expect(issuer.jwksFetches()).toBe(afterFirst);
  });

  it('reads the issuer at first use, and reports an unreachable issuer as unavailable', async () => {
    let configured: string | undefined;
    const auth = new CitizenAuthenticator({ issuer: () => configured, audience: 'ketenstatus', bsnClaim: 'bsn', timeoutMs: 2000 });
    expect(auth.configured()).toBe(false);
    await expect(auth.verify('x')).rejects.toMatchObject({ configured: false });
    configured = 'http://127.0.0.1:1';
    await expect(auth.verify(await issuer.token(BSN.anna))).rejects.toBeInstanceOf(CitizenAuthUnavailable);
    configured = issuer.url;
    expect(await auth.verify(await issuer.token(BSN.anna))).toEqual({ bsn: BSN.anna, sub: `sub-${BSN.anna}` });
  });
});

describe('assurance level (CITIZEN_MIN_ACR)', () => {
  it('refuses a lower or missing acr with insufficient_user_authentication and accepts an equal or higher one', async () => {
    const at = async (acr?: string) =>
      strict.app.request('/api/v1/me/cases', { headers: { authorization: `Bearer ${await strict.issuer.token(BSN.anna, { claims: acr ? { acr } : {} })}` } });
    for (const acr of [undefined, MIDDLE, 'urn:example:unknown-level']) {
      const res = await at(acr);
      await expect401(res, 'insufficient_user_authentication');
      expect(res.headers.get('www-authenticate')).toContain(`acr_values="${HIGH}"`);
    }
    expect((await at(HIGH)).status).toBe(200);
    expect((await at('urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI')).status).toBe(200);
  });
});

describe('without CITIZEN_OIDC_ISSUER', () => {
  it('answers 503 "citizen login not configured" on the citizen endpoints; the network listing stays public', async () => {
    const res = await plain.app.request('/api/v1/me/cases', { headers: { authorization: `Bearer ${await issuer.token(BSN.anna)}` } });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: 503, code: 'citizen-login-not-configured', detail: 'citizen login not configured' });
    expect((await plain.app.request('/api/v1/network')).status).toBe(200);
  });
});
