import type { Selectable } from 'kysely';
import type { NrcSubscriptionsTable } from '../../db/schema.ts';
import type { Db } from '../db/database.ts';
import { json } from '../db/json.ts';
import type { NotificatiesApi } from '../network/types.ts';

export type SubscriptionRow = Selectable<NrcSubscriptionsTable>;
export type SubscriptionState = NrcSubscriptionsTable['state'];

export async function findSubscription(db: Db, organisationId: string): Promise<SubscriptionRow | undefined> {
  return db.selectFrom('nrc_subscriptions').selectAll().where('organisation_id', '=', organisationId).executeTakeFirst();
}

export async function listSubscriptions(db: Db): Promise<SubscriptionRow[]> {
  return db.selectFrom('nrc_subscriptions').selectAll().orderBy('organisation_id').execute();
}

/** The abonnementen recorded for every other organisation: never this organisation's to remove. */
export async function abonnementUrlsOfOthers(db: Db, organisationId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('nrc_subscriptions')
    .select('abonnement_url')
    .where('organisation_id', '<>', organisationId)
    .where('abonnement_url', 'is not', null)
    .execute();
  return new Set(rows.map((r) => r.abonnement_url!));
}

/** The row, created with `auth` when there is none (the stored auth wins: one value per organisation). */
export async function ensureSubscription(db: Db, organisationId: string, auth: string): Promise<SubscriptionRow> {
  await db
    .insertInto('nrc_subscriptions')
    .values({ organisation_id: organisationId, state: 'pending', auth, nrc: null, filters: null })
    .onConflict((oc) => oc.column('organisation_id').doNothing())
    .execute();
  return (await findSubscription(db, organisationId))!;
}

export interface SubscriptionChange {
  state?: SubscriptionState;
  nrc?: NotificatiesApi | null;
  abonnementUrl?: string | null;
  callbackUrl?: string | null;
  filters?: Record<string, unknown> | null;
  lastCheckedAt?: Date | null;
  lastError?: string | null;
}

export async function updateSubscription(db: Db, organisationId: string, change: SubscriptionChange): Promise<void> {
  await db
    .updateTable('nrc_subscriptions')
    .set({
      ...(change.state !== undefined ? { state: change.state } : {}),
      ...(change.nrc !== undefined ? { nrc: json(change.nrc) } : {}),
      ...(change.abonnementUrl !== undefined ? { abonnement_url: change.abonnementUrl } : {}),
      ...(change.callbackUrl !== undefined ? { callback_url: change.callbackUrl } : {}),
      ...(change.filters !== undefined ? { filters: json(change.filters) } : {}),
      ...(change.lastCheckedAt !== undefined ? { last_checked_at: change.lastCheckedAt } : {}),
      ...(change.lastError !== undefined ? { last_error: change.lastError?.slice(0, 2000) ?? null } : {}),
      updated_at: new Date(),
    })
    .where('organisation_id', '=', organisationId)
    .execute();
}
