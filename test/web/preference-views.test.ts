// The Meldingen page for a login narrowed to one branch: the company's preferences to read, no form
// to change them (the service answers such a change 403).
import { describe, expect, it } from 'vitest';
import { translator } from '../../src/i18n/index.ts';
import { emptyPrefForm, preferencesView } from '../../src/web/preference-views.ts';

const prefs = { language: 'sv' as const, email: { address: 'info@hostel.example', verified: true }, channels: { email: true, sms: false } };

describe('the Meldingen page', () => {
  it('shows a branch login the company’s preferences without a form', () => {
    const t = translator('en');
    const page = String(preferencesView(t, 'csrf', prefs, emptyPrefForm(), { smsAvailable: false, company: true, branchOnly: true }));
    expect(page).toContain(t('prefs.branchReadOnly').replace("'", '&#39;'));
    expect(page).toContain('info@hostel.example');
    expect(page).toContain('Svenska');
    expect(page).not.toContain('<form');
  });

  it('gives a company-wide login the form', () => {
    const page = String(preferencesView(translator('en'), 'csrf', prefs, emptyPrefForm(), { smsAvailable: false, company: true }));
    expect(page).toContain('<form method="post" action="/notifications"');
  });
});
