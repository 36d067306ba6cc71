// The gateway's receipt-signing key: the same key after a restart (every process of one database
// signs with it), old keys stay published, and RECEIPT_SIGNING_KEY is used when set.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calculateJwkThumbprint, compactVerify, createLocalJWKSet, exportJWK, exportPKCS8, generateKeyPair, type JSONWebKeySet } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway.ts';
import { organisation } from '../helpers/fixtures.ts';
import { freshDatabaseUrl, lane } from '../helpers/db.ts';
import { authHeader, startTestGateway, testNetwork } from '../helpers/gateway.ts';

const SECRET = 'session-secret-for-the-key-test-0123456789';
// One member per acceptance: accepting a version an organisation accepted already signs nothing new.
const network = testNetwork([organisation('lid-bv'), organisation('tweede-bv'), organisation('derde-bv')]);

async function databaseUrl(): Promise<string> {
  if (lane === 'postgres') return freshDatabaseUrl();
  // PGlite in a directory, so a second gateway opens what the first one wrote.
  const dir = mkdtempSync(join(tmpdir(), 'ks-receipt-key-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const jwksOf = async (gateway: Gateway) => (await (await gateway.app.request('/.well-known/jwks.json')).json()) as JSONWebKeySet;

async function acceptCurrent(gateway: Gateway, organisationId: string, name: string) {
  const current = await gateway.agreements.currentAgreement();
  return gateway.agreements.accept({
    organisationId,
    signer: { name, email: 'a@lid.example', role: 'directeur' },
    agreementVersion: current!.version,
    agreementHash: current!.hash,
    method: 'electronic',
    actor: 'test',
  });
}

describe('the receipt-signing key', () => {
  // One database through three gateways, one after the other (PGlite opens a directory in one process at a time).
  let url: string;
  let first: Awaited<ReturnType<typeof acceptCurrent>>;

  it('is generated at the first start and signs', async () => {
    url = await databaseUrl();
    const gateway = await startTestGateway({ databaseUrl: url, network, env: { SESSION_SECRET: SECRET } });
    const posted = await gateway.app.request('/api/v1/agreements', {
      method: 'POST',
      headers: { ...authHeader('beheer'), 'content-type': 'application/json' },
      body: JSON.stringify({
        version: '2026-1',
        summary: { nl: 'Kort', en: 'Short' },
        legalText: { nl: 'Tekst', en: 'Text' },
        terms: {
          purposes: ['status'],
          dataCategories: ['zaakstatus'],
          retentionDays: 30,
          securityLevel: 'BIO-BBN1',
          contact: { name: 'B', email: 'b@example.nl' },
        },
      }),
    });
    expect(posted.status).toBe(201);
    first = await acceptCurrent(gateway, 'lid-bv', 'Eerste');
    expect((await jwksOf(gateway)).keys.map((k) => k.kid)).toEqual([first.acceptance.kid]);
    await gateway.close();
  }, 60_000);

  it('survives a restart: the second gateway on the same database publishes and signs with the same kid', async () => {
    const gateway = await startTestGateway({ databaseUrl: url, network, env: { SESSION_SECRET: SECRET } });
    const keys = await jwksOf(gateway);
    expect(keys.keys.map((k) => k.kid)).toEqual([first.acceptance.kid]);
    const after = await acceptCurrent(gateway, 'tweede-bv', 'Tweede');
    expect(after.acceptance.id).not.toBe(first.acceptance.id);
    expect(after.acceptance.kid).toBe(first.acceptance.kid);
    // The first gateway's receipt verifies against the second's JWKS.
    await expect(compactVerify(first.receipt!, createLocalJWKSet(keys))).resolves.toBeDefined();
    await gateway.close();
  }, 60_000);

  it('is replaced when SESSION_SECRET changes (the stored one cannot be opened); the old one stays published', async () => {
    const gateway = await startTestGateway({ databaseUrl: url, network, env: { SESSION_SECRET: `${SECRET}-other` } });
    const keys = await jwksOf(gateway);
    expect(keys.keys).toHaveLength(2);
    const newer = await acceptCurrent(gateway, 'derde-bv', 'Derde');
    expect(newer.acceptance.kid).not.toBe(first.acceptance.kid);
    expect(keys.keys[0].kid).toBe(newer.acceptance.kid);
    await expect(compactVerify(first.receipt!, createLocalJWKSet(keys))).resolves.toBeDefined();
    await expect(compactVerify(newer.receipt!, createLocalJWKSet(keys))).resolves.toBeDefined();
    await gateway.close();
  }, 60_000);

  it('is RECEIPT_SIGNING_KEY when set (PKCS#8 PEM), published under its JWK thumbprint', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const gateway = await startTestGateway({ network, env: { RECEIPT_SIGNING_KEY: await exportPKCS8(privateKey) } });
    const kid = await calculateJwkThumbprint(await exportJWK(publicKey));
    const keys = await jwksOf(gateway);
    expect(keys.keys).toEqual([expect.objectContaining({ kid, alg: 'ES256', use: 'sig' })]);
    expect(keys.keys[0].d).toBeUndefined();
  });

  it('refuses to start with a RECEIPT_SIGNING_KEY that is no P-256 private key', async () => {
    const { privateKey } = await generateKeyPair('ES384', { extractable: true });
    await expect(startTestGateway({ network, env: { RECEIPT_SIGNING_KEY: JSON.stringify(await exportJWK(privateKey)) } })).rejects.toThrow(
      /RECEIPT_SIGNING_KEY/,
    );
  });
});
