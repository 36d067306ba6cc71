// "Mijn overzichten" (/groups, /groups/{id}): the customer's own overviews across cases. Reads and
// changes go through GroupService, so what a page shows is what the API would, access log included.
import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import { isRepresentative } from '../citizen/auth.ts';
import type { GroupService } from '../citizen/group-service.ts';
import type { CitizenService } from '../citizen/service.ts';
import { ServiceError } from '../lib/service-error.ts';
import { citizenOf, type CitizenAuthDeps, type CitizenContext } from './auth.ts';
import type { CaseSummary, ViewContext } from './citizen-views.ts';
import type { WebEnv } from './context.ts';
import { readSessionForm } from './forms.ts';
import { checkedCases, createForm, editForms, emptyGroupForm, groupDetail, groupsTable, type GroupForm } from './group-views.ts';
import type { Translate } from '../i18n/index.ts';
import { tOf } from './i18n.ts';
import { asPage, flash, type Html, type Refusals } from './layout.ts';

/** The citizen pages' frame (menu, login line), drawn by citizen-pages.ts. */
export type CitizenFrame = (
  c: Context<WebEnv>,
  me: CitizenContext,
  current: string,
  title: string,
  body: Html,
  status?: 200 | 400 | 422,
) => Response | Promise<Response>;

export interface GroupPageDeps extends Pick<CitizenAuthDeps, 'sessions' | 'authenticator' | 'publicOrigin'> {
  citizens: CitizenService;
  groups: GroupService;
  frame: CitizenFrame;
}

export function groupPages(deps: GroupPageDeps) {
  const app = new Hono<WebEnv>();
  const { groups, citizens, frame } = deps;
  const view = (c: Context<WebEnv>): ViewContext => ({ t: tOf(c), lang: c.get('lang') });
  const reading = (c: Context<WebEnv>) => ({ lang: c.get('lang'), requestId: c.get('requestId'), traceId: c.get('traceId') });
  /** The customer's cases to choose from (the first 100, newest first). */
  const myCases = async (c: Context<WebEnv>, me: CitizenContext) => (await citizens.listMyCases(me.viewer, { ...reading(c), pageSize: 100 })).results;

  const listPage = async (c: Context<WebEnv>, me: CitizenContext, form: GroupForm, status?: 400 | 422) => {
    const v = view(c);
    const [list, cases] = await Promise.all([groups.list(me.viewer, { ...reading(c), pageSize: 100 }), myCases(c, me)]);
    return frame(
      c,
      me,
      '/groups',
      v.t('groups.title'),
      html`<h1>${v.t('groups.title')}</h1>
${flash(c, { deleted: 'groups.deleted' })}
<p class="lead">${v.t('groups.intro')}</p>
${isRepresentative(me.viewer) ? html`<p>${v.t('groups.introCompany')}</p>` : ''}
${groupsTable(v, list.results)}
${createForm(v, me.session.csrf, cases, form)}`,
      status,
    );
  };

  const groupPage = async (
    c: Context<WebEnv>,
    me: CitizenContext,
    id: string,
    forms = { name: emptyGroupForm(), cases: emptyGroupForm() },
    status?: 400 | 422,
  ) => {
    const v = view(c);
    const [group, cases] = await Promise.all([asPage(() => groups.get(me.viewer, id, reading(c)), GROUP), myCases(c, me)]);
    // The group's own cases are always offered, even beyond the first 100 of the list.
    const offered: CaseSummary[] = [...group.cases, ...cases.filter((k) => !group.cases.some((g) => g.id === k.id))];
    return frame(
      c,
      me,
      '/groups',
      group.name,
      html`<p><a href="/groups">${v.t('groups.back')}</a></p>
<h1>${group.name}</h1>
${flash(c, { created: 'groups.created', renamed: 'groups.renamed', changed: 'groups.changed' })}
${groupDetail(v, group)}
${editForms(v, me.session.csrf, group, offered, forms)}`,
      status,
    );
  };

  app.get('/groups', async (c) => listPage(c, (await citizenOf(c, deps, true))!, emptyGroupForm()));

  app.post('/groups', async (c) => {
    const me = (await citizenOf(c, deps, true))!;
    const form = await readSessionForm(c, deps.publicOrigin, me.session);
    const values = { name: (form.name ?? '').slice(0, 200), caseIds: checkedCases(form) };
    let id: string;
    try {
      id = (await groups.create(me.viewer, values, reading(c))).id;
    } catch (error) {
      const refused = formErrors(tOf(c), error);
      return listPage(c, me, { values, errors: refused.errors }, refused.status);
    }
    return c.redirect(`/groups/${id}?done=created`, 303);
  });

  app.get('/groups/:id', async (c) => groupPage(c, (await citizenOf(c, deps, true))!, c.req.param('id')));

  app.post('/groups/:id/name', async (c) => {
    const me = (await citizenOf(c, deps, true))!;
    const form = await readSessionForm(c, deps.publicOrigin, me.session);
    const name = (form.name ?? '').slice(0, 200);
    try {
      await asPage(() => groups.update(me.viewer, c.req.param('id'), { name }, reading(c)), GROUP);
    } catch (error) {
      const refused = formErrors(tOf(c), error);
      return groupPage(c, me, c.req.param('id'), { name: { values: { name }, errors: refused.errors }, cases: emptyGroupForm() }, refused.status);
    }
    return c.redirect(`/groups/${c.req.param('id')}?done=renamed`, 303);
  });

  app.post('/groups/:id/cases', async (c) => {
    const me = (await citizenOf(c, deps, true))!;
    const form = await readSessionForm(c, deps.publicOrigin, me.session);
    const caseIds = checkedCases(form);
    try {
      await asPage(() => groups.update(me.viewer, c.req.param('id'), { caseIds }, reading(c)), GROUP);
    } catch (error) {
      const refused = formErrors(tOf(c), error);
      return groupPage(c, me, c.req.param('id'), { name: emptyGroupForm(), cases: { values: { caseIds }, errors: refused.errors } }, refused.status);
    }
    return c.redirect(`/groups/${c.req.param('id')}?done=changed`, 303);
  });

  app.post('/groups/:id/delete', async (c) => {
    const me = (await citizenOf(c, deps, true))!;
    await readSessionForm(c, deps.publicOrigin, me.session);
    await asPage(() => groups.remove(me.viewer, c.req.param('id')), GROUP);
    return c.redirect('/groups?done=deleted', 303);
  });

  return app;
}

const GROUP: Refusals = { not_found: 'groups.notFound' };

/** The service's refusal as messages next to the fields (anything else is the error page's). */
function formErrors(t: Translate, error: unknown): { errors: GroupForm['errors']; status: 400 | 422 } {
  if (!(error instanceof ServiceError) || (error.kind !== 'invalid' && error.kind !== 'unprocessable')) throw error;
  const errors: GroupForm['errors'] = {};
  for (const p of error.invalidParams ?? []) {
    if (p.name === 'name') errors.name = t('groups.error.name');
    else if (p.code === 'unknown-case') errors.cases = t('groups.error.case');
    else if (p.code === 'too-many-cases') errors.cases = t('groups.error.tooManyCases');
    else if (p.name.startsWith('caseIds')) errors.cases = t('groups.error.case');
  }
  if (Object.keys(errors).length === 0) errors.form = error.kind === 'unprocessable' ? t('groups.error.tooMany') : t('groups.error.other');
  return { errors, status: error.kind === 'invalid' ? 400 : 422 };
}
