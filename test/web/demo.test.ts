// The demo's moving parts: the seeded case (a fresh round per start, exactly one open; an
// assignment at the builder without a case system among its parts), the caught mail at /_demo/mail
// with its answer form (over SMTP to the reply listener), and the identity provider's access tokens
// (RS256 JWT for the citizen API audience, with bsn and acr).
import * as oidc from 'openid-client';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { DEMO_ACR, DEMO_COMPANY } from '../../src/demo/idp.ts';
import { safeReturnTo } from '../../src/web/auth.ts';
import { DEMO_MAIL } from '../../src/demo/demo.ts';
import { demoMailPage } from '../../src/demo/mail-page.ts';
import { DEMO_PORTAL } from '../../src/demo/network.ts';
import { startMailSink } from '../helpers/smtp.ts';
import { CITIZEN, startWebChain } from './helpers/web-chain.ts';
import { textOf, WebClient } from './helpers/web-client.ts';

const sink = await startMailSink();
let inboundPort: () => number | undefined = () => undefined;
const { chain, base, idp, seed } = await startWebChain(
  { SMTP_URL: sink.url, MAIL_FROM: DEMO_MAIL.from, MAIL_REPLY_DOMAIN: DEMO_MAIL.replyDomain, SMTP_INBOUND_PORT: '0' },
  { portal: true, demoRoutes: (origin) => demoMailPage({ sink, inbound: () => ({ host: '127.0.0.1', port: inboundPort() }), publicOrigin: origin }) },
);
inboundPort = () => chain.gateway.mail.inbound.port;
const db = chain.gateway.database.db;

describe('the demo seed', () => {
  it('places one order at each subcontractor through the supplier API', async () => {
    const first = await seed();
    expect(first.reference).toBe('DEMO-1');
    const orders = await db
      .selectFrom('orders')
      .select(['subcontractor', 'product', 'state', 'share_citizen'])
      .where('case_id', '=', first.id)
      .orderBy('subcontractor')
      .execute();
    expect(orders).toEqual([
      { subcontractor: 'bouwbedrijf-de-steiger', product: 'woningaanpassing', state: 'placed', share_citizen: true },
      { subcontractor: 'hulpmiddelen-bv', product: 'traplift', state: 'placed', share_citizen: true },
      { subcontractor: DEMO_PORTAL.id, product: 'drempels', state: 'placed', share_citizen: true },
    ]);
    expect(chain.sims['hulpmiddelen-bv'].zaken()).toHaveLength(1);
    // The builder's order is an assignment: no zaak anywhere, its planner mailed with a reply address.
    const assignment = await db
      .selectFrom('assignments')
      .innerJoin('orders', 'orders.id', 'assignments.order_id')
      .select(['orders.id', 'orders.remote_zaak_url', 'assignments.reply_token'])
      .where('orders.case_id', '=', first.id)
      .executeTakeFirstOrThrow();
    expect(assignment.remote_zaak_url).toBeNull();
    const mail = await sink.waitFor((m) => m.text.includes(assignment.id));
    expect(mail.to).toEqual(['planning@klusbedrijf-timmerman.example']);
    expect(mail.replyTo).toBe(`${assignment.reply_token}@${DEMO_MAIL.replyDomain}`);
  });

  it('at a restart cancels the previous round (its simulated zaken are gone) and starts one new open case', async () => {
    const second = await seed();
    expect(second.reference).toBe('DEMO-2');
    const cases = await db
      .selectFrom('cases')
      .select(['reference', 'phase', 'closed_at', 'citizen_bsn', 'citizen_kvk'])
      .where('reference', 'like', 'DEMO-%')
      .orderBy('reference')
      .execute();
    // Each round: the citizen's case and the demo company's (-B).
    expect(cases.map((c) => [c.reference, c.phase, c.closed_at === null])).toEqual([
      ['DEMO-1', 'geannuleerd', false],
      ['DEMO-1-B', 'geannuleerd', false],
      ['DEMO-2', 'in_behandeling', true],
      ['DEMO-2-B', 'ontvangen', true],
    ]);
    expect(cases.filter((c) => !c.reference.endsWith('-B')).every((c) => c.citizen_bsn === CITIZEN.bsn)).toBe(true);
    expect(cases.filter((c) => c.reference.endsWith('-B')).every((c) => c.citizen_kvk === DEMO_COMPANY.kvk)).toBe(true);
  });
});

describe('the caught mail at /_demo/mail', () => {
  it("lists the builder's assignment mail, and an answer sent from there lands on the case (a stranger's is refused)", async () => {
    const { id: caseId } = await seed();
    const order = await db
      .selectFrom('orders')
      .select('id')
      .where('case_id', '=', caseId)
      .where('subcontractor', '=', DEMO_PORTAL.id)
      .executeTakeFirstOrThrow();
    const mail = await sink.waitFor((m) => m.text.includes(order.id));
    const client = new WebClient();
    const page = await (await client.request(`${base}/_demo/mail`)).text();
    expect(page).toMatch(/<h1>Caught mail \(demo\)<\/h1>/);
    expect(textOf(page)).toContain(`Reply-To ${mail.replyTo}`);
    const form = { to: mail.replyTo!, subject: `Re: ${mail.subject}`, text: 'Komt in orde: donderdag om 9 uur.' };
    const stranger = await client.post(`${base}/_demo/mail/reply`, { ...form, from: 'iemand@elders.example' });
    expect(stranger.res.status).toBe(502);
    expect(textOf(await stranger.res.text())).toContain('the sender is not a registered contact');
    const answered = await client.post(`${base}/_demo/mail/reply`, { ...form, from: mail.to[0] });
    expect(answered.res.status).toBe(200);
    expect(textOf(await answered.res.text())).toContain('The listener took the answer: 250');
    const messages = await db.selectFrom('order_messages').select(['channel', 'author', 'text']).where('order_id', '=', order.id).execute();
    expect(messages).toEqual([{ channel: 'mail', author: 'planning@klusbedrijf-timmerman.example', text: 'Komt in orde: donderdag om 9 uur.' }]);
    // A form from another site is refused.
    expect((await client.post(`${base}/_demo/mail/reply`, { ...form, from: mail.to[0] }, 'https://evil.example')).res.status).toBe(403);
  });
});

describe('the demo identity provider', () => {
  it('issues RS256 JWT access tokens for the citizen API with bsn and acr, only with PKCE', async () => {
    const config = await oidc.discovery(new URL(idp.issuer), 'ketenstatus-web', undefined, oidc.ClientSecretBasic('demo-secret-web-0123456789'), {
      execute: [oidc.allowInsecureRequests],
    });
    expect(config.serverMetadata().code_challenge_methods_supported).toEqual(['S256']);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: `${base}/auth/callback`,
      scope: 'openid profile ketenstatus',
      state,
      resource: 'urn:ketenstatus:citizen-api',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const client = new WebClient();
    const page = await client.follow(url.href);
    const done = await client.request(page.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'citizen=a.devries&password=demo&action=login',
    });
    let location = done.headers.get('location')!;
    for (let i = 0; i < 10 && !location.startsWith(base); i++) location = (await client.request(new URL(location, idp.issuer).href)).headers.get('location')!;
    const tokens = await oidc.authorizationCodeGrant(
      config,
      new URL(location),
      { pkceCodeVerifier: verifier, expectedState: state },
      { resource: 'urn:ketenstatus:citizen-api' },
    );
    expect(decodeProtectedHeader(tokens.access_token)).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
    expect(decodeJwt(tokens.access_token)).toMatchObject({ iss: idp.issuer, aud: 'ketenstatus', bsn: CITIZEN.bsn, acr: DEMO_ACR, sub: 'a.devries' });
    // The token works on the JSON API as well.
    const res = await fetch(`${base}/api/v1/me/cases`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(res.status).toBe(200);
  });

  it('refuses a wrong password and an authorization request without PKCE', async () => {
    const client = new WebClient();
    const login = await client.follow(`${base}/auth/login`);
    const wrong = await client.request(login.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'citizen=a.devries&password=guess&action=login',
    });
    expect(wrong.status).toBe(401);
    const noPkce = await new WebClient().request(
      `${idp.issuer}/auth?client_id=ketenstatus-web&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(`${base}/auth/callback`)}`,
    );
    expect(noPkce.status).toBe(303);
    expect(noPkce.headers.get('location')).toContain('error=invalid_request');
  });
});

describe('returnTo after login', () => {
  it('is a path on this site only', () => {
    expect(safeReturnTo('/cases/1?x=2')).toBe('/cases/1?x=2');
    for (const bad of [undefined, '', 'https://evil.example', '//evil.example', '/\\evil.example', 'cases', '/a b']) expect(safeReturnTo(bad)).toBe('/');
  });
});
