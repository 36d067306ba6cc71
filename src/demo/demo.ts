// `npm start` without NETWORK_FILE: two simulated subcontractors on loopback and the demo network.
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { NetworkDefinition } from '../network/types.ts';
import type { Simulator } from '../simulator/index.ts';
import { demoNetwork, DEMO_SECRETS, DEMO_SELF, type DemoSubcontractor } from './network.ts';

export interface Demo {
  network: () => NetworkDefinition;
  close(): Promise<void>;
}

export async function startDemo(config: Config, logger: Logger): Promise<Demo> {
  const { startSimulator, demoCatalogues } = await import('../simulator/index.ts');
  const notifyUrl = `http://127.0.0.1:${config.port}/api/v1/notificaties`;
  const specs = [
    { id: 'hulpmiddelen-bv', name: 'Hulpmiddelen B.V.', oin: '00000003012345678000', rsin: '012345678', offset: 1 },
    { id: 'bouwbedrijf-de-steiger', name: 'Bouwbedrijf De Steiger', oin: '00000003087654321000', rsin: '087654321', offset: 2 },
  ] as const;
  const simulators: Simulator[] = [];
  const subcontractors: DemoSubcontractor[] = [];
  for (const spec of specs) {
    const zaaktypen = demoCatalogues[spec.id];
    const sim = await startSimulator({
      name: spec.name,
      rsin: spec.rsin,
      host: '127.0.0.1',
      port: config.port === 0 ? 0 : config.port + spec.offset,
      clients: { [DEMO_SELF.id]: DEMO_SECRETS.outbound },
      zaaktypen,
      notifier: { callbackUrl: notifyUrl, clientId: spec.id, secret: DEMO_SECRETS.notify[spec.id] },
    });
    simulators.push(sim);
    subcontractors.push({
      id: spec.id,
      name: spec.name,
      oin: spec.oin,
      rsin: spec.rsin,
      zakenApiRoot: sim.zakenApiRoot,
      products: zaaktypen.map((zt) => ({
        code: zt.key,
        name: { nl: zt.omschrijving, en: zt.omschrijvingEn ?? zt.omschrijving },
        zaaktype: sim.zaaktypeUrl(zt.key),
        initiatorRoltype: sim.roltypeUrl(zt.key, 'initiator'),
        // Statustypen flagged for the citizen's action; the rest follow the default mapping.
        phases: Object.fromEntries(zt.statustypen.filter((st) => /informatie nodig|proefrit/i.test(st.omschrijving)).map((st) => [st.omschrijving, 'actie_vereist' as const])),
      })),
    });
    logger.info({ organisation: spec.id, url: sim.url }, 'demo subcontractor simulator started');
  }
  return {
    network: () => demoNetwork(subcontractors),
    close: async () => void (await Promise.all(simulators.map((s) => s.close()))),
  };
}
