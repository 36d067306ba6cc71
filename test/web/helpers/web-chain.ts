// A whole chain for the page tests: the demo identity provider, two simulated subcontractors and
// a listening gateway whose PUBLIC_BASE_URL is its real address (the OIDC redirect URI needs it).
import { afterAll } from 'vitest';
import {
  DEMO_RESOURCE,
  DEMO_SCOPE,
  DEMO_STAFF_CLIENT,
  DEMO_STAFF_RESOURCE,
  DEMO_STAFF_SCOPE,
  DEMO_WEB_CLIENT,
  startDemoIdp,
  type DemoIdp,
} from '../../../src/demo/idp.ts';
import { seedDemo } from '../../../src/demo/seed.ts';
import { createLogger } from '../../../src/log.ts';
import { startChain, type Chain } from '../../helpers/chain.ts';
import { subcontractorClient, type TestGatewayOptions, token } from '../../helpers/gateway.ts';
import { DEMO_PORTAL } from '../../../src/demo/network.ts';
import { type WebClient, inputValue } from './web-client.ts';
import { freePort } from '../../helpers/ports.ts';

export const CITIZEN = { id: 'a.devries', name: 'Mevrouw A. de Vries', bsn: '999993653' };
export const PROXY = { id: 'b.jansen', name: 'Dhr. B. Jansen', bsn: '999990019' };
/** The demo company's two representatives (KvK number, no BSN). */
export const REPRESENTATIVES = { hanna: { id: 'h.bakker', name: 'Hanna Bakker' }, joris: { id: 'j.smit', name: 'Joris Smit' } };

export interface WebChain {
  chain: Chain;
  idp: DemoIdp;
  base: string;
  /** Seeds the demo case (DEMO-n) through the real seed code and waits until its orders are placed. */
  seed(): Promise<{ id: string; reference: string }>;
}

/**
 * `portal`: the demo's builder without a case system (DEMO_PORTAL, its partner API client as 'bouwer')
 * joins the network and the seeded case gets its assignment, as in the demo. `demoRoutes`: the
 * demo's own pages, made for the gateway's base URL.
 */
export async function startWebChain(
  env: Record<string, string> = {},
  options: { portal?: boolean; demoRoutes?: (base: string) => NonNullable<TestGatewayOptions['demoRoutes']> } = {},
): Promise<WebChain> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const idp = await startDemoIdp({ gatewayBaseUrl: base, audience: 'ketenstatus' });
  afterAll(() => idp.close());
  const chain = await startChain(
    [
      { id: 'hulpmiddelen-bv', catalogue: 'hulpmiddelen-bv', organisation: { name: 'Hulpmiddelen B.V.' } },
      { id: 'bouwbedrijf-de-steiger', catalogue: 'bouwbedrijf-de-steiger', organisation: { name: 'Bouwbedrijf De Steiger' } },
      { id: 'werkbedrijf', catalogue: 'werkbedrijf', organisation: { name: 'Werkbedrijf Regio Voorbeeld' } },
    ],
    {
      PORT: String(port),
      PUBLIC_BASE_URL: base,
      CITIZEN_OIDC_ISSUER: idp.issuer,
      CITIZEN_OIDC_CLIENT_ID: DEMO_WEB_CLIENT.clientId,
      CITIZEN_OIDC_CLIENT_SECRET: DEMO_WEB_CLIENT.secret,
      CITIZEN_OIDC_SCOPE: DEMO_SCOPE,
      CITIZEN_OIDC_RESOURCE: DEMO_RESOURCE,
      // Staff sign-on at the same provider, as the demo configures it.
      STAFF_OIDC_ISSUER: idp.issuer,
      STAFF_OIDC_CLIENT_ID: DEMO_STAFF_CLIENT.clientId,
      STAFF_OIDC_CLIENT_SECRET: DEMO_STAFF_CLIENT.secret,
      STAFF_OIDC_SCOPE: DEMO_STAFF_SCOPE,
      STAFF_OIDC_RESOURCE: DEMO_STAFF_RESOURCE,
      ...env,
    },
    {
      ...(options.portal ? { organisations: [DEMO_PORTAL], clients: [subcontractorClient(DEMO_PORTAL.id)] } : {}),
      demoRoutes: options.demoRoutes?.(base),
    },
  );
  const seed = async () => {
    const seeded = await seedDemo(chain.gateway, createLogger('silent'), () => token('zac'), true, options.portal === true);
    await chain.waitFor(async () => {
      const orders = await chain.gateway.database.db.selectFrom('orders').select('state').where('case_id', '=', seeded.id).execute();
      return orders.length === (options.portal ? 3 : 2) && orders.every((o) => o.state === 'placed');
    });
    return seeded;
  };
  return { chain, idp, base, seed };
}

/** Logs a citizen in through the real OIDC round trip (gateway → provider → gateway). */
export async function loginAs(client: WebClient, base: string, citizenId: string, returnTo = '/') {
  const start = await client.follow(`${base}/auth/login?returnTo=${encodeURIComponent(returnTo)}`);
  if (start.res.status !== 200 || !start.url.includes('/interaction/'))
    throw new Error(`expected the provider's login page, got ${start.res.status} at ${start.url}`);
  await start.res.text();
  const done = await client.post(start.url, { citizen: citizenId, password: 'demo', action: 'login' });
  const body = await done.res.text();
  return { ...done, body };
}

/** The demo's test members of staff, one per role. */
export const STAFF = { operator: 'o.beheer', caseworker: 'w.werkman', kcc: 'k.klantcontact' } as const;

/** Signs a member of staff on through the real OIDC round trip of the staff pages. */
export async function loginStaff(client: WebClient, base: string, memberId: string, returnTo = '/staff') {
  const start = await client.follow(`${base}/auth/staff/login?returnTo=${encodeURIComponent(returnTo)}`);
  if (start.res.status !== 200 || !start.url.includes('/interaction/'))
    throw new Error(`expected the provider's login page, got ${start.res.status} at ${start.url}`);
  await start.res.text();
  const done = await client.post(start.url, { citizen: memberId, password: 'demo', action: 'login' });
  return { ...done, body: await done.res.text() };
}

/** The page's CSRF token (from any form on it). */
export const csrfOf = (html: string) => {
  const value = inputValue(html, '_csrf');
  if (!value) throw new Error('no CSRF token on the page');
  return value;
};
