// The server-rendered pages: the citizen page `/` (+ /cases, /access-log, /mandates, /on-behalf),
// its login under /auth, and the operator dashboard /ops. HTML errors here, problem+json elsewhere.
import { Hono, type MiddlewareHandler } from 'hono';
import type { CitizenAuthenticator } from '../citizen/auth.ts';
import type { CitizenService } from '../citizen/service.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import type { CachedTokenVerifier } from '../http/zgw-auth.ts';
import { ServiceError } from '../lib/service-error.ts';
import type { Logger } from '../log.ts';
import type { NetworkService } from '../network/service.ts';
import type { OpsService } from '../ops/service.ts';
import { STYLESHEET, STYLESHEET_PATH } from './assets.ts';
import { authRoutes } from './auth.ts';
import { citizenPages } from './citizen-pages.ts';
import type { WebEnv } from './context.ts';
import { language, tOf } from './i18n.ts';
import { errorPage, LoginRequired, PageError } from './layout.ts';
import { CitizenLogin } from './oidc-login.ts';
import { deliveryPanel, type DeliveryOpsVerbs } from './delivery-panel.ts';
import { agreementsPanel } from './agreements-panel.ts';
import { onboardingPanel } from './onboarding-panel.ts';
import type { AgreementService } from '../agreements/service.ts';
import { opsPages } from './ops.ts';
import { SessionStore } from './session.ts';
import type { StaffAuthenticator } from '../http/staff-auth.ts';
import type { KccService } from '../staff/kcc.ts';
import type { LeadTimeService } from '../staff/lead-times.ts';
import type { WorklistService } from '../staff/worklist.ts';
import { staffAuthRoutes } from './staff-auth.ts';
import { staffPages } from './staff-pages.ts';
import { workPages } from './work-pages.ts';
import { browserErrorPage } from './browser-errors.ts';
import type { PartnerService } from '../partner/service.ts';
import { PartnerLinks } from './partner-login.ts';
import { partnerPages } from './partner-pages.ts';
import type { OnboardingService } from '../onboarding/service.ts';
import { joinPages } from './join-pages.ts';
import type { PreferenceService } from '../notices/preference-service.ts';
import { unsubscribePages } from './preference-pages.ts';

export interface WebDeps {
  /** Joining the network (src/onboarding): the join page /join/{token}. */
  onboarding?: OnboardingService;
  config: Config;
  logger: Logger;
  database: Database;
  network: NetworkService;
  ops: OpsService;
  verifier: CachedTokenVerifier;
  citizens: CitizenService;
  authenticator: CitizenAuthenticator;
  /** Outbound webhooks (src/delivery): dead letters and disabled subscriptions on /ops. */
  deliveryOps?: DeliveryOpsVerbs;
  /** Agreement versions (src/agreements): the members yet to re-accept, on /ops. */
  agreements?: AgreementService;
  /** Subcontractors without a case system (src/partner): the partner page /partner. */
  partner: PartnerService;
  /** The customer's notice preferences (src/notices): /notifications and the one-click /unsubscribe/{token}. */
  preferences: PreferenceService;
  /** The staff channel (src/staff): staff sign-on and the pages /kcc, /work, /work/analytics. */
  staff: { authenticator: StaffAuthenticator; kcc: KccService; worklist: WorklistService; leadTimes: LeadTimeService };
}

/** The page paths; middleware is bound to these only, never to the API under the same app. */
export const PAGE_PATHS = [
  '/',
  '/cases/*',
  '/access-log',
  '/mandates',
  '/mandates/*',
  '/on-behalf/*',
  '/groups',
  '/groups/*',
  '/notifications',
  '/notifications/*',
  '/unsubscribe/*',
  '/auth/*',
  '/ops',
  '/ops/*',
  '/staff',
  '/work',
  '/work/*',
  '/kcc',
  '/kcc/*',
  '/partner',
  '/partner/*',
  '/join/*',
];

export function webRoutes(deps: WebDeps) {
  const { config, logger } = deps;
  const publicBaseUrl = config.publicBaseUrl;
  const publicOrigin = new URL(publicBaseUrl).origin;
  const secure = publicBaseUrl.startsWith('https:');
  if (config.web.sessionSecretGenerated) {
    logger.info('SESSION_SECRET is not set: page sessions are signed with a random secret and end at a restart (demo only)');
  }
  const sessions = new SessionStore({ db: deps.database.db, secret: config.web.sessionSecret, secure });
  const login = new CitizenLogin({
    issuer: () => deps.authenticator.issuer(),
    clientId: config.web.login.clientId,
    clientSecret: config.web.login.clientSecret,
    scope: config.web.login.scope,
    resource: config.web.login.resource,
    redirectUri: `${publicBaseUrl}/auth/callback`,
  });
  const owner = deps.network.self.name;
  // The staff pages sign on like the citizen page, as another client of another provider.
  const staffLogin = new CitizenLogin({
    issuer: () => deps.staff.authenticator.issuer(),
    clientId: config.staff.login.clientId,
    clientSecret: config.staff.login.clientSecret,
    scope: config.staff.login.scope,
    resource: config.staff.login.resource,
    redirectUri: `${publicBaseUrl}/auth/staff/callback`,
  });
  const staffAuth = { sessions, authenticator: deps.staff.authenticator };

  const web = new Hono<WebEnv>();
  const lang = language({ secure });
  const seen = new WeakSet<Request>();
  // '/x/*' also matches '/x' in Hono: run the language step once per request whatever matched.
  const once: MiddlewareHandler<WebEnv> = async (c, next) => {
    if (seen.has(c.req.raw)) return next();
    seen.add(c.req.raw);
    return lang(c, next);
  };
  for (const path of PAGE_PATHS) web.use(path, once);

  web.get(STYLESHEET_PATH, (c) =>
    c.body(STYLESHEET, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=31536000, immutable' }),
  );
  web.route('/', authRoutes({ login, authenticator: deps.authenticator, sessions, publicBaseUrl, publicOrigin, logger }));
  web.route(
    '/',
    citizenPages({
      citizens: deps.citizens,
      authenticator: deps.authenticator,
      login,
      sessions,
      publicOrigin,
      demo: config.demo,
      owner,
      preferences: deps.preferences,
    }),
  );
  web.route('/', unsubscribePages({ preferences: deps.preferences, demo: config.demo, owner }));
  web.route('/', staffAuthRoutes({ ...staffAuth, login: staffLogin, publicBaseUrl, publicOrigin, logger }));
  const staffPage = { demo: config.demo, owner };
  web.route('/', staffPages({ ...staffAuth, ...staffPage, kcc: deps.staff.kcc, publicOrigin, loginConfigured: () => staffLogin.configured() }));
  web.route('/', workPages({ ...staffAuth, ...staffPage, worklist: deps.staff.worklist, leadTimes: deps.staff.leadTimes }));
  // The partner page: a one-time link by mail, or PARTNER_OIDC_ISSUER (the same code + PKCE client, another provider).
  const partnerLogin = new CitizenLogin({
    issuer: () => config.partnerLogin.issuer,
    clientId: config.partnerLogin.clientId,
    clientSecret: config.partnerLogin.clientSecret,
    scope: 'openid email',
    resource: undefined,
    redirectUri: `${publicBaseUrl}/auth/partner/callback`,
  });
  const links = new PartnerLinks({ database: deps.database, network: deps.network, secret: config.web.sessionSecret, baseUrl: publicBaseUrl, logger });
  web.route(
    '/',
    partnerPages({
      partner: deps.partner,
      links,
      sessions,
      login: partnerLogin,
      linkOn: config.mail.smtpUrl !== undefined,
      secret: config.web.sessionSecret,
      secure,
      publicBaseUrl,
      publicOrigin,
      demo: config.demo,
      owner,
      logger,
    }),
  );
  if (deps.onboarding) web.route('/', joinPages({ onboarding: deps.onboarding, publicOrigin, demo: config.demo, owner }));
  web.route(
    '/',
    opsPages({
      staffAuth: deps.staff.authenticator,
      staffLoginConfigured: () => staffLogin.configured(),
      network: deps.network,
      ops: deps.ops,
      verifier: deps.verifier,
      sessions,
      publicOrigin,
      demo: config.demo,
      panels: [
        ...(deps.deliveryOps ? [deliveryPanel(deps.deliveryOps, publicOrigin)] : []),
        ...(deps.agreements ? [agreementsPanel(deps.agreements, deps.network)] : []),
        ...(deps.onboarding ? [onboardingPanel(deps.onboarding)] : []),
      ],
    }),
  );

  web.onError((error, c) => {
    if (!c.get('lang')) c.set('lang', 'nl');
    const t = tOf(c);
    const extra = { demo: config.demo, owner };
    if (error instanceof LoginRequired) return c.redirect(error.to, 303);
    if (error instanceof PageError) return errorPage(c, error.status, t(error.key, error.params), { ...extra, headers: error.headers });
    if (error instanceof ServiceError) {
      const status = ({ not_found: 404, invalid: 400, unprocessable: 400, conflict: 400, forbidden: 403, unavailable: 503 } as const)[error.kind];
      return browserErrorPage(c, status, extra);
    }
    logger.error({ err: error, request_id: c.get('requestId') }, 'page failed');
    return browserErrorPage(c, 500, extra);
  });
  return web;
}
