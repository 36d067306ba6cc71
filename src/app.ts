import { Hono } from 'hono';
import { bodyLimit } from './http/body-limit.ts';
import { methodNotAllowed } from 'hono/method-not-allowed';
import type { Config } from './config.ts';
import type { Database } from './db/database.ts';
import type { AppEnv } from './http/context.ts';
import { docsRoutes } from './http/docs.ts';
import { HttpProblem, problemResponse, type ProblemInit } from './http/problem.ts';
import { requestLog } from './http/request-log.ts';
import { CachedTokenVerifier, requireRoleOf, type RoleGuard } from './http/zgw-auth.ts';
import { StaffAuthenticator } from './http/staff-auth.ts';
import { KccService } from './staff/kcc.ts';
import { LeadTimeService } from './staff/lead-times.ts';
import { analyticsRoutes, kccRoutes, worklistRoutes } from './staff/routes.ts';
import { WorklistService } from './staff/worklist.ts';
import { ServiceError } from './lib/service-error.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import { organisationRoutes } from './network/routes.ts';
import { acceptanceRoutes, agreementRoutes, jwksRoutes } from './agreements/routes.ts';
import type { AgreementService } from './agreements/service.ts';
import { joinRoutes, onboardingOperatorRoutes } from './onboarding/routes.ts';
import type { OnboardingService } from './onboarding/service.ts';
import type { NetworkService } from './network/service.ts';
import type { JobQueue } from './jobs/queue.ts';
import { caseRoutes, orderRoutes } from './cases/routes.ts';
import type { CaseService } from './cases/service.ts';
import { orderMessageRoutes, partnerRoutes } from './partner/routes.ts';
import type { PartnerService } from './partner/service.ts';
import type { Breakers } from './outbound/breaker.ts';
import type { IntakeService } from './sync/intake.ts';
import { intakeRoutes } from './sync/intake-routes.ts';
import type { NotificationAuthenticator } from './sync/notification-auth.ts';
import { opsRoutes } from './ops/routes.ts';
import { OpsService } from './ops/service.ts';
import type { SubscriptionManager } from './subscriptions/manager.ts';
import type { WebEnv } from './web/context.ts';
import { webRoutes } from './web/index.ts';
import { browserErrorPage, prefersHtml } from './web/browser-errors.ts';
import type { Delivery } from './delivery/index.ts';
import { subscriptionRoutes } from './delivery/routes.ts';
import type { CitizenAuthenticator } from './citizen/auth.ts';
import { ConsumerService } from './citizen/consumer.ts';
import { consumerRoutes } from './citizen/consumer-routes.ts';
import { citizenRoutes, networkRoutes } from './citizen/routes.ts';
import { preferenceRoutes } from './notices/preference-routes.ts';
import type { PreferenceService } from './notices/preference-service.ts';
import type { CitizenService } from './citizen/service.ts';

export interface AppDeps {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  database: Database;
  network: NetworkService;
  jobs: JobQueue;
  cases: CaseService;
  /** Portal organisations' assignments and the messages about orders (src/partner). */
  partner: PartnerService;
  /** Agreement versions, acceptances and receipts (src/agreements). */
  agreements: AgreementService;
  /** Joining: invitations, the join journey, connection tests (src/onboarding). */
  onboarding?: OnboardingService;
  intake: IntakeService;
  notificationAuth: NotificationAuthenticator;
  breakers: Breakers;
  citizen: CitizenService;
  /** The customer's notice preferences and verification codes (src/notices). */
  preferences: PreferenceService;
  citizenAuth: CitizenAuthenticator;
  /** Staff sign-on (STAFF_OIDC_ISSUER): staff access tokens on the API beside ZGW JWTs, and the staff pages' login. */
  staffAuth?: StaffAuthenticator;
  delivery: Delivery;
  /** The gateway's abonnementen at organisations' Notificaties APIs (state for the operator). */
  subscriptions?: SubscriptionManager;
  /** True once migrations ran; readiness also needs the database to answer. */
  isMigrated: () => boolean;
  /** Pages the demo adds (/_demo/mail); never set outside the demo. */
  demoRoutes?: Hono<WebEnv>;
}

export function createApp(deps: AppDeps) {
  const { config, logger, metrics, network } = deps;
  const verifier = new CachedTokenVerifier({
    secretFor: (clientId) => network.client(clientId)?.resolvedSecret,
    maxAgeSeconds: config.jwt.maxAgeSeconds,
    leewaySeconds: config.jwt.leewaySeconds,
  });
  // Staff access tokens are taken beside ZGW JWTs wherever a role is asked for.
  const staffAuth = deps.staffAuth ?? new StaffAuthenticator({ ...config.staff });
  const guard: RoleGuard = (...roles) => requireRoleOf({ verifier, clientOf: (id) => network.apiClient(id), staff: staffAuth }, ...roles);

  const app = new Hono<AppEnv>();
  app.use(requestLog(logger, metrics));
  app.use(
    methodNotAllowed({
      app,
      onMethodNotAllowed: (c, methods) =>
        problemResponse({ status: 405, detail: `Use ${methods.join(', ')}.`, headers: { Allow: methods.join(', ') } }, c.req.path),
    }),
  );
  app.use(
    bodyLimit({
      maxSize: config.bodyLimit,
      onError: () => {
        throw new HttpProblem({ status: 413, detail: `The body is larger than ${config.bodyLimit} bytes.` });
      },
    }),
  );

  app.get('/health/live', (c) => c.json({ status: 'live' }));
  app.get('/health/ready', async (c) => {
    const database = await deps.database.ping(2000);
    const ready = database && deps.isMigrated();
    return c.json({ status: ready ? 'ready' : 'not-ready', checks: { database, migrations: deps.isMigrated() } }, ready ? 200 : 503);
  });
  app.get('/metrics', async (c) => {
    await deps.jobs.refreshMetrics(metrics).catch(() => undefined);
    return c.body(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType });
  });
  app.route('/', docsRoutes());
  // The staff channel (src/staff): the API below and the pages /kcc, /work, /work/analytics.
  const worklist = new WorklistService({ database: deps.database, network, baseUrl: config.publicBaseUrl });
  const leadTimes = new LeadTimeService({ database: deps.database, network });
  const kcc = new KccService({ database: deps.database, network, citizens: deps.citizen, baseUrl: config.publicBaseUrl });
  // Server-rendered pages (citizen page `/`, /auth, /ops, the staff pages): HTML errors; everything else problem+json.
  const ops = new OpsService({ database: deps.database, network, breakers: deps.breakers, jobs: deps.jobs, deliveries: deps.delivery.ops });
  app.route(
    '/',
    webRoutes({
      config,
      logger,
      database: deps.database,
      network,
      ops,
      verifier,
      citizens: deps.citizen,
      preferences: deps.preferences,
      authenticator: deps.citizenAuth,
      deliveryOps: deps.delivery.ops,
      agreements: deps.agreements,
      partner: deps.partner,
      onboarding: deps.onboarding,
      staff: { authenticator: staffAuth, kcc, worklist, leadTimes },
    }),
  );
  const subscriptions = deps.subscriptions;
  app.route(
    '/api/v1/organisations',
    organisationRoutes({ network, guard, subscription: subscriptions && ((org) => subscriptions.view(org)), agreementStates: () => deps.agreements.states() }),
  );
  app.route('/api/v1/organisations', acceptanceRoutes({ agreements: deps.agreements, guard, baseUrl: config.publicBaseUrl }));
  app.route('/api/v1/agreements', agreementRoutes({ agreements: deps.agreements, guard, baseUrl: config.publicBaseUrl }));
  app.route('/', jwksRoutes({ agreements: deps.agreements }));
  // The worklist answers GET /api/v1/cases?attention=true and hands the rest on.
  app.route('/api/v1/cases', worklistRoutes({ worklist, guard, baseUrl: config.publicBaseUrl }));
  app.route('/api/v1/kcc', kccRoutes({ kcc, guard }));
  app.route('/api/v1/analytics', analyticsRoutes({ leadTimes, guard }));
  app.route('/api/v1/cases', caseRoutes({ cases: deps.cases, guard, baseUrl: config.publicBaseUrl }));
  app.route('/api/v1/orders', orderRoutes({ cases: deps.cases, guard }));
  app.route('/api/v1/orders', orderMessageRoutes({ partner: deps.partner, guard }));
  app.route('/api/v1/partner', partnerRoutes({ partner: deps.partner, guard, baseUrl: config.publicBaseUrl }));
  app.route('/api/v1', intakeRoutes({ auth: deps.notificationAuth, intake: deps.intake, network, onPendingTest: deps.onboarding?.recordTestNotification }));
  if (deps.onboarding) {
    app.route('/api/v1/organisations', onboardingOperatorRoutes({ onboarding: deps.onboarding, guard, baseUrl: config.publicBaseUrl }));
    app.route('/api/v1/join', joinRoutes({ onboarding: deps.onboarding, baseUrl: config.publicBaseUrl }));
  }
  // Before /me: its own requireCitizen answers, so the /me app's does not verify the token twice.
  app.route('/api/v1/me/preferences', preferenceRoutes({ preferences: deps.preferences, auth: deps.citizenAuth, minAcr: config.citizen.minAcr }));
  app.route('/api/v1/me', citizenRoutes({ citizen: deps.citizen, auth: deps.citizenAuth, baseUrl: config.publicBaseUrl, minAcr: config.citizen.minAcr }));
  app.route('/api/v1/network', networkRoutes({ citizen: deps.citizen }));
  app.route('/api/v1/consumer', consumerRoutes({ consumer: new ConsumerService(deps.citizen), guard, baseUrl: config.publicBaseUrl }));
  app.route('/api/v1/subscriptions', subscriptionRoutes({ subscriptions: deps.delivery.subscriptions, guard, baseUrl: config.publicBaseUrl }));
  app.route('/api/v1/ops', opsRoutes({ ops, deliveries: deps.delivery.ops, guard, baseUrl: config.publicBaseUrl }));

  if (deps.demoRoutes) app.route('/', deps.demoRoutes);

  // A browser asking for a page or an unknown path gets an HTML error page; programs problem+json.
  const page = { demo: config.demo, owner: network.self.name };
  app.notFound((c) =>
    prefersHtml(c) ? browserErrorPage(c, 404, page) : problemResponse({ status: 404, detail: `No resource at ${c.req.path}.` }, c.req.path),
  );
  app.onError((error, c) => {
    const init = toProblem(error);
    // An HttpProblem is an answer chosen on purpose (the access line has its status): no error and
    // no stack per request (a /me without citizen login would log one each time). What went wrong
    // behind one, when it says so (cause), is worth a warning.
    if (error instanceof HttpProblem) {
      if (error.cause !== undefined) logger.warn({ cause: String(error.cause), status: init.status, request_id: c.get('requestId') }, error.message);
    } else if (init.status >= 500) logger.error({ err: error, request_id: c.get('requestId') }, 'unhandled error');
    if (prefersHtml(c)) return browserErrorPage(c, init.status, { ...page, headers: init.headers });
    return problemResponse(init, c.req.path);
  });
  return app;
}

export type App = ReturnType<typeof createApp>;

const SERVICE_STATUS: Record<ServiceError['kind'], number> = {
  not_found: 404,
  invalid: 400,
  unprocessable: 422,
  conflict: 409,
  forbidden: 403,
  unavailable: 503,
};

function toProblem(error: unknown): ProblemInit {
  if (error instanceof HttpProblem) return error.init;
  if (error instanceof ServiceError) {
    return {
      status: SERVICE_STATUS[error.kind],
      detail: error.message,
      invalidParams: error.invalidParams,
      headers: error.retryAfterSeconds ? { 'Retry-After': String(error.retryAfterSeconds) } : undefined,
    };
  }
  if (isDatabaseUnavailable(error)) return { status: 503, detail: 'The database is not reachable; try again shortly.', headers: { 'Retry-After': '5' } };
  // A value from the request that PostgreSQL cannot take (not a uuid, a NUL character, out of range):
  // the request is wrong, whatever route let it through.
  if (DATA_EXCEPTIONS.has((error as { code?: string })?.code ?? ''))
    return {
      status: 400,
      code: 'invalid-value',
      title: 'Invalid request',
      detail: 'The request contains a value that cannot be stored or compared (for example an id that is not a UUID).',
    };
  return { status: 500, detail: 'Something went wrong on our side; the request id identifies it in our logs.' };
}

// Driver and network codes (postgres.js, node), QUERY_TIMEOUT from src/db/postgres-client.ts, and
// PostgreSQL's connection exceptions (08xxx), shutdowns (57P0x) and too-many-connections (53300).
const DATABASE_UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'CONNECT_TIMEOUT',
  'QUERY_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);

// PostgreSQL data exceptions: string too long, out of range, invalid datetime, bad encoding or NUL, invalid text/JSON.
const DATA_EXCEPTIONS = new Set(['22001', '22003', '22007', '22008', '22021', '22P02', '22P05', '2202E', '22023', '22025', '22032']);

function isDatabaseUnavailable(error: unknown): boolean {
  const code = (error as { code?: string })?.code;
  return DATABASE_UNAVAILABLE.has(code ?? '');
}
