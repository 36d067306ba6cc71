// Signing in to the partner page through PARTNER_OIDC_ISSUER (authorization code + PKCE, the
// citizen page's OIDC client code): a loopback OpenID Provider (oidc-provider with its development
// login) whose accounts carry an e-mail address, verified or not. The person is the contact whose
// address the provider verified; anyone else is refused. Mail is off here, so the page offers only
// this way in.
import { createServer } from 'node:http';
import Provider from 'oidc-provider';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { portalOrganisation } from '../helpers/fixtures.ts';
import { authHeader, startTestGateway, testNetwork } from '../helpers/gateway.ts';
import { freePort } from '../helpers/ports.ts';
import { textOf, WebClient } from './helpers/web-client.ts';

const BOUWER = 'bouwer-oidc';
const CONTACT = `planning@${BOUWER}.example`;
const CLIENT = { id: 'ketenstatus-partner', secret: 'partner-client-secret-0123456789' };
/** The provider's accounts (the development login takes any name and password). */
const ACCOUNTS: Record<string, { email?: string; email_verified?: boolean }> = {
  planner: { email: CONTACT.toUpperCase(), email_verified: true },
  unverified: { email: CONTACT, email_verified: false },
  stranger: { email: 'iemand@elders.example', email_verified: true },
  noaddress: {},
};

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const idpPort = await freePort();
const issuer = `http://127.0.0.1:${idpPort}`;
const provider = new Provider(issuer, {
  clients: [
    {
      client_id: CLIENT.id,
      client_secret: CLIENT.secret,
      redirect_uris: [`${base}/auth/partner/callback`],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  pkce: { required: () => true },
  scopes: ['openid', 'email'],
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  cookies: { keys: ['partner-oidc-test-cookie-key-0123456789'] },
  findAccount: async (_ctx: unknown, sub: string) => ({ accountId: sub, claims: async () => ({ sub, ...ACCOUNTS[sub] }) }),
  features: { devInteractions: { enabled: true } },
  ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 600, Grant: 600 },
});
const idp = createServer(provider.callback());
await new Promise<void>((resolve) => idp.listen(idpPort, '127.0.0.1', resolve));
afterAll(
  () =>
    new Promise<void>((resolve) => {
      idp.close(() => resolve());
      idp.closeAllConnections();
    }),
);

const gateway = await startTestGateway({
  network: testNetwork([portalOrganisation(BOUWER, { name: 'Bouwer OIDC' })]),
  listen: true,
  env: {
    PORT: String(port),
    PUBLIC_BASE_URL: base,
    PARTNER_OIDC_ISSUER: issuer,
    PARTNER_OIDC_CLIENT_ID: CLIENT.id,
    PARTNER_OIDC_CLIENT_SECRET: CLIENT.secret,
  },
});

/** Through the provider's development login (any password) and its consent, back to the gateway. */
async function signIn(account: string) {
  const client = new WebClient({ 'accept-language': 'nl' });
  const start = await client.follow(`${base}/auth/partner/login`);
  const uid = /\/interaction\/([^/?#]+)/.exec(start.url)?.[1];
  if (!uid) throw new Error(`expected the provider's login, got ${start.res.status} at ${start.url}`);
  await start.res.text();
  let step = await client.post(`${issuer}/interaction/${uid}`, { prompt: 'login', login: account });
  // The development consent page, once per grant: confirm it.
  const consent = /\/interaction\/([^/?#]+)$/.exec(step.url)?.[1];
  if (step.url.startsWith(issuer) && consent) {
    await step.res.text();
    step = await client.post(`${issuer}/interaction/${consent}`, { prompt: 'consent' });
  }
  const body = await step.res.text();
  return { client, url: step.url, status: step.res.status, body };
}

describe('signing in through PARTNER_OIDC_ISSUER', () => {
  it('offers only the provider when mail is off', async () => {
    const page = await (await new WebClient({ 'accept-language': 'nl' }).request(`${base}/partner`)).text();
    expect(page).toContain('href="/auth/partner/login"');
    expect(page).not.toContain('name="email"');
  });

  it('signs in the contact whose address the provider verified (from UserInfo), and acts for the organisation', async () => {
    const { client, url, body } = await signIn('planner');
    expect(url).toBe(`${base}/partner`);
    expect(body).toMatch(/<h1>Open opdrachten<\/h1>/);
    expect(textOf(body)).toContain(`Ingelogd als ${CONTACT} (Bouwer OIDC)`);
    const c = await gateway.app.request('/api/v1/cases', {
      method: 'POST',
      headers: { ...authHeader('zac'), 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Aanvraag', citizen: { bsn: '111222333' }, reference: 'OIDC-1' }),
    });
    const { id } = (await c.json()) as { id: string };
    await gateway.app.request(`/api/v1/cases/${id}/orders`, {
      method: 'POST',
      headers: { ...authHeader('zac'), 'content-type': 'application/json' },
      body: JSON.stringify({ subcontractor: BOUWER, product: 'drempelhulp' }),
    });
    expect(textOf(await (await client.request(`${base}/partner`)).text())).toContain('OIDC-1');
  });

  it('refuses an address the provider did not verify, no address, and an address that is no contact', async () => {
    for (const account of ['unverified', 'noaddress']) {
      const { status, body, client } = await signIn(account);
      expect(status, account).toBe(403);
      expect(textOf(body)).toContain('Uw organisatie gaf geen bevestigd e-mailadres door.');
      expect(client.cookie('ks_partner')).toBeUndefined();
    }
    const stranger = await signIn('stranger');
    expect(stranger.status).toBe(403);
    expect(textOf(stranger.body)).toContain('Dit e-mailadres hoort niet (meer) bij een organisatie die via deze pagina werkt.');
    expect(stranger.client.cookie('ks_partner')).toBeUndefined();
  });

  it('stops start-up when PARTNER_OIDC_ISSUER comes without its client id', () => {
    expect(() => parseConfig({ NETWORK_FILE: 'x.json', SESSION_SECRET: 'x'.repeat(32), PARTNER_OIDC_ISSUER: issuer })).toThrow(
      /PARTNER_OIDC_CLIENT_ID: required when PARTNER_OIDC_ISSUER is set/,
    );
  });

  it('refuses a callback without the login it belongs to', async () => {
    const res = await new WebClient({ 'accept-language': 'nl' }).request(`${base}/auth/partner/callback?code=x&state=y`);
    expect(res.status).toBe(400);
    expect(textOf(await res.text())).toContain('Uw inlogpoging is verlopen of ongeldig.');
  });
});
