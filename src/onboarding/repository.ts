import type { Insertable, Selectable } from 'kysely';
import type { ConnectionTestStep, OnboardingConnectionTestsTable, OnboardingInvitationsTable } from '../../db/schema.ts';
import type { Db, Trx } from '../db/database.ts';
import { json } from '../db/json.ts';

export type InvitationRow = Selectable<OnboardingInvitationsTable>;
export type ConnectionTestRow = Selectable<OnboardingConnectionTestsTable>;
export type StepVerdict = ConnectionTestStep;

/** In the transaction that also queues the invitation's mail. */
export async function insertInvitation(trx: Trx, row: Insertable<OnboardingInvitationsTable>): Promise<InvitationRow> {
  return trx.insertInto('onboarding_invitations').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findInvitationByTokenHash(db: Db, tokenHash: string): Promise<InvitationRow | undefined> {
  return db.selectFrom('onboarding_invitations').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

/** The invitation, locked until the transaction ends: its signer code changes one request at a time. */
export async function lockInvitation(trx: Trx, id: string): Promise<InvitationRow> {
  return trx.selectFrom('onboarding_invitations').selectAll().where('id', '=', id).forUpdate().executeTakeFirstOrThrow();
}

export async function listInvitations(db: Db, organisationId: string): Promise<InvitationRow[]> {
  return db.selectFrom('onboarding_invitations').selectAll().where('organisation_id', '=', organisationId).orderBy('created_at', 'desc').execute();
}

/** Whether the organisation was ever invited and its invitation not used up: its activation waits for the journey's checks. */
export async function hasOpenInvitation(db: Db, organisationId: string): Promise<boolean> {
  const row = await db
    .selectFrom('onboarding_invitations')
    .select('id')
    .where('organisation_id', '=', organisationId)
    .where('purpose', '=', 'join')
    .where('completed_at', 'is', null)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export async function updateInvitation(db: Db, id: string, set: Partial<Omit<InvitationRow, 'id' | 'signer'>> & { signer?: InvitationRow['signer'] }) {
  const { signer, ...rest } = set;
  await db
    .updateTable('onboarding_invitations')
    .set({ ...rest, ...(signer !== undefined ? { signer: signer === null ? null : json(signer) } : {}) })
    .where('id', '=', id)
    .execute();
}

/** One invitation is used up (a re-acceptance, once accepted). */
export async function completeInvitation(trx: Trx, id: string): Promise<void> {
  await trx.updateTable('onboarding_invitations').set({ completed_at: new Date() }).where('id', '=', id).where('completed_at', 'is', null).execute();
}

export async function completeInvitations(trx: Trx, organisationId: string): Promise<void> {
  await trx
    .updateTable('onboarding_invitations')
    .set({ completed_at: new Date() })
    .where('organisation_id', '=', organisationId)
    .where('completed_at', 'is', null)
    .execute();
}

export async function insertConnectionTest(db: Db, id: string, organisationId: string, connectionDigest: string): Promise<ConnectionTestRow> {
  return db
    .insertInto('onboarding_connection_tests')
    .values({ id, organisation_id: organisationId, connection_digest: connectionDigest })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function finishConnectionTest(db: Db, id: string, steps: StepVerdict[], passed: boolean): Promise<ConnectionTestRow> {
  return db
    .updateTable('onboarding_connection_tests')
    .set({ steps: json(steps), passed, finished_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findConnectionTest(db: Db, id: string): Promise<ConnectionTestRow | undefined> {
  return db.selectFrom('onboarding_connection_tests').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listConnectionTests(db: Db, organisationId: string, limit: number, offset: number) {
  const [rows, total] = await Promise.all([
    db
      .selectFrom('onboarding_connection_tests')
      .selectAll()
      .where('organisation_id', '=', organisationId)
      .orderBy('started_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .offset(offset)
      .execute(),
    db
      .selectFrom('onboarding_connection_tests')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('organisation_id', '=', organisationId)
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(total.n) };
}

/** The organisation's tests started since a time (the rate limit), in the caller's transaction. */
export async function testsStartedSince(trx: Trx, organisationId: string, since: Date) {
  return trx
    .selectFrom('onboarding_connection_tests')
    .select(['started_at', 'finished_at'])
    .where('organisation_id', '=', organisationId)
    .where('started_at', '>=', since)
    .execute();
}

/** The organisations with an open invitation to join (the members still joining). */
export async function joiningOrganisations(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom('onboarding_invitations')
    .select('organisation_id')
    .distinct()
    .where('purpose', '=', 'join')
    .where('completed_at', 'is', null)
    .orderBy('organisation_id')
    .execute();
  return rows.map((r) => r.organisation_id);
}

export async function lastFinishedTest(db: Db, organisationId: string): Promise<ConnectionTestRow | undefined> {
  return db
    .selectFrom('onboarding_connection_tests')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .where('finished_at', 'is not', null)
    .orderBy('finished_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Stamps the member's test notification on its tests still running; how many there were. */
export async function recordTestNotification(db: Db, organisationId: string): Promise<number> {
  const result = await db
    .updateTable('onboarding_connection_tests')
    .set({ notification_at: new Date() })
    .where('organisation_id', '=', organisationId)
    .where('finished_at', 'is', null)
    .where('notification_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
