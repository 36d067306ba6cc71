import type { InsertObject, Selectable } from 'kysely';
import type { AgreementAcceptancesTable, AgreementsTable, DB } from '../../db/schema.ts';
import type { Db } from '../db/database.ts';

export type AgreementRow = Selectable<AgreementsTable>;
export type AcceptanceRow = Selectable<AgreementAcceptancesTable>;

/** Inserts the version and returns it as stored; undefined when that version exists already. */
export async function insertAgreement(db: Db, row: InsertObject<DB, 'agreements'>): Promise<AgreementRow | undefined> {
  return db
    .insertInto('agreements')
    .values(row)
    .onConflict((oc) => oc.column('version').doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** The latest posted version, or undefined when none was ever posted. */
export async function findCurrentAgreement(db: Db): Promise<AgreementRow | undefined> {
  return db.selectFrom('agreements').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirst();
}

export async function findAgreement(db: Db, version: string): Promise<AgreementRow | undefined> {
  return db.selectFrom('agreements').selectAll().where('version', '=', version).executeTakeFirst();
}

export async function listAgreements(db: Db, limit: number, offset: number) {
  const [rows, total] = await Promise.all([
    db.selectFrom('agreements').selectAll().orderBy('seq', 'desc').limit(limit).offset(offset).execute(),
    db
      .selectFrom('agreements')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(total.n) };
}

export async function insertAcceptance(db: Db, row: InsertObject<DB, 'agreement_acceptances'>): Promise<void> {
  await db.insertInto('agreement_acceptances').values(row).execute();
}

/** The organisation's acceptance recorded last, or undefined. */
export async function findLatestAcceptance(db: Db, organisationId: string): Promise<AcceptanceRow | undefined> {
  return db
    .selectFrom('agreement_acceptances')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .orderBy('recorded_at', 'desc')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
}

export async function listAcceptances(db: Db, organisationId: string, limit: number, offset: number) {
  const [rows, total] = await Promise.all([
    db
      .selectFrom('agreement_acceptances')
      .selectAll()
      .where('organisation_id', '=', organisationId)
      .orderBy('recorded_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .offset(offset)
      .execute(),
    db
      .selectFrom('agreement_acceptances')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('organisation_id', '=', organisationId)
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(total.n) };
}
