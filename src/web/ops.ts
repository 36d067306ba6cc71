// /ops: the operator dashboard. Operators sign on as staff (STAFF_OIDC_ISSUER, role operator; see
// staff-auth.ts). Only in the demo may an operator instead paste a ZGW token (npm run token --
// --client beheer): it is verified exactly as the API does, and the browser gets a server-side
// session (signed HttpOnly cookie, path /ops); every request checks that the client still exists
// with role operator, so removing the client ends its sessions.
import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import type { CachedTokenVerifier } from '../http/zgw-auth.ts';
import { ServiceError } from '../lib/service-error.ts';
import { JwtError, UnknownClientError } from '../lib/zgw-jwt.ts';
import type { NetworkService } from '../network/service.ts';
import type { OpsService } from '../ops/service.ts';
import type { WebEnv } from './context.ts';
import { readForm, readSessionForm } from './forms.ts';
import { formatShort, tOf } from './i18n.ts';
import { flash, LoginRequired, PageError, render, type Html } from './layout.ts';
import type { Session, SessionStore } from './session.ts';
import type { StaffAuthenticator } from '../http/staff-auth.ts';
import { currentStaff, staffLoginUrl, type StaffContext } from './staff-auth.ts';
import { staffNav } from './staff-pages.ts';

const SESSION_SECONDS = 8 * 3600;
const DEAD_JOBS_SHOWN = 50;

/** Optional extra panels (e.g. undelivered webhooks) another module contributes. */
export interface OpsPanel {
  render(c: Context<WebEnv>, csrf: string): Promise<Html>;
  routes?: (app: Hono<WebEnv>, guard: (c: Context<WebEnv>) => Promise<Pick<Session, 'csrf'>>) => void;
}

/** Who is on the dashboard: a member of staff with role operator, or (demo) a pasted token's client. */
interface OpsUser {
  csrf: string;
  label: string;
  logoutAction: string;
  staff?: StaffContext;
}

export interface OpsPageDeps {
  network: NetworkService;
  ops: OpsService;
  verifier: CachedTokenVerifier;
  sessions: SessionStore;
  publicOrigin: string;
  demo: boolean;
  panels?: OpsPanel[];
  /** Staff sign-on (the way in outside the demo). */
  staffAuth?: StaffAuthenticator;
  staffLoginConfigured?: () => boolean;
}

export function opsPages(deps: OpsPageDeps) {
  const app = new Hono<WebEnv>();
  const { sessions } = deps;

  const current = async (c: Context<WebEnv>): Promise<OpsUser | undefined> => {
    const staff = deps.staffAuth ? await currentStaff(c, { sessions, authenticator: deps.staffAuth }) : undefined;
    if (staff?.member.roles.includes('operator')) {
      return { csrf: staff.session.csrf, label: tOf(c)('staff.loggedInAs', { name: staff.member.name }), logoutAction: '/auth/staff/logout', staff };
    }
    if (staff) throw new PageError(403, 'staff.forbidden');
    if (!deps.demo) return undefined;
    const session = await sessions.read(c, 'operator');
    if (session && deps.network.client(session.data.clientId)?.role === 'operator') {
      c.set('actor', session.data.clientId); // the request log names the operator, as for API calls
      return { csrf: session.csrf, label: tOf(c)('ops.loggedInAs', { clientId: session.data.clientId }), logoutAction: '/ops/logout' };
    }
    if (session) await sessions.end(c, 'operator');
    return undefined;
  };
  const guard = async (c: Context<WebEnv>) => {
    const user = await current(c);
    if (!user) throw new LoginRequired(deps.demo ? '/ops' : staffLoginUrl('/ops'));
    return user;
  };

  app.get('/ops', async (c) => {
    const user = await current(c);
    if (user) return dashboard(c, deps, user);
    if (deps.demo) return loginPage(c, deps);
    if (deps.staffLoginConfigured?.()) throw new LoginRequired(staffLoginUrl('/ops'));
    throw new PageError(503, 'staff.loginOff');
  });

  // Pasting a ZGW token is for the demo only; elsewhere operators sign on as staff.
  app.post('/ops/login', async (c) => {
    if (!deps.demo) throw new PageError(404, 'error.404');
    const form = await readForm(c, deps.publicOrigin);
    const token = (form.token ?? '').trim().replace(/^Bearer\s+/i, '');
    const refused = (reason: string) => loginPage(c, deps, tOf(c)('ops.loginFailed', { reason }), 401);
    let clientId: string;
    try {
      clientId = deps.verifier.verify(token).client_id;
    } catch (error) {
      if (error instanceof JwtError || error instanceof UnknownClientError) return refused(error.message);
      throw error;
    }
    const role = deps.network.client(clientId)?.role;
    if (role !== 'operator') return refused(`client ${clientId} has role ${role ?? 'none'}, not operator`);
    await sessions.end(c, 'operator');
    await sessions.start(c, 'operator', { clientId }, SESSION_SECONDS);
    return c.redirect('/ops', 303);
  });

  app.post('/ops/logout', async (c) => {
    const session = await sessions.read(c, 'operator');
    if (session) await readSessionForm(c, deps.publicOrigin, session);
    await sessions.end(c, 'operator');
    return c.redirect('/ops', 303);
  });

  app.post('/ops/jobs/:id/retry', async (c) => {
    const session = await guard(c);
    await readSessionForm(c, deps.publicOrigin, session);
    const id = Number(c.req.param('id'));
    const retried = await deps.ops.retryJob(id).then(
      () => true,
      (error) => {
        if (error instanceof ServiceError && error.kind === 'not_found') return false;
        throw error;
      },
    );
    return c.redirect(`/ops?done=${retried ? 'retried' : 'retry-gone'}&job=${Number.isSafeInteger(id) ? id : 0}`, 303);
  });

  for (const panel of deps.panels ?? []) panel.routes?.(app, guard);

  return app;
}

function loginPage(c: Context<WebEnv>, deps: OpsPageDeps, failure?: string, status: 200 | 401 = 200) {
  const t = tOf(c);
  return render(c, {
    title: t('ops.loginTitle'),
    status,
    demo: deps.demo,
    owner: deps.network.self.name,
    body: html`<h1>${t('ops.loginTitle')}</h1>
${failure ? html`<div class="error-summary" role="alert"><p>${failure}</p></div>` : ''}
${deps.staffLoginConfigured?.() ? html`<p><a class="button" href="${staffLoginUrl('/ops')}">${t('ops.staffLogin')}</a></p><h2>${t('ops.pasteDemo')}</h2>` : ''}
<form method="post" action="/ops/login">
<div class="field"><label for="token">${t('ops.token')}</label>
<span class="hint" id="token-hint">${t('ops.loginIntro')}</span>
<textarea id="token" name="token" rows="4" required autocomplete="off" spellcheck="false" aria-describedby="token-hint"${failure ? html` aria-invalid="true"` : ''}></textarea></div>
<button type="submit">${t('ops.login')}</button>
</form>`,
  });
}

async function dashboard(c: Context<WebEnv>, deps: OpsPageDeps, session: OpsUser) {
  const t = tOf(c);
  const lang = c.get('lang');
  const [organisations, deadJobs, panels] = await Promise.all([
    deps.ops.organisations(),
    deps.ops.jobs('dead', DEAD_JOBS_SHOWN, 0).then((page) => page.results),
    Promise.all((deps.panels ?? []).map((p) => p.render(c, session.csrf))),
  ]);
  const when = (at: Date | string | null) => (at ? formatShort(lang, at) : t('ops.never'));
  const job = /^\d+$/.test(c.req.query('job') ?? '') ? c.req.query('job')! : '';
  return render(c, {
    title: t('ops.title'),
    wide: true,
    demo: deps.demo,
    owner: deps.network.self.name,
    user: { label: session.label, logoutAction: session.logoutAction, csrf: session.csrf, logoutLabel: t('ops.logout') },
    nav: session.staff ? staffNav(c, session.staff.member) : undefined,
    body: html`<h1>${t('ops.title')}</h1>
${flash(c, { retried: 'ops.retried', 'retry-gone': 'ops.retryGone' }, { id: job })}
<p><a href="/ops">${t('ops.refresh')}</a></p>
<h2 id="organisations">${t('ops.organisations')}</h2>
${
  organisations.length === 0
    ? html`<p>${t('ops.noOrganisations')}</p>`
    : html`<div class="table-scroll" role="region" aria-labelledby="organisations" tabindex="0"><table aria-labelledby="organisations">
<thead><tr><th scope="col">${t('ops.org')}</th><th scope="col">${t('ops.status')}</th><th scope="col">${t('ops.agreement')}</th>
<th scope="col">${t('ops.lastNotification')}</th><th scope="col">${t('ops.syncLag')}</th><th scope="col">${t('ops.breaker')}</th>
<th scope="col">${t('ops.failures')}</th><th scope="col">${t('ops.openOrders')}</th><th scope="col">${t('ops.jobs')}</th></tr></thead>
<tbody>${organisations.map(
        (o) => html`<tr>
<th scope="row">${o.name}<br><code>${o.id}</code></th>
<td>${o.status}</td>
<td>${o.agreement ? html`${o.agreement.version}<br><span class="muted">${when(o.agreement.acceptedAt)}</span>` : t('ops.agreementNone')}</td>
<td>${when(o.lastNotificationAt)}</td>
<td>${o.syncLagSeconds === null ? '—' : t('ops.seconds', { n: o.syncLagSeconds })}</td>
<td><span class="badge ${o.breaker}">${o.breaker}</span></td>
<td>${o.consecutiveFailures}${o.lastError ? html`<br><span class="muted">${truncate(o.lastError, 160)}</span>` : ''}</td>
<td>${o.openOrders}${o.unreachableOrders ? html` (${o.unreachableOrders} ✕)` : ''}</td>
<td class="nowrap">${t('ops.jobsQueued', { n: o.jobs.queued })}<br>${t('ops.jobsRunning', { n: o.jobs.running })}<br>${t('ops.jobsDead', { n: o.jobs.dead })}</td>
</tr>`,
      )}</tbody></table></div>`
}
<h2 id="dead-jobs">${t('ops.deadJobs')}</h2>
${
  deadJobs.length === 0
    ? html`<p>${t('ops.deadJobsNone')}</p>`
    : html`<div class="table-scroll" role="region" aria-labelledby="dead-jobs" tabindex="0"><table aria-labelledby="dead-jobs">
<thead><tr><th scope="col">${t('ops.job')}</th><th scope="col">${t('ops.kind')}</th><th scope="col">${t('ops.org')}</th><th scope="col">${t('ops.attempts')}</th>
<th scope="col">${t('ops.lastError')}</th><th scope="col">${t('ops.updated')}</th><th scope="col"><span class="visually-hidden">${t('ops.retry')}</span></th></tr></thead>
<tbody>${deadJobs.map(
        (j) => html`<tr>
<th scope="row">${j.id}</th><td><code>${j.kind}</code></td><td>${j.organisation ?? '—'}</td><td>${j.attempts}</td>
<td>${truncate(j.errors.at(-1)?.error ?? '', 300)}</td><td>${when(j.updatedAt)}</td>
<td><form method="post" action="/ops/jobs/${j.id}/retry"><input type="hidden" name="_csrf" value="${session.csrf}">
<button type="submit" class="secondary" aria-label="${t('ops.retryLabel', { id: j.id })}">${t('ops.retry')}</button></form></td>
</tr>`,
      )}</tbody></table></div>`
}
${panels}`,
  });
}

function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
