// The join page over HTTP (both lanes; the browser test walks it in Chromium): an unknown or expired
// link, a form from another site, and the legal text's markdown with raw HTML shown as text.
import { describe, expect, it } from 'vitest';
import { startTestGateway, testNetwork } from '../helpers/gateway.ts';
import { invited, memberSimulator } from './helpers.ts';

const sim = await memberSimulator();
const gateway = await startTestGateway({ network: testNetwork() });
const invitation = await invited(gateway, 'pagina-lid', sim);
const page = (path: string, init: RequestInit = {}) => gateway.app.request(path, { ...init, headers: { accept: 'text/html', ...init.headers } });

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
});
