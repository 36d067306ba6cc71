import type { Db, Trx } from '../db/database.ts';
import { json } from '../db/json.ts';
import type { Organisation } from './types.ts';

export interface StoredOrganisation {
  organisation: Organisation;
  source: 'file' | 'api';
  sourceHash: string | null;
  version: number;
  updatedAt: Date;
}

export async function listOrganisations(db: Db): Promise<StoredOrganisation[]> {
  const rows = await db.selectFrom('organisations').selectAll().orderBy('id').execute();
  return rows.map((r) => ({
    organisation: r.config,
    source: r.source,
    sourceHash: r.source_hash,
    version: r.version,
    updatedAt: r.updated_at,
  }));
}

export async function findOrganisation(db: Db, id: string) {
  return db.selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findOrganisationForUpdate(trx: Trx, id: string) {
  return trx.selectFrom('organisations').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function upsertOrganisation(db: Db, org: Organisation, source: 'file' | 'api', sourceHash: string | null) {
  await db
    .insertInto('organisations')
    .values({ id: org.id, name: org.name, status: org.status, config: json(org), source, source_hash: sourceHash })
    .onConflict((oc) =>
      oc.column('id').doUpdateSet((eb) => ({
        name: eb.ref('excluded.name'),
        status: eb.ref('excluded.status'),
        config: eb.ref('excluded.config'),
        source: eb.ref('excluded.source'),
        source_hash: eb.ref('excluded.source_hash'),
        version: eb(eb.ref('organisations.version'), '+', 1),
        updated_at: new Date(),
      })),
    )
    .execute();
}

export async function recordChange(db: Db, organisationId: string, action: string, actor: string, changes: Record<string, unknown>) {
  await db
    .insertInto('organisation_changes')
    .values({ organisation_id: organisationId, action, actor, changes: json(changes) })
    .execute();
}

export async function listChanges(db: Db, organisationId: string, limit: number, offset: number) {
  const [rows, total] = await Promise.all([
    db.selectFrom('organisation_changes').selectAll().where('organisation_id', '=', organisationId).orderBy('id', 'desc').limit(limit).offset(offset).execute(),
    db
      .selectFrom('organisation_changes')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('organisation_id', '=', organisationId)
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(total.n) };
}
