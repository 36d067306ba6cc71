// A standalone ZGW subcontractor: Zaken API + Catalogi API subset + notification sender, on real HTTP.
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { createSimulatorApp, isApiPath } from './app.ts';
import { SimulatorCore } from './core.ts';
import type { Simulator, SimulatorOptions } from './types.ts';

export type {
  Faults,
  NotificationStats,
  NotifierConfig,
  RequestLogEntry,
  Rol,
  Simulator,
  SimulatorOptions,
  SimulatorStatusType,
  SimulatorZaakType,
  Status,
  Vertrouwelijkheidaanduiding,
  Zaak,
  ZaakKenmerk,
} from './types.ts';
export type { Notificatie } from './notifier.ts';
export { createSimulatorApp } from './app.ts';
export { DEFAULT_FAULTS, SimulatorCore, SimulatorError } from './core.ts';
export { demoCatalogues, demoSubcontractors } from './catalogue.ts';
export type { DemoCatalogueKey, DemoSubcontractor } from './catalogue.ts';
export { deterministicUuid } from './catalogi.ts';

function originHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const host = options.host ?? '127.0.0.1';
  let handle: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => {
    if (handle) return handle(req, res);
    res.writeHead(503).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let core: SimulatorCore;
  try {
    core = new SimulatorCore(options, options.publicUrl ?? `http://${originHost(host)}:${port}`);
  } catch (err) {
    server.close();
    throw err;
  }
  const listener = getRequestListener(createSimulatorApp(core).fetch);
  handle = (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (core.faults.down && isApiPath(path)) {
      // "Down" means no HTTP answer at all: the client sees a reset connection.
      core.logRequest({ method: req.method ?? 'GET', path, status: 0, receivedAt: Date.now() });
      req.socket.destroy();
      return;
    }
    void listener(req, res);
  };

  const autoAdvance =
    options.autoAdvanceSeconds && options.autoAdvanceSeconds > 0 ? setInterval(() => core.advanceAll(), options.autoAdvanceSeconds * 1000).unref() : undefined;

  const entry = (key: string) => {
    const found = core.catalogue.byKey.get(key);
    if (!found) throw new Error(`${options.name} has no zaaktype with key ${key}`);
    return found;
  };

  return {
    url: core.baseUrl,
    zakenApiRoot: core.zakenApiRoot,
    catalogiApiRoot: core.catalogiApiRoot,
    zaaktypeUrl: (key) => entry(key).zaaktype.url,
    roltypeUrl: (key) => entry(key).roltype.url,
    statustypeUrls: (key) => entry(key).statustypen.map((s) => s.url),
    setFaults: (f) => void core.setFaults(f),
    faults: () => ({ ...core.faults }),
    setNotifier: (n) => core.notifier.setConfig(n),
    advance: async (zaak, opts) => core.advance(zaak, opts),
    setStatus: async (zaak, index, opts) => core.setStatus(zaak, index, opts),
    flushNotifications: () => core.notifier.flush(),
    get notificationsSent() {
      return core.notifier.sent;
    },
    notificationStats: () => core.notifier.stats(),
    zaken: () => core.store.allZaken(),
    statussen: (zaak) => core.store.statussen(zaak === undefined ? undefined : (core.store.findZaak(zaak)?.url ?? zaak)),
    rollen: () => core.store.rollen(),
    requests: core.requests,
    deleteZaak: (zaakUrl) => void core.store.deleteZaak(zaakUrl),
    close: async () => {
      if (autoAdvance) clearInterval(autoAdvance);
      await core.notifier.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
