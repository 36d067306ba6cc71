// ZGW JWTs: HS256 only, claims iss / iat / client_id (the VNG "token-issuer" convention).
// Hand-rolled on node:crypto on purpose: the rules are tiny and strict, and every
// rejected variant (alg none, RS*, HS384/512) must be refused before any key is used.
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface ZgwClaims {
  iss: string;
  iat: number;
  client_id: string;
  user_id?: string;
  user_representation?: string;
  exp?: number;
  [claim: string]: unknown;
}

export class JwtError extends Error {}

const b64url = (input: Buffer | string): string => Buffer.from(input).toString('base64url');

export function signZgwJwt(claims: Omit<ZgwClaims, 'iat' | 'iss'> & { iat?: number; iss?: string }, secret: string): string {
  const header = { alg: 'HS256', typ: 'JWT' };
  const body = { iss: claims.client_id, iat: Math.floor(Date.now() / 1000), user_id: '', user_representation: '', ...claims };
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(body))}`;
  const signature = createHmac('sha256', secret).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}

export interface DecodedJwt {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

/** Splits and parses a compact JWT without trusting anything in it. */
export function decodeJwt(token: string): DecodedJwt {
  const parts = token.split('.');
  if (parts.length !== 3) throw new JwtError('token is not a compact JWT');
  const [h, p, s] = parts as [string, string, string];
  let header: unknown;
  let claims: unknown;
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  } catch {
    throw new JwtError('token header or payload is not JSON');
  }
  if (!isObject(header) || !isObject(claims)) throw new JwtError('token header or payload is not an object');
  return { header, claims, signingInput: `${h}.${p}`, signature: Buffer.from(s, 'base64url') };
}

export interface VerifyOptions {
  /** Looks up the secret for a client_id; undefined means unknown client. */
  secretFor: (clientId: string) => string | undefined;
  maxAgeSeconds: number;
  leewaySeconds: number;
  nowSeconds?: number;
}

export class UnknownClientError extends JwtError {}

/** Verifies a ZGW JWT; returns its claims or throws JwtError with a reason safe to show. */
export function verifyZgwJwt(token: string, options: VerifyOptions): ZgwClaims {
  const { header, claims, signingInput, signature } = decodeJwt(token);
  if (header.alg !== 'HS256') throw new JwtError(`alg ${String(header.alg)} is not accepted; use HS256`);
  for (const name of ['iss', 'client_id'] as const) {
    if (typeof claims[name] !== 'string' || claims[name] === '') throw new JwtError(`claim ${name} is required`);
  }
  if (typeof claims.iat !== 'number' || !Number.isFinite(claims.iat)) throw new JwtError('claim iat is required');
  const clientId = claims.client_id as string;
  const secret = options.secretFor(clientId);
  if (secret === undefined) throw new UnknownClientError('unknown client');
  const expected = createHmac('sha256', secret).update(signingInput).digest();
  if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) {
    throw new JwtError('signature does not verify');
  }
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (claims.iat > now + options.leewaySeconds) throw new JwtError('token is issued in the future');
  if (now - claims.iat > options.maxAgeSeconds) throw new JwtError('token is too old (iat)');
  if (typeof claims.exp === 'number' && claims.exp + options.leewaySeconds < now) throw new JwtError('token has expired');
  return claims as ZgwClaims;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
