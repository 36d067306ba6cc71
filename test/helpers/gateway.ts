import { afterAll } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { startGateway, type Gateway, type GatewayOptions } from '../../src/gateway.ts';
import { signZgwJwt } from '../../src/lib/zgw-jwt.ts';
import { createLogger } from '../../src/log.ts';
import type { Client, NetworkDefinition, Organisation } from '../../src/network/types.ts';
import { freshDatabaseUrl } from './db.ts';

export const SECRETS = {
  zac: 'test-secret-zac-0123456789abcdef',
  beheer: 'test-secret-beheer-0123456789abc',
  portaal: 'test-secret-portaal-0123456789ab',
  leesportaal: 'test-secret-leesportaal-01234567',
  boekhouder: 'test-secret-boekhouder-012345678',
  bouwer: 'test-secret-bouwer-0123456789abcd',
} as const;

/** A partner API client (role subcontractor) of a portal organisation; pass it to testNetwork beside that organisation. */
export const subcontractorClient = (organisation: string, clientId = 'bouwer', secret: string = SECRETS.bouwer): Client => ({
  clientId,
  secret,
  role: 'subcontractor',
  organisation,
});

/** Organisations that read for customers through the consumer API (portal clients that name one). */
export const READ_PROXIES = {
  leesportaal: { name: 'Ondernemersportaal B.V.', kvk: '87654321' },
  boekhouder: { name: 'Boekhoudkantoor Telwerk', oin: '00000003123456789000' },
} as const;

/** `clients`: more clients, e.g. subcontractorClient('<id>') with portalOrganisation('<id>') among `organisations`. */
export function testNetwork(organisations: Organisation[] = [], clients: Client[] = []): NetworkDefinition {
  return {
    self: { id: 'gemeente-test', name: 'Gemeente Test', oin: '00000001001234567000', rsin: '001234560' },
    clients: [
      { clientId: 'zac', secret: SECRETS.zac, role: 'supplier' },
      { clientId: 'beheer', secret: SECRETS.beheer, role: 'operator' },
      { clientId: 'portaal', secret: SECRETS.portaal, role: 'portal' },
      { clientId: 'leesportaal', secret: SECRETS.leesportaal, role: 'portal', organisation: { ...READ_PROXIES.leesportaal } },
      { clientId: 'boekhouder', secret: SECRETS.boekhouder, role: 'portal', organisation: { ...READ_PROXIES.boekhouder } },
      ...clients,
    ],
    organisations,
  };
}

export const token = (client: keyof typeof SECRETS, claims: Record<string, unknown> = {}) => signZgwJwt({ client_id: client, ...claims }, SECRETS[client]);

export const authHeader = (client: keyof typeof SECRETS) => ({ authorization: `Bearer ${token(client)}` });

export interface TestGatewayOptions {
  network?: NetworkDefinition;
  env?: Record<string, string>;
  listen?: boolean;
  databaseUrl?: string;
  /** The demo's own pages (src/demo/mail-page.ts), as src/main.ts mounts them in the demo. */
  demoRoutes?: GatewayOptions['demoRoutes'];
  /** The notice planner's clock (src/notices). */
  now?: GatewayOptions['now'];
}

/** A whole gateway on a fresh database of the current lane, closed after the file. */
export async function startTestGateway(options: TestGatewayOptions = {}): Promise<Gateway> {
  const env = {
    DATABASE_URL: options.databaseUrl ?? (await freshDatabaseUrl()),
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    OUTBOUND_ALLOW_PRIVATE: 'true',
    JOB_POLL_INTERVAL_MS: '50',
    ...options.env,
  };
  const config = parseConfig(env);
  const gateway = await startGateway({
    config,
    logger: createLogger(config.logLevel),
    env,
    network: options.network ?? testNetwork(),
    listen: options.listen ?? false,
    demoRoutes: options.demoRoutes,
    now: options.now,
  });
  afterAll(() => gateway.close());
  return gateway;
}

/** The operator dashboard (/ops) as an operator sees it, signed in with the pasted-token login. */
export async function opsPage(app: { request: (path: string, init?: RequestInit) => Response | Promise<Response> }, lang = 'en'): Promise<string> {
  const login = await app.request('/ops/login', {
    method: 'POST',
    headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost:0' },
    body: new URLSearchParams({ token: authHeader('beheer').authorization.replace('Bearer ', '') }).toString(),
  });
  if (login.status !== 303) throw new Error(`the /ops login answered ${login.status}`);
  // The session cookie set last (the first Set-Cookie clears an earlier one).
  const cookie = login.headers.getSetCookie().at(-1)!.split(';')[0];
  return (await app.request('/ops', { headers: { accept: 'text/html', cookie, 'accept-language': lang } })).text();
}
