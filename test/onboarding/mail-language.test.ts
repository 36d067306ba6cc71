// The onboarding mails in the reader's language, through the SMTP sink: the invitation in the
// language the operator names (Dutch when none), the signer's code in the requester's (Accept-Language
// on the API, the page's language on /join).
import { describe, expect, it } from 'vitest';
import { api, invited, mailingGateway, ORIGIN, pendingMember } from './helpers.ts';

const { gateway, sink, sim } = await mailingGateway();
const self = gateway.network.self.name;

describe('the invitation mail', () => {
  it('is Swedish when the operator asks for sv', async () => {
    const id = 'inbjuden-sv';
    expect((await api(gateway, `/api/v1/organisations/${id}`, { method: 'PUT', body: pendingMember(id, sim), operator: true })).status).toBe(201);
    const invitation = await api(gateway, `/api/v1/organisations/${id}/invitations`, {
      body: { name: 'Sara Svensson', email: 'sara@joiner.example', language: 'sv' },
      operator: true,
    });
    expect(invitation.status).toBe(201);
    const mail = await sink.waitFor((m) => m.to.includes('sara@joiner.example'));
    expect(mail.subject).toBe(`Inbjudan från ${self} till Hulpmiddelen Nieuw B.V.`);
    expect(mail.text).toContain('Hej Sara Svensson,');
    expect(mail.text).toContain('bjuder in Hulpmiddelen Nieuw B.V. att ansluta till kedjans nätverk');
    expect(mail.text).toContain(invitation.body.url);
    expect(mail.text).toMatch(/Länken gäller till \d{1,2} [a-zåäö]+ \d{4} och bara för Hulpmiddelen Nieuw B\.V\./);
    expect(mail.text).not.toContain('Beste');
  });

  it('is Dutch without a language, and an unknown language is refused', async () => {
    const invitation = await invited(gateway, 'uitnodiging-nl', sim);
    const dutch = await sink.waitFor((m) => m.text.includes(invitation.url));
    expect(dutch.subject).toBe(`Uitnodiging van ${self} voor Hulpmiddelen Nieuw B.V.`);
    expect(dutch.text).toContain('Beste Petra Planner,');

    const id = 'inbjuden-xx';
    expect((await api(gateway, `/api/v1/organisations/${id}`, { method: 'PUT', body: pendingMember(id, sim), operator: true })).status).toBe(201);
    const refused = await api(gateway, `/api/v1/organisations/${id}/invitations`, {
      body: { name: 'X', email: 'x@joiner.example', language: 'de' },
      operator: true,
    });
    expect(refused.status).toBe(400);
    expect(refused.body.invalidParams).toEqual([expect.objectContaining({ name: 'language' })]);
  });
});

describe("the signer's code mail", () => {
  const signer = (email: string) => ({ name: 'Pekka Virtanen', email, role: 'toimitusjohtaja' });

  it('is Finnish when the API is asked with Accept-Language: fi', async () => {
    const invitation = await invited(gateway, 'koodi-fi', sim);
    const res = await gateway.app.request(`/api/v1/join/${invitation.token}/signer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept-language': 'fi-FI, en;q=0.5' },
      body: JSON.stringify(signer('pekka@joiner.example')),
    });
    expect(res.status).toBe(202);
    const mail = await sink.waitFor((m) => m.to.includes('pekka@joiner.example'));
    const code = /\b(\d{6})\b/.exec(mail.text)![1];
    expect(mail.subject).toBe(`Vahvistuskoodi: ${code}`);
    expect(mail.text).toContain(`Koodisi sopimuksen allekirjoittamiseen: ${code}`);
    expect(mail.text).toContain('Koodi on voimassa 15 minuuttia.');
    // The code works: the mail carries the one the gateway keeps.
    expect((await api(gateway, `/api/v1/join/${invitation.token}/signer/verify`, { body: { code } })).status).toBe(200);
  });

  it("is in the join page's language (?lang=fi), whatever Accept-Language says", async () => {
    const invitation = await invited(gateway, 'koodi-sivu', sim);
    const res = await gateway.app.request(`/join/${invitation.token}/signer?lang=fi`, {
      method: 'POST',
      headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', 'accept-language': 'nl' },
      body: new URLSearchParams(signer('sivu@joiner.example')).toString(),
    });
    expect(res.status).toBe(200);
    const mail = await sink.waitFor((m) => m.to.includes('sivu@joiner.example'));
    expect(mail.subject).toMatch(/^Vahvistuskoodi: \d{6}$/);
  });
});
