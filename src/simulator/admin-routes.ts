// Unauthenticated control endpoints for humans, the demo and out-of-process tests. Never subject to faults.
import { Hono } from 'hono';
import { SimulatorError } from './core.ts';
import type { SimulatorCore } from './core.ts';
import { problem, problemResponse } from './http-util.ts';
import { ETAG_MODES, type Faults } from './types.ts';

const FAULT_TYPES: Record<keyof Omit<Faults, 'hangNotifications'>, 'number' | 'boolean' | 'etag-mode'> = {
  latencyMs: 'number',
  errorRate: 'number',
  down: 'boolean',
  dropNotifications: 'number',
  duplicateNotifications: 'number',
  reorderNotifications: 'boolean',
  etags: 'etag-mode',
};

export function parseFaults(body: unknown): Partial<Faults> | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'expected a JSON object';
  for (const [key, value] of Object.entries(body)) {
    const type = FAULT_TYPES[key as keyof typeof FAULT_TYPES];
    if (!type) return `unknown fault ${key}`;
    if (type === 'etag-mode') {
      if (!ETAG_MODES.includes(value as never)) return `fault ${key} must be one of ${ETAG_MODES.join(', ')}`;
      continue;
    }
    if (typeof value !== type) return `fault ${key} must be a ${type}`;
    if (type === 'number' && (!Number.isFinite(value) || (value as number) < 0)) return `fault ${key} must be >= 0`;
  }
  return body as Partial<Faults>;
}

export function adminRoutes(core: SimulatorCore): Hono {
  const app = new Hono();
  const base = core.baseUrl;
  const fail = (err: unknown): Response => {
    if (err instanceof SimulatorError) return problemResponse(problem(base, err.status, 'invalid', err.message));
    throw err;
  };

  app.get('/health', (c) =>
    c.json({
      status: 'ok',
      name: core.options.name,
      rsin: core.options.rsin,
      zakenApiRoot: core.zakenApiRoot,
      catalogiApiRoot: core.catalogiApiRoot,
      zaken: core.store.zaakRecords().length,
      faults: core.faults,
      notifications: core.notifier.stats(),
    }),
  );

  app.get('/zaken', (c) =>
    c.json(
      core.store.allZaken().map((zaak) => {
        const current = core.store.currentStatus(zaak.url);
        const statustype = current && core.catalogue.statustypen.get(current.statustype)?.statustype;
        return {
          uuid: zaak.uuid,
          url: zaak.url,
          identificatie: zaak.identificatie,
          bronorganisatie: zaak.bronorganisatie,
          zaaktype: core.catalogue.zaaktypen.get(zaak.zaaktype)?.zaaktype.omschrijving,
          omschrijving: zaak.omschrijving,
          kenmerken: zaak.kenmerken,
          status: statustype ? statustype.omschrijving : null,
          datumStatusGezet: current?.datumStatusGezet ?? null,
          einddatum: zaak.einddatum,
        };
      }),
    ),
  );

  app.post('/zaken/:uuid/advance', async (c) => {
    const text = await c.req.text();
    let opts: { toelichting?: string; notify?: boolean } = {};
    if (text.trim() !== '') {
      try {
        opts = JSON.parse(text) as typeof opts;
      } catch {
        return problemResponse(problem(base, 400, 'parse_error', 'JSON parse error', []));
      }
    }
    try {
      return c.json(core.advance(c.req.param('uuid'), { toelichting: opts.toelichting, notify: opts.notify }));
    } catch (err) {
      return fail(err);
    }
  });

  app.get('/faults', (c) => c.json(core.faults));
  app.put('/faults', async (c) => {
    const parsed = parseFaults(await c.req.json().catch(() => undefined));
    if (typeof parsed === 'string') return problemResponse(problem(base, 400, 'invalid', parsed, []));
    return c.json(core.setFaults(parsed));
  });

  app.get('/notifications', (c) => c.json(core.notifier.stats()));
  app.post('/notifications/flush', async (c) => {
    await core.notifier.flush();
    return c.json(core.notifier.stats());
  });

  return app;
}
