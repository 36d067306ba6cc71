// Read mandates: a citizen lets another citizen (the proxy) read all or one of their cases.
import type { Selectable } from 'kysely';
import type { MandatesTable } from '../../db/schema.ts';
import type { Db } from '../db/database.ts';

export type MandateRow = Selectable<MandatesTable>;
export type MandateWithCase = MandateRow & { case_reference: string | null };

export async function insertMandate(
  db: Db,
  row: Pick<MandateRow, 'id' | 'grantor_bsn' | 'proxy_bsn' | 'proxy_name' | 'case_id' | 'valid_from' | 'valid_until'>,
) {
  return db.insertInto('mandates').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function countActiveGranted(db: Db, grantorBsn: string, now: Date): Promise<number> {
  const { n } = await db
    .selectFrom('mandates')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('grantor_bsn', '=', grantorBsn)
    .where('revoked_at', 'is', null)
    .where('valid_until', '>', now)
    .executeTakeFirstOrThrow();
  return Number(n);
}

/** Mandates the citizen gave (`grantor`) or holds (`proxy`), newest first. */
export async function mandatesOf(db: Db, side: 'grantor' | 'proxy', bsn: string, limit = 100): Promise<MandateWithCase[]> {
  return db
    .selectFrom('mandates as m')
    .leftJoin('cases as c', 'c.id', 'm.case_id')
    .selectAll('m')
    .select('c.reference as case_reference')
    .where(side === 'grantor' ? 'm.grantor_bsn' : 'm.proxy_bsn', '=', bsn)
    .orderBy('m.created_at', 'desc')
    .orderBy('m.id')
    .limit(limit)
    .execute();
}

/** Revokes at once; true when the mandate exists and was given by `grantorBsn`. */
export async function revokeMandate(db: Db, id: string, grantorBsn: string): Promise<boolean> {
  const row = await db
    .updateTable('mandates')
    .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', eb.fn<Date>('now')) }))
    .where('id', '=', id)
    .where('grantor_bsn', '=', grantorBsn)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** The grantor of a mandate held by `proxyBsn` (whatever its validity: the read checks that). */
export async function grantorOf(db: Db, id: string, proxyBsn: string): Promise<string | undefined> {
  const row = await db.selectFrom('mandates').select('grantor_bsn').where('id', '=', id).where('proxy_bsn', '=', proxyBsn).executeTakeFirst();
  return row?.grantor_bsn;
}

export async function hasValidMandate(db: Db, grantorBsn: string, proxyBsn: string): Promise<boolean> {
  const row = await db
    .selectFrom('mandates')
    .select('id')
    .where('grantor_bsn', '=', grantorBsn)
    .where('proxy_bsn', '=', proxyBsn)
    .where('revoked_at', 'is', null)
    .where('valid_from', '<=', new Date())
    .where('valid_until', '>', new Date())
    .executeTakeFirst();
  return row !== undefined;
}

export async function isOwnCase(db: Db, caseId: string, bsn: string, levels: readonly string[]): Promise<boolean> {
  const row = await db
    .selectFrom('cases')
    .select('id')
    .where('id', '=', caseId)
    .where('citizen_bsn', '=', bsn)
    .where('confidentiality', 'in', [...levels])
    .executeTakeFirst();
  return row !== undefined;
}

export function mandateState(m: Pick<MandateRow, 'revoked_at' | 'valid_from' | 'valid_until'>, now: Date): 'active' | 'scheduled' | 'expired' | 'revoked' {
  if (m.revoked_at) return 'revoked';
  if (new Date(m.valid_until) <= now) return 'expired';
  if (new Date(m.valid_from) > now) return 'scheduled';
  return 'active';
}
