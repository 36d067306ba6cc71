// The mails that carry a credential — the invitation with its join link, the signer's code, the
// partner sign-in link — are queued `sensitive`: once sent, the outbox row keeps none of it.
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.ts';
import { ERASED_MAIL_TEXT } from '../../src/mail/index.ts';
import { PartnerLinks } from '../../src/web/partner-login.ts';
import { portalOrganisation } from '../helpers/fixtures.ts';
import { startTestGateway, testNetwork } from '../helpers/gateway.ts';
import { startMailSink } from '../helpers/smtp.ts';
import { waitFor } from '../helpers/wait.ts';
import { api, invited, memberSimulator } from '../onboarding/helpers.ts';

const ORIGIN = 'http://gateway.test';
const CONTACT = 'planning@klusbedrijf-test.example';
const sink = await startMailSink();
const sim = await memberSimulator();
const gateway = await startTestGateway({
  network: testNetwork([portalOrganisation('klusbedrijf-test', { name: 'Klusbedrijf Test', portal: { contacts: [{ name: 'Planning', email: CONTACT }] } })]),
  env: { SMTP_URL: sink.url, MAIL_FROM: 'ketenstatus@gemeente-test.example', PUBLIC_BASE_URL: ORIGIN },
});
const db = gateway.database.db;

/** The kind's sent row to `to`, once the sender is done with it. */
const sentRow = (kind: string, to: string) =>
  waitFor(async () => {
    const rows = await db.selectFrom('mail_outbox').selectAll().where('kind', '=', kind).where('state', '=', 'sent').execute();
    return rows.find((r) => r.recipients.includes(to)) ?? false;
  });

describe('a mail holding a credential', () => {
  it('is erased from the outbox once sent: the invitation, the signer code, the partner sign-in link', async () => {
    const invitation = await invited(gateway, 'wist-uit', sim);
    const invitationMail = await sink.waitFor((m) => m.to.includes('petra@joiner.example') && m.text.includes(invitation.token));
    expect(invitationMail.text).toContain(invitation.token);
    const invitationRow = await sentRow('onboarding.invitation', 'petra@joiner.example');
    expect(JSON.stringify(invitationRow)).not.toContain(invitation.token);
    expect(invitationRow.text).toBe(ERASED_MAIL_TEXT);

    const asked = await api(gateway, `/api/v1/join/${invitation.token}/signer`, {
      body: { name: 'Petra Planner', email: 'teken@joiner.example', role: 'directeur' },
    });
    expect(asked.status).toBe(202);
    const codeMail = await sink.waitFor((m) => m.to.includes('teken@joiner.example'));
    const code = /\b(\d{6})\b/.exec(codeMail.text)![1];
    const codeRow = await sentRow('onboarding.signer-code', 'teken@joiner.example');
    expect(JSON.stringify(codeRow)).not.toContain(code);

    const links = new PartnerLinks({
      database: gateway.database,
      network: gateway.network,
      secret: 'credential-mails-secret',
      baseUrl: ORIGIN,
      logger: createLogger('silent'),
    });
    await links.request(CONTACT);
    const linkMail = await sink.waitFor((m) => m.to.includes(CONTACT));
    const token = /\/partner\/login\/([A-Za-z]+)/.exec(linkMail.text)![1];
    const linkRow = await sentRow('partner.login', CONTACT);
    expect(JSON.stringify(linkRow)).not.toContain(token);
  });
});
