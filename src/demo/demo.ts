// `npm start` without NETWORK_FILE: three simulated subcontractors on loopback, the demo network
// (with a builder without a case system), a local OpenID Provider with test citizens (unless
// CITIZEN_OIDC_ISSUER is set), a local SMTP sink and reply listener (unless SMTP_URL /
// SMTP_INBOUND_PORT are set; caught mail at /_demo/mail) and a seeded case.
import type { Config } from '../config.ts';
import type { Gateway } from '../gateway.ts';
import type { Logger } from '../log.ts';
import type { NetworkDefinition } from '../network/types.ts';
import type { Simulator } from '../simulator/index.ts';
import { MailSink } from '../mail/sink.ts';
import type { WebEnv } from '../web/context.ts';
import type { Hono } from 'hono';
import { demoMailPage } from './mail-page.ts';
import {
  DEMO_CITIZENS,
  DEMO_PASSWORD,
  DEMO_STAFF,
  DEMO_RESOURCE,
  DEMO_SCOPE,
  DEMO_STAFF_CLIENT,
  DEMO_STAFF_RESOURCE,
  DEMO_STAFF_SCOPE,
  DEMO_WEB_CLIENT,
  startDemoIdp,
  type DemoIdp,
} from './idp.ts';
import { demoNetwork, DEMO_SECRETS, DEMO_SELF, type DemoSubcontractor } from './network.ts';
import { seedJoin } from './join.ts';
import { seedDemo } from './seed.ts';

/** Seconds between the simulators' automatic steps (each its own pace, so the parts interleave). */
const AUTO_ADVANCE_SECONDS = { 'hulpmiddelen-bv': 20, 'bouwbedrijf-de-steiger': 25, werkbedrijf: 30 } as const;

export interface Demo {
  network: () => NetworkDefinition;
  /** The gateway's configuration with the demo identity provider as citizen issuer and login client. */
  configure(config: Config): Config;
  /** Creates this run's demo case (see seed.ts) and says in the log how to log in. */
  seed(gateway: Pick<Gateway, 'app' | 'database' | 'mail' | 'network'>): Promise<void>;
  /** The demo's own pages for the gateway to serve: /_demo/mail. */
  routes: Hono<WebEnv>;
  close(): Promise<void>;
}

/** Where the demo's mail seems to come from, and the domain of its reply addresses (nothing leaves this machine). */
export const DEMO_MAIL = { from: 'Gemeente Voorbeeld <noreply@gemeente-voorbeeld.example>', replyDomain: 'reply.localhost' } as const;
/** The reply listener's port: PORT + 25 (8105 by default), beside the simulators and the identity provider. */
const INBOUND_OFFSET = 25;

export async function startDemo(config: Config, logger: Logger): Promise<Demo> {
  const { startSimulator, demoCatalogues } = await import('../simulator/index.ts');
  const notifyUrl = `http://127.0.0.1:${config.port}/api/v1/notificaties`;
  const specs = [
    { id: 'hulpmiddelen-bv', name: 'Hulpmiddelen B.V.', oin: '00000003012345678000', rsin: '012345672', offset: 1 },
    { id: 'bouwbedrijf-de-steiger', name: 'Bouwbedrijf De Steiger', oin: '00000003087654321000', rsin: '087654325', offset: 2 },
    // The employment service of the company scenario (offset 3 is the identity provider's port).
    { id: 'werkbedrijf', name: 'Werkbedrijf Regio Voorbeeld', oin: '00000003066666612000', rsin: '066666612', offset: 4 },
  ] as const;
  const simulators: Simulator[] = [];
  const subcontractors: DemoSubcontractor[] = [];
  for (const spec of specs) {
    const zaaktypen = demoCatalogues[spec.id];
    const sim = await startSimulator({
      name: spec.name,
      rsin: spec.rsin,
      host: '127.0.0.1',
      port: config.port === 0 ? 0 : config.port + spec.offset,
      clients: { [DEMO_SELF.id]: DEMO_SECRETS.outbound },
      zaaktypen,
      notifier: { callbackUrl: notifyUrl, clientId: spec.id, secret: DEMO_SECRETS.notify[spec.id] },
      autoAdvanceSeconds: AUTO_ADVANCE_SECONDS[spec.id],
    });
    simulators.push(sim);
    subcontractors.push({
      id: spec.id,
      name: spec.name,
      oin: spec.oin,
      rsin: spec.rsin,
      zakenApiRoot: sim.zakenApiRoot,
      products: zaaktypen.map((zt) => ({
        code: zt.key,
        name: { nl: zt.omschrijving, en: zt.omschrijvingEn ?? zt.omschrijving },
        zaaktype: sim.zaaktypeUrl(zt.key),
        initiatorRoltype: sim.roltypeUrl(zt.key, 'initiator'),
        // Statustypen flagged for the citizen's action; the rest follow the default mapping.
        phases: Object.fromEntries(
          zt.statustypen.filter((st) => /informatie nodig|proefrit/i.test(st.omschrijving)).map((st) => [st.omschrijving, 'actie_vereist' as const]),
        ),
      })),
    });
    logger.info({ organisation: spec.id, url: sim.url }, 'demo subcontractor simulator started');
  }
  let idp: DemoIdp | undefined;
  if (!config.citizen.issuer) {
    idp = await startDemoIdp({
      host: config.host,
      port: config.port === 0 ? 0 : config.port + 3,
      publicHost: new URL(config.publicBaseUrl).hostname,
      gatewayBaseUrl: config.publicBaseUrl,
      audience: config.citizen.audience,
      staffAudience: config.staff.audience,
      logger,
    });
    logger.info({ issuer: idp.issuer }, 'demo identity provider started (test citizens; never for production)');
  }
  // Mail stays on this machine: a local sink catches what the gateway sends, and the reply listener
  // takes answers to it (the form on /_demo/mail sends them over SMTP), unless configured otherwise.
  const sink = config.mail.smtpUrl ? undefined : await MailSink.start({ host: '127.0.0.1', keep: 200 });
  if (sink) logger.info({ smtp: sink.url, page: `${config.publicBaseUrl}/_demo/mail` }, 'demo mail sink started: mail is caught here, never delivered');
  const withMail = (base: Config): Config => ({
    ...base,
    mail: {
      ...base.mail,
      ...(sink ? { smtpUrl: sink.url, from: base.mail.from ?? DEMO_MAIL.from } : {}),
      replyDomain: base.mail.replyDomain ?? DEMO_MAIL.replyDomain,
      // MAIL_MAX_BYTES only reaches the config with SMTP_INBOUND_PORT; its default is 10 MiB.
      inbound: base.mail.inbound ?? { host: '127.0.0.1', port: base.port === 0 ? 0 : base.port + INBOUND_OFFSET, maxBytes: 10 * 1024 * 1024 },
    },
  });
  let mail: Pick<Gateway, 'mail'>['mail'] | undefined;
  const routes = demoMailPage({
    sink,
    inbound: () => (mail ? { host: config.mail.inbound?.host ?? '127.0.0.1', port: mail.inbound.port } : undefined),
    publicOrigin: new URL(config.publicBaseUrl).origin,
  });
  return {
    network: () => demoNetwork(subcontractors),
    routes,
    configure: (base) =>
      withMail(
        idp
          ? {
              ...base,
              citizen: { ...base.citizen, issuer: idp.issuer },
              web: {
                ...base.web,
                login: { clientId: DEMO_WEB_CLIENT.clientId, clientSecret: DEMO_WEB_CLIENT.secret, scope: DEMO_SCOPE, resource: DEMO_RESOURCE },
              },
              // Staff sign-on at the same provider (test members of staff), unless STAFF_OIDC_ISSUER names another.
              staff: base.staff.issuer
                ? base.staff
                : {
                    ...base.staff,
                    issuer: idp.issuer,
                    login: {
                      clientId: DEMO_STAFF_CLIENT.clientId,
                      clientSecret: DEMO_STAFF_CLIENT.secret,
                      scope: DEMO_STAFF_SCOPE,
                      resource: DEMO_STAFF_RESOURCE,
                    },
                  },
            }
          : base,
      ),
    seed: async (gateway) => {
      mail = gateway.mail;
      const seeded = await seedDemo(gateway, logger);
      // A pending member with an invitation: the join journey (docs/onboarding.md) in the demo.
      const joinLink = await seedJoin(gateway, logger);
      logger.info(
        {
          url: config.publicBaseUrl,
          case: seeded.reference,
          citizens: DEMO_CITIZENS.map((c) => c.name).join(', '),
          // The staff pages (/staff) at the same provider, unless STAFF_OIDC_ISSUER names another.
          staff: idp && !config.staff.issuer ? `${config.publicBaseUrl}/staff: ${DEMO_STAFF.map((m) => m.name).join(', ')}` : undefined,
          password: idp ? DEMO_PASSWORD : undefined,
          join: joinLink,
        },
        `demo ready: open ${config.publicBaseUrl} and log in as ${DEMO_CITIZENS[0].name}`,
      );
    },
    close: async () => void (await Promise.all([...simulators.map((s) => s.close()), idp?.close(), sink?.stop()])),
  };
}
