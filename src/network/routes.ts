import { Hono } from 'hono';
import type { RoleGuard } from '../http/zgw-auth.ts';
import { readJson } from '../http/body.ts';
import type { AppEnv } from '../http/context.ts';
import { pageOf, readPage } from '../http/pagination.ts';
import { validationProblem } from '../http/problem.ts';
import { notFound } from '../lib/service-error.ts';
import type { NetworkService } from './service.ts';
import type { Organisation } from './types.ts';
import type { Agreement } from './types.ts';

// Read-only in GET /organisations/{id}; a PUT of what GET showed may carry it and it is ignored.
const READ_ONLY = 'notificationSubscription';

export function organisationRoutes({ network, guard, subscription }: {
  network: NetworkService;
  guard: RoleGuard;
  /** The state of the gateway's abonnement at the organisation's Notificaties API (src/subscriptions). */
  subscription?: (org: Organisation) => Promise<unknown>;
}) {
  const actor = (c: { get: (k: 'client') => { clientId: string } | undefined }) => c.get('client')!.clientId;
  return new Hono<AppEnv>()
    .use(guard('operator'))
    .get('/', (c) => c.json({ count: network.list().length, next: null, previous: null, results: network.list().map((o) => network.view(o)) }))
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
      const body = await optionalJson(c);
      const agreement = body.agreement as Agreement | undefined;
      if (agreement !== undefined && !isAgreement(agreement)) {
        throw validationProblem([{ name: 'agreement', code: 'invalid', reason: 'needs version, acceptedAt (date-time) and acceptedBy' }]);
      }
      return c.json(network.view(await network.activate(c.req.param('id'), actor(c), agreement)));
    })
    .post('/:id/suspend', async (c) => {
      const body = await optionalJson(c);
      const reason = typeof body.reason === 'string' ? body.reason.slice(0, 500) : undefined;
      return c.json(network.view(await network.suspend(c.req.param('id'), actor(c), reason)));
    })
    .get('/:id/changes', async (c) => {
      const page = readPage(c);
      const { rows, total } = await network.changes(c.req.param('id'), page.limit, page.offset);
      const results = rows.map((r) => ({ at: r.at, actor: r.actor, action: r.action, changes: r.changes }));
      return c.json(pageOf(c, page, total, results, new URL(c.req.url).origin));
    });
}

async function optionalJson(c: Parameters<typeof readJson>[0]): Promise<Record<string, unknown>> {
  if (!c.req.header('content-type') && !c.req.header('content-length') && !c.req.header('transfer-encoding')) return {};
  const body = await readJson(c);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw validationProblem([{ name: 'body', code: 'invalid', reason: 'must be a JSON object' }]);
  return body as Record<string, unknown>;
}

function isAgreement(a: unknown): a is Agreement {
  const x = a as Record<string, unknown>;
  return typeof x === 'object' && x !== null && typeof x.version === 'string' && x.version.length > 0 &&
    typeof x.acceptedBy === 'string' && x.acceptedBy.length > 0 && typeof x.acceptedAt === 'string' && !Number.isNaN(Date.parse(x.acceptedAt));
}
