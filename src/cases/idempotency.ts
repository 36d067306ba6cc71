// Idempotency-Key for POSTs that create: the same key and body give the same answer and create
// nothing new; the same key with another body is refused.
import { createHash } from 'node:crypto';
import type { Db } from '../db/database.ts';
import { json } from '../db/json.ts';
import { ServiceError } from '../lib/service-error.ts';

export interface StoredResponse {
  status: number;
  body: unknown;
}

export const requestHash = (body: unknown) => createHash('sha256').update(JSON.stringify(body)).digest('hex');

/**
 * Claims the key inside the caller's transaction. Returns the stored response when the key was
 * used before with the same body. On PostgreSQL a concurrent twin waits on the row lock and then
 * sees the first one's answer.
 */
export async function claimIdempotencyKey(db: Db, clientId: string, key: string, hash: string): Promise<StoredResponse | undefined> {
  const inserted = await db
    .insertInto('idempotency_keys')
    .values({ client_id: clientId, key, request_hash: hash, response_body: null })
    .onConflict((oc) => oc.columns(['client_id', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  if (inserted) return undefined;
  const existing = await db.selectFrom('idempotency_keys').selectAll().where('client_id', '=', clientId).where('key', '=', key).executeTakeFirstOrThrow();
  if (existing.request_hash !== hash) {
    throw new ServiceError('unprocessable', 'This Idempotency-Key was used before with a different request body.', {
      invalidParams: [{ name: 'Idempotency-Key', code: 'reused', reason: 'use a new key for a different request' }],
    });
  }
  if (existing.response_status === null) throw new ServiceError('conflict', 'A request with this Idempotency-Key is still being processed.');
  return { status: existing.response_status, body: existing.response_body };
}

export async function storeIdempotentResponse(db: Db, clientId: string, key: string, response: StoredResponse) {
  await db
    .updateTable('idempotency_keys')
    .set({ response_status: response.status, response_body: json(response.body) })
    .where('client_id', '=', clientId)
    .where('key', '=', key)
    .execute();
}
