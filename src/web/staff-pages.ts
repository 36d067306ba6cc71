// The staff pages' frame and the contact centre's page: /staff (sign on, and where each role
// goes), /kcc (look a customer up) and /kcc/lookups/{id} (the answer, to read out on the phone).
// The customer's number goes in a POSTed form, never in a URL; the answer's URL names the lookup.
import { type Context, Hono } from 'hono';
import { html } from 'hono/html';
import { isKccPurpose, KCC_PURPOSES, type KccPurpose } from '../access-log/access-log.ts';
import { isValidBsn, isValidKvk } from '../cases/identifiers.ts';
import type { Role, StaffMember } from '../http/context.ts';
import type { KccAnswer, KccService } from '../staff/kcc.ts';
import type { WebEnv } from './context.ts';
import { readSessionForm } from './forms.ts';
import { formatDateTime, tOf } from './i18n.ts';
import { flash, type NavItem, render, type Html } from './layout.ts';
import type { MessageKey } from '../i18n/index.ts';
import { currentStaff, requireStaff, type StaffAuthDeps, type StaffContext } from './staff-auth.ts';

export interface StaffPageDeps extends Pick<StaffAuthDeps, 'sessions' | 'authenticator'> {
  kcc: KccService;
  publicOrigin: string;
  demo: boolean;
  owner: string;
  /** Whether the staff pages can sign anyone on (STAFF_OIDC_ISSUER and STAFF_OIDC_CLIENT_ID). */
  loginConfigured: () => boolean;
}

/** The staff pages and the roles that see them, in menu order. */
const STAFF_NAV: { href: string; label: MessageKey; roles: Role[] }[] = [
  { href: '/kcc', label: 'staff.nav.kcc', roles: ['kcc'] },
  { href: '/work', label: 'staff.nav.work', roles: ['caseworker'] },
  { href: '/work/analytics', label: 'staff.nav.analytics', roles: ['caseworker', 'operator'] },
  { href: '/ops', label: 'staff.nav.ops', roles: ['operator'] },
];

export function staffNav(c: Context<WebEnv>, member: StaffMember): NavItem[] {
  const t = tOf(c);
  const path = new URL(c.req.url).pathname;
  return STAFF_NAV.filter((item) => item.roles.some((r) => member.roles.includes(r))).map((item) => ({
    href: item.href,
    label: t(item.label),
    current: path === item.href || (item.href !== '/work' && path.startsWith(`${item.href}/`)),
  }));
}

/** What every staff page shares: the menu of the member's pages and the logout. */
export function staffFrame(c: Context<WebEnv>, staff: StaffContext, deps: { demo: boolean; owner: string }) {
  const t = tOf(c);
  return {
    nav: staffNav(c, staff.member),
    user: {
      label: t('staff.loggedInAs', { name: staff.member.name }),
      logoutAction: '/auth/staff/logout',
      csrf: staff.session.csrf,
      logoutLabel: t('site.logout'),
    },
    demo: deps.demo,
    owner: deps.owner,
    wide: true,
  };
}

interface LookupForm {
  customer: string;
  purpose: string;
  errors: Partial<Record<'customer' | 'purpose', MessageKey>>;
}

export function staffPages(deps: StaffPageDeps) {
  const app = new Hono<WebEnv>();

  app.get('/staff', async (c) => {
    const t = tOf(c);
    const staff = await currentStaff(c, deps);
    const notice = flash(c, { 'logged-out': 'staff.loggedOut', cancelled: 'home.cancelled' });
    if (!staff) {
      return render(c, {
        title: t('staff.title'),
        demo: deps.demo,
        owner: deps.owner,
        body: html`<h1>${t('staff.title')}</h1>${notice}<p class="lead">${t('staff.intro')}</p>
${deps.loginConfigured() ? html`<p><a class="button" href="/auth/staff/login?returnTo=%2Fstaff">${t('staff.login')}</a></p>${deps.demo ? html`<p class="hint">${t('staff.loginDemo')}</p>` : ''}` : html`<p class="notice">${t('staff.loginOff')}</p>`}`,
      });
    }
    const nav = staffNav(c, staff.member);
    return render(c, {
      title: t('staff.title'),
      ...staffFrame(c, staff, deps),
      body: html`<h1>${t('staff.title')}</h1>${notice}
${nav.length ? html`<p>${t('staff.choose')}</p><ul>${nav.map((n) => html`<li><a href="${n.href}">${n.label}</a></li>`)}</ul>` : html`<p class="notice">${t('staff.noRoles')}</p>`}`,
    });
  });

  app.get('/kcc', async (c) => {
    const staff = await requireStaff(c, deps, 'kcc');
    return kccSearch(c, deps, staff, { customer: '', purpose: '', errors: {} });
  });

  app.post('/kcc', async (c) => {
    const staff = await requireStaff(c, deps, 'kcc');
    const form = await readSessionForm(c, deps.publicOrigin, staff.session);
    const customer = (form.customer ?? '').replace(/[\s.-]/g, '');
    const purpose = form.purpose ?? '';
    const errors: LookupForm['errors'] = {};
    if (/^\d{9}$/.test(customer) ? !isValidBsn(customer) : !(/^\d{8}$/.test(customer) && isValidKvk(customer))) errors.customer = 'kcc.customerInvalid';
    if (!isKccPurpose(purpose)) errors.purpose = 'kcc.purposeMissing';
    if (errors.customer || errors.purpose) return kccSearch(c, deps, staff, { customer: form.customer ?? '', purpose, errors }, 400);
    const who = customer.length === 9 ? { bsn: customer } : { kvk: customer };
    const answer = await deps.kcc.lookup(staff.member, { ...who, purpose: purpose as KccPurpose }, read(c));
    return c.redirect(`/kcc/lookups/${answer.id}`, 303);
  });

  app.get('/kcc/lookups/:id', async (c) => {
    const staff = await requireStaff(c, deps, 'kcc');
    const answer = await deps.kcc.read(staff.member, c.req.param('id'), read(c));
    return kccAnswer(c, deps, staff, answer);
  });

  return app;
}

const read = (c: Context<WebEnv>) => ({ lang: c.get('lang'), requestId: c.get('requestId'), traceId: c.get('traceId') });

function kccSearch(c: Context<WebEnv>, deps: StaffPageDeps, staff: StaffContext, form: LookupForm, status: 200 | 400 = 200) {
  const t = tOf(c);
  const errorList = (['customer', 'purpose'] as const).filter((f) => form.errors[f]);
  const invalid = (f: 'customer' | 'purpose') => (form.errors[f] ? html` aria-invalid="true"` : '');
  const described = (f: 'customer' | 'purpose') => html` aria-describedby="${f}-hint${form.errors[f] ? html` ${f}-error` : ''}"`;
  const fieldError = (f: 'customer' | 'purpose') =>
    form.errors[f] ? html`<span class="field-error" id="${f}-error">${t(form.errors[f] as MessageKey)}</span>` : '';
  return render(c, {
    title: t('kcc.title'),
    status,
    ...staffFrame(c, staff, deps),
    body: html`<h1>${t('kcc.title')}</h1>
<p class="lead">${t('kcc.intro')}</p>
${
  errorList.length
    ? html`<div class="error-summary" role="alert" tabindex="-1"><h2>${t('staff.errorSummary')}</h2><ul>${errorList.map(
        (f) => html`<li><a href="#${f}">${t(form.errors[f] as MessageKey)}</a></li>`,
      )}</ul></div>`
    : ''
}
<form method="post" action="/kcc" novalidate>
<input type="hidden" name="_csrf" value="${staff.session.csrf}">
<div class="field"><label for="customer">${t('kcc.customer')}</label>
<span class="hint" id="customer-hint">${t('kcc.customerHint')}</span>${fieldError('customer')}
<input type="text" class="bsn" id="customer" name="customer" inputmode="numeric" autocomplete="off" maxlength="12" value="${form.customer}" required${described('customer')}${invalid('customer')}></div>
<div class="field"><label for="purpose">${t('kcc.purpose')}</label>
<span class="hint" id="purpose-hint">${t('kcc.purposeHint')}</span>${fieldError('purpose')}
<select id="purpose" name="purpose" required${described('purpose')}${invalid('purpose')}>
<option value="">${t('kcc.purposeChoose')}</option>
${KCC_PURPOSES.map((p) => html`<option value="${p}"${form.purpose === p ? ' selected' : ''}>${t(`reason.${p}`)}</option>`)}
</select></div>
<button type="submit">${t('kcc.search')}</button>
</form>`,
  });
}

function kccAnswer(c: Context<WebEnv>, deps: StaffPageDeps, staff: StaffContext, answer: KccAnswer) {
  const t = tOf(c);
  const lang = c.get('lang');
  const customer = 'bsn' in answer.customer ? t('kcc.customerBsn', { bsn: answer.customer.bsn }) : t('kcc.customerKvk', { kvk: answer.customer.kvk });
  const cases: Html[] = answer.cases.map(
    (k) => html`<section class="case${k.state === 'closed' ? ' closed' : ''}" aria-labelledby="case-${k.id}">
<h2 id="case-${k.id}">${k.reference} — ${k.title}</h2>
<p class="lead">${k.staff.summary}</p>
${
  k.staff.parts.length
    ? html`<h3>${t('kcc.parts')}</h3><ul>${k.staff.parts.map((p) => html`<li>${p.product ? html`<strong>${p.product.name}</strong>: ` : ''}${p.text}</li>`)}</ul>`
    : ''
}
${k.staff.gaps.length ? html`<div class="gaps" role="note"><h3>${t('kcc.gaps')}</h3><ul>${k.staff.gaps.map((g) => html`<li>${g.text}</li>`)}</ul></div>` : ''}
</section>`,
  );
  return render(c, {
    title: t('kcc.answerTitle'),
    ...staffFrame(c, staff, deps),
    body: html`<h1>${t('kcc.answerTitle')}</h1>
<dl class="facts"><dt>${t('kcc.customer')}</dt><dd>${customer}</dd><dt>${t('kcc.purpose')}</dt><dd>${answer.purposeText}</dd>
<dt>${t('kcc.cases')}</dt><dd>${answer.count}</dd></dl>
<p class="notice" role="status">${t('kcc.logged', { until: formatDateTime(lang, answer.expiresAt) })}</p>
${answer.count > answer.cases.length ? html`<p class="notice">${t('kcc.more', { shown: answer.cases.length, count: answer.count })}</p>` : ''}
${answer.cases.length ? cases : html`<p>${t('kcc.none')}</p>`}
<p><a href="/kcc">${t('kcc.again')}</a></p>`,
  });
}
