// A gateway with citizen login against a loopback issuer, and direct seeding of cases.
import { randomUUID } from 'node:crypto';
import type { Db } from '../../../src/db/database.ts';
import { json } from '../../../src/db/json.ts';
import type { DestinationStream } from 'pino';
import { afterAll } from 'vitest';
import { parseConfig } from '../../../src/config.ts';
import { startGateway } from '../../../src/gateway.ts';
import { createLogger } from '../../../src/log.ts';
import type { NetworkDefinition, Organisation } from '../../../src/network/types.ts';
import { freshDatabaseUrl } from '../../helpers/db.ts';
import { organisation } from '../../helpers/fixtures.ts';
import { startTestGateway, testNetwork } from '../../helpers/gateway.ts';
import { startTestIssuer } from './issuer.ts';

/** Like startTestGateway, with log lines (level info) going to `destination`. */
async function startLoggingGateway(network: NetworkDefinition, extra: Record<string, string>, destination: DestinationStream) {
  const env = { DATABASE_URL: await freshDatabaseUrl(), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', OUTBOUND_ALLOW_PRIVATE: 'true', ...extra };
  const config = parseConfig(env);
  const gateway = await startGateway({ config, logger: createLogger(config.logLevel, destination), env, network, listen: false });
  afterAll(() => gateway.close());
  return gateway;
}

/** Valid BSNs (elfproef). */
export const BSN = { anna: '111222333', bram: '123456782', carla: '999999990', dirk: '100000009' } as const;

export async function startCitizenGateway(options: { env?: Record<string, string>; organisations?: Organisation[]; logDestination?: DestinationStream } = {}) {
  const issuer = await startTestIssuer();
  const organisations = options.organisations ?? [
    organisation('hulpmiddelen-bv', { name: 'Hulpmiddelen B.V.', pollIntervalSeconds: 300 }),
    organisation('bouw-bv', {
      name: 'Bouw B.V.',
      notifications: { mode: 'poll' },
      products: [{ code: 'aanpassing', name: { nl: 'Woningaanpassing', en: 'Home adaptation' }, zaaktype: 'https://catalogi.example/zt/2' }],
    }),
    organisation('wachtend-bv', { name: 'Wachtend B.V.', status: 'pending', agreement: undefined }),
  ];
  const gateway = options.logDestination
    ? await startLoggingGateway(testNetwork(organisations), { CITIZEN_OIDC_ISSUER: issuer.url, ...options.env }, options.logDestination)
    : await startTestGateway({ network: testNetwork(organisations), env: { CITIZEN_OIDC_ISSUER: issuer.url, ...options.env } });
  const as = async (bsn: string, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${await issuer.token(bsn)}`, ...extra });
  /** A company representative: KvK claim, no BSN. */
  const asRepresentative = async (kvk: string, who: { sub?: string; name?: string; vestiging?: string } = {}, extra: Record<string, string> = {}) => ({
    authorization: `Bearer ${await issuer.token(undefined, { claims: { kvk, sub: who.sub ?? `rep-${kvk}-${who.name ?? 'x'}`, ...(who.name ? { name: who.name } : {}), ...(who.vestiging ? { vestiging: who.vestiging } : {}) } })}`,
    ...extra,
  });
  return { gateway, issuer, app: gateway.app, db: gateway.database.db, as, asRepresentative };
}

export interface SeedOrder {
  subcontractor: string;
  product?: string;
  state?: 'placing' | 'placed' | 'failed';
  phase?: string;
  statustekst?: string;
  syncState?: string;
  lastSyncedAt?: Date;
}

export interface SeedCase {
  bsn?: string;
  kvk?: string;
  vestiging?: string;
  title?: string;
  confidentiality?: string;
  closed?: boolean;
  updatedAt?: Date;
  orders?: SeedOrder[];
  notes?: string[];
}

/** Inserts cases (with orders and a timeline) directly; returns their ids in order. */
export async function seedCases(db: Db, cases: SeedCase[], selfId = 'gemeente-test'): Promise<string[]> {
  if (cases.length === 0) return [];
  const now = new Date();
  const rows = cases.map((c) => ({
    id: randomUUID(),
    reference: `T-${randomUUID().slice(0, 13)}`,
    title: c.title ?? 'Aanvraag hulpmiddel',
    citizen_bsn: c.kvk ? null : (c.bsn ?? BSN.anna),
    citizen_kvk: c.kvk ?? null,
    citizen_vestiging: c.vestiging ?? null,
    confidentiality: c.confidentiality ?? 'zaakvertrouwelijk',
    product: null,
    planned_end_date: null,
    deadline: null,
    phase: c.closed ? 'afgerond' : 'in_behandeling',
    phase_text: null,
    closed_at: c.closed ? now : null,
    combined_status: json({}) as never,
    created_by: 'zac',
    created_at: now,
    updated_at: c.updatedAt ?? now,
  }));
  await db.insertInto('cases').values(rows).execute();
  const orders = cases.flatMap((c, i) =>
    (c.orders ?? []).map((o) => ({
      id: randomUUID(),
      case_id: rows[i].id,
      subcontractor: o.subcontractor,
      product: o.product ?? 'traplift',
      description: 'intern: bel mevrouw na 17u',
      state: o.state ?? 'placed',
      planned_identificatie: `KS-${randomUUID()}`,
      remote_zaak_url: o.state === 'placed' || o.state === undefined ? `https://zaken.example/zaken/api/v1/zaken/${randomUUID()}` : null,
      status: o.phase
        ? json({
            phase: o.phase,
            statustekst: o.statustekst ?? 'Wij bekijken uw aanvraag',
            toelichting: null,
            omschrijving: 'Intake',
            datumStatusGezet: now.toISOString(),
          })
        : null,
      sync_state: o.syncState ?? 'fresh',
      last_synced_at: o.lastSyncedAt ?? now,
    })),
  );
  if (orders.length > 0) await db.insertInto('orders').values(orders).execute();
  const timeline = cases.flatMap((c, i) => [
    { case_id: rows[i].id, at: now, organisation_id: selfId, kind: 'status', phase: 'ontvangen', text: null, refs: json([]), citizen_visible: true },
    {
      case_id: rows[i].id,
      at: now,
      organisation_id: selfId,
      kind: 'message',
      phase: null,
      text: 'Brief verstuurd',
      refs: json([{ type: 'digital-post', id: 'MSG-1' }]),
      citizen_visible: true,
    },
    ...(c.notes ?? []).map((text) => ({
      case_id: rows[i].id,
      at: now,
      organisation_id: selfId,
      kind: 'note',
      phase: null,
      text,
      refs: json([]),
      citizen_visible: false,
    })),
  ]);
  await db.insertInto('timeline_entries').values(timeline).execute();
  return rows.map((r) => r.id);
}

export async function accessRows(db: Db, caseId?: string) {
  let q = db.selectFrom('access_log').selectAll().orderBy('id');
  if (caseId) q = q.where('case_id', '=', caseId);
  return q.execute();
}
