// Composition root: config → logger → db → migrate → network → app → serve → workers.
// main.ts adds signals; tests start whole gateways through this too.
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Server } from 'node:http';
import { admission, isProbe } from './http/admission.ts';
import { type AppDeps, createApp } from './app.ts';
import { placementHandler, SHARE_CITIZEN_JOB } from './cases/placement.ts';
import { CaseService, PLACE_ORDER_JOB } from './cases/service.ts';
import { SYNC_ORDER_JOB } from './cases/sync-job.ts';
import { PartnerService } from './partner/service.ts';
import { AgreementService } from './agreements/service.ts';
import { OnboardingService } from './onboarding/service.ts';
import { ReceiptKeys } from './agreements/signing-key.ts';
import { shareCitizenHandler } from './cases/share-citizen.ts';
import { OutboundClients } from './outbound/index.ts';
import { Breakers } from './outbound/breaker.ts';
import { StatusTypeCache } from './sync/catalog.ts';
import { IntakeService } from './sync/intake.ts';
import { NotificationAuthenticator } from './sync/notification-auth.ts';
import { ReconcilePoller } from './sync/poller.ts';
import { AccessLogRetention } from './access-log/access-log.ts';
import { CitizenAuthenticator } from './citizen/auth.ts';
import { StaffAuthenticator } from './http/staff-auth.ts';
import { CitizenService } from './citizen/service.ts';
import { syncHandler } from './sync/requery.ts';
import type { Config } from './config.ts';
import { openDatabase, type Database } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { createDelivery, type Delivery } from './delivery/index.ts';
import { JobQueue } from './jobs/queue.ts';
import { Worker } from './jobs/worker.ts';
import type { Logger } from './log.ts';
import { createMetrics } from './metrics.ts';
import { createMail, MAIL_SEND_JOB, type Mail, purgeMail } from './mail/index.ts';
import { Periodic } from './lib/periodic.ts';
import { purgeNotices } from './notices/retention.ts';
import { NoticeService } from './notices/notice-service.ts';
import { loadNetworkFile } from './network/load.ts';
import { NetworkService } from './network/service.ts';
import { smsAvailable } from './notices/outbound.ts';
import { PreferenceService } from './notices/preference-service.ts';
import type { NetworkDefinition } from './network/types.ts';
import { GeneratedAuths } from './subscriptions/auths.ts';
import { isSubscriptionGroup, NRC_SUBSCRIPTION_JOB, reconcileAfterWrite, SubscriptionManager } from './subscriptions/manager.ts';

export interface GatewayOptions {
  config: Config;
  logger: Logger;
  env: Record<string, string | undefined>;
  /** A network given directly (tests); otherwise NETWORK_FILE, otherwise the demo's. */
  network?: NetworkDefinition;
  /** Used when config.networkFile is unset (the demo supplies one with its simulators). */
  defaultNetwork?: () => Promise<NetworkDefinition> | NetworkDefinition;
  /** Reuse an open database (tests); the gateway then does not close it. */
  database?: Database;
  listen?: boolean;
  /** Pages the demo adds (/_demo/mail); never outside the demo. */
  demoRoutes?: AppDeps['demoRoutes'];
  /** The notice planner's clock (tests fix it to try the SMS quiet hours). */
  now?: () => Date;
}

export interface Gateway {
  url: string;
  app: ReturnType<typeof createApp>;
  database: Database;
  network: NetworkService;
  worker: Worker;
  delivery: Delivery;
  poller: ReconcilePoller;
  mail: Mail;
  /** Subcontractors without a case system (src/partner): assignments, messages, mailed replies. */
  partner: PartnerService;
  /** Notices to customers by e-mail and SMS (src/notices). */
  notices: NoticeService;
  /** Agreement versions, acceptances and their signed receipts (src/agreements). */
  agreements: AgreementService;
  close(): Promise<void>;
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { config, logger, env } = options;
  const definition = options.network ?? (config.networkFile ? loadNetworkFile(config.networkFile) : await demoNetwork(options, logger));

  const database = options.database ?? (await openDatabase(config.databaseUrl, { maxConnections: config.database.poolSize }));
  let migrated = false;
  try {
    const applied = await migrateToLatest(database.db);
    migrated = true;
    // Migrations may take long on a big database; requests and jobs get a deadline from here on.
    database.setQueryTimeout(config.database.queryTimeoutMs);
    logger.info({ engine: database.engine, applied }, 'database ready');
  } catch (error) {
    if (!options.database) await database.close();
    throw error;
  }

  const metrics = createMetrics();
  const network = new NetworkService({ database, definition, env, logger, onOrganisationWrite: reconcileAfterWrite });
  await network.start();
  const nrcAuths = new GeneratedAuths({ database, logger });
  await nrcAuths.start();
  const subscriptions = new SubscriptionManager({
    database,
    logger,
    auths: nrcAuths,
    secret: (ref) => network.secret(ref),
    timeoutMs: config.outbound.timeoutMs,
    callbackUrl: config.publicBaseUrlSet ? `${config.publicBaseUrl}/api/v1/notificaties` : undefined,
  });
  const jobs = new JobQueue(database.db);
  const partner = new PartnerService({ database, network, logger, baseUrl: config.publicBaseUrl, replyDomain: config.mail.replyDomain });
  // The receipts' signing key: configured, or generated once and shared by every process through the database.
  const receiptKeys = new ReceiptKeys({
    database,
    logger,
    secret: config.web.sessionSecret,
    secretGenerated: config.web.sessionSecretGenerated,
    configured: config.receiptSigningKey,
  });
  await receiptKeys.start();
  const agreements = new AgreementService({ database, network, keys: receiptKeys, issuer: config.publicBaseUrl });
  const cases = new CaseService({ database, network, baseUrl: config.publicBaseUrl, onAssignment: partner.assignmentPlaced });
  const breakers = new Breakers({ threshold: config.sync.breakerThreshold, openMs: config.sync.breakerOpenMs });
  const intake = new IntakeService({ database, debounceMs: config.syncDebounceMs, metrics });
  const notificationAuth = new NotificationAuthenticator(network, config.jwt, nrcAuths);
  const outbound = new OutboundClients({ network, logger, timeoutMs: config.outbound.timeoutMs });
  // Joining (src/onboarding): an invited member becomes active only with the agreement accepted and its connection tested.
  const onboarding = new OnboardingService({
    database,
    network,
    agreements,
    outbound,
    secret: config.web.sessionSecret,
    baseUrl: config.publicBaseUrl,
    mailOn: config.mail.smtpUrl !== undefined,
    allowPrivate: config.outbound.allowPrivate,
    ...config.onboarding,
  });
  network.addActivationCheck(onboarding.activationCheck);
  network.addActivationHook(onboarding.onActivation);
  const preferences = new PreferenceService({
    database,
    secret: config.web.sessionSecret,
    smsAvailable: () => smsAvailable(config.notices.transport),
  });
  const citizen = new CitizenService({
    database,
    network,
    breakers,
    maxConfidentiality: config.citizen.maxConfidentiality,
    mandateLimit: config.citizen.mandateLimit,
    unloggedReads: config.benchmarkNoAccessLog,
  });
  if (config.benchmarkNoAccessLog)
    logger.warn('BENCHMARK_NO_ACCESS_LOG is set: citizen reads write no access-log row; for benchmarks only, never in production');
  if (!config.citizen.issuer) logger.warn('CITIZEN_OIDC_ISSUER is not set: citizen login is off; /api/v1/me answers 503 (citizen-login-not-configured)');
  // The issuer is read at first use: in the demo the identity provider sets it after start-up.
  const citizenAuth = new CitizenAuthenticator({ ...config.citizen, issuer: () => config.citizen.issuer, companyIssuer: () => config.citizen.companyIssuer });
  // Read at first use, like the citizen's: in the demo the identity provider sets it after start-up.
  const staffAuth = new StaffAuthenticator({ ...config.staff, issuer: () => config.staff.issuer });
  const delivery = createDelivery({ config, database, network, logger, metrics });
  const app = createApp({
    config,
    logger,
    metrics,
    database,
    network,
    jobs,
    cases,
    partner,
    agreements,
    onboarding,
    intake,
    notificationAuth,
    breakers,
    citizen,
    citizenAuth,
    preferences,
    staffAuth,
    delivery,
    subscriptions,
    isMigrated: () => migrated,
    demoRoutes: options.demoRoutes,
  });

  const statustypes = new StatusTypeCache();
  // Features that take e-mail replies register with mail.inbound.register (docs/mail.md).
  const mail = createMail({ config: config.mail, database, logger, metrics });
  mail.inbound.register(partner.replyHandler());
  const notices = new NoticeService({
    database,
    logger,
    metrics,
    config: config.notices,
    publicBaseUrl: config.publicBaseUrl,
    secret: config.web.sessionSecret,
    timeoutMs: config.outbound.timeoutMs,
    now: options.now,
  });
  const worker = new Worker({
    database,
    logger,
    metrics,
    handlers: {
      [PLACE_ORDER_JOB]: placementHandler({ database, network, outbound, logger, giveUpMs: config.placementGiveUpMs }),
      [SHARE_CITIZEN_JOB]: shareCitizenHandler({ database, network, outbound }),
      [SYNC_ORDER_JOB]: syncHandler({ database, network, outbound, logger, statustypes, breakers }),
      [NRC_SUBSCRIPTION_JOB]: subscriptions.handler(),
      [MAIL_SEND_JOB]: mail.sendHandler,
      ...notices.handlers(),
    },
    groupConcurrency: (group) => (isSubscriptionGroup(group) ? 1 : (network.zakenOrganisation(group)?.maxConcurrency ?? 4)),
    concurrency: config.worker.concurrency,
    pollIntervalMs: config.worker.pollIntervalMs,
    leaseMs: config.worker.leaseMs,
  });
  await worker.start();
  await delivery.start();
  const poller = new ReconcilePoller({ database, network, logger, tickMs: config.sync.pollTickMs });
  poller.start();
  const retention = new AccessLogRetention({
    db: database.db,
    retentionDays: config.accessLogRetentionDays,
    onError: (error) => logger.warn({ err: (error as Error).message }, 'access log retention purge failed; will retry'),
  });
  retention.start();
  const messageRetention = new Periodic(
    async (now) => {
      const before = new Date(now.getTime() - config.messageRetentionDays * 86_400_000);
      return { mails: await purgeMail(database.db, before), notices: await purgeNotices(database.db, before) };
    },
    { intervalMs: 3_600_000, onError: (error) => logger.warn({ err: (error as Error).message }, 'message retention purge failed; will retry') },
  );
  messageRetention.start();
  await mail.start();

  let server: ServerType | undefined;
  let url = config.publicBaseUrl;
  if (options.listen !== false) {
    server = await new Promise<ServerType>((resolve) => {
      // Admission control in front of the framework: under overload a refusal costs microseconds.
      const limiter = admission({ ...config.admission, exempt: isProbe, logger, onReject: () => metrics.httpRejected.inc() });
      const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host, createServer: limiter.createServer }, () => resolve(s));
    });
    const address = server.address() as AddressInfo;
    url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address === '0.0.0.0' ? '127.0.0.1' : address.address}:${address.port}`;
    logger.info({ url, public_base_url: config.publicBaseUrl }, 'gateway listening');
  }
  // Once the callback can answer: the NRC tests it before it accepts an abonnement.
  await subscriptions.start();

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      // One budget for everything: requests, jobs and deliveries wind down side by side.
      const deadline = Date.now() + config.shutdownTimeoutMs;
      const left = () => Math.max(0, deadline - Date.now());
      await Promise.all([
        server ? closeServer(server as Server, left()) : undefined,
        poller.stop(),
        retention.stop(),
        messageRetention.stop(),
        worker.stop(left()),
        delivery.stop(left()),
        mail.close(left()),
      ]);
      await Promise.all([outbound.close(1000), subscriptions.close(), nrcAuths.stop()]);
      await network.stop();
      if (!options.database) await database.close();
    })());
  return { url, app, database, network, worker, delivery, poller, mail, partner, notices, agreements, close };
}

async function demoNetwork(options: GatewayOptions, logger: Logger): Promise<NetworkDefinition> {
  if (!options.defaultNetwork) throw new Error('no NETWORK_FILE and no default network');
  logger.warn('NETWORK_FILE is not set: using the bundled demo network (demo secrets, simulated subcontractors); do not use in production');
  return options.defaultNetwork();
}

/** Stop accepting, let in-flight requests finish, then cut what is left after the timeout. */
async function closeServer(server: Server, timeoutMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
  await closed;
  clearTimeout(timer);
}
