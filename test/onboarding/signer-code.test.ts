// The signer's code, mail configured: at most one per 30 s and 5 an hour per invitation (429 with
// Retry-After, nothing changed), and the join page's refusals in the page's language.
import { describe, expect, it } from 'vitest';
import { api, invited, mailingGateway, ORIGIN } from './helpers.ts';

const { gateway, sink, sim } = await mailingGateway();

const signer = (email: string) => ({ name: 'Petra Planner', email, role: 'directeur' });
const db = gateway.database.db;
/** The signer-code mails queued to an address (the outbox row is written with the change, or not at all). */
async function codeMails(to: string) {
  const rows = await db.selectFrom('mail_outbox').select(['id', 'recipients']).where('kind', '=', 'onboarding.signer-code').execute();
  return rows.filter((r) => r.recipients.includes(to)).map((r) => r.id);
}
/** The last code as if sent `seconds` ago: the clock moves for the limit without waiting. */
const sentAgo = (invitationId: string, seconds: number) =>
  db
    .updateTable('onboarding_invitations')
    .set({ signer_code_sent_at: new Date(Date.now() - seconds * 1000) })
    .where('id', '=', invitationId)
    .execute();

describe('asking for a signer code', () => {
  it('sends one code per 30 seconds: a second is 429 with Retry-After and changes nothing', async () => {
    const invitation = await invited(gateway, 'code-snel', sim);
    const first = await api(gateway, `/api/v1/join/${invitation.token}/signer`, { body: signer('eerste@joiner.example') });
    expect(first.status).toBe(202);
    const mail = await sink.waitFor((m) => m.to.includes('eerste@joiner.example'));
    const code = /\b(\d{6})\b/.exec(mail.text)![1];

    const res = await gateway.app.request(`/api/v1/join/${invitation.token}/signer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(signer('ander@elders.example')),
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect((await res.json()).code).toBe('code-rate-limited');
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(30);

    // Nothing changed: no mail queued to the other address, the signer and the first code stand.
    expect(await codeMails('ander@elders.example')).toEqual([]);
    const join = await api(gateway, `/api/v1/join/${invitation.token}`);
    expect(join.body.signer).toMatchObject({ email: 'eerste@joiner.example', confirmed: false });
    const verified = await api(gateway, `/api/v1/join/${invitation.token}/signer/verify`, { body: { code } });
    expect(verified.status).toBe(200);
  });

  it('sends at most 5 codes an hour per invitation', async () => {
    const invitation = await invited(gateway, 'code-vaak', sim);
    for (let i = 0; i < 5; i++) {
      if (i > 0) await sentAgo(invitation.id, 31);
      expect((await api(gateway, `/api/v1/join/${invitation.token}/signer`, { body: signer('vaak@joiner.example') })).status).toBe(202);
    }
    await sentAgo(invitation.id, 31);
    const sixth = await gateway.app.request(`/api/v1/join/${invitation.token}/signer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(signer('vaak@joiner.example')),
    });
    expect(sixth.status).toBe(429);
    // The hour's window opened at the first code: the wait is most of an hour, not 30 seconds.
    expect(Number(sixth.headers.get('retry-after'))).toBeGreaterThan(3000);
    expect(await codeMails('vaak@joiner.example')).toHaveLength(5);
  });
});

describe('the join page in the reader language', () => {
  const post = (token: string, path: string, form: Record<string, string>, lang: string) =>
    gateway.app.request(`/join/${token}/${path}`, {
      method: 'POST',
      headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', 'accept-language': lang },
      body: new URLSearchParams(form).toString(),
    });

  it('shows a wrong code in Finnish with the tries left, and a second code too soon in Swedish', async () => {
    const invitation = await invited(gateway, 'sivu-kieli', sim);
    expect((await post(invitation.token, 'signer', signer('kieli@joiner.example'), 'fi')).status).toBe(200);
    const mail = await sink.waitFor((m) => m.to.includes('kieli@joiner.example'));
    const code = /\b(\d{6})\b/.exec(mail.text)![1];

    const wrong = await post(invitation.token, 'verify', { code: code === '000000' ? '111111' : '000000' }, 'fi');
    expect(wrong.status).toBe(422);
    const fi = await wrong.text();
    expect(fi).toContain('Koodi ei ole oikea. Yrityksiä on jäljellä 4.');
    expect(fi).not.toContain('The code is not right');

    const again = await post(invitation.token, 'signer', signer('kieli@joiner.example'), 'sv');
    expect(again.status).toBe(429);
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await again.text()).toMatch(/En kod skickades nyss\. Be om en ny om \d+ sekunder\./);
  });
});
