// The join page over HTTP (both lanes; the browser test walks it in Chromium): an unknown or expired
// link, a form from another site, the legal text's markdown with raw HTML shown as text, and the
// connection form's choice of ZGW JWT or OAuth2.
import { describe, expect, it } from 'vitest';
import { startTestGateway, testNetwork } from '../helpers/gateway.ts';
import { api, invited, memberSimulator } from './helpers.ts';

const ORIGIN = 'http://gateway.test';
const sim = await memberSimulator();
const gateway = await startTestGateway({ network: testNetwork(), env: { PUBLIC_BASE_URL: ORIGIN } });
const invitation = await invited(gateway, 'pagina-lid', sim);
const page = (path: string, init: RequestInit = {}) => gateway.app.request(path, { ...init, headers: { accept: 'text/html', ...init.headers } });
const postForm = (path: string, form: Record<string, string>, lang = 'en') =>
  page(path, {
    method: 'POST',
    headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded', 'accept-language': lang },
    body: new URLSearchParams(form).toString(),
  });

describe('the join page', () => {
  it('renders the summary, the terms and the legal text as safe markdown', async () => {
    const res = await page(`/join/${invitation.token}?lang=en`);
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toContain('You share the status of your cases with the chain.');
    expect(body).toContain('<details class="legal-text">');
    expect(body).toContain('<strong>member</strong>');
    expect(body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(body).not.toContain('<script>');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('answers an unknown link 404 and an expired one 410', async () => {
    expect((await page('/join/AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGhIjKlMnOpQ')).status).toBe(404);
    const other = await invited(gateway, 'pagina-verlopen', sim);
    await gateway.database.db
      .updateTable('onboarding_invitations')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', other.id)
      .execute();
    const res = await page(`/join/${other.token}`);
    expect(res.status).toBe(410);
    expect(await res.text()).toContain('verlopen');
  });

  it('refuses a form posted from another site', async () => {
    const res = await page(`/join/${invitation.token}/signer`, {
      method: 'POST',
      headers: { origin: 'https://elders.example', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=X&email=x%40y.example&role=z',
    });
    expect(res.status).toBe(403);
    const row = await gateway.database.db.selectFrom('onboarding_invitations').select('signer').where('id', '=', invitation.id).executeTakeFirstOrThrow();
    expect(row.signer).toBeNull();
  });

  it('takes an OAuth2 client for the Zaken API when the form chooses it; its secret stays write-only', async () => {
    const member = await invited(gateway, 'pagina-oauth2', sim);
    const issuer = 'https://auth.joiner.example/realms/zaken';
    const form = {
      apiRoot: sim.zakenApiRoot,
      authType: 'oauth2',
      issuer,
      clientId: 'ketenstatus',
      clientSecret: 'oauth2-client-secret-0123456789',
      scope: 'zaken.lezen',
      mode: 'poll',
    };
    const saved = await postForm(`/join/${member.token}/connection`, form);
    expect(saved.status).toBe(200);
    expect(await saved.text()).not.toContain('oauth2-client-secret');
    const join = await api(gateway, `/api/v1/join/${member.token}`);
    expect(join.body.connection.zaken.auth).toEqual({
      type: 'oauth2',
      issuer,
      clientId: 'ketenstatus',
      clientSecret: { configured: true },
      scope: 'zaken.lezen',
    });

    const shown = await (await page(`/join/${member.token}?lang=en`)).text();
    expect(shown).toMatch(/id="auth-oauth2" name="authType" value="oauth2" checked/);
    expect(shown).not.toMatch(/id="auth-zgw-jwt"[^>]* checked/);
    expect(shown).toContain(`value="${issuer}"`);
    expect(shown).not.toContain('oauth2-client-secret');

    // Saved again with the secret left empty: the stored one is kept.
    expect((await postForm(`/join/${member.token}/connection`, { ...form, clientSecret: '', scope: '' })).status).toBe(200);
    expect((await api(gateway, `/api/v1/join/${member.token}`)).body.connection.zaken.auth).toEqual({
      type: 'oauth2',
      issuer,
      clientId: 'ketenstatus',
      clientSecret: { configured: true },
    });
    // ZGW JWT without a secret has none stored to keep: refused, the field named by its label.
    const refused = await postForm(`/join/${member.token}/connection`, {
      apiRoot: sim.zakenApiRoot,
      authType: 'zgw-jwt',
      clientId: 'x',
      secret: '',
      mode: 'poll',
    });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('Please check: Secret (at least 16 characters; never shown).');
    expect((await api(gateway, `/api/v1/join/${member.token}`)).body.connection.zaken.auth.type).toBe('oauth2');
  });
});
