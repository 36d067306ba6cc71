// Read mandates: a customer (a person, or a company through its representatives) lets a proxy read
// all or one of their cases. The proxy is a person (BSN) or an organisation (OIN or KvK number)
// reading through the consumer API.
import { sql, type Selectable } from 'kysely';
import type { MandatesTable } from '../../db/schema.ts';
import type { Db } from '../db/database.ts';
import { grantedBy, heldBy, ownsCase, type Customer, type MandateHolder } from './customer.ts';

export type MandateRow = Selectable<MandatesTable>;
export type MandateWithCase = MandateRow & { case_reference: string | null };

export type NewMandate = Pick<
  MandateRow,
  'id' | 'grantor_bsn' | 'grantor_kvk' | 'proxy_bsn' | 'proxy_oin' | 'proxy_kvk' | 'proxy_name' | 'case_id' | 'valid_from' | 'valid_until'
>;

export async function insertMandate(db: Db, row: NewMandate) {
  return db.insertInto('mandates').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function countActiveGranted(db: Db, grantor: Customer, now: Date): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from mandates m
    where ${grantedBy(grantor)} and m.revoked_at is null and m.valid_until > ${now}`.execute(db);
  return Number(rows[0]?.n ?? 0);
}

/** Mandates the customer gave, newest first. */
export async function mandatesGivenBy(db: Db, grantor: Customer, limit = 100): Promise<MandateWithCase[]> {
  return withCase(db, grantedBy(grantor), limit, 0);
}

/** Mandates the proxy holds, newest first; `current`: only those valid now or later (not revoked, not expired). */
export async function mandatesHeldBy(
  db: Db,
  proxy: MandateHolder,
  options: { limit?: number; offset?: number; current?: boolean } = {},
): Promise<MandateWithCase[]> {
  const current = options.current ? sql` and m.revoked_at is null and m.valid_until > now()` : sql``;
  return withCase(db, sql`${heldBy(proxy)}${current}`, options.limit ?? 100, options.offset ?? 0);
}

export async function countHeldBy(db: Db, proxy: MandateHolder): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from mandates m
    where ${heldBy(proxy)} and m.revoked_at is null and m.valid_until > now()`.execute(db);
  return Number(rows[0]?.n ?? 0);
}

async function withCase(db: Db, where: ReturnType<typeof sql>, limit: number, offset: number): Promise<MandateWithCase[]> {
  const { rows } = await sql<MandateWithCase>`select m.*, c.reference as case_reference
    from mandates m left join cases c on c.id = m.case_id
    where ${where} order by m.created_at desc, m.id limit ${limit} offset ${offset}`.execute(db);
  return rows;
}

/** Revokes at once; true when the mandate exists and was given by the customer. */
export async function revokeMandate(db: Db, id: string, grantor: Customer): Promise<boolean> {
  const { rows } = await sql<{ id: string }>`update mandates m set revoked_at = coalesce(m.revoked_at, now())
    where m.id = ${id} and ${grantedBy(grantor)} returning m.id`.execute(db);
  return rows.length > 0;
}

/** A mandate held by the proxy (whatever its validity: the read checks that). */
export async function heldMandate(db: Db, id: string, proxy: MandateHolder): Promise<MandateRow | undefined> {
  const { rows } = await sql<MandateRow>`select m.* from mandates m where m.id = ${id} and ${heldBy(proxy)}`.execute(db);
  return rows[0];
}

export async function hasValidMandate(db: Db, grantor: Customer, proxy: MandateHolder): Promise<boolean> {
  const { rows } = await sql`select 1 from mandates m where ${grantedBy(grantor)} and ${heldBy(proxy)}
    and m.revoked_at is null and m.valid_from <= now() and m.valid_until > now() limit 1`.execute(db);
  return rows.length > 0;
}

export async function isOwnCase(db: Db, caseId: string, customer: Customer, levels: readonly string[]): Promise<boolean> {
  const { rows } = await sql`select 1 from cases c where c.id = ${caseId} and ${ownsCase(customer)}
    and c.confidentiality in (${sql.join([...levels])})`.execute(db);
  return rows.length > 0;
}

export function mandateState(m: Pick<MandateRow, 'revoked_at' | 'valid_from' | 'valid_until'>, now: Date): 'active' | 'scheduled' | 'expired' | 'revoked' {
  if (m.revoked_at) return 'revoked';
  if (new Date(m.valid_until) <= now) return 'expired';
  if (new Date(m.valid_from) > now) return 'scheduled';
  return 'active';
}
