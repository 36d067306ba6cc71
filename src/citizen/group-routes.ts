// /api/v1/me/groups: the customer's own overviews across cases. Mounted inside the /me app, whose
// requireCitizen has already put the viewer in the context.
import { Hono } from 'hono';
import { z } from 'zod';
import { readJson } from '../http/body.ts';
import { pageOf, readPage } from '../http/pagination.ts';
import { parseWith, writtenText } from '../http/validate.ts';
import { GROUP_LIMITS, type GroupService } from './group-service.ts';
import type { CitizenEnv } from './middleware.ts';
import { language, trace } from './request.ts';

const name = writtenText(GROUP_LIMITS.name);
const caseIds = z
  .array(z.guid())
  .max(GROUP_LIMITS.cases)
  .refine((ids) => new Set(ids.map((id) => id.toLowerCase())).size === ids.length, 'must not name a case twice');

const createSchema = z.strictObject({ name, caseIds: caseIds.optional() });
const changeSchema = z.strictObject({ name: name.optional(), caseIds: caseIds.optional() }).refine((b) => b.name !== undefined || b.caseIds !== undefined, {
  error: 'give name, caseIds or both',
});
const pageQuery = z.strictObject({ page: z.string().optional(), pageSize: z.string().optional() });
const noQuery = z.strictObject({});

export function groupRoutes({ groups, baseUrl }: { groups: GroupService; baseUrl: string }) {
  const location = (id: string) => `${baseUrl}/api/v1/me/groups/${id}`;
  return new Hono<CitizenEnv>()
    .get('/', async (c) => {
      parseWith(pageQuery, c.req.query(), 'query');
      const page = readPage(c);
      const { count, results } = await groups.list(c.get('viewer'), { page: page.page, pageSize: page.pageSize, lang: language(c), ...trace(c) });
      return c.json(pageOf(c, page, count, results, baseUrl));
    })
    .post('/', async (c) => {
      parseWith(noQuery, c.req.query(), 'query');
      const input = parseWith(createSchema, await readJson(c));
      const group = await groups.create(c.get('viewer'), input, { lang: language(c), ...trace(c) });
      return c.json(group, 201, { Location: location(group.id) });
    })
    .get('/:id', async (c) => {
      parseWith(noQuery, c.req.query(), 'query');
      return c.json(await groups.get(c.get('viewer'), c.req.param('id'), { lang: language(c), ...trace(c) }));
    })
    .patch('/:id', async (c) => {
      parseWith(noQuery, c.req.query(), 'query');
      const change = parseWith(changeSchema, await readJson(c));
      return c.json(await groups.update(c.get('viewer'), c.req.param('id'), change, { lang: language(c), ...trace(c) }));
    })
    .delete('/:id', async (c) => {
      parseWith(noQuery, c.req.query(), 'query');
      await groups.remove(c.get('viewer'), c.req.param('id'));
      return c.body(null, 204);
    });
}
