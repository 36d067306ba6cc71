// What a re-query writes about one order, as few statements as the rules allow: each round trip to
// the database costs the gateway a socket write and a wake-up on both sides, and a sync at a few
// hundred a second is mostly round trips.
import { sql } from 'kysely';
import type { Trx } from '../db/database.ts';
import { json } from '../db/json.ts';

export interface FetchedFacts {
  orderId: string;
  caseId: string;
  organisationId: string;
  /** When the fetch began: facts fetched before those the order shows are not applied. */
  fetchStartedAt: Date;
  /** The order's current status (orders.status), null when the zaak has none. */
  status: Record<string, unknown> | null;
  /** Timeline entries, one per remote status (dedupe key: the status URL), oldest first. */
  entries: { at: Date; phase: string; text: string | null; dedupeKey: string }[];
}

/**
 * In one statement: the order's status and sync state, unless an attempt that began later has
 * written its outcome already (two syncs of one order can overlap: a notification during a sync
 * queues the next one) — then that outcome stands, also when it was "gone" or "unreachable"; the
 * timeline entries not yet there; the order's pending notifications received up to the fetch, settled.
 * Returns the dedupe keys of the entries added.
 */
export async function recordFetchedFacts(trx: Trx, f: FetchedFacts): Promise<{ added: string[] }> {
  const now = new Date();
  const entries = f.entries.map((e) => ({ at: e.at.toISOString(), phase: e.phase, text: e.text, dedupe_key: e.dedupeKey }));
  const { rows } = await sql<{ added: unknown }>`
    with o as (
      update orders set status = ${json(f.status)}, last_sync_attempt_at = ${f.fetchStartedAt},
        last_synced_at = ${now}, sync_state = 'fresh', sync_error = null, updated_at = ${now}
      where id = ${f.orderId} and ${noLaterOutcome(f.fetchStartedAt)}
    ), t as (
      insert into timeline_entries (case_id, order_id, at, organisation_id, kind, phase, text, dedupe_key)
      select ${f.caseId}, ${f.orderId}, e.at, ${f.organisationId}, 'status', e.phase, e.text, e.dedupe_key
      from rows from (jsonb_to_recordset(${json(entries)}) as (at timestamptz, phase text, text text, dedupe_key text))
        with ordinality as e(at, phase, text, dedupe_key, ord)
      order by e.ord
      on conflict (case_id, dedupe_key) where dedupe_key is not null do nothing
      returning dedupe_key
    ), i as (${settledUpTo(f.orderId, f.fetchStartedAt, now)})
    select (select coalesce(json_agg(dedupe_key), '[]'::json) from t) as added`.execute(trx);
  const added = rows[0]?.added;
  return { added: (typeof added === 'string' ? JSON.parse(added) : (added ?? [])) as string[] };
}

/** No attempt that began after this fetch has written its outcome (each stamps last_sync_attempt_at). */
const noLaterOutcome = (fetchStartedAt: Date) => sql`(last_sync_attempt_at is null or last_sync_attempt_at <= ${fetchStartedAt})`;

/** The order's pending notifications received up to the fetch, settled as synced. */
const settledUpTo = (orderId: string, upTo: Date, now: Date) =>
  sql`update inbox set state = 'synced', processed_at = ${now} where order_id = ${orderId} and state = 'pending' and received_at <= ${upTo}`;

/** The order's pending notifications received up to `upTo` are settled: synced, or dead with the sync. */
export async function settleInbox(trx: Trx, orderId: string, upTo: Date, state: 'synced' | 'dead') {
  await trx
    .updateTable('inbox')
    .set({ state, processed_at: new Date() })
    .where('order_id', '=', orderId)
    .where('state', '=', 'pending')
    .where('received_at', '<=', upTo)
    .execute();
}
