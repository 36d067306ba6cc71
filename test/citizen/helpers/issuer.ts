// A tiny OIDC issuer on loopback: a discovery document and a JWKS, keys from jose. Enough for
// the gateway to verify citizen access tokens exactly as it would against a real provider.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll } from 'vitest';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

type Alg = 'RS256' | 'ES256' | 'PS256' | 'RS384';
interface Key {
  kid: string;
  alg: Alg;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export interface TestIssuer {
  url: string;
  audience: string;
  /** How often the JWKS was fetched. */
  jwksFetches(): number;
  /** Adds a key (published from now on) and returns its kid. */
  addKey(alg?: Alg, publish?: boolean): Promise<string>;
  publish(kid: string): void;
  /** A signed access token for `bsn` (claims and header may be overridden). */
  token(bsn: string | undefined, options?: { kid?: string; claims?: Record<string, unknown>; header?: Record<string, unknown> }): Promise<string>;
  publicJwk(kid?: string): JWK;
  close(): Promise<void>;
}

export async function startTestIssuer(audience = 'ketenstatus'): Promise<TestIssuer> {
  const keys: Key[] = [];
  const published = new Set<string>();
  let fetches = 0;
  const server: Server = createServer((req, res) => {
    if (req.url === '/.well-known/openid-configuration') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ issuer: url, jwks_uri: `${url}/jwks`, authorization_endpoint: `${url}/auth`, token_endpoint: `${url}/token` }));
    } else if (req.url === '/jwks') {
      fetches++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: keys.filter((k) => published.has(k.kid)).map((k) => ({ ...k.publicJwk, kid: k.kid, alg: k.alg, use: 'sig' })) }));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const issuer: TestIssuer = {
    url,
    audience,
    jwksFetches: () => fetches,
    async addKey(alg = 'RS256', publish = true) {
      const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
      const kid = `${alg.toLowerCase()}-${keys.length + 1}`;
      keys.push({ kid, alg, privateKey, publicJwk: await exportJWK(publicKey) });
      if (publish) published.add(kid);
      return kid;
    },
    publish: (kid) => void published.add(kid),
    async token(bsn, options = {}) {
      const key = options.kid ? keys.find((k) => k.kid === options.kid)! : keys[0];
      const now = Math.floor(Date.now() / 1000);
      const claims = { iss: url, aud: audience, sub: `sub-${bsn ?? 'none'}`, iat: now, exp: now + 600, ...(bsn ? { bsn } : {}), ...options.claims };
      return new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt', ...options.header }).sign(key.privateKey);
    },
    publicJwk: (kid) => (kid ? keys.find((k) => k.kid === kid)! : keys[0]).publicJwk,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  await issuer.addKey('RS256');
  afterAll(() => issuer.close());
  return issuer;
}
