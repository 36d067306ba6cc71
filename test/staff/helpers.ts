// A gateway with citizen login and staff sign-on against two loopback issuers, and hand-made
// cases, orders and status histories written straight to the database.
import { randomUUID } from 'node:crypto';
import type { Db } from '../../src/db/database.ts';
import { json } from '../../src/db/json.ts';
import type { Organisation, Phase } from '../../src/network/types.ts';
import { startTestIssuer } from '../citizen/helpers/issuer.ts';
import { organisation } from '../helpers/fixtures.ts';
import { startTestGateway, testNetwork } from '../helpers/gateway.ts';

export const BSN = { anna: '111222333', bram: '123456782' } as const;
export const KVK = '68750110';

export const ORGANISATIONS: Organisation[] = [
  organisation('hulpmiddelen-bv', {
    name: 'Hulpmiddelen B.V.',
    pollIntervalSeconds: 300,
    products: [
      { code: 'traplift', name: { nl: 'Traplift', en: 'Stairlift' }, zaaktype: 'https://catalogi.example/zt/1' },
      // A product that names its own expected days per part (the worklist's stalled rule).
      { code: 'rolstoel', name: { nl: 'Rolstoel', en: 'Wheelchair' }, zaaktype: 'https://catalogi.example/zt/3', expectedDays: 3 } as never,
    ],
  }),
  organisation('bouw-bv', {
    name: 'Bouw B.V.',
    pollIntervalSeconds: 300,
    products: [{ code: 'aanpassing', name: { nl: 'Woningaanpassing', en: 'Home adaptation' }, zaaktype: 'https://catalogi.example/zt/2' }],
  }),
];

export async function startStaffGateway(env: Record<string, string> = {}) {
  const citizenIssuer = await startTestIssuer();
  const staffIssuer = await startTestIssuer('ketenstatus-staff');
  const gateway = await startTestGateway({
    network: testNetwork(ORGANISATIONS),
    env: { CITIZEN_OIDC_ISSUER: citizenIssuer.url, STAFF_OIDC_ISSUER: staffIssuer.url, ...env },
  });
  /** Headers of a staff member holding `roles` (the roles claim). */
  const asStaff = async (roles: string[], name = 'Karin Klant', sub = `staff-${name.replace(/\W/g, '')}`) => ({
    authorization: `Bearer ${await staffIssuer.token(undefined, { claims: { sub, name, roles } })}`,
  });
  const asCitizen = async (bsn: string) => ({ authorization: `Bearer ${await citizenIssuer.token(bsn)}` });
  return { gateway, app: gateway.app, db: gateway.database.db, citizenIssuer, staffIssuer, asStaff, asCitizen };
}

const DAY = 86_400_000;
export const daysAgo = (days: number, now = Date.now()) => new Date(now - days * DAY);

export interface HandOrder {
  subcontractor: string;
  product?: string;
  state?: 'placing' | 'placed' | 'failed';
  /** Placed this many days ago. */
  placedDaysAgo?: number;
  placedAt?: Date;
  /** The statuses in order: phase and when it was set; the last is the current one. */
  history?: { phase: string; at: Date; final?: boolean }[];
  syncState?: string;
  lastSyncedAt?: Date;
}

export interface HandCase {
  bsn?: string;
  kvk?: string;
  title?: string;
  reference?: string;
  closed?: boolean;
  /** The stored combined phase (the worklist's citizen-action reads it). */
  combinedPhase?: Phase;
  plannedEndDate?: string;
  deadline?: string;
  updatedAt?: Date;
  confidentiality?: string;
  orders?: HandOrder[];
}

/** Writes the cases, their orders and each order's status timeline; returns the case ids and, per case, its order ids. */
export async function handMade(db: Db, cases: HandCase[]) {
  const out: { id: string; orders: string[] }[] = [];
  for (const c of cases) {
    const id = randomUUID();
    const now = new Date();
    await db
      .insertInto('cases')
      .values({
        id,
        reference: c.reference ?? `T-${id.slice(0, 8)}`,
        title: c.title ?? 'Aanvraag hulpmiddel',
        citizen_bsn: c.kvk ? null : (c.bsn ?? BSN.anna),
        citizen_kvk: c.kvk ?? null,
        confidentiality: c.confidentiality ?? 'zaakvertrouwelijk',
        product: null,
        planned_end_date: c.plannedEndDate ?? null,
        deadline: c.deadline ?? null,
        phase: c.closed ? 'afgerond' : 'in_behandeling',
        phase_text: null,
        closed_at: c.closed ? now : null,
        combined_status: json({
          phase: c.combinedPhase ?? 'in_behandeling',
          ballWith: 'citizen',
          progress: { done: 0, total: 0 },
          lastUpdatedAt: now.toISOString(),
          gaps: [],
        }),
        created_by: 'zac',
        created_at: now,
        updated_at: c.updatedAt ?? now,
      })
      .execute();
    const orderIds: string[] = [];
    for (const o of c.orders ?? []) {
      const orderId = randomUUID();
      const placedAt = o.placedAt ?? daysAgo(o.placedDaysAgo ?? 1);
      const current = o.history?.at(-1);
      await db
        .insertInto('orders')
        .values({
          id: orderId,
          case_id: id,
          subcontractor: o.subcontractor,
          product: o.product ?? 'traplift',
          description: null,
          state: o.state ?? 'placed',
          planned_identificatie: `KS-${orderId}`,
          remote_zaak_url: (o.state ?? 'placed') === 'placed' ? `https://zaken.example/zaken/api/v1/zaken/${orderId}` : null,
          status: current
            ? json({
                phase: current.phase,
                omschrijving: current.phase,
                statustekst: null,
                toelichting: null,
                volgnummer: o.history!.length,
                isEindstatus: current.final ?? false,
                datumStatusGezet: current.at.toISOString(),
              })
            : null,
          sync_state: o.syncState ?? 'fresh',
          last_synced_at: o.lastSyncedAt ?? new Date(),
          created_at: placedAt,
          updated_at: current?.at ?? placedAt,
        })
        .execute();
      for (const h of o.history ?? []) {
        await db
          .insertInto('timeline_entries')
          .values({
            case_id: id,
            order_id: orderId,
            at: h.at,
            organisation_id: o.subcontractor,
            kind: 'status',
            phase: h.phase,
            text: null,
            refs: json([]),
          })
          .execute();
      }
      orderIds.push(orderId);
    }
    out.push({ id, orders: orderIds });
  }
  return out;
}
