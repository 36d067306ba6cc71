import type { Db } from '../../src/db/database.ts';
import { json } from '../../src/db/json.ts';
import type { PortalOrganisation, ZakenOrganisation } from '../../src/network/types.ts';

export function organisation(id: string, overrides: Partial<ZakenOrganisation> = {}): ZakenOrganisation {
  return {
    id,
    name: `Organisatie ${id}`,
    oin: '00000003012345678000',
    rsin: '012345672',
    status: 'active',
    agreement: { version: '2026-1', acceptedAt: '2026-01-10T09:00:00Z', acceptedBy: 'J. Jansen' },
    zaken: { apiRoot: 'https://zaken.example/zaken/api/v1/', auth: { type: 'zgw-jwt', clientId: 'gemeente-test', secret: 'outbound-secret-0123456789' } },
    notifications: { mode: 'push', clientId: id, secret: 'notify-secret-0123456789abc' },
    products: [{ code: 'traplift', name: { nl: 'Traplift', en: 'Stairlift' }, zaaktype: 'https://catalogi.example/catalogi/api/v1/zaaktypen/1' }],
    ...overrides,
  };
}

/** A subcontractor without a case system (the partner API): one contact, one product with three statuses. */
export function portalOrganisation(id: string, overrides: Partial<PortalOrganisation> = {}): PortalOrganisation {
  return {
    id,
    name: `Bouwer ${id}`,
    oin: '00000003012345678000',
    rsin: '012345672',
    status: 'active',
    agreement: { version: '2026-1', acceptedAt: '2026-01-10T09:00:00Z', acceptedBy: 'J. Jansen' },
    portal: { contacts: [{ name: 'Planning', email: `planning@${id}.example` }] },
    products: [
      {
        code: 'drempelhulp',
        name: { nl: 'Drempelhulp', en: 'Threshold ramp' },
        statuses: [
          { code: 'ingepland', name: { nl: 'Ingepland', en: 'Scheduled' }, phase: 'ontvangen' },
          { code: 'bezig', name: { nl: 'Wordt geplaatst', en: 'Being installed' }, phase: 'in_behandeling' },
          { code: 'klaar', name: { nl: 'Geplaatst', en: 'Installed' }, phase: 'afgerond', final: true },
        ],
      },
    ],
    ...overrides,
  };
}

/** A bare case row written straight to the database, for tests below the supplier API. */
export async function insertBareCase(db: Db, id: string, reference: string) {
  await db
    .insertInto('cases')
    .values({
      id,
      reference,
      title: reference,
      citizen_bsn: '111222333',
      citizen_kvk: null,
      confidentiality: 'openbaar',
      product: null,
      planned_end_date: null,
      deadline: null,
      phase: 'ontvangen',
      phase_text: null,
      combined_status: json({ phase: 'ontvangen', ballWith: 'citizen', progress: { done: 0, total: 0 }, lastUpdatedAt: new Date(0).toISOString(), gaps: [] }),
      created_by: 'zac',
    })
    .execute();
}

/** A minimal agreement version for POST /api/v1/agreements (the contract tests publish one each). */
export function agreementVersion(version: string) {
  return {
    version,
    summary: { nl: 'Samenvatting', en: 'Summary' },
    legalText: { nl: '# Overeenkomst', en: '# Agreement' },
    terms: {
      purposes: ['Status delen'],
      dataCategories: ['zaakstatus'],
      retentionDays: 400,
      securityLevel: 'BIO-BBN2',
      contact: { name: 'Beheer', email: 'beheer@example.nl' },
    },
  };
}

/** A dead job of a kind no worker handles, for the operator's retry. */
export async function insertDeadJob(db: Db, job: { kind: string; attempts: number; error: string; groupKey?: string }): Promise<{ id: number }> {
  return db
    .insertInto('jobs')
    .values({
      kind: job.kind,
      payload: json({}),
      state: 'dead',
      attempts: job.attempts,
      group_key: job.groupKey ?? null,
      errors: json([{ at: new Date().toISOString(), attempt: job.attempts, error: job.error }]),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
}
