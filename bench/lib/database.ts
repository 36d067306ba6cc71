// A throw-away PostgreSQL database per run, migrated and seeded in bulk with SQL (never through
// the API: seeding is not what is measured).
import { randomBytes } from 'node:crypto';
import { sql as ksql } from 'kysely';
import postgres from 'postgres';
import { openDatabase, type Db } from '../../src/db/database.ts';
import { json } from '../../src/db/json.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';

export const DEFAULT_SERVER_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface BenchDatabase {
  url: string;
  name: string;
  sql: postgres.Sql;
  db: Db;
  drop(): Promise<void>;
}

/** Creates `<prefix>_<random>` on the server of `serverUrl`, migrates it and opens an admin handle. */
export async function createBenchDatabase(serverUrl: string, prefix = 'ks_bench'): Promise<BenchDatabase> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase(url.toString(), { maxConnections: 2 });
  await migrateToLatest(database.db);
  const sql = postgres(url.toString(), { max: 2, onnotice: () => {} });
  return {
    url: url.toString(),
    name,
    sql,
    db: database.db,
    async drop() {
      await sql.end({ timeout: 5 });
      await database.close();
      const cleanup = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`drop database if exists ${name} with (force)`).catch(() => undefined);
      await cleanup.end();
    },
  };
}

export interface SeedOrdersOptions {
  organisationId: string;
  product: string;
  /** One order (and one case) per zaak URL. */
  zaakUrls: string[];
  /** Distinct prefix so several seeds can share a database. */
  tag: string;
}

/** Cases with one placed order each, pointing at the given remote zaken; both engines. Returns the order ids in zaak order. */
export async function seedOrders(db: Db, o: SeedOrdersOptions): Promise<string[]> {
  const { rows } = await ksql<{ id: string; remote_zaak_url: string }>`
    with z as (select url, ord from jsonb_array_elements_text(${json(o.zaakUrls)}) with ordinality as t(url, ord)),
    c as (
      insert into cases (id, reference, title, citizen_bsn, confidentiality, product, phase, combined_status, created_by)
      select md5(${o.tag} || '-case-' || ord)::uuid, ${o.tag} || '-' || ord, 'Benchzaak ' || ord,
             '11122233' || (ord % 10)::text, 'openbaar', ${o.product}, 'ontvangen', '{}'::jsonb, 'zac'
      from z
      returning id
    )
    insert into orders (id, case_id, subcontractor, product, state, planned_identificatie, remote_zaak_url, sync_state)
    select md5(${o.tag} || '-order-' || ord)::uuid, md5(${o.tag} || '-case-' || ord)::uuid, ${o.organisationId}, ${o.product},
           'placed', 'KS-' || upper(${o.tag}) || '-' || ord, url, 'fresh'
    from z
    returning id, remote_zaak_url`.execute(db);
  const byUrl = new Map(rows.map((r) => [r.remote_zaak_url, r.id]));
  return o.zaakUrls.map((u) => byUrl.get(u)!);
}
