// A small OIDC issuer on loopback for citizen access tokens: discovery, JWKS, ES256 tokens from
// jose. The gateway verifies them exactly as it would against a real provider (B5, R5).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';

export interface Issuer {
  url: string;
  token(bsn: string, ttlSeconds?: number): Promise<string>;
  close(): Promise<void>;
}

export async function startIssuer(audience = 'ketenstatus'): Promise<Issuer> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'bench-1', alg: 'ES256', use: 'sig' };
  let url = '';
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration') {
      res.end(
        JSON.stringify({
          issuer: url,
          jwks_uri: `${url}/jwks`,
          authorization_endpoint: `${url}/auth`,
          token_endpoint: `${url}/token`,
          id_token_signing_alg_values_supported: ['ES256'],
        }),
      );
    } else if (req.url === '/jwks') res.end(JSON.stringify({ keys: [jwk] }));
    else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    token: (bsn, ttlSeconds = 3600) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ bsn })
        .setProtectedHeader({ alg: 'ES256', kid: 'bench-1', typ: 'at+jwt' })
        .setIssuer(url)
        .setAudience(audience)
        .setSubject(`sub-${bsn}`)
        .setIssuedAt(now)
        .setExpirationTime(now + ttlSeconds)
        .sign(privateKey as CryptoKey);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A valid BSN (elfproef) for each number below 10^8: eight digits from n, the ninth computed. */
export function bsnOf(n: number): string {
  for (let shift = 0; ; shift++) {
    const base = String((n + shift * 7_919_111) % 100_000_000).padStart(8, '0');
    const sum = base.split('').reduce((acc, d, i) => acc + Number(d) * (9 - i), 0);
    // 9·d1 + … + 2·d8 − 1·d9 ≡ 0 (mod 11)  →  d9 = sum mod 11, which must be a digit
    const check = sum % 11;
    if (check <= 9 && !(base === '00000000')) return base + String(check);
  }
}
