import { Hono, type Context } from 'hono';
import type { RoleGuard } from '../http/zgw-auth.ts';
import { readJson } from '../http/body.ts';
import type { AppEnv } from '../http/context.ts';
import { pageOf, readPage } from '../http/pagination.ts';
import { validationProblem } from '../http/problem.ts';
import { parseWith } from '../http/validate.ts';
import { addEventSchema, createCaseSchema, listCasesQuery, placeOrderSchema, setPhaseSchema } from './schemas.ts';
import type { CaseService } from './service.ts';
import { PURPOSES, type Access } from '../access-log/access-log.ts';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,200}$/;

/** Who reads, for the access log (verwerkingenlogging). */
function accessOf(c: Context<AppEnv>): Access {
  const client = c.get('client')!;
  const role = client.role === 'operator' ? 'operator' : 'supplier';
  return { role, actor: client.clientId, purpose: PURPOSES[role], requestId: c.get('requestId'), traceId: c.get('traceId') };
}

export function caseRoutes({ cases, guard, baseUrl }: { cases: CaseService; guard: RoleGuard; baseUrl: string }) {
  return new Hono<AppEnv>()
    .use(guard('supplier'))
    .post('/', async (c) => {
      const key = c.req.header('idempotency-key');
      if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
        throw validationProblem([{ name: 'Idempotency-Key', code: 'invalid', reason: 'letters, digits and . _ : - (at most 200)' }]);
      }
      const input = parseWith(createCaseSchema, await readJson(c));
      const { status, body } = await cases.create(c.get('client')!.clientId, input, key);
      return c.json(body, status as 201, { Location: body.url });
    })
    .get('/', async (c) => {
      const query = parseWith(listCasesQuery, c.req.query(), 'query');
      const page = readPage(c);
      const { count, results } = await cases.list(query, page.limit, page.offset, accessOf(c));
      return c.json(pageOf(c, page, count, results, baseUrl));
    })
    .get('/:id', async (c) => c.json(await cases.get(c.req.param('id'), accessOf(c))))
    .post('/:id/status', async (c) => {
      const input = parseWith(setPhaseSchema, await readJson(c));
      return c.json(await cases.setPhase(c.req.param('id'), input.phase, input.text, accessOf(c)));
    })
    .post('/:id/events', async (c) => {
      const input = parseWith(addEventSchema, await readJson(c));
      return c.json(await cases.addEvent(c.req.param('id'), input, accessOf(c)), 201);
    })
    .post('/:id/orders', async (c) => {
      const input = parseWith(placeOrderSchema, await readJson(c));
      const order = await cases.placeOrder(c.req.param('id'), input);
      return c.json(order, 202, { Location: order.url });
    })
    .get('/:id/orders', async (c) => {
      const orders = await cases.listOrders(c.req.param('id'), accessOf(c));
      return c.json({ count: orders.length, next: null, previous: null, results: orders });
    });
}

export function orderRoutes({ cases, guard }: { cases: CaseService; guard: RoleGuard }) {
  return new Hono<AppEnv>()
    .use(guard('supplier'))
    .get('/:id', async (c) => c.json(await cases.getOrder(c.req.param('id'), accessOf(c))))
    .post('/:id/sync', async (c) => c.json(await cases.requestSync(c.req.param('id')), 202));
}
