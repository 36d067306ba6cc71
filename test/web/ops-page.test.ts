// /ops: an operator logs in by pasting a ZGW token (verified as the API verifies it), gets a
// session cookie scoped to /ops, sees the organisations and dead jobs, and retries one (CSRF-checked).
import { describe, expect, it } from 'vitest';
import { insertDeadJob } from '../helpers/fixtures.ts';
import { token } from '../helpers/gateway.ts';
import { csrfOf, startWebChain } from './helpers/web-chain.ts';
import { textOf, WebClient } from './helpers/web-client.ts';

const { chain, base } = await startWebChain();
const db = chain.gateway.database.db;

const operator = async () => {
  const client = new WebClient({ 'accept-language': 'en' });
  const res = await client.post(`${base}/ops/login`, { token: token('beheer') });
  expect(res.url).toBe(`${base}/ops`);
  return { client, html: await res.res.text() };
};

describe('the operator login', () => {
  it('asks for a token first, and refuses tokens that are not an operator’s', async () => {
    const client = new WebClient({ 'accept-language': 'en' });
    const form = await client.request(`${base}/ops`);
    expect(form.status).toBe(200);
    expect(await form.text()).toMatch(/<label for="token">ZGW token \(JWT\)<\/label>/);
    const supplier = await client.post(`${base}/ops/login`, { token: token('zac') });
    expect(supplier.res.status).toBe(401);
    expect(textOf(await supplier.res.text())).toContain('This token gives no access: client zac has role supplier, not operator');
    const garbage = await client.post(`${base}/ops/login`, { token: 'not-a-jwt' });
    expect(garbage.res.status).toBe(401);
    expect(client.cookie('ks_ops')).toBeUndefined();
    const foreign = await client.post(`${base}/ops/login`, { token: token('beheer') }, 'https://evil.example');
    expect(foreign.res.status).toBe(403);
    expect(client.cookie('ks_ops')).toBeUndefined();
  });

  it('gives an operator a session cookie for /ops only', async () => {
    const { client, html } = await operator();
    const cookie = client.cookie('ks_ops')!;
    expect(cookie.path).toBe('/ops');
    expect(cookie.attributes).toMatch(/HttpOnly/i);
    expect(textOf(html)).toContain('Logged in as client beheer');
    const out = await client.post(`${base}/ops/logout`, { _csrf: csrfOf(html) });
    expect(out.url).toBe(`${base}/ops`);
    expect(client.cookie('ks_ops')).toBeUndefined();
  });
});

describe('the dashboard', () => {
  it('lists every organisation with status, agreement, last notification, sync lag and breaker', async () => {
    const { html } = await operator();
    const text = textOf(html);
    expect(text).toMatch(/Hulpmiddelen B\.V\. hulpmiddelen-bv active 2026-1 .+ never — closed 0 0 0 queued 0 running 0 dead/);
    expect(text).toMatch(/Bouwbedrijf De Steiger bouwbedrijf-de-steiger active/);
    expect(text).toContain('There are no dead jobs.');
    // Outbound webhooks (src/delivery): the panel is there, with nothing stuck.
    expect(text).toContain('There are no undelivered webhooks.');
    expect(text).toContain('There are no disabled subscriptions.');
  });

  it('retries a dead job with the session’s CSRF token', async () => {
    const dead = await insertDeadJob(db, {
      kind: 'web-test.never-handled',
      attempts: 5,
      groupKey: 'hulpmiddelen-bv',
      error: 'remote answered 500 Internal Server Error',
    });
    const { client, html } = await operator();
    expect(textOf(html)).toMatch(new RegExp(`${dead.id} web-test\\.never-handled hulpmiddelen-bv 5 remote answered 500 Internal Server Error`));
    const action = `${base}/ops/jobs/${dead.id}/retry`;
    expect((await client.post(action, { _csrf: 'nope' })).res.status).toBe(403);
    expect((await db.selectFrom('jobs').select(['state', 'attempts']).where('id', '=', dead.id).executeTakeFirstOrThrow()).attempts).toBe(5);
    const res = await client.post(action, { _csrf: csrfOf(html) });
    expect(res.url).toBe(`${base}/ops?done=retried&job=${dead.id}`);
    expect(textOf(await res.res.text())).toContain(`Job ${dead.id} is queued again.`);
    // Retrying what is no longer dead says so instead of pretending.
    await db.deleteFrom('jobs').where('id', '=', dead.id).execute();
    const gone = await client.post(action, { _csrf: csrfOf(html) });
    expect(textOf(await gone.res.text())).toContain(`Job ${dead.id} is not dead (any more).`);
  });

  it('sends a browser without an operator session to the login form', async () => {
    const client = new WebClient();
    const res = await client.request(`${base}/ops/jobs/1/retry`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '_csrf=x',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/ops');
  });
});
