// HTTP wiring: ZGW JWT auth, faults and request logging around the Zaken and Catalogi routes.
import { setTimeout as sleep } from 'node:timers/promises';
import { Hono } from 'hono';
import type { MiddlewareHandler } from 'hono';
import { verifyZgwJwt } from '../lib/zgw-jwt.ts';
import { adminRoutes } from './admin-routes.ts';
import { catalogiRoutes } from './catalogi-routes.ts';
import { SimulatorCore } from './core.ts';
import { problem, problemResponse } from './http-util.ts';
import type { SimulatorOptions } from './types.ts';
import { zakenRoutes } from './zaken-routes.ts';

export const ZAKEN_PREFIX = '/zaken/api/v1';
export const CATALOGI_PREFIX = '/catalogi/api/v1';

export function isApiPath(path: string): boolean {
  return path.startsWith(`${ZAKEN_PREFIX}/`) || path.startsWith(`${CATALOGI_PREFIX}/`);
}

function apiMiddleware(core: SimulatorCore, apiVersion: string): MiddlewareHandler {
  const base = core.baseUrl;
  const secretFor = (clientId: string): string | undefined => (Object.hasOwn(core.options.clients, clientId) ? core.options.clients[clientId] : undefined);
  return async (c, next) => {
    const path = new URL(c.req.url).pathname;
    const receivedAt = Date.now();
    try {
      if (core.faults.latencyMs > 0) await sleep(core.faults.latencyMs);
      c.res = await answer(c, next);
    } finally {
      c.res.headers.set('API-version', apiVersion);
      core.logRequest({ method: c.req.method, path, status: c.res.status, receivedAt });
    }
  };

  async function answer(c: Parameters<MiddlewareHandler>[0], next: () => Promise<void>): Promise<Response> {
    if (core.faults.errorRate > 0 && Math.random() < core.faults.errorRate) {
      return problemResponse(problem(base, 500, 'error', 'Gesimuleerde serverfout (fault injection).'));
    }
    const header = c.req.header('authorization');
    const token = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
    const challenge = { 'WWW-Authenticate': 'Bearer realm="ZGW"' };
    if (!token) {
      return problemResponse(problem(base, 401, 'not_authenticated', 'Authenticatiegegevens zijn niet opgegeven.'), challenge);
    }
    try {
      verifyZgwJwt(token, { secretFor, maxAgeSeconds: 3600, leewaySeconds: 60 });
    } catch (err) {
      const reason = err instanceof Error ? err.message : 'invalid token';
      return problemResponse(problem(base, 401, 'not_authenticated', `Ongeldig JWT: ${reason}`), challenge);
    }
    await next();
    return c.res;
  }
}

/** The Hono app for one simulated subcontractor. `core` holds all state; the app only translates HTTP. */
export function createSimulatorApp(core: SimulatorCore): Hono;
export function createSimulatorApp(options: SimulatorOptions, baseUrl: string): Hono;
export function createSimulatorApp(coreOrOptions: SimulatorCore | SimulatorOptions, baseUrl?: string): Hono {
  const core = coreOrOptions instanceof SimulatorCore ? coreOrOptions : new SimulatorCore(coreOrOptions, baseUrl!);
  const app = new Hono();
  app.use(`${ZAKEN_PREFIX}/*`, apiMiddleware(core, '1.5.1'));
  app.use(`${CATALOGI_PREFIX}/*`, apiMiddleware(core, '1.3.3'));
  app.route(ZAKEN_PREFIX, zakenRoutes(core));
  app.route(CATALOGI_PREFIX, catalogiRoutes(core));
  app.route('/_admin', adminRoutes(core));
  app.notFound(() => problemResponse(problem(core.baseUrl, 404, 'not_found', 'Niet gevonden.')));
  app.onError(() => problemResponse(problem(core.baseUrl, 500, 'error', 'Er is een serverfout opgetreden.')));
  return app;
}
