import { Hono } from 'hono';
import type { RoleGuard } from '../http/zgw-auth.ts';
import { readJson } from '../http/body.ts';
import type { AppEnv } from '../http/context.ts';
import { pageOf, readPage } from '../http/pagination.ts';
import { parseWith } from '../http/validate.ts';
import { notFound } from '../lib/service-error.ts';
import type { DeliveryOps } from './ops.ts';
import { createSubscriptionSchema, listDeliveriesQuery } from './schemas.ts';
import type { SubscriptionService } from './subscriptions.ts';

/** /api/v1/subscriptions: portals and notify services manage their own webhooks. */
export function subscriptionRoutes({ subscriptions, guard, baseUrl }: { subscriptions: SubscriptionService; guard: RoleGuard; baseUrl: string }) {
  const owner = (c: { get(key: 'client'): { clientId: string } | undefined }) => c.get('client')!.clientId;
  return new Hono<AppEnv>()
    .use(guard('portal', 'supplier'))
    .post('/', async (c) => {
      const input = parseWith(createSubscriptionSchema, await readJson(c));
      const created = await subscriptions.create(owner(c), input);
      return c.json(created, 201, { Location: created.url, 'Cache-Control': 'no-store' });
    })
    .get('/', async (c) => {
      const page = readPage(c);
      const { count, results } = await subscriptions.list(owner(c), page.limit, page.offset);
      return c.json(pageOf(c, page, count, results, baseUrl));
    })
    .get('/:id', async (c) => c.json(await subscriptions.get(owner(c), c.req.param('id'))))
    .delete('/:id', async (c) => {
      await subscriptions.delete(owner(c), c.req.param('id'));
      return c.body(null, 204);
    })
    .post('/:id/rotate-secret', async (c) => c.json(await subscriptions.rotateSecret(owner(c), c.req.param('id')), 200, { 'Cache-Control': 'no-store' }));
}

/** Mounted inside /api/v1/ops (operator role): subscription health, dead letters, re-send. */
export function deliveryOpsRoutes({ ops, baseUrl }: { ops: DeliveryOps; baseUrl: string }) {
  return new Hono<AppEnv>()
    .get('/subscriptions', async (c) => {
      const page = readPage(c);
      const { count, results } = await ops.subscriptions(page.limit, page.offset);
      return c.json(pageOf(c, page, count, results, baseUrl));
    })
    .post('/subscriptions/:id/enable', async (c) => c.json(await ops.enable(c.req.param('id'))))
    .get('/deliveries', async (c) => {
      const query = parseWith(listDeliveriesQuery, c.req.query(), 'query');
      const page = readPage(c);
      const { count, results } = await ops.deliveries(query, page.limit, page.offset);
      return c.json(pageOf(c, page, count, results, baseUrl));
    })
    .get('/deliveries/:id', async (c) => c.json(await ops.delivery(deliveryId(c.req.param('id')))))
    .post('/deliveries/:id/resend', async (c) => c.json(await ops.resend(deliveryId(c.req.param('id'))), 202));
}

function deliveryId(raw: string): number {
  const id = Number(raw);
  if (!/^\d{1,15}$/.test(raw) || !Number.isSafeInteger(id)) throw notFound(`delivery ${raw}`);
  return id;
}
