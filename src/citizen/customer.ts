// Whose cases: a person (BSN) or a company (KvK number, a representative's login perhaps narrowed to
// one branch). One place decides what "the customer's case" and "the customer's mandate" mean in SQL.
import { sql, type RawBuilder } from 'kysely';
import { maskBsn } from '../cases/identifiers.ts';
import { isRepresentative, type CitizenIdentity } from './auth.ts';

export type Customer = { bsn: string } | { kvk: string; vestiging?: string };

/** Who holds a mandate: a person by BSN, or an organisation by OIN or KvK number. */
export type MandateHolder = { bsn: string } | { organisation: { oin?: string; kvk?: string } };

export function customerOf(viewer: CitizenIdentity): Customer {
  if (!isRepresentative(viewer)) return { bsn: viewer.bsn };
  return viewer.vestiging ? { kvk: viewer.kvk, vestiging: viewer.vestiging } : { kvk: viewer.kvk };
}

/** The same customer, whatever branch a login is narrowed to. */
export const sameCustomer = (a: Customer, b: Customer) => ('bsn' in a ? 'bsn' in b && a.bsn === b.bsn : 'kvk' in b && a.kvk === b.kvk);

/** Case alias `c` belongs to the customer (and, for a branch login, to that branch or the whole company). */
export function ownsCase(customer: Customer, alias = 'c'): RawBuilder<unknown> {
  const col = (name: string) => sql.ref(`${alias}.${name}`);
  if ('bsn' in customer) return sql`${col('citizen_bsn')} = ${customer.bsn}`;
  const branch = customer.vestiging ? sql` and (${col('citizen_vestiging')} is null or ${col('citizen_vestiging')} = ${customer.vestiging})` : sql``;
  return sql`${col('citizen_kvk')} = ${customer.kvk}${branch}`;
}

/** Mandate alias `m` was given by the customer (a company's mandates are the company's, not a branch's). */
export function grantedBy(customer: Customer, alias = 'm'): RawBuilder<unknown> {
  return 'bsn' in customer ? sql`${sql.ref(`${alias}.grantor_bsn`)} = ${customer.bsn}` : sql`${sql.ref(`${alias}.grantor_kvk`)} = ${customer.kvk}`;
}

/** Mandate alias `m` is held by the proxy. An organisation matches by OIN or by KvK number, whichever it has. */
export function heldBy(proxy: MandateHolder, alias = 'm'): RawBuilder<unknown> {
  const col = (name: string) => sql.ref(`${alias}.${name}`);
  if ('bsn' in proxy) return sql`${col('proxy_bsn')} = ${proxy.bsn}`;
  const { oin, kvk } = proxy.organisation;
  const matches = [oin ? sql`${col('proxy_oin')} = ${oin}` : undefined, kvk ? sql`${col('proxy_kvk')} = ${kvk}` : undefined].filter((m) => m !== undefined);
  return matches.length ? sql`(${sql.join(matches, sql` or `)})` : sql`false`;
}

/** How a grantor shows to others: a masked BSN, or the KvK number (a company's number is public). */
export const grantorLabel = (m: { grantor_bsn: string | null; grantor_kvk: string | null }): { bsn: string } | { kvk: string } =>
  m.grantor_bsn ? { bsn: maskBsn(m.grantor_bsn) } : { kvk: m.grantor_kvk as string };

/** The customer of a mandate's grantor columns. */
export const grantorOfRow = (m: { grantor_bsn: string | null; grantor_kvk: string | null }): Customer =>
  m.grantor_bsn ? { bsn: m.grantor_bsn } : { kvk: m.grantor_kvk as string };

/** A representative in an access log: their name, else the masked `sub` (never a BSN). */
export function representativeLabel(viewer: { sub: string; name?: string }): string {
  if (viewer.name) return viewer.name;
  return viewer.sub.length > 6 ? `…${viewer.sub.slice(-6)}` : '…';
}
