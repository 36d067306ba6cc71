// The only place that reads process.env. Everything else receives a Config.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);
// DigiD's assurance levels, lowest first (basis, midden, substantieel, hoog).
const DIGID_ACR_ORDER = ['PasswordProtectedTransport', 'MobileTwoFactorContract', 'Smartcard', 'SmartcardPKI']
  .map((c) => `urn:oasis:names:tc:SAML:2.0:ac:classes:${c}`)
  .join(',');
const DOMAIN_NAME = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const NOTIFY_API_KEY_FORMAT = new RegExp(`^.+-${UUID}-${UUID}$`, 'i');
const templateId = z.string().regex(new RegExp(`^${UUID}$`, 'i'), 'must be a template id (UUID)');
// A template per language; a language without one is sent with the Dutch template.
const templatesPerLanguage = z.strictObject({ nl: templateId, en: templateId.optional(), sv: templateId.optional(), fi: templateId.optional() });
const notifyTemplates = z.strictObject({
  'case-notice': z.strictObject({ email: templatesPerLanguage, sms: templatesPerLanguage }),
  'verification-code': z.strictObject({ email: templatesPerLanguage, sms: templatesPerLanguage }),
});
export type NotifyTemplates = z.infer<typeof notifyTemplates>;
const MAIL_FROM_FORMAT = /^(?:[^<>\r\n]*<[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+)$/;

const envSchema = z.object({
  PORT: int(8080, 0),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z.string().min(1).default('./data'),
  NETWORK_FILE: z.string().optional(),
  PUBLIC_BASE_URL: z.string().url().optional(),
  JWT_MAX_AGE_SECONDS: int(3600, 1),
  JWT_LEEWAY_SECONDS: int(60, 0),
  BODY_LIMIT: int(65536, 1024),
  SYNC_DEBOUNCE_MS: int(500, 0),
  OUTBOUND_ALLOW_PRIVATE: bool.optional(),
  OUTBOUND_TIMEOUT_MS: int(10_000, 100),
  SYNC_BREAKER_THRESHOLD: int(5, 1),
  SYNC_BREAKER_OPEN_SECONDS: z.coerce.number().positive().default(30),
  SYNC_POLL_TICK_MS: int(1000, 10),
  PLACEMENT_GIVE_UP_HOURS: z.coerce.number().positive().default(24),
  // Any case (INFO, Info): people write levels as their other tools print them.
  LOG_LEVEL: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']))
    .default('info'),
  // auto: readable lines (pino-pretty) when stdout is a terminal, JSON lines otherwise.
  LOG_FORMAT: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['auto', 'pretty', 'json']))
    .default('auto'),
  SHUTDOWN_TIMEOUT_SECONDS: int(10, 0),
  WORKER_CONCURRENCY: int(8, 1),
  JOB_POLL_INTERVAL_MS: int(250, 10),
  JOB_LEASE_SECONDS: z.coerce.number().positive().default(60),
  // Database and overload protection (bench/README.md, the reliability suite).
  DATABASE_POOL_SIZE: int(10, 1),
  DATABASE_QUERY_TIMEOUT_MS: int(4000, 0),
  ADMISSION_MAX_IN_FLIGHT: int(128, 0),
  ADMISSION_QUEUE: int(256, 0),
  ADMISSION_QUEUE_TIMEOUT_MS: int(50, 0),
  // Benchmarks only (bench B5's baseline): citizen reads write no access-log row. Breaks a data rule.
  BENCHMARK_NO_ACCESS_LOG: bool.optional(),
  DEMO: bool.optional(),
  CITIZEN_OIDC_ISSUER: z.string().url().optional(),
  CITIZEN_OIDC_AUDIENCE: z.string().default('ketenstatus'),
  CITIZEN_BSN_CLAIM: z.string().default('bsn'),
  // Company representatives (eHerkenning): a token with a KvK number and no BSN acts for that company.
  COMPANY_OIDC_ISSUER: z.string().url().optional(),
  CITIZEN_KVK_CLAIM: z.string().default('kvk'),
  CITIZEN_VESTIGING_CLAIM: z.string().default('vestiging'),
  CITIZEN_COMPANY_NAME_CLAIM: z.string().default('company_name'),
  CITIZEN_MAX_CONFIDENTIALITY: z
    .enum(['openbaar', 'beperkt_openbaar', 'intern', 'zaakvertrouwelijk', 'vertrouwelijk', 'confidentieel', 'geheim', 'zeer_geheim'])
    .default('zaakvertrouwelijk'),
  CITIZEN_MIN_ACR: z.string().min(1).optional(),
  CITIZEN_ACR_ORDER: z.string().default(DIGID_ACR_ORDER),
  CITIZEN_MANDATE_LIMIT: int(50, 1),
  ACCESS_LOG_RETENTION_DAYS: int(400, 1),
  // Mails and notices hold addresses: done ones (sent, dead, cancelled) are deleted after this.
  MESSAGE_RETENTION_DAYS: int(90, 1),
  // Outbound webhooks to portals and notify services (src/delivery).
  DELIVERY_CONCURRENCY: int(64, 1),
  DELIVERY_SUBSCRIPTION_CONCURRENCY: int(4, 1),
  DELIVERY_TIMEOUT_MS: int(10_000, 100),
  DELIVERY_RETRY_BASE_SECONDS: z.coerce.number().positive().default(25),
  WEBHOOK_ALLOW_HTTP_HOSTS: z.string().optional(),
  // The HTML pages (citizen page `/`, operator dashboard `/ops`).
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  // The key receipts of accepted agreements are signed with (src/agreements): a P-256 private key as
  // PKCS#8 PEM or JWK. Unset: one is generated at the first start and kept, sealed, in the database.
  RECEIPT_SIGNING_KEY: z.string().min(1).optional(),
  CITIZEN_OIDC_CLIENT_ID: z.string().min(1).optional(),
  CITIZEN_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  CITIZEN_OIDC_SCOPE: z.string().min(1).default('openid'),
  CITIZEN_OIDC_RESOURCE: z.string().url().optional(),
  // Staff sign-on (docs/staff.md): operators, caseworkers and the contact centre (KCC).
  STAFF_OIDC_ISSUER: z.string().url().optional(),
  STAFF_OIDC_AUDIENCE: z.string().min(1).default('ketenstatus-staff'),
  STAFF_OIDC_CLIENT_ID: z.string().min(1).optional(),
  STAFF_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  STAFF_OIDC_SCOPE: z.string().min(1).default('openid profile'),
  STAFF_OIDC_RESOURCE: z.string().url().optional(),
  STAFF_ROLES_CLAIM: z.string().min(1).default('roles'),
  STAFF_ROLE_MAP: z.string().optional(),
  // The partner page (/partner): sign-in through an OIDC provider besides the mailed one-time link.
  PARTNER_OIDC_ISSUER: z.string().url().optional(),
  PARTNER_OIDC_CLIENT_ID: z.string().min(1).optional(),
  PARTNER_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  // Mail (src/mail, docs/mail.md): SMTP out from the outbox; the listener for replies.
  SMTP_URL: z
    .string()
    .url()
    .refine((v) => /^smtps?:\/\//i.test(v), 'must be an smtp:// or smtps:// URL')
    .optional(),
  MAIL_FROM: z.string().trim().regex(MAIL_FROM_FORMAT, 'must be an address, or "Name <address>"').optional(),
  MAIL_REPLY_DOMAIN: z.string().trim().toLowerCase().regex(DOMAIN_NAME, 'must be a domain name, such as reply.example.org').optional(),
  SMTP_INBOUND_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  SMTP_INBOUND_HOST: z.string().default('127.0.0.1'),
  MAIL_MAX_BYTES: int(10 * 1024 * 1024, 1024),
  // Joining (src/onboarding, docs/onboarding.md): accepted and tested → active without the operator;
  // how long a connection test waits for the member's test notification (the test answers within 60 s).
  ONBOARDING_AUTO_ACTIVATE: bool.optional(),
  ONBOARDING_TEST_WINDOW_SECONDS: z.coerce.number().int().min(1).max(45).default(30),
  // Notices to customers (src/notices, docs/notices.md): e-mail over SMTP, or e-mail and SMS through a Notify API.
  NOTICE_TRANSPORT: z.enum(['smtp', 'notify']).default('smtp'),
  NOTICE_FOLD_WINDOW_SECONDS: int(900, 0),
  NOTICE_RETRY_BASE_SECONDS: z.coerce.number().positive().default(25),
  NOTIFY_API_URL: z.string().url().optional(),
  NOTIFY_API_KEY: z.string().trim().regex(NOTIFY_API_KEY_FORMAT, 'must be {key_name}-{service_id}-{secret}, both UUIDs').optional(),
  NOTIFY_TEMPLATES: z.string().optional(),
});

export type Env = z.input<typeof envSchema>;
/** Every variable the gateway reads (docs/configuration.md documents each; a test keeps it so). */
export const ENV_NAMES = Object.keys(envSchema.shape) as (keyof Env)[];
export type Config = ReturnType<typeof parseConfig>;

export class ConfigError extends Error {}

export function parseConfig(env: Record<string, string | undefined>) {
  const parsed = envSchema.safeParse(stripEmpty(env));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid environment:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  if (
    e.CITIZEN_MIN_ACR &&
    !e.CITIZEN_ACR_ORDER.split(',')
      .map((v) => v.trim())
      .includes(e.CITIZEN_MIN_ACR)
  ) {
    throw new ConfigError('invalid environment:\n  CITIZEN_MIN_ACR: must be one of CITIZEN_ACR_ORDER');
  }
  if (e.SMTP_URL && !e.MAIL_FROM) throw new ConfigError('invalid environment:\n  MAIL_FROM: required when SMTP_URL is set (the sender of every mail)');
  if (e.SMTP_INBOUND_PORT !== undefined && !e.MAIL_REPLY_DOMAIN) {
    throw new ConfigError('invalid environment:\n  MAIL_REPLY_DOMAIN: required when SMTP_INBOUND_PORT is set (the domain of the reply addresses)');
  }
  if (e.PARTNER_OIDC_ISSUER && !e.PARTNER_OIDC_CLIENT_ID) {
    throw new ConfigError('invalid environment:\n  PARTNER_OIDC_CLIENT_ID: required when PARTNER_OIDC_ISSUER is set (the partner page as a client of it)');
  }
  const notify = e.NOTICE_TRANSPORT === 'notify' ? parseNotify(e.NOTIFY_API_URL, e.NOTIFY_API_KEY, e.NOTIFY_TEMPLATES) : undefined;
  const demo = e.DEMO ?? e.NETWORK_FILE === undefined;
  const staffRoleMap = parseStaffRoleMap(e.STAFF_ROLE_MAP);
  if (!demo && !e.SESSION_SECRET) {
    throw new ConfigError('invalid environment:\n  SESSION_SECRET: required outside the demo (at least 32 random characters; signs the page session cookies)');
  }
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    networkFile: e.NETWORK_FILE,
    publicBaseUrl: (e.PUBLIC_BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    /** Set explicitly: only then is it given to a Notificaties API as the callback (the default is a guess). */
    publicBaseUrlSet: e.PUBLIC_BASE_URL !== undefined,
    jwt: { maxAgeSeconds: e.JWT_MAX_AGE_SECONDS, leewaySeconds: e.JWT_LEEWAY_SECONDS },
    bodyLimit: e.BODY_LIMIT,
    syncDebounceMs: e.SYNC_DEBOUNCE_MS,
    sync: { breakerThreshold: e.SYNC_BREAKER_THRESHOLD, breakerOpenMs: e.SYNC_BREAKER_OPEN_SECONDS * 1000, pollTickMs: e.SYNC_POLL_TICK_MS },
    placementGiveUpMs: e.PLACEMENT_GIVE_UP_HOURS * 3_600_000,
    outbound: { allowPrivate: e.OUTBOUND_ALLOW_PRIVATE ?? demo, timeoutMs: e.OUTBOUND_TIMEOUT_MS },
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_SECONDS * 1000,
    worker: { concurrency: e.WORKER_CONCURRENCY, pollIntervalMs: e.JOB_POLL_INTERVAL_MS, leaseMs: e.JOB_LEASE_SECONDS * 1000 },
    database: { poolSize: e.DATABASE_POOL_SIZE, queryTimeoutMs: e.DATABASE_QUERY_TIMEOUT_MS },
    admission: { maxInFlight: e.ADMISSION_MAX_IN_FLIGHT, maxQueue: e.ADMISSION_QUEUE, queueTimeoutMs: e.ADMISSION_QUEUE_TIMEOUT_MS },
    benchmarkNoAccessLog: e.BENCHMARK_NO_ACCESS_LOG ?? false,
    demo,
    citizen: {
      issuer: e.CITIZEN_OIDC_ISSUER,
      audience: e.CITIZEN_OIDC_AUDIENCE,
      bsnClaim: e.CITIZEN_BSN_CLAIM,
      companyIssuer: e.COMPANY_OIDC_ISSUER,
      kvkClaim: e.CITIZEN_KVK_CLAIM,
      vestigingClaim: e.CITIZEN_VESTIGING_CLAIM,
      companyNameClaim: e.CITIZEN_COMPANY_NAME_CLAIM,
      maxConfidentiality: e.CITIZEN_MAX_CONFIDENTIALITY,
      minAcr: e.CITIZEN_MIN_ACR,
      acrOrder: e.CITIZEN_ACR_ORDER.split(',')
        .map((v) => v.trim())
        .filter(Boolean),
      mandateLimit: e.CITIZEN_MANDATE_LIMIT,
    },
    accessLogRetentionDays: e.ACCESS_LOG_RETENTION_DAYS,
    messageRetentionDays: e.MESSAGE_RETENTION_DAYS,
    receiptSigningKey: e.RECEIPT_SIGNING_KEY,
    delivery: {
      concurrency: e.DELIVERY_CONCURRENCY,
      perSubscription: Math.min(e.DELIVERY_SUBSCRIPTION_CONCURRENCY, e.DELIVERY_CONCURRENCY),
      timeoutMs: e.DELIVERY_TIMEOUT_MS,
      retryBaseMs: e.DELIVERY_RETRY_BASE_SECONDS * 1000,
      // Plain http only to these hosts (https everywhere else); the demo allows loopback.
      allowHttpHosts: (e.WEBHOOK_ALLOW_HTTP_HOSTS ?? (demo ? 'localhost,127.0.0.1,::1' : ''))
        .split(',')
        .map((h) =>
          h
            .trim()
            .toLowerCase()
            .replace(/^\[(.*)\]$/, '$1'),
        )
        .filter(Boolean),
    },
    web: {
      // In the demo a random secret per start (sessions end at a restart); main.ts says so in the log.
      sessionSecret: e.SESSION_SECRET ?? randomBytes(32).toString('base64url'),
      sessionSecretGenerated: e.SESSION_SECRET === undefined,
      /** The gateway's own page as an OIDC client of CITIZEN_OIDC_ISSUER (authorization code + PKCE). */
      login: {
        clientId: e.CITIZEN_OIDC_CLIENT_ID,
        clientSecret: e.CITIZEN_OIDC_CLIENT_SECRET,
        scope: e.CITIZEN_OIDC_SCOPE,
        resource: e.CITIZEN_OIDC_RESOURCE,
      },
    },
    staff: {
      /** Unset: staff sign-on is off (the API takes ZGW JWTs only; /ops keeps the pasted token in the demo). */
      issuer: e.STAFF_OIDC_ISSUER,
      audience: e.STAFF_OIDC_AUDIENCE,
      rolesClaim: e.STAFF_ROLES_CLAIM,
      roleMap: staffRoleMap,
      /** The staff pages (/ops, /work, /kcc) as an OIDC client of STAFF_OIDC_ISSUER; redirect URI $PUBLIC_BASE_URL/auth/staff/callback. */
      login: { clientId: e.STAFF_OIDC_CLIENT_ID, clientSecret: e.STAFF_OIDC_CLIENT_SECRET, scope: e.STAFF_OIDC_SCOPE, resource: e.STAFF_OIDC_RESOURCE },
    },
    /** The partner page's sign-in through PARTNER_OIDC_ISSUER (code + PKCE; redirect URI $PUBLIC_BASE_URL/auth/partner/callback); unset: the mailed link only. */
    partnerLogin: { issuer: e.PARTNER_OIDC_ISSUER, clientId: e.PARTNER_OIDC_CLIENT_ID, clientSecret: e.PARTNER_OIDC_CLIENT_SECRET },
    onboarding: { autoActivate: e.ONBOARDING_AUTO_ACTIVATE ?? false, testWindowSeconds: e.ONBOARDING_TEST_WINDOW_SECONDS },
    mail: {
      /** Unset: mail is off; the outbox keeps every mail, marked `unconfigured`. Holds credentials: never log it. */
      smtpUrl: e.SMTP_URL,
      from: e.MAIL_FROM,
      replyDomain: e.MAIL_REPLY_DOMAIN,
      /** The reply listener, only when SMTP_INBOUND_PORT is set (0: any free port). */
      inbound: e.SMTP_INBOUND_PORT === undefined ? undefined : { host: e.SMTP_INBOUND_HOST, port: e.SMTP_INBOUND_PORT, maxBytes: e.MAIL_MAX_BYTES },
    },
    notices: {
      transport: e.NOTICE_TRANSPORT,
      /** More notices about a case within this window of its last message are folded into one, sent when the window ends. */
      foldWindowMs: e.NOTICE_FOLD_WINDOW_SECONDS * 1000,
      retryBaseMs: e.NOTICE_RETRY_BASE_SECONDS * 1000,
      /** Set when NOTICE_TRANSPORT=notify. The API key holds a secret: never log it. */
      notify,
    },
  };
}

function parseNotify(apiUrl: string | undefined, apiKey: string | undefined, templates: string | undefined) {
  const missing = [!apiUrl && 'NOTIFY_API_URL', !apiKey && 'NOTIFY_API_KEY', !templates && 'NOTIFY_TEMPLATES'].filter(Boolean);
  if (missing.length > 0) throw new ConfigError(`invalid environment:\n  ${missing.join(', ')}: required when NOTICE_TRANSPORT=notify`);
  let json: unknown;
  try {
    json = JSON.parse(templates as string);
  } catch {
    throw new ConfigError('invalid environment:\n  NOTIFY_TEMPLATES: not JSON');
  }
  const parsed = notifyTemplates.safeParse(json);
  if (!parsed.success) {
    throw new ConfigError(`invalid environment:\n  ${parsed.error.issues.map((i) => `NOTIFY_TEMPLATES.${i.path.join('.')}: ${i.message}`).join('\n  ')}`);
  }
  return { apiUrl: (apiUrl as string).replace(/\/+$/, ''), apiKey: apiKey as string, templates: parsed.data };
}

/** STAFF_ROLE_MAP: `Provider name=role,…` with role one of STAFF_ROLES; anything else stops start-up. */
const STAFF_ROLES = ['operator', 'caseworker', 'kcc'] as const;
function parseStaffRoleMap(value: string | undefined): Record<string, (typeof STAFF_ROLES)[number]> {
  const map: Record<string, (typeof STAFF_ROLES)[number]> = {};
  for (const entry of (value ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const eq = entry.lastIndexOf('=');
    const name = entry.slice(0, eq).trim();
    const role = STAFF_ROLES.find((r) => r === entry.slice(eq + 1).trim());
    if (eq <= 0 || !name || !role) {
      throw new ConfigError(`invalid environment:\n  STAFF_ROLE_MAP: "${entry}" is not NAME=ROLE with ROLE one of ${STAFF_ROLES.join(', ')}`);
    }
    map[name] = role;
  }
  return map;
}

function stripEmpty(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}
