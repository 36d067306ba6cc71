// The partner page (/partner) for people at a subcontractor without a case system: sign in with a
// mailed one-time link or through PARTNER_OIDC_ISSUER, then the organisation's assignments, one
// assignment with its messages, its status and a message to the supplier. Everything goes through
// PartnerService as a Partner { organisation, actor: the contact's address, channel: 'portal' },
// so the page can do exactly what the partner API can, scoped and access-logged the same way.
import { type Context, Hono } from 'hono';
import { getSignedCookie, setSignedCookie } from 'hono/cookie';
import { html } from 'hono/html';
import { localName } from '../i18n/index.ts';
import { ServiceError } from '../lib/service-error.ts';
import type { Logger } from '../log.ts';
import type { PortalOrganisation } from '../network/types.ts';
import { messageSchema, setStatusSchema } from '../partner/schemas.ts';
import type { Partner, PartnerService } from '../partner/service.ts';
import type { ViewContext } from './citizen-views.ts';
import type { WebEnv } from './context.ts';
import { readForm, readSessionForm } from './forms.ts';
import { tOf } from './i18n.ts';
import { asPage, flash, type Html, LoginRequired, PageError, type Refusals, refusalAsPage, render } from './layout.ts';
import { LoginUnavailable, type CitizenLogin } from './oidc-login.ts';
import { normaliseAddress, type PartnerLinks } from './partner-login.ts';
import {
  assignmentDetail,
  assignmentsTable,
  chooseOrganisation,
  confirmLink,
  emptyForm,
  linkGone,
  linkSent,
  pager,
  type DetailForms,
  type PartnerForm,
  signIn,
} from './partner-views.ts';
import { csrfMatches, randomToken, type Session, type SessionStore } from './session.ts';

const PAGE_SIZE = 25;
/** A working day: the page is a tool people keep open; every request checks the address is still a contact. */
const SESSION_SECONDS = 8 * 3600;
const LOGIN_SECONDS = 600;
/** The anonymous forms' token (sign-in request, the link's button): a signed cookie the form must repeat. */
const FORM_COOKIE = 'ks_partner_form';

export interface PartnerPageDeps {
  partner: PartnerService;
  links: PartnerLinks;
  sessions: SessionStore;
  /** The OIDC client for PARTNER_OIDC_ISSUER (the citizen page's code + PKCE flow, another client). */
  login: CitizenLogin;
  /** Mail is sent (SMTP_URL): only then is the link offered. */
  linkOn: boolean;
  secret: string;
  secure: boolean;
  publicBaseUrl: string;
  publicOrigin: string;
  demo: boolean;
  owner: string;
  logger: Logger;
}

interface SignedIn {
  session: Session<'partner'>;
  /** The organisations the address is (still) a contact of, among those it signed in for. */
  organisations: PortalOrganisation[];
  /** The one chosen; the pages act for it. */
  partner?: Partner & { name: string };
}

export function partnerPages(deps: PartnerPageDeps) {
  const app = new Hono<WebEnv>();
  const { partner, links, sessions } = deps;
  const view = (c: Context<WebEnv>): ViewContext => ({ t: tOf(c), lang: c.get('lang') });

  const formToken = async (c: Context<WebEnv>) => {
    const existing = await getSignedCookie(c, deps.secret, FORM_COOKIE);
    if (typeof existing === 'string' && existing.length > 0) return existing;
    const token = randomToken();
    await setSignedCookie(c, FORM_COOKIE, token, deps.secret, { path: '/partner', httpOnly: true, sameSite: 'Lax', secure: deps.secure });
    return token;
  };
  const readAnonymousForm = async (c: Context<WebEnv>) => {
    const form = await readForm(c, deps.publicOrigin);
    const cookie = await getSignedCookie(c, deps.secret, FORM_COOKIE);
    if (typeof cookie !== 'string' || !csrfMatches({ csrf: cookie }, form._csrf)) throw new PageError(403, 'error.csrf');
    return form;
  };

  /** The signed-in contact, checked against the network on every request (a removed contact is signed out). */
  const signedIn = async (c: Context<WebEnv>, required: boolean): Promise<SignedIn | undefined> => {
    const session = await sessions.read(c, 'partner');
    if (!session) {
      if (required) throw new LoginRequired('/partner');
      return undefined;
    }
    const organisations = links.organisationsOf(session.data.email).filter((o) => session.data.organisations.includes(o.id));
    if (organisations.length === 0) {
      await sessions.end(c, 'partner');
      throw new LoginRequired('/partner?done=ended');
    }
    const current = organisations.find((o) => o.id === session.data.organisation);
    return {
      session,
      organisations,
      partner: current && {
        organisation: current.id,
        name: current.name,
        actor: session.data.email,
        channel: 'portal',
        requestId: c.get('requestId'),
        traceId: c.get('traceId'),
      },
    };
  };
  /** Signed in and acting for one organisation; otherwise to the sign-in or the choice. */
  const acting = async (c: Context<WebEnv>) => {
    const me = (await signedIn(c, true))!;
    if (!me.partner) throw new LoginRequired('/partner');
    return me as SignedIn & { partner: Partner & { name: string } };
  };

  const frame = (c: Context<WebEnv>, me: SignedIn | undefined, current: string, title: string, body: Html, status?: 200 | 400 | 403 | 409 | 410 | 422) => {
    const t = tOf(c);
    const { session } = me ?? {};
    return render(c, {
      title,
      body,
      status,
      demo: deps.demo,
      owner: deps.owner,
      home: '/partner',
      nav: me?.partner
        ? [
            { href: '/partner', label: t('partner.nav.open'), current: current === 'open' },
            { href: '/partner?state=closed', label: t('partner.nav.closed'), current: current === 'closed' },
            ...(me.organisations.length > 1 ? [{ href: '/partner/organisation', label: t('partner.nav.switch'), current: current === 'switch' }] : []),
          ]
        : undefined,
      user: session
        ? {
            label: t('site.loggedInAs', { name: me?.partner ? `${session.data.email} (${me.partner.name})` : session.data.email }),
            logoutAction: '/partner/logout',
            csrf: session.csrf,
            logoutLabel: t('site.logout'),
          }
        : undefined,
    });
  };

  const signInPage = async (c: Context<WebEnv>, form: PartnerForm, status?: 400) => {
    const v = view(c);
    const notice = flash(c, {
      'logged-out': 'partner.flash.loggedOut',
      ended: 'partner.flash.ended',
      cancelled: 'partner.flash.cancelled',
    });
    const body = signIn(v, { csrf: await formToken(c), form, linkOn: deps.linkOn, oidcOn: deps.login.configured(), notice });
    return frame(c, undefined, '', v.t('partner.signIn.title'), body, status);
  };

  const chooser = (c: Context<WebEnv>, me: SignedIn) => {
    const v = view(c);
    return frame(c, me, 'switch', v.t('partner.choose.title'), chooseOrganisation(v, me.session.csrf, me.organisations));
  };

  /** A new partner session for a contact's address (after the link or the provider): a new id at every sign-in. */
  const startSession = async (c: Context<WebEnv>, email: string, name: string | null, via: 'link' | 'oidc') => {
    const organisations = links.organisationsOf(email);
    if (organisations.length === 0) throw new PageError(403, 'partner.notContact');
    await sessions.end(c, 'partner');
    await sessions.start(
      c,
      'partner',
      { email, name, via, organisations: organisations.map((o) => o.id), organisation: organisations.length === 1 ? organisations[0].id : null },
      SESSION_SECONDS,
    );
    return c.redirect('/partner', 303);
  };

  const detailPage = async (c: Context<WebEnv>, me: SignedIn & { partner: Partner }, id: string, forms?: DetailForms, status?: 400 | 409 | 422) => {
    const v = view(c);
    const a = await asPage(() => partner.get(me.partner, id), PARTNER);
    const notice = flash(c, {
      status: 'partner.flash.status',
      message: 'partner.flash.message',
      shown: 'partner.flash.shown',
      hidden: 'partner.flash.hidden',
    });
    const body = assignmentDetail(v, a, me.session.csrf, forms ?? { status: emptyForm(), message: emptyForm() }, notice);
    const product = localName(a.product.name, v.lang);
    return frame(c, me, a.state, `${product} — ${a.case.reference}`, body, status);
  };

  app.get('/partner', async (c) => {
    const me = await signedIn(c, false);
    if (!me) return signInPage(c, emptyForm());
    if (!me.partner) return chooser(c, me);
    const v = view(c);
    const state = c.req.query('state') === 'closed' ? 'closed' : 'open';
    const page = Math.max(1, Math.min(10_000, Number.parseInt(c.req.query('page') ?? '1', 10) || 1));
    const list = await asPage(() => partner.list(me.partner!, { state, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }), PARTNER);
    const title = v.t(state === 'open' ? 'partner.list.open' : 'partner.list.closed');
    return frame(
      c,
      me,
      state,
      title,
      html`<h1>${title}</h1>
<p class="lead">${v.t('partner.list.intro', { organisation: me.partner.name })}</p>
<p>${v.t('partner.list.count', { count: list.count })}</p>
${assignmentsTable(v, state, list.results)}
${pager(v, state, page, PAGE_SIZE, list.count)}
<p><a href="${state === 'open' ? '/partner?state=closed' : '/partner'}">${v.t(state === 'open' ? 'partner.list.toClosed' : 'partner.list.toOpen')}</a></p>`,
    );
  });

  // The same answer for every well-formed address, contact or not (PartnerLinks.request does the same work for both).
  app.post('/partner/login', async (c) => {
    const form = await readAnonymousForm(c);
    if (!deps.linkOn) throw new PageError(503, 'partner.signIn.off');
    const address = normaliseAddress(form.email);
    if (!address) return signInPage(c, { values: { email: (form.email ?? '').slice(0, 254) }, errors: { email: tOf(c)('partner.signIn.emailError') } }, 400);
    await links.request(address);
    return c.redirect('/partner/sent', 303);
  });

  app.get('/partner/sent', async (c) => {
    const v = view(c);
    return frame(c, undefined, '', v.t('partner.sent.title'), linkSent(v, deps.demo));
  });

  // Opening the link only shows a button: mail scanners that fetch links do not use it up.
  app.get('/partner/login/:token', async (c) => {
    const v = view(c);
    const email = await links.peek(c.req.param('token'));
    if (!email) return frame(c, undefined, '', v.t('partner.gone.title'), linkGone(v), 410);
    return frame(c, undefined, '', v.t('partner.confirm.title'), confirmLink(v, { csrf: await formToken(c), token: c.req.param('token'), email }));
  });

  app.post('/partner/login/:token', async (c) => {
    await readAnonymousForm(c);
    const email = await links.consume(c.req.param('token'));
    if (!email) {
      const v = view(c);
      return frame(c, undefined, '', v.t('partner.gone.title'), linkGone(v), 410);
    }
    return startSession(c, email, null, 'link');
  });

  app.get('/partner/organisation', async (c) => chooser(c, (await signedIn(c, true))!));

  app.post('/partner/organisation', async (c) => {
    const me = (await signedIn(c, true))!;
    const form = await readSessionForm(c, deps.publicOrigin, me.session);
    const chosen = me.organisations.find((o) => o.id === form.organisation);
    if (!chosen) throw new PageError(400, 'partner.choose.unknown');
    // A new session for the new organisation (the old one ends): no carrying a session across organisations.
    await sessions.end(c, 'partner');
    await sessions.start(
      c,
      'partner',
      { ...me.session.data, organisation: chosen.id },
      Math.max(60, Math.floor((me.session.expiresAt.getTime() - Date.now()) / 1000)),
    );
    return c.redirect('/partner', 303);
  });

  app.post('/partner/logout', async (c) => {
    const session = await sessions.read(c, 'partner');
    if (session) await readSessionForm(c, deps.publicOrigin, session);
    await sessions.end(c, 'partner');
    return c.redirect('/partner?done=logged-out', 303);
  });

  app.get('/partner/assignments/:id', async (c) => detailPage(c, await acting(c), c.req.param('id')));

  app.post('/partner/assignments/:id/status', async (c) => {
    const me = await acting(c);
    const form = await readSessionForm(c, deps.publicOrigin, me.session);
    const t = tOf(c);
    const id = c.req.param('id');
    const values = { status: (form.status ?? '').slice(0, 100), statusText: (form.text ?? '').slice(0, 2000) };
    const refuse = (errors: PartnerForm['errors'], status: 400 | 409 | 422) =>
      detailPage(c, me, id, { status: { values, errors }, message: emptyForm() }, status);
    const parsed = setStatusSchema.safeParse({ status: values.status, ...(values.statusText.trim() ? { text: values.statusText } : {}) });
    if (!parsed.success) {
      const errors: PartnerForm['errors'] = {};
      for (const issue of parsed.error.issues) {
        if (issue.path[0] === 'status') errors.status = t('partner.setStatus.error.status');
        else errors.statusText = t('partner.setStatus.error.text');
      }
      return refuse(errors, 400);
    }
    try {
      await partner.setStatus(me.partner, id, parsed.data);
    } catch (error) {
      if (error instanceof ServiceError && error.kind === 'unprocessable') return refuse({ status: t('partner.setStatus.error.status') }, 422);
      if (error instanceof ServiceError && error.kind === 'conflict') return refuse({ form: t('partner.setStatus.error.closed') }, 409);
      throw refusalAsPage(error, PARTNER);
    }
    return c.redirect(`/partner/assignments/${id}?done=status`, 303);
  });

  app.post('/partner/assignments/:id/messages', async (c) => {
    const me = await acting(c);
    const form = await readSessionForm(c, deps.publicOrigin, me.session);
    const id = c.req.param('id');
    const values = { text: (form.text ?? '').slice(0, 8000), visibleToCitizen: form.visibleToCitizen === 'yes' ? 'yes' : '' };
    const parsed = messageSchema.safeParse({ text: values.text, visibleToCitizen: values.visibleToCitizen === 'yes' });
    if (!parsed.success) {
      const errors = { text: tOf(c)('partner.write.error.text') };
      return detailPage(c, me, id, { status: emptyForm(), message: { values, errors } }, 400);
    }
    const message = await asPage(() => partner.addMessage(me.partner, id, parsed.data), PARTNER);
    return c.redirect(`/partner/assignments/${id}?done=message#message-${message.id}`, 303);
  });

  app.post('/partner/assignments/:id/messages/:messageId/visibility', async (c) => {
    const me = await acting(c);
    const form = await readSessionForm(c, deps.publicOrigin, me.session);
    if (form.visible !== 'true' && form.visible !== 'false') throw new PageError(400, 'error.400');
    const { id, messageId } = c.req.param();
    await asPage(() => partner.setMessageVisibility(me.partner, id, messageId, form.visible === 'true'), PARTNER);
    return c.redirect(`/partner/assignments/${id}?done=${form.visible === 'true' ? 'shown' : 'hidden'}#message-${messageId}`, 303);
  });

  // Sign-in through PARTNER_OIDC_ISSUER: the person is the contact whose address the provider verified.
  app.get('/auth/partner/login', async (c) => {
    if (new URL(c.req.url).host !== new URL(deps.publicBaseUrl).host) return c.redirect(`${deps.publicBaseUrl}/auth/partner/login`, 303);
    if (!deps.login.configured()) throw new PageError(503, 'partner.signIn.oidcOff');
    let started: Awaited<ReturnType<CitizenLogin['start']>>;
    try {
      started = await deps.login.start({ lang: c.get('lang') });
    } catch (error) {
      if (!(error instanceof LoginUnavailable)) throw error;
      deps.logger.warn({ err: error }, 'partner sign-in unavailable');
      throw new PageError(503, 'error.503', {}, { 'Retry-After': '30' });
    }
    await sessions.end(c, 'partner-login');
    await sessions.start(c, 'partner-login', { ...started.pending, returnTo: '/partner' }, LOGIN_SECONDS);
    return c.redirect(started.url.href, 303);
  });

  app.get('/auth/partner/callback', async (c) => {
    // Single use: whatever happens next, this attempt is over.
    const pending = await sessions.end(c, 'partner-login');
    if (c.req.query('error') === 'access_denied' && pending) return c.redirect('/partner?done=cancelled', 303);
    if (!pending) throw new PageError(400, 'error.loginExpired');
    let result: Awaited<ReturnType<CitizenLogin['finish']>>;
    try {
      result = await deps.login.finish(new URL(`${deps.publicBaseUrl}/auth/partner/callback${new URL(c.req.url).search}`), pending.data);
    } catch (error) {
      if (error instanceof LoginUnavailable) throw new PageError(503, 'error.503', {}, { 'Retry-After': '30' });
      deps.logger.warn({ err: { type: (error as Error).name, message: (error as Error).message } }, 'partner sign-in failed');
      throw new PageError(400, 'error.loginFailed');
    }
    // Only an address the provider says it verified names a contact: from the ID token, or (where a
    // provider keeps scope claims out of it, as the spec's code flow does) from its UserInfo endpoint.
    let claims: Record<string, unknown> | undefined = result.claims;
    if (claims && typeof claims.email !== 'string') {
      try {
        claims = { ...(await deps.login.userInfo(result.accessToken, String(claims.sub))), sub: claims.sub };
      } catch (error) {
        deps.logger.warn({ err: { type: (error as Error).name, message: (error as Error).message } }, 'partner sign-in: userinfo failed');
        throw new PageError(400, 'error.loginFailed');
      }
    }
    const address = claims?.email_verified === true && typeof claims.email === 'string' ? normaliseAddress(claims.email) : undefined;
    if (!address) throw new PageError(403, 'partner.oidc.noEmail');
    return startSession(c, address, result.name, 'oidc');
  });

  return app;
}

/** The service's refusals as the pages' error pages. */
const PARTNER: Refusals = { not_found: 'partner.notFound', forbidden: 'partner.inactive' };
