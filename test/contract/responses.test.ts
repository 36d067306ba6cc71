// What the gateway answers is what contracts/openapi.yaml documents, on a gateway with something in
// it: a case whose orders moved through real ZGW statuses (one to its eindstatus), an assignment
// at a portal organisation with its status and messages, mandates, a group, preferences, a webhook
// subscription with deliveries, an agreement, an invitation and its join journey, a KCC lookup.
// Every operation is called once with ids that exist and a body that is valid; its answer must have
// a status the contract lists, a media type it lists and a body its schema takes. Every operation
// but a few named below must succeed, so that what is checked is the success body, not an error.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { signZgwJwt } from '../../src/lib/zgw-jwt.ts';
import { startTestIssuer } from '../citizen/helpers/issuer.ts';
import { notifySecret, placedOrder, startChain } from '../helpers/chain.ts';
import { agreementVersion, insertDeadJob, organisation, portalOrganisation } from '../helpers/fixtures.ts';
import { authHeader, subcontractorClient } from '../helpers/gateway.ts';
import { answerMismatch, documented, type Json, type Operation, operations, credentialsFor } from './contract-spec.ts';

const CITIZEN = '111222333';
const issuer = await startTestIssuer();
const staffIssuer = await startTestIssuer('ketenstatus-staff');
const chain = await startChain(
  [{ id: 'hulpmiddelen-bv' }],
  { CITIZEN_OIDC_ISSUER: issuer.url, STAFF_OIDC_ISSUER: staffIssuer.url, SYNC_DEBOUNCE_MS: '20' },
  {
    organisations: [portalOrganisation('bouwer-bv'), organisation('pending-bv', { status: 'pending', agreement: undefined })],
    clients: [subcontractorClient('bouwer-bv')],
  },
);
const { app } = chain.gateway;
const db = chain.gateway.database.db;
const sim = chain.sims['hulpmiddelen-bv'];

// A subscriber that takes every delivery (the subscription's test delivery among them).
const receiver = createServer((req, res) => req.resume().on('end', () => res.writeHead(204).end()));
await new Promise<void>((ok) => receiver.listen(0, '127.0.0.1', ok));
afterAll(() => new Promise<void>((ok) => receiver.close(() => ok())));
const callbackUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

const citizen = { authorization: `Bearer ${await issuer.token(CITIZEN)}` };
const kcc = { authorization: `Bearer ${await staffIssuer.token(undefined, { claims: { sub: 'kcc-1', name: 'K. Klant', roles: ['kcc'] } })}` };
const notifier = { authorization: `Bearer ${signZgwJwt({ client_id: 'hulpmiddelen-bv' }, notifySecret('hulpmiddelen-bv'))}` };

async function send(method: string, path: string, headers: Record<string, string>, body?: unknown, media = 'application/json') {
  const form = media === 'application/x-www-form-urlencoded';
  const res = await app.request(path, {
    method,
    headers: { ...headers, ...(body !== undefined ? { 'content-type': media } : {}) },
    body: body === undefined ? undefined : form ? new URLSearchParams(body as Record<string, string>).toString() : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type'), text, json: text.startsWith('{') ? (JSON.parse(text) as Json) : undefined };
}
const created = async (method: string, path: string, headers: Record<string, string>, body?: unknown) => {
  const res = await send(method, path, headers, body);
  expect(res.status, `${method} ${path}: ${res.text}`).toBeLessThan(300);
  return res.json!;
};

// ---- something in the gateway ----------------------------------------------------------------

const busy = await placedOrder(chain, 'hulpmiddelen-bv');
const done = await placedOrder(chain, 'hulpmiddelen-bv');
await sim.advance(busy.zaakUrl, { toelichting: 'Ontvangen' });
await sim.advance(busy.zaakUrl, { toelichting: 'De monteur belt dinsdag.' });
for (let i = 0; i < 4; i++) await sim.advance(done.zaakUrl);
const subscription = await created('POST', '/api/v1/subscriptions', authHeader('portaal'), { callbackUrl, events: ['case.status-changed'], format: 'zgw' });
const assignment = await created('POST', `/api/v1/cases/${busy.caseId}/orders`, authHeader('zac'), {
  subcontractor: 'bouwer-bv',
  product: 'drempelhulp',
  shareCitizen: true,
});
await chain.waitFor(async () => (await send('GET', `/api/v1/orders/${assignment.id}`, authHeader('zac'))).json?.state === 'placed');
await created('POST', `/api/v1/partner/assignments/${assignment.id}/status`, authHeader('bouwer'), { status: 'bezig', text: 'Start maandag' });
const message = await created('POST', `/api/v1/partner/assignments/${assignment.id}/messages`, authHeader('bouwer'), {
  text: 'We komen dinsdag.',
  visibleToCitizen: false,
});
await created('POST', `/api/v1/orders/${assignment.id}/messages`, authHeader('zac'), { text: 'De sleutel ligt bij de buren.', visibleToCitizen: true });
await created('POST', `/api/v1/cases/${busy.caseId}/events`, authHeader('zac'), { kind: 'letter', text: 'Brief', references: [{ type: 'letter', id: 'B-1' }] });
const mandate = await created('POST', '/api/v1/me/mandates', citizen, { proxyBsn: '123456782', proxyName: 'Bram' });
const readProxy = await created('POST', '/api/v1/me/mandates', citizen, { proxyOrganisation: { kvk: '87654321' }, proxyName: 'Portaal' });
const group = await created('POST', '/api/v1/me/groups', citizen, { name: 'Verhuizen', caseIds: [busy.caseId] });
// No address yet: the first code is the PUT's among the calls below.
await created('PUT', '/api/v1/me/preferences', citizen, { language: 'en', channels: { email: false, sms: false } });
const agreement = await created('POST', '/api/v1/agreements', authHeader('beheer'), agreementVersion('2026-2'));
const invitation = await created('POST', '/api/v1/organisations/pending-bv/invitations', authHeader('beheer'), {
  name: 'P. Planner',
  email: 'planner@example.nl',
});
const joinToken = new URL(invitation.url).pathname.split('/').at(-1)!;
const lookup = await created('POST', '/api/v1/kcc/lookups', kcc, { bsn: CITIZEN, purpose: 'application-question' });
await chain.waitFor(async () => (await send('GET', `/api/v1/orders/${done.orderId}`, authHeader('zac'))).json?.status?.isEindstatus === true);
await chain.waitFor(async () => (await db.selectFrom('deliveries').select('id').where('state', '=', 'delivered').execute()).length > 0);
// The operator's retry and resend take what is dead; one of each is made so.
const deadJob = await insertDeadJob(db, { kind: 'contract-test.never-handled', attempts: 10, error: 'remote answered 500' });
const deadDelivery = await db.updateTable('deliveries').set({ state: 'dead' }).where('state', '=', 'delivered').returning('id').executeTakeFirstOrThrow();

// ---- how each operation is called --------------------------------------------------------------

const signer = { name: 'P. Planner', email: 'planner@example.nl', role: 'directeur' };
/** Path values, body and credentials per operation; the rest from the path's area. */
const CALLS: Record<string, { path?: Record<string, string>; query?: string; body?: unknown | (() => Promise<unknown>); headers?: Record<string, string> }> = {
  'GET /api/v1/cases': { query: 'attention=true' },
  'PUT /api/v1/organisations/{id}': { path: { id: 'contract-org' }, body: organisation('contract-org', { status: 'pending', agreement: undefined }) },
  'POST /api/v1/organisations/{id}/suspend': { path: { id: 'bouwer-bv' }, body: { reason: 'contract test' } },
  'POST /api/v1/organisations/{id}/activate': { path: { id: 'bouwer-bv' } },
  // The current version when it is called (a later one is posted among the writes before it).
  'POST /api/v1/organisations/{id}/acceptances': {
    path: { id: 'pending-bv' },
    body: async () => {
      const current = (await send('GET', '/api/v1/agreements', {})).json!.results.find((a: Json) => a.current);
      return {
        method: 'paper',
        agreementVersion: current.version,
        agreementHash: current.hash,
        signer,
        signedAt: '2026-12-01T10:00:00Z',
        scanSha256: 'b'.repeat(64),
      };
    },
  },
  'POST /api/v1/organisations/{id}/invitations': { path: { id: 'pending-bv' }, body: { name: 'P. Planner', email: 'planner@example.nl' } },
  'POST /api/v1/join/{token}/signer': { body: signer },
  'POST /api/v1/join/{token}/signer/verify': { body: { code: '123456' } },
  'POST /api/v1/join/{token}/acceptance': { body: { signer, agreementVersion: agreement.version, agreementHash: agreement.hash } },
  'PUT /api/v1/join/{token}/connection': {
    body: {
      zaken: { apiRoot: sim.zakenApiRoot, auth: { type: 'zgw-jwt', clientId: 'gemeente-test', secret: 'outbound-secret-0123456789' } },
      notifications: { mode: 'poll' },
    },
  },
  'POST /api/v1/agreements': { body: agreementVersion('2026-3') },
  'POST /api/v1/cases': { body: { title: 'Aanvraag', citizen: { bsn: CITIZEN } } },
  'POST /api/v1/cases/{id}/status': { body: { phase: 'in_behandeling', text: 'Bezig' } },
  'POST /api/v1/cases/{id}/events': { body: { kind: 'note', text: 'Gebeld' } },
  'POST /api/v1/cases/{id}/orders': { body: { subcontractor: 'hulpmiddelen-bv', product: 'traplift' } },
  'POST /api/v1/orders/{id}/messages': { path: { id: assignment.id }, body: { text: 'Graag bellen.', visibleToCitizen: false } },
  'POST /api/v1/partner/assignments/{id}/status': { body: { status: 'bezig', text: 'Nog bezig' } },
  'POST /api/v1/partner/assignments/{id}/messages': { body: { text: 'Dinsdag.', visibleToCitizen: true } },
  'PATCH /api/v1/partner/assignments/{id}/messages/{messageId}': { body: { visibleToCitizen: true } },
  'POST /api/v1/notificaties': {
    headers: notifier,
    body: {
      kanaal: 'zaken',
      hoofdObject: busy.zaakUrl,
      resource: 'zaak',
      resourceUrl: busy.zaakUrl,
      actie: 'partial_update',
      aanmaakdatum: new Date().toISOString(),
      kenmerken: { bronorganisatie: '012345672' },
    },
  },
  'POST /api/v1/events': {
    headers: notifier,
    body: {
      specversion: '1.0',
      id: 'contract-1',
      source: 'urn:nld:oin:00000003012345678000:systeem:zaken',
      type: 'nl.overheid.zaken.zaakstatus-gewijzigd',
      time: new Date().toISOString(),
      dataref: busy.zaakUrl,
      subject: busy.zaakUrl,
    },
  },
  'POST /unsubscribe/{token}': { body: { 'List-Unsubscribe': 'One-Click' } },
  'POST /api/v1/subscriptions': { body: { callbackUrl, events: ['case.status-changed'], format: 'cloudevents' } },
  'POST /api/v1/me/mandates': { body: { proxyBsn: '999990019', proxyName: 'Jansen', caseId: busy.caseId, validUntil: '2027-06-30' } },
  'POST /api/v1/me/groups': { body: { name: 'Wonen', caseIds: [busy.caseId] } },
  'PATCH /api/v1/me/groups/{id}': { body: { name: 'Wonen en zorg', caseIds: [busy.caseId, done.caseId] } },
  // The first address: a code is sent now, so asking another right after is 429 (one per 30 seconds).
  'PUT /api/v1/me/preferences': { body: { language: 'nl', email: 'nieuw@voorbeeld.nl', channels: { email: true, sms: false } } },
  'POST /api/v1/me/preferences/email/verify': { body: { code: '123456' } },
  'POST /api/v1/me/preferences/phone/verify': { body: { code: '123456' } },
  'POST /api/v1/kcc/lookups': { body: { bsn: CITIZEN, purpose: 'complaint' } },
};

/**
 * Operations that cannot succeed here, and what they answer instead (still checked against the
 * contract): the codes were mailed (and are not known to the test), no phone number was given, a
 * code was just sent, the join journey needs no code without mail, a token only a mail holds.
 */
const NOT_SUCCESS: Record<string, number> = {
  'POST /api/v1/me/preferences/email/verify': 422,
  'POST /api/v1/me/preferences/phone/verify': 422,
  'POST /api/v1/me/preferences/phone/code': 422,
  'POST /api/v1/me/preferences/email/code': 429,
  'POST /api/v1/join/{token}/signer/verify': 409,
  'GET /unsubscribe/{token}': 404,
  'POST /unsubscribe/{token}': 404,
};

const credentials = (path: string) => credentialsFor(path, { citizen, kcc });

/** An id that exists for each path parameter, by the operation's area. */
function pathValue(o: Operation, name: string): string {
  const p = o.path;
  if (name === 'messageId') return message.id;
  if (name === 'caseId') return busy.caseId;
  if (name === 'version') return agreement.version;
  if (name === 'token') return p.startsWith('/api/v1/join') ? joinToken : 'no-such-token';
  if (p.startsWith('/api/v1/organisations')) return 'hulpmiddelen-bv';
  if (p.startsWith('/api/v1/cases') || p.startsWith('/api/v1/me/cases')) return busy.caseId;
  if (p.startsWith('/api/v1/orders')) return busy.orderId;
  if (p.startsWith('/api/v1/partner')) return assignment.id;
  if (p.startsWith('/api/v1/me/mandates')) return mandate.id;
  if (p.startsWith('/api/v1/me/groups')) return group.id;
  if (p.startsWith('/api/v1/consumer')) return readProxy.id;
  if (p.startsWith('/api/v1/subscriptions') || p.startsWith('/api/v1/ops/subscriptions')) return subscription.id;
  if (p.startsWith('/api/v1/ops/jobs')) return String(deadJob.id);
  if (p.startsWith('/api/v1/ops/deliveries')) return String(deadDelivery.id);
  if (p.startsWith('/api/v1/kcc')) return lookup.id;
  return name;
}

// Reads first; then writes, the operator's changes to organisations after the others (a suspended
// member's clients stop) and an activation after its suspension; removals last.
const rank = (o: Operation) =>
  o.method === 'get' ? 0 : o.method === 'delete' ? 4 : o.path.endsWith('/activate') ? 3 : o.path.startsWith('/api/v1/organisations/{id}') ? 2 : 1;
const ordered = [...operations].sort((a, b) => rank(a) - rank(b));

describe('every answer is as contracts/openapi.yaml documents it', () => {
  it.each(ordered.map((o) => [`${o.method.toUpperCase()} ${o.path}`, o] as const))('%s', async (name, o) => {
    const call = CALLS[name] ?? {};
    let url = o.path;
    for (const p of o.params.filter((p) => p.in === 'path')) url = url.replace(`{${p.name}}`, encodeURIComponent(call.path?.[p.name] ?? pathValue(o, p.name)));
    const media = o.op.requestBody ? Object.keys(o.op.requestBody.content)[0] : undefined;
    const res = await send(
      o.method.toUpperCase(),
      `${url}${call.query ? `?${call.query}` : ''}`,
      call.headers ?? credentials(o.path),
      typeof call.body === 'function' ? await call.body() : call.body,
      media,
    );
    expect(documented(o, res.status), `${res.status} is not in the contract: ${res.text.slice(0, 300)}`).toBe(true);
    expect(answerMismatch(o, res.status, res.contentType, res.text), res.text.slice(0, 600)).toBeUndefined();
    if (NOT_SUCCESS[name]) expect(res.status, res.text.slice(0, 300)).toBe(NOT_SUCCESS[name]);
    else expect(res.status, res.text.slice(0, 300)).toBeLessThan(300);
  });
});
