import { Hono } from 'hono';
import { z } from 'zod';
import type { RoleGuard } from '../http/zgw-auth.ts';
import { readJson } from '../http/body.ts';
import type { AppEnv } from '../http/context.ts';
import { pageOf, readPage } from '../http/pagination.ts';
import { parseWith } from '../http/validate.ts';
import { notFound } from '../lib/service-error.ts';
import type { NetworkService } from './service.ts';
import type { Organisation } from './types.ts';

// As contracts/network.schema.json says an organisation's agreement: what activate stores must
// still be a valid organisation.
const agreementSchema = z.strictObject({
  version: z.string().min(1).max(50),
  acceptedAt: z.iso.datetime({ offset: true }),
  acceptedBy: z.string().min(1).max(200),
});
export const activateSchema = z.strictObject({ agreement: agreementSchema.optional() });
export const suspendSchema = z.strictObject({ reason: z.string().max(500).optional() });

// Read-only in GET /organisations/{id}; a PUT of what GET showed may carry it and it is ignored.
const READ_ONLY = 'notificationSubscription';

export function organisationRoutes({
  network,
  guard,
  subscription,
  agreementStates,
}: {
  network: NetworkService;
  guard: RoleGuard;
  /** The state of the gateway's abonnement at the organisation's Notificaties API (src/subscriptions). */
  subscription?: (org: Organisation) => Promise<unknown>;
  /** Where each organisation stands with the current agreement (src/agreements), shown in the list. */
  agreementStates?: () => Promise<(org: Organisation) => unknown>;
}) {
  const actor = (c: { get: (k: 'client') => { clientId: string } | undefined }) => c.get('client')!.clientId;
  return new Hono<AppEnv>()
    .use(guard('operator'))
    .get('/', async (c) => {
      const stateOf = await agreementStates?.();
      const results = network.list().map((o) => ({ ...network.view(o), ...(stateOf ? { agreementState: stateOf(o) } : {}) }));
      return c.json({ count: results.length, next: null, previous: null, results });
    })
    .get('/:id', async (c) => {
      const org = network.get(c.req.param('id'));
      if (!org) throw notFound(`organisation ${c.req.param('id')}`);
      return c.json({ ...network.view(org), ...(subscription ? { [READ_ONLY]: await subscription(org) } : {}) });
    })
    .put('/:id', async (c) => {
      const body = await readJson(c);
      if (typeof body === 'object' && body !== null && READ_ONLY in body) delete (body as Record<string, unknown>)[READ_ONLY];
      const { organisation, created } = await network.put(c.req.param('id'), body, actor(c));
      return c.json(network.view(organisation), created ? 201 : 200);
    })
    .post('/:id/activate', async (c) => {
      const { agreement } = parseWith(activateSchema, await optionalJson(c));
      return c.json(network.view(await network.activate(c.req.param('id'), actor(c), agreement)));
    })
    .post('/:id/suspend', async (c) => {
      const { reason } = parseWith(suspendSchema, await optionalJson(c));
      return c.json(network.view(await network.suspend(c.req.param('id'), actor(c), reason || undefined)));
    })
    .get('/:id/changes', async (c) => {
      const page = readPage(c);
      const { rows, total } = await network.changes(c.req.param('id'), page.limit, page.offset);
      const results = rows.map((r) => ({ at: r.at, actor: r.actor, action: r.action, changes: r.changes }));
      return c.json(pageOf(c, page, total, results, new URL(c.req.url).origin));
    });
}

/** The body is optional: none, or an empty one (Content-Length: 0, whatever its type), is {}. */
async function optionalJson(c: Parameters<typeof readJson>[0]): Promise<unknown> {
  if ((await c.req.text()) === '') return {};
  return readJson(c);
}
