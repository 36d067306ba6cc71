// The demo's local OpenID Provider (oidc-provider) with test citizens, so `npm start` gives a
// working citizen login without DigiD. Authorization code + PKCE only; access tokens are RS256
// JWTs for the citizen API (resource indicator → audience) carrying the `bsn` and `acr` claims.
// Keys, cookies and sessions live in memory: a restart logs everybody out. Never for production.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { errors, type InteractionDetails } from 'oidc-provider';
import { exportJWK, generateKeyPair } from 'jose';
import type { Logger } from '../log.ts';
import { memoryAdapterFactory } from './idp-adapter.ts';
import { renderIdpError, renderLogin, type DemoCitizen } from './idp-pages.ts';

/** The demo's company: a hostel whose two owners follow "staff recruitment" at the employment service. */
export const DEMO_COMPANY = { kvk: '68750110', name: 'Hostel De Zeemeeuw' };

/** Test BSNs from the 9999xxxxx range, valid under the 11-proef. */
export const DEMO_CITIZENS: DemoCitizen[] = [
  { id: 'a.devries', name: 'Mevrouw A. de Vries', bsn: '999993653', role: { nl: 'heeft een lopende aanvraag', en: 'has a case in progress' } },
  {
    id: 'b.jansen',
    name: 'Dhr. B. Jansen',
    bsn: '999990019',
    role: { nl: 'kan gemachtigd worden om mee te lezen', en: 'can be given a mandate to read along' },
  },
  // Two representatives of one company (eHerkenning in real life): they see the same cases.
  {
    id: 'h.bakker',
    name: 'Hanna Bakker',
    company: DEMO_COMPANY,
    role: { nl: 'mede-eigenaar van Hostel De Zeemeeuw (bedrijf)', en: 'co-owner of Hostel De Zeemeeuw (company)' },
  },
  {
    id: 'j.smit',
    name: 'Joris Smit',
    company: DEMO_COMPANY,
    role: { nl: 'mede-eigenaar van Hostel De Zeemeeuw (bedrijf)', en: 'co-owner of Hostel De Zeemeeuw (company)' },
  },
];
/** Test members of staff, one per role (roles claim), for /ops, /work and /kcc. */
export const DEMO_STAFF: (DemoCitizen & { roles: string[] })[] = [
  { id: 'o.beheer', name: 'Olga Beheer', roles: ['operator'], role: { nl: 'beheerder (rol operator)', en: 'operator (role operator)' } },
  { id: 'w.werkman', name: 'Wim Werkman', roles: ['caseworker'], role: { nl: 'behandelaar (rol caseworker)', en: 'caseworker (role caseworker)' } },
  { id: 'k.klantcontact', name: 'Karin Klantcontact', roles: ['kcc'], role: { nl: 'klantcontactcentrum (rol kcc)', en: 'contact centre (role kcc)' } },
];
export const DEMO_PASSWORD = 'demo';
/** The gateway's own page as an OIDC client (a public demo value, like the other demo secrets). */
export const DEMO_WEB_CLIENT = { clientId: 'ketenstatus-web', secret: 'demo-secret-web-0123456789' };
/** The staff pages as an OIDC client; their tokens are for the staff resource (aud = STAFF_OIDC_AUDIENCE). */
export const DEMO_STAFF_CLIENT = { clientId: 'ketenstatus-staff-web', secret: 'demo-secret-staff-0123456789' };
export const DEMO_STAFF_RESOURCE = 'urn:ketenstatus:staff-api';
export const DEMO_STAFF_SCOPE = 'openid profile ketenstatus-staff';
/** Resource indicator of the citizen API; tokens for it carry aud = CITIZEN_OIDC_AUDIENCE. */
export const DEMO_RESOURCE = 'urn:ketenstatus:citizen-api';
export const DEMO_SCOPE = 'openid profile ketenstatus';
/** DigiD "Midden" (substantieel) as the eIDAS-style assurance level a demo login claims. */
export const DEMO_ACR = 'urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract';

export interface DemoIdpOptions {
  host?: string;
  port?: number;
  /** Host name in the issuer URL (what the browser uses); default 127.0.0.1. */
  publicHost?: string;
  /** The gateway's PUBLIC_BASE_URL: its /auth/callback is the client's redirect URI. */
  gatewayBaseUrl: string;
  audience: string;
  /** The audience of staff access tokens (STAFF_OIDC_AUDIENCE). */
  staffAudience?: string;
  logger?: Logger;
}

export interface DemoIdp {
  issuer: string;
  close(): Promise<void>;
}

export async function startDemoIdp(options: DemoIdpOptions): Promise<DemoIdp> {
  let handle: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => (handle ? handle(req, res) : res.writeHead(503).end()));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://${options.publicHost ?? '127.0.0.1'}:${port}`;
  const provider = new Provider(issuer, await providerConfiguration(options));
  provider.on('server_error', (_ctx, error) => options.logger?.error({ err: error }, 'demo identity provider error'));
  const callback = provider.callback();
  handle = (req, res) => {
    if ((req.url ?? '').startsWith('/interaction/')) {
      interaction(provider, req, res).catch((error: Error) => {
        options.logger?.warn({ err: error }, 'demo identity provider interaction failed');
        if (!res.headersSent) sendHtml(res, 400, renderIdpError(error.message));
      });
      return;
    }
    callback(req, res);
  };
  return {
    issuer,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function providerConfiguration(options: DemoIdpOptions): Promise<Record<string, unknown>> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: `demo-${randomBytes(4).toString('hex')}`, alg: 'RS256', use: 'sig' };
  const base = options.gatewayBaseUrl.replace(/\/+$/, '');
  return {
    adapter: memoryAdapterFactory(),
    clients: [
      {
        client_id: DEMO_WEB_CLIENT.clientId,
        client_secret: DEMO_WEB_CLIENT.secret,
        redirect_uris: [`${base}/auth/callback`],
        post_logout_redirect_uris: [`${base}/`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
      {
        client_id: DEMO_STAFF_CLIENT.clientId,
        client_secret: DEMO_STAFF_CLIENT.secret,
        redirect_uris: [`${base}/auth/staff/callback`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    pkce: { required: () => true },
    scopes: ['openid', 'profile'],
    claims: { openid: ['sub'], profile: ['name'] },
    findAccount: async (_ctx: unknown, sub: string) => {
      const account = [...DEMO_CITIZENS, ...DEMO_STAFF].find((c) => c.id === sub);
      return account && { accountId: sub, claims: async () => ({ sub, name: account.name }) };
    },
    extraTokenClaims: async (_ctx: unknown, token: { kind: string; accountId?: string }) => {
      const member = DEMO_STAFF.find((c) => c.id === token.accountId);
      if (token.kind === 'AccessToken' && member) return { name: member.name, roles: member.roles };
      const citizen = DEMO_CITIZENS.find((c) => c.id === token.accountId);
      if (token.kind !== 'AccessToken' || !citizen) return undefined;
      return citizen.company
        ? { kvk: citizen.company.kvk, company_name: citizen.company.name, name: citizen.name, acr: DEMO_ACR }
        : { bsn: citizen.bsn, acr: DEMO_ACR };
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (ctx: { oidc: { client?: { clientId: string } } }) =>
          ctx.oidc.client?.clientId === DEMO_STAFF_CLIENT.clientId ? DEMO_STAFF_RESOURCE : DEMO_RESOURCE,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx: unknown, resource: string, client: { clientId: string }) => {
          // Staff tokens only for the staff pages' client, citizen tokens only for the others.
          const staff = client.clientId === DEMO_STAFF_CLIENT.clientId;
          if (staff && resource === DEMO_STAFF_RESOURCE) {
            const audience = options.staffAudience ?? 'ketenstatus-staff';
            return { scope: 'ketenstatus-staff', audience, accessTokenTTL: 3600, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
          }
          if (staff || resource !== DEMO_RESOURCE) throw new errors.InvalidTarget();
          return { scope: 'ketenstatus', audience: options.audience, accessTokenTTL: 3600, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
        },
      },
    },
    ttl: { AccessToken: 3600, AuthorizationCode: 60, IdToken: 3600, Interaction: 900, Session: 3600, Grant: 3600 },
  };
}

/** The login page (test citizens + password) and an automatic consent for the first-party client. */
async function interaction(provider: Provider, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  const lang = String(details.params.ui_locales ?? '').startsWith('en') ? 'en' : 'nl';
  if (details.prompt.name === 'consent') return consent(provider, details, req, res);
  if (details.prompt.name !== 'login') throw new Error(`unsupported prompt ${details.prompt.name}`);

  // The staff pages' client lists the test members of staff; every other client the test citizens.
  const staff = details.params.client_id === DEMO_STAFF_CLIENT.clientId;
  const accounts: DemoCitizen[] = staff ? DEMO_STAFF : DEMO_CITIZENS;
  const page = { uid: details.uid, lang, citizens: accounts, staff } as const;
  if (req.method === 'GET') return sendHtml(res, 200, renderLogin(page));
  if (req.method !== 'POST') return sendHtml(res, 405, renderIdpError('method not allowed'));
  const form = new URLSearchParams(await readBody(req));
  if (form.get('action') === 'abort') {
    return provider.interactionFinished(
      req,
      res,
      { error: 'access_denied', error_description: 'The citizen cancelled the login.' },
      { mergeWithLastSubmission: false },
    );
  }
  const citizen = accounts.find((c) => c.id === form.get('citizen'));
  if (!citizen || form.get('password') !== DEMO_PASSWORD) {
    return sendHtml(res, 401, renderLogin({ ...page, failed: true, selected: citizen?.id }));
  }
  await provider.interactionFinished(req, res, { login: { accountId: citizen.id, acr: DEMO_ACR } }, { mergeWithLastSubmission: false });
}

async function consent(provider: Provider, details: InteractionDetails, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
  const grant =
    (details.grantId ? await provider.Grant.find(details.grantId) : undefined) ??
    new provider.Grant({ accountId: details.session!.accountId, clientId: details.params.client_id });
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(resource, scopes.join(' '));
  await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
}

function sendHtml(res: ServerResponse, status: number, body: string): void {
  res
    .writeHead(status, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      // No form-action: the login's redirect chain ends at the gateway, another origin.
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    })
    .end(body);
}

async function readBody(req: IncomingMessage, limit = 16_384): Promise<string> {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > limit) throw new Error('form too large');
  }
  return body;
}
