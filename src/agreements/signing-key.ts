// The gateway's own receipt-signing key (ES256, P-256). RECEIPT_SIGNING_KEY (a PKCS#8 PEM or a
// private JWK) when set; otherwise a key generated at the first start and kept in the database,
// its private half sealed (AES-256-GCM) with a key derived from SESSION_SECRET, so every process
// and every restart signs with the same key. Every key ever used stays in the JWKS, so a receipt
// stays verifiable after the key changes.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { CompactSign, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, importPKCS8, type JWK } from 'jose';
import type { SealedData } from '../../db/schema.ts';
import { type Database, withTransaction } from '../db/database.ts';
import { json } from '../db/json.ts';
import type { Logger } from '../log.ts';

export const RECEIPT_ALG = 'ES256';
type SigningKey = Parameters<typeof exportJWK>[0];
export const RECEIPT_TYP = 'ketenstatus-receipt+jwt';

export interface ReceiptKeysOptions {
  database: Database;
  logger: Logger;
  /** SESSION_SECRET: the generated key's private half is sealed with a key derived from it. */
  secret: string;
  /** RECEIPT_SIGNING_KEY. */
  configured?: string;
  /** SESSION_SECRET is drawn at random per start (the demo): a new key at each start is expected. */
  secretGenerated?: boolean;
}

export class ReceiptSigningKeyError extends Error {}

export class ReceiptKeys {
  private readonly options: ReceiptKeysOptions;
  private signing?: { kid: string; key: SigningKey };

  constructor(options: ReceiptKeysOptions) {
    this.options = options;
  }

  async start(): Promise<void> {
    this.signing = this.options.configured ? await this.useConfigured(this.options.configured) : await this.useGenerated();
  }

  get kid(): string {
    return this.current().kid;
  }

  /** A compact JWS over the payload (JSON), with kid and typ in the protected header. */
  async sign(payload: Record<string, unknown>): Promise<{ jws: string; kid: string }> {
    const { kid, key } = this.current();
    const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader({ alg: RECEIPT_ALG, kid, typ: RECEIPT_TYP })
      .sign(key);
    return { jws, kid };
  }

  /** Every public key the gateway ever signed with, newest first. */
  async jwks(): Promise<{ keys: JWK[] }> {
    const rows = await this.options.database.db.selectFrom('receipt_signing_keys').select(['kid', 'public_jwk']).orderBy('created_at', 'desc').execute();
    return { keys: rows.map((r) => ({ ...(r.public_jwk as JWK), kid: r.kid, alg: RECEIPT_ALG, use: 'sig' })) };
  }

  private current() {
    if (!this.signing) throw new Error('ReceiptKeys.start() was not called');
    return this.signing;
  }

  private async useConfigured(value: string) {
    let key: SigningKey;
    try {
      const text = value.trim();
      if (text.startsWith('-----BEGIN')) key = await importPKCS8(text, RECEIPT_ALG, { extractable: true });
      else {
        const jwk = JSON.parse(text) as JWK;
        if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.d) throw new Error('not a private EC P-256 JWK');
        key = (await importJWK(jwk, RECEIPT_ALG, { extractable: true })) as SigningKey;
      }
    } catch (error) {
      throw new ReceiptSigningKeyError(`RECEIPT_SIGNING_KEY is not a P-256 private key (PKCS#8 PEM or JWK): ${(error as Error).message}`);
    }
    const publicJwk = publicPart(await exportJWK(key));
    if (publicJwk.crv !== 'P-256') throw new ReceiptSigningKeyError('RECEIPT_SIGNING_KEY must be a P-256 key (ES256)');
    const kid = await calculateJwkThumbprint(publicJwk);
    await this.options.database.db
      .insertInto('receipt_signing_keys')
      .values({ kid, public_jwk: json(publicJwk), private_key: null, source: 'configured' })
      .onConflict((oc) => oc.column('kid').doNothing())
      .execute();
    return { kid, key };
  }

  private async useGenerated() {
    const sealKey = Buffer.from(hkdfSync('sha256', this.options.secret, 'ketenstatus', 'receipt signing key', 32));
    return withTransaction(this.options.database.db, async (trx) => {
      // One process generates; the others wait here and then read its key.
      await sql`select pg_advisory_xact_lock(hashtextextended('ketenstatus receipt signing key', 0))`.execute(trx);
      const rows = await trx
        .selectFrom('receipt_signing_keys')
        .select(['kid', 'private_key'])
        .where('source', '=', 'generated')
        .orderBy('created_at', 'desc')
        .execute();
      for (const row of rows) {
        if (!row.private_key) continue;
        try {
          const jwk = JSON.parse(unseal(sealKey, row.private_key)) as JWK;
          return { kid: row.kid, key: (await importJWK(jwk, RECEIPT_ALG)) as SigningKey };
        } catch {
          // Sealed under another SESSION_SECRET (the demo draws one per start): not usable here.
        }
      }
      if (rows.length > 0)
        this.options.logger[this.options.secretGenerated ? 'info' : 'warn'](
          'the stored receipt-signing key cannot be opened with this SESSION_SECRET: a new key signs from now on (the old one stays published)',
        );
      const { privateKey } = await generateKeyPair(RECEIPT_ALG, { extractable: true });
      const privateJwk = await exportJWK(privateKey);
      const publicJwk = publicPart(privateJwk);
      const kid = await calculateJwkThumbprint(publicJwk);
      await trx
        .insertInto('receipt_signing_keys')
        .values({ kid, public_jwk: json(publicJwk), private_key: json(seal(sealKey, JSON.stringify(privateJwk))), source: 'generated' })
        .execute();
      return { kid, key: privateKey };
    });
  }
}

function publicPart(jwk: JWK): JWK {
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y };
}

function seal(key: Buffer, plain: string): SealedData {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return { v: 1, iv: iv.toString('base64url'), ct: ct.toString('base64url'), tag: cipher.getAuthTag().toString('base64url') };
}

function unseal(key: Buffer, sealed: SealedData): string {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(sealed.ct, 'base64url')), decipher.final()]).toString('utf8');
}
