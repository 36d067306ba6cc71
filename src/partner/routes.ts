import { type Context, Hono } from 'hono';
import { readJson } from '../http/body.ts';
import type { AppEnv } from '../http/context.ts';
import { pageOf, readPage } from '../http/pagination.ts';
import { parseWith } from '../http/validate.ts';
import type { RoleGuard } from '../http/zgw-auth.ts';
import { listAssignmentsQuery, messageSchema, messageVisibilitySchema, setStatusSchema } from './schemas.ts';
import type { Partner, PartnerService } from './service.ts';

/** The authenticated subcontractor client, acting for its organisation. */
function partnerOf(c: Context<AppEnv>): Partner {
  const client = c.get('client')!;
  return { organisation: client.subcontractor!, actor: client.clientId, channel: 'api', requestId: c.get('requestId'), traceId: c.get('traceId') };
}

/** The partner API (/api/v1/partner): a portal organisation's assignments, for its clients with role subcontractor. */
export function partnerRoutes({ partner, guard, baseUrl }: { partner: PartnerService; guard: RoleGuard; baseUrl: string }) {
  return new Hono<AppEnv>()
    .use(guard('subcontractor'))
    .get('/assignments', async (c) => {
      const { state } = parseWith(listAssignmentsQuery, c.req.query(), 'query');
      const page = readPage(c);
      const { count, results } = await partner.list(partnerOf(c), { state, limit: page.limit, offset: page.offset });
      return c.json(pageOf(c, page, count, results, baseUrl));
    })
    .get('/assignments/:id', async (c) => c.json(await partner.get(partnerOf(c), c.req.param('id'))))
    .post('/assignments/:id/status', async (c) => {
      const input = parseWith(setStatusSchema, await readJson(c));
      return c.json(await partner.setStatus(partnerOf(c), c.req.param('id'), input));
    })
    .post('/assignments/:id/messages', async (c) => {
      const input = parseWith(messageSchema, await readJson(c));
      return c.json(await partner.addMessage(partnerOf(c), c.req.param('id'), input), 201);
    })
    .patch('/assignments/:id/messages/:messageId', async (c) => {
      const { visibleToCitizen } = parseWith(messageVisibilitySchema, await readJson(c));
      return c.json(await partner.setMessageVisibility(partnerOf(c), c.req.param('id'), c.req.param('messageId'), visibleToCitizen));
    });
}

/** POST /api/v1/orders/{id}/messages: the supplier writes to the subcontractor about an order. */
export function orderMessageRoutes({ partner, guard }: { partner: PartnerService; guard: RoleGuard }) {
  return new Hono<AppEnv>().post('/:id/messages', guard('supplier'), async (c) => {
    const input = parseWith(messageSchema, await readJson(c));
    return c.json(await partner.messageFromSupplier(c.req.param('id'), input, c.get('client')!.clientId), 201);
  });
}
