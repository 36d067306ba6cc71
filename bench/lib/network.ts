// The trust network the bench and the reliability suite run against: one supplier client, an
// operator, a portal, and subcontractors backed by in-process simulators over loopback.
import { signZgwJwt } from '../../src/lib/zgw-jwt.ts';
import type { NetworkDefinition, Organisation, ZakenOrganisation } from '../../src/network/types.ts';
import { demoCatalogues, startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.ts';

export const BENCH_SECRETS = {
  zac: 'bench-secret-zac-0123456789abcdef',
  beheer: 'bench-secret-beheer-0123456789abc',
  portaal: 'bench-secret-portaal-0123456789ab',
  outbound: 'bench-secret-outbound-0123456789ab',
} as const;

export const notifySecretOf = (orgId: string) => `bench-notify-${orgId}-0123456789abcdef`;

export interface BenchOrg {
  id: string;
  sim: Simulator;
  organisation: ZakenOrganisation;
  /** A fresh ZGW JWT the organisation would send with a notification. */
  notifyAuthorization(): string;
}

export async function startBenchOrg(
  id: string,
  options: { maxConcurrency?: number; pollIntervalSeconds?: number; simulator?: Partial<SimulatorOptions> } = {},
): Promise<BenchOrg> {
  const zaaktypen = demoCatalogues['hulpmiddelen-bv'];
  const sim = await startSimulator({
    name: `Sim ${id}`,
    rsin: '012345672',
    host: '127.0.0.1',
    clients: { 'gemeente-bench': BENCH_SECRETS.outbound },
    zaaktypen,
    ...options.simulator,
  });
  const organisation: ZakenOrganisation = {
    id,
    name: `Organisatie ${id}`,
    oin: '00000003012345678000',
    rsin: '012345672',
    status: 'active',
    agreement: { version: '2026-1', acceptedAt: '2026-01-10T09:00:00Z', acceptedBy: 'Bench' },
    zaken: { apiRoot: sim.zakenApiRoot, auth: { type: 'zgw-jwt', clientId: 'gemeente-bench', secret: BENCH_SECRETS.outbound } },
    notifications: { mode: 'push', clientId: id, secret: notifySecretOf(id) },
    pollIntervalSeconds: options.pollIntervalSeconds ?? 3600,
    ...(options.maxConcurrency ? { maxConcurrency: options.maxConcurrency } : {}),
    products: zaaktypen.map((zt) => ({
      code: zt.key,
      name: { nl: zt.omschrijving, en: zt.omschrijvingEn ?? zt.omschrijving },
      zaaktype: sim.zaaktypeUrl(zt.key),
      initiatorRoltype: sim.roltypeUrl(zt.key, 'initiator'),
    })),
  };
  return { id, sim, organisation, notifyAuthorization: () => `Bearer ${signZgwJwt({ client_id: id }, notifySecretOf(id))}` };
}

export function benchNetwork(organisations: Organisation[]): NetworkDefinition {
  return {
    self: { id: 'gemeente-bench', name: 'Gemeente Bench', oin: '00000001001234567000', rsin: '001234560' },
    clients: [
      { clientId: 'zac', secret: BENCH_SECRETS.zac, role: 'supplier' },
      { clientId: 'beheer', secret: BENCH_SECRETS.beheer, role: 'operator' },
      { clientId: 'portaal', secret: BENCH_SECRETS.portaal, role: 'portal' },
    ],
    organisations,
  };
}

export const clientAuthorization = (client: 'zac' | 'beheer' | 'portaal') => `Bearer ${signZgwJwt({ client_id: client }, BENCH_SECRETS[client])}`;

/** Creates `count` zaken at the simulator through its Zaken API (as the gateway would place them). */
export async function createRemoteZaken(org: BenchOrg, count: number, concurrency = 16): Promise<string[]> {
  const auth = `Bearer ${signZgwJwt({ client_id: 'gemeente-bench' }, BENCH_SECRETS.outbound)}`;
  const zaaktype = org.organisation.products[0].zaaktype;
  const urls: string[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const res = await fetch(`${org.sim.zakenApiRoot}zaken`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/json', 'accept-crs': 'EPSG:4326', 'content-crs': 'EPSG:4326' },
        body: JSON.stringify({
          bronorganisatie: '012345672',
          verantwoordelijkeOrganisatie: '012345672',
          zaaktype,
          startdatum: '2026-11-25',
          omschrijving: `Bench ${i}`,
        }),
      });
      if (res.status !== 201) throw new Error(`simulator refused zaak ${i}: ${res.status} ${await res.text()}`);
      urls[i] = ((await res.json()) as { url: string }).url;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return urls;
}
