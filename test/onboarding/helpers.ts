// A joining member in tests: a simulated Zaken API, a published agreement, a pending organisation
// and its invitation, all through the gateway's HTTP surface.
import { afterAll, expect } from 'vitest';
import type { Gateway } from '../../src/gateway.ts';
import { signZgwJwt } from '../../src/lib/zgw-jwt.ts';
import { demoCatalogues, startSimulator, type Simulator } from '../../src/simulator/index.ts';
import { authHeader, startTestGateway, testNetwork } from '../helpers/gateway.ts';
import { type MailSink, startMailSink } from '../helpers/smtp.ts';

export const MEMBER_SECRET = 'member-outbound-secret-0123456789';

export async function memberSimulator(): Promise<Simulator> {
  const sim = await startSimulator({
    name: 'Sim joiner',
    rsin: '012345672',
    clients: { 'gemeente-test': MEMBER_SECRET },
    zaaktypen: demoCatalogues['hulpmiddelen-bv'],
  });
  afterAll(() => sim.close());
  return sim;
}

export const AGREEMENT = {
  version: '2027-1',
  summary: { nl: 'U deelt de status van uw zaken met de keten.', en: 'You share the status of your cases with the chain.' },
  legalText: {
    nl: '# Overeenkomst\n\nDe **deelnemer** levert statussen.\n\n- doel: statusinformatie\n- bewaartermijn: 400 dagen\n\n<script>alert(1)</script>',
    en: '# Agreement\n\nThe **member** supplies statuses.\n\n- purpose: status information\n- retention: 400 days\n\n<script>alert(1)</script>',
  },
  terms: {
    purposes: ['statusinformatie voor de burger'],
    dataCategories: ['zaakstatus', 'zaaktype'],
    retentionDays: 400,
    securityLevel: 'BIO-BBN2',
    contact: { name: 'Functionaris gegevensbescherming', email: 'fg@gemeente-test.example' },
  },
};

export async function api(gateway: Gateway, path: string, init: { method?: string; body?: unknown; operator?: boolean } = {}) {
  const res = await gateway.app.request(path, {
    method: init.method ?? (init.body !== undefined ? 'POST' : 'GET'),
    headers: { ...(init.operator ? authHeader('beheer') : {}), ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

export function pendingMember(id: string, sim: Simulator) {
  return {
    id,
    name: 'Hulpmiddelen Nieuw B.V.',
    oin: '00000003012345678000',
    rsin: '012345672',
    status: 'pending',
    notifications: { mode: 'push' },
    products: demoCatalogues['hulpmiddelen-bv'].map((zt) => ({ code: zt.key, name: { nl: zt.omschrijving }, zaaktype: sim.zaaktypeUrl(zt.key) })),
  };
}

/** Publishes the agreement, registers the pending member and invites it; the invitation's answer. */
export async function invited(gateway: Gateway, id: string, sim: Simulator) {
  const published = await api(gateway, '/api/v1/agreements', { body: AGREEMENT, operator: true });
  expect([201, 409]).toContain(published.status);
  expect((await api(gateway, `/api/v1/organisations/${id}`, { method: 'PUT', body: pendingMember(id, sim), operator: true })).status).toBe(201);
  const invitation = await api(gateway, `/api/v1/organisations/${id}/invitations`, {
    body: { name: 'Petra Planner', email: 'petra@joiner.example' },
    operator: true,
  });
  expect(invitation.status).toBe(201);
  return { ...invitation.body, token: String(invitation.body.url).split('/join/')[1] } as { id: string; url: string; expiresAt: string; token: string };
}

export const connection = (sim: Simulator, secret = MEMBER_SECRET, mode: 'push' | 'poll' = 'push') => ({
  zaken: { apiRoot: sim.zakenApiRoot, auth: { type: 'zgw-jwt', clientId: 'gemeente-test', secret } },
  notifications: { mode },
});

/** The member's `kanaal: test` notification, signed with the credentials the gateway gave it. */
export async function sendTestNotification(gateway: Gateway, sim: Simulator, credentials: { clientId: string; secret: string }) {
  return gateway.app.request('/api/v1/notificaties', {
    method: 'POST',
    headers: { authorization: `Bearer ${signZgwJwt({ client_id: credentials.clientId }, credentials.secret)}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      kanaal: 'test',
      hoofdObject: `${sim.zakenApiRoot}zaken/test`,
      resource: 'zaak',
      resourceUrl: `${sim.zakenApiRoot}zaken/test`,
      actie: 'create',
      aanmaakdatum: new Date().toISOString(),
    }),
  });
}

export const ORIGIN = 'http://gateway.test';

/** A gateway with mail configured (codes and invitations caught by a real SMTP sink) and a member's simulator. */
export async function mailingGateway(): Promise<{ gateway: Gateway; sink: MailSink; sim: Simulator }> {
  const sink = await startMailSink();
  const sim = await memberSimulator();
  const gateway = await startTestGateway({
    network: testNetwork(),
    env: { SMTP_URL: sink.url, MAIL_FROM: 'ketenstatus@gemeente-test.example', PUBLIC_BASE_URL: ORIGIN },
  });
  return { gateway, sink, sim };
}
