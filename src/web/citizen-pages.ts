// The citizen page: my cases, a case with each part's timeline, who viewed my data, mandates and
// reading on someone's behalf. Every read goes through CitizenService, so every case shown is
// written to the access log like an API read; the pages add nothing but HTML.
import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import { isRepresentative } from '../citizen/auth.ts';
import { GroupService } from '../citizen/group-service.ts';
import type { CitizenService } from '../citizen/service.ts';
import { ServiceError } from '../lib/service-error.ts';
import { citizenOf, type CitizenAuthDeps, type CitizenContext } from './auth.ts';
import { accessTable, caseDetail, caseList, pager, type ViewContext } from './citizen-views.ts';
import type { WebEnv } from './context.ts';
import { readSessionForm } from './forms.ts';
import { tOf } from './i18n.ts';
import { asPage, flash, PageError, render, type Html, type Refusals } from './layout.ts';
import { groupPages } from './group-pages.ts';
import type { PreferenceService } from '../notices/preference-service.ts';
import { preferencePages } from './preference-pages.ts';
import { grantedTable, grantForm, grantorText, receivedTable, type GrantField, type GrantForm } from './mandate-views.ts';
import type { MessageKey } from '../i18n/index.ts';

export interface CitizenPageDeps extends Pick<CitizenAuthDeps, 'sessions' | 'authenticator' | 'login' | 'publicOrigin'> {
  citizens: CitizenService;
  demo: boolean;
  owner: string;
  /** The customer's notice preferences (src/notices): the page /notifications. */
  preferences: PreferenceService;
}

const ACCESS_PAGE_SIZE = 25;

export function citizenPages(deps: CitizenPageDeps) {
  const app = new Hono<WebEnv>();
  const { citizens } = deps;
  const view = (c: Context<WebEnv>): ViewContext => ({ t: tOf(c), lang: c.get('lang') });
  const reading = (c: Context<WebEnv>) => ({ lang: c.get('lang'), requestId: c.get('requestId'), traceId: c.get('traceId') });

  const page = (c: Context<WebEnv>, me: CitizenContext | undefined, current: string, title: string, body: Html, status?: 200 | 400 | 422) => {
    const t = tOf(c);
    return render(c, {
      title,
      body,
      status,
      demo: deps.demo,
      owner: deps.owner,
      nav: me
        ? [
            { href: '/', label: t('nav.cases'), current: current === '/' },
            { href: '/access-log', label: t('nav.accessLog'), current: current === '/access-log' },
            { href: '/mandates', label: t('nav.mandates'), current: current === '/mandates' },
            { href: '/groups', label: t('nav.groups'), current: current === '/groups' },
            { href: '/notifications', label: t('nav.notifications'), current: current === '/notifications' },
          ]
        : undefined,
      user: me
        ? {
            label: me.session.data.name ? t('site.loggedInAs', { name: me.session.data.name }) : t('site.loggedIn'),
            logoutAction: '/auth/logout',
            csrf: me.session.csrf,
            logoutLabel: t('site.logout'),
          }
        : undefined,
    });
  };

  app.get('/', async (c) => {
    const v = view(c);
    const notices = flash(c, { expired: 'home.expired', 'logged-out': 'home.loggedOut', cancelled: 'home.cancelled' });
    const me = await citizenOf(c, deps, false);
    if (!me) {
      return page(
        c,
        undefined,
        '/',
        v.t('home.title'),
        html`<h1>${v.t('home.title')}</h1>${notices}
<p class="lead">${v.t('home.intro')}</p>
${
  deps.login.configured()
    ? html`<p><a class="button" href="/auth/login">${v.t('home.login')}</a></p>${deps.demo ? html`<p class="muted">${v.t('home.loginDemo')}</p>` : ''}`
    : html`<p class="notice">${v.t('home.loginOff')}</p>`
}`,
      );
    }
    const cases = await citizens.listMyCases(me.viewer, { ...reading(c), pageSize: 50 });
    const title = isRepresentative(me.viewer) ? v.t('cases.titleCompany', { company: me.viewer.companyName ?? `KvK ${me.viewer.kvk}` }) : v.t('cases.title');
    return page(
      c,
      me,
      '/',
      title,
      html`<h1>${title}</h1>
${caseList(v, cases.results, (k) => `/cases/${k.id}`, v.t('cases.none'))}`,
    );
  });

  app.get('/cases/:id', async (c) => {
    const me = (await citizenOf(c, deps, true))!;
    const v = view(c);
    const detail = await asPage(() => citizens.getMyCase(me.viewer, c.req.param('id'), reading(c)), CASE);
    return page(c, me, '', detail.title, caseDetail(v, detail, { href: '/', label: v.t('cases.back') }));
  });

  app.get('/access-log', async (c) => {
    const me = (await citizenOf(c, deps, true))!;
    const v = view(c);
    const n = Math.max(1, Math.min(10_000, Number.parseInt(c.req.query('page') ?? '1', 10) || 1));
    const log = await citizens.accessLog(me.viewer, { page: n, pageSize: ACCESS_PAGE_SIZE, lang: v.lang });
    return page(
      c,
      me,
      '/access-log',
      v.t('access.title'),
      html`<h1>${v.t('access.title')}</h1>
<p class="lead">${v.t('access.intro')}</p>
<p>${v.t('access.count', { count: log.count })}</p>
${accessTable(v, log.results, (id) => `/cases/${id}`)}
${pager(v, '/access-log', n, ACCESS_PAGE_SIZE, log.count)}`,
    );
  });

  const mandatesPage = async (c: Context<WebEnv>, me: CitizenContext, form: GrantForm, status?: 400 | 422) => {
    const v = view(c);
    const [mandates, cases] = await Promise.all([citizens.listMandates(me.viewer), citizens.listMyCases(me.viewer, { ...reading(c), pageSize: 100 })]);
    const organisations = citizens.readProxyOrganisations().map((o) => ({ value: o.oin ? `oin:${o.oin}` : `kvk:${o.kvk}`, name: o.name }));
    return page(
      c,
      me,
      '/mandates',
      v.t('mandates.title'),
      html`<h1>${v.t('mandates.title')}</h1>
${flash(c, { granted: 'mandates.granted', revoked: 'mandates.revoked' })}
<p class="lead">${v.t('mandates.intro')}</p>
${grantForm(v, me.session.csrf, cases.results, form, organisations)}
<h2>${v.t('mandates.givenTitle')}</h2>
${grantedTable(v, me.session.csrf, mandates.granted)}
<h2>${v.t('mandates.receivedTitle')}</h2>
${receivedTable(v, mandates.received)}`,
      status,
    );
  };

  app.get('/mandates', async (c) => {
    const me = (await citizenOf(c, deps, true))!;
    return mandatesPage(c, me, { values: {}, errors: {} });
  });

  app.post('/mandates', async (c) => {
    const me = (await citizenOf(c, deps, true))!;
    const form = await readSessionForm(c, deps.publicOrigin, me.session);
    const values = {
      proxyKind: form.proxyKind === 'organisation' ? 'organisation' : 'person',
      proxyOrganisation: form.proxyOrganisation ?? '',
      proxyBsn: (form.proxyBsn ?? '').replace(/[\s.-]/g, ''),
      proxyName: (form.proxyName ?? '').trim().slice(0, 100),
      caseId: form.caseId ?? '',
      validUntil: form.validUntil ?? '',
    };
    try {
      await citizens.grantMandate(me.viewer, {
        ...(values.proxyKind === 'organisation' ? { proxyOrganisation: organisationChoice(values.proxyOrganisation) } : { proxyBsn: values.proxyBsn }),
        proxyName: values.proxyName || undefined,
        caseId: values.caseId || undefined,
        validUntil: values.validUntil || undefined,
      });
    } catch (error) {
      if (!(error instanceof ServiceError) || !['invalid', 'unprocessable', 'not_found'].includes(error.kind)) throw error;
      return mandatesPage(c, me, { values, errors: grantErrors(tOf(c), error) }, error.kind === 'invalid' ? 400 : 422);
    }
    return c.redirect('/mandates?done=granted', 303);
  });

  app.post('/mandates/:id/revoke', async (c) => {
    const me = (await citizenOf(c, deps, true))!;
    await readSessionForm(c, deps.publicOrigin, me.session);
    await asPage(() => citizens.revokeMandate(me.viewer, c.req.param('id')), CASE);
    return c.redirect('/mandates?done=revoked', 303);
  });

  app.get('/on-behalf/:mandate', async (c) => {
    const me = (await citizenOf(c, deps, true))!;
    const v = { ...view(c), proxy: true };
    const mandateId = c.req.param('mandate');
    const grantor = await grantorLabel(citizens, me, mandateId);
    const cases = await asPage(() => citizens.listMyCases(me.viewer, { ...reading(c), onBehalfOf: { mandateId }, pageSize: 50 }), PROXY);
    return page(
      c,
      me,
      '/mandates',
      v.t('proxy.title', { grantor }),
      html`<h1>${v.t('proxy.title', { grantor })}</h1>
<p class="notice">${v.t('proxy.intro')}</p>
${caseList(v, cases.results, (k) => `/on-behalf/${mandateId}/cases/${k.id}`, v.t('proxy.none'))}`,
    );
  });

  app.get('/on-behalf/:mandate/cases/:id', async (c) => {
    const me = (await citizenOf(c, deps, true))!;
    const v = { ...view(c), proxy: true };
    const mandateId = c.req.param('mandate');
    const grantor = await grantorLabel(citizens, me, mandateId);
    const detail = await asPage(() => citizens.getMyCase(me.viewer, c.req.param('id'), { ...reading(c), onBehalfOf: { mandateId } }), { ...CASE, ...PROXY });
    return page(
      c,
      me,
      '/mandates',
      detail.title,
      html`<p class="notice">${v.t('proxy.intro')}</p>
${caseDetail(v, detail, { href: `/on-behalf/${mandateId}`, label: v.t('proxy.back', { grantor }) })}`,
    );
  });

  // "Mijn overzichten": the customer's own groups of cases, in the same frame.
  app.route('/', groupPages({ ...deps, groups: new GroupService(citizens), frame: page }));
  app.route('/', preferencePages({ ...deps, frame: page }));

  return app;
}

/** The grantor as the proxy may see them: the masked BSN on the mandate (403 page when none). */
async function grantorLabel(citizens: CitizenService, me: CitizenContext, mandateId: string): Promise<string> {
  const { received } = await citizens.listMandates(me.viewer);
  const mandate = received.find((m) => m.id === mandateId);
  if (!mandate) throw new PageError(403, 'proxy.noMandate');
  return grantorText(mandate.grantor);
}

/** The select's "oin:…" / "kvk:…" as the service takes it (anything else is caught there as unknown). */
function organisationChoice(value: string): { oin: string } | { kvk: string } {
  return value.startsWith('kvk:') ? { kvk: value.slice(4) } : { oin: value.replace(/^oin:/, '') };
}

const CASE: Refusals = { not_found: 'cases.notFound' };
const PROXY: Refusals = { forbidden: 'proxy.noMandate' };

/** The service's invalid parameters as messages next to the form fields. */
function grantErrors(t: (key: MessageKey, params?: Record<string, string>) => string, error: ServiceError): GrantForm['errors'] {
  const errors: GrantForm['errors'] = {};
  const messages: Record<string, { field: GrantField; key: MessageKey }> = {
    'proxyBsn:bsn': { field: 'proxyBsn', key: 'mandates.error.proxyBsn' },
    'proxyBsn:self': { field: 'proxyBsn', key: 'mandates.error.self' },
    'proxyBsn:exclusive': { field: 'proxyBsn', key: 'mandates.error.proxyBsn' },
    'proxyOrganisation:unknown': { field: 'proxyOrganisation', key: 'mandates.error.organisation' },
    'proxyOrganisation:self': { field: 'proxyOrganisation', key: 'mandates.error.organisation' },
    'caseId:branch-login': { field: 'caseId', key: 'mandates.error.branch' },
    'validUntil:date-time': { field: 'validUntil', key: 'mandates.error.validUntil' },
    'validUntil:past': { field: 'validUntil', key: 'mandates.error.past' },
    'validUntil:too-long': { field: 'validUntil', key: 'mandates.error.tooLong' },
  };
  for (const p of error.invalidParams ?? []) {
    const known = messages[`${p.name}:${p.code}`];
    if (known) errors[known.field] = t(known.key);
    else if (['proxyBsn', 'proxyOrganisation', 'validUntil', 'caseId', 'proxyName'].includes(p.name)) errors[p.name as GrantField] = t('mandates.error.field');
  }
  if (error.kind === 'not_found') errors.caseId = t('mandates.error.case');
  if (error.kind === 'unprocessable' && !error.invalidParams?.length) errors.form = t('mandates.error.tooMany');
  if (Object.keys(errors).length === 0) errors.form = t('mandates.error.other', { detail: error.message });
  return errors;
}
