// A gateway and simulated subcontractors talking over real loopback HTTP.
import { afterAll } from 'vitest';
import type { Gateway } from '../../src/gateway.ts';
import type { Client, Organisation, ZakenOrganisation } from '../../src/network/types.ts';
import { demoCatalogues, startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.ts';
import { organisation } from './fixtures.ts';
import { authHeader, startTestGateway, type TestGatewayOptions, testNetwork } from './gateway.ts';
import { waitFor } from './wait.ts';

export const OUTBOUND_SECRET = 'chain-outbound-secret-0123456789';
export const notifySecret = (id: string) => `chain-notify-secret-${id}-0123456789`;

export interface SubcontractorSpec {
  id: string;
  catalogue?: keyof typeof demoCatalogues;
  simulator?: Partial<SimulatorOptions>;
  organisation?: Partial<ZakenOrganisation>;
  /** Wire the simulator's notifier to the gateway (default true). */
  notify?: boolean;
}

export interface Chain {
  gateway: Gateway;
  sims: Record<string, Simulator>;
  supplier: (path: string, init?: { method?: string; body?: unknown; headers?: Record<string, string> }) => Promise<Response>;
  waitFor<T>(probe: () => Promise<T | undefined | false>, timeoutMs?: number): Promise<T>;
}

/** `more`: organisations without a simulator (portal organisations, say) and clients, added to the network as they are; the demo's pages. */
export async function startChain(
  specs: SubcontractorSpec[],
  env: Record<string, string> = {},
  more: { organisations?: Organisation[]; clients?: Client[]; demoRoutes?: TestGatewayOptions['demoRoutes'] } = {},
): Promise<Chain> {
  const sims: Record<string, Simulator> = {};
  const organisations: Organisation[] = [];
  for (const spec of specs) {
    const zaaktypen = demoCatalogues[spec.catalogue ?? 'hulpmiddelen-bv'];
    const sim = await startSimulator({
      name: `Sim ${spec.id}`,
      rsin: '012345672',
      clients: { 'gemeente-test': OUTBOUND_SECRET },
      zaaktypen,
      ...spec.simulator,
    });
    afterAll(() => sim.close());
    sims[spec.id] = sim;
    organisations.push(
      organisation(spec.id, {
        zaken: { apiRoot: sim.zakenApiRoot, auth: { type: 'zgw-jwt', clientId: 'gemeente-test', secret: OUTBOUND_SECRET } },
        notifications: { mode: 'push', clientId: spec.id, secret: notifySecret(spec.id) },
        products: zaaktypen.map((zt) => ({
          code: zt.key,
          name: { nl: zt.omschrijving, en: zt.omschrijvingEn ?? zt.omschrijving },
          zaaktype: sim.zaaktypeUrl(zt.key),
          initiatorRoltype: sim.roltypeUrl(zt.key, 'initiator'),
          phases: { 'Aanvullende informatie nodig': 'actie_vereist' as const },
        })),
        ...spec.organisation,
      }),
    );
  }
  const gateway = await startTestGateway({
    network: testNetwork([...organisations, ...(more.organisations ?? [])], more.clients),
    listen: true,
    env,
    demoRoutes: more.demoRoutes,
  });
  for (const spec of specs) {
    if (spec.notify === false) continue;
    sims[spec.id].setNotifier({ callbackUrl: `${gateway.url}/api/v1/notificaties`, clientId: spec.id, secret: notifySecret(spec.id) });
  }
  const supplier: Chain['supplier'] = (path, init = {}) =>
    Promise.resolve(
      gateway.app.request(path, {
        method: init.method ?? (init.body ? 'POST' : 'GET'),
        headers: { ...authHeader('zac'), ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers },
        body: init.body ? JSON.stringify(init.body) : undefined,
      }),
    );
  return { gateway, sims, supplier, waitFor: (probe, timeoutMs = 10_000) => waitFor(probe, timeoutMs) };
}

/** Creates a case with one order at `subcontractor` and waits until it is placed. */
export async function placedOrder(chain: Chain, subcontractor: string, product = 'traplift') {
  const c = await (await chain.supplier('/api/v1/cases', { body: { title: 'Aanvraag', citizen: { bsn: '111222333' } } })).json();
  const o = await (await chain.supplier(`/api/v1/cases/${c.id}/orders`, { body: { subcontractor, product } })).json();
  const placed = await chain.waitFor(async () => {
    const now = await (await chain.supplier(`/api/v1/orders/${o.id}`)).json();
    return now.state === 'placed' && now;
  });
  return { caseId: c.id as string, orderId: o.id as string, zaakUrl: placed.remoteZaak.url as string };
}

export const caseDetail = async (chain: Chain, caseId: string) => (await chain.supplier(`/api/v1/cases/${caseId}`)).json();
export const orderDetail = async (chain: Chain, orderId: string) => (await chain.supplier(`/api/v1/orders/${orderId}`)).json();
