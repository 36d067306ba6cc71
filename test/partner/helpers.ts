// A gateway with two portal organisations (each with a partner API client), one subcontractor with
// a real (simulated) Zaken API over loopback, and citizen login against a loopback issuer.
import { afterAll } from 'vitest';
import { signZgwJwt } from '../../src/lib/zgw-jwt.ts';
import { demoCatalogues, startSimulator } from '../../src/simulator/index.ts';
import { startTestIssuer } from '../citizen/helpers/issuer.ts';
import { OUTBOUND_SECRET } from '../helpers/chain.ts';
import { organisation, portalOrganisation } from '../helpers/fixtures.ts';
import { authHeader, SECRETS, startTestGateway, subcontractorClient, testNetwork } from '../helpers/gateway.ts';

export const BOUWER = 'bouwer-bv';
export const ANDER = 'ander-bv';
export const ZGW = 'hulpmiddelen-bv';
export const REPLY_DOMAIN = 'reply.gemeente.example';
const ANDER_SECRET = 'test-secret-ander-0123456789abcdef';
const ZGW_CLIENT_SECRET = 'test-secret-zgwpartner-0123456789';

export async function startPartnerGateway(env: Record<string, string> = {}) {
  const issuer = await startTestIssuer();
  const sim = await startSimulator({ name: 'Sim', rsin: '012345672', clients: { 'gemeente-test': OUTBOUND_SECRET }, zaaktypen: demoCatalogues[ZGW] });
  afterAll(() => sim.close());
  const zgw = organisation(ZGW, {
    name: 'Hulpmiddelen B.V.',
    zaken: { apiRoot: sim.zakenApiRoot, auth: { type: 'zgw-jwt', clientId: 'gemeente-test', secret: OUTBOUND_SECRET } },
    notifications: { mode: 'poll' },
    products: demoCatalogues[ZGW].map((zt) => ({ code: zt.key, name: { nl: zt.omschrijving }, zaaktype: sim.zaaktypeUrl(zt.key) })),
  });
  const network = testNetwork(
    [zgw, portalOrganisation(BOUWER, { name: 'Bouwbedrijf De Steiger' }), portalOrganisation(ANDER, { name: 'Ander Bouw' })],
    [subcontractorClient(BOUWER), subcontractorClient(ANDER, 'ander', ANDER_SECRET), subcontractorClient(ZGW, 'zgw-partner', ZGW_CLIENT_SECRET)],
  );
  const gateway = await startTestGateway({ network, env: { CITIZEN_OIDC_ISSUER: issuer.url, MAIL_REPLY_DOMAIN: REPLY_DOMAIN, ...env } });
  const headers: Record<string, Record<string, string>> = {
    zac: authHeader('zac'),
    bouwer: authHeader('bouwer'),
    ander: { authorization: `Bearer ${signZgwJwt({ client_id: 'ander' }, ANDER_SECRET)}` },
    'zgw-partner': { authorization: `Bearer ${signZgwJwt({ client_id: 'zgw-partner' }, ZGW_CLIENT_SECRET)}` },
    portaal: authHeader('portaal'),
  };
  /** A request as one of the clients above (`as` names it). */
  const call = (as: keyof typeof headers, path: string, body?: unknown) =>
    gateway.app.request(path, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { ...headers[as], ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  /** A case with one order at `subcontractor`; returns both ids and the order as answered. */
  const order = async (subcontractor: string, options: { product?: string; shareCitizen?: boolean; bsn?: string; description?: string } = {}) => {
    const c = await call('zac', '/api/v1/cases', {
      title: 'Woningaanpassing mevrouw De Vries',
      citizen: { bsn: options.bsn ?? '111222333' },
      plannedEndDate: '2027-01-31',
      deadline: '2027-02-28',
    });
    if (c.status !== 201) throw new Error(`case: ${c.status} ${await c.text()}`);
    const caseId = ((await c.json()) as { id: string }).id;
    const product = options.product ?? (subcontractor === ZGW ? 'traplift' : 'drempelhulp');
    const o = await call('zac', `/api/v1/cases/${caseId}/orders`, {
      subcontractor,
      product,
      shareCitizen: options.shareCitizen ?? false,
      ...(options.description ? { description: options.description } : {}),
    });
    if (o.status !== 202) throw new Error(`order: ${o.status} ${await o.text()}`);
    const placed = (await o.json()) as { id: string; state: string; remoteZaak: unknown };
    return { caseId, orderId: placed.id, placed };
  };
  return { gateway, issuer, sim, call, order, headers, db: gateway.database.db, secrets: SECRETS };
}
