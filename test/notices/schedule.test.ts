// The folding window and the SMS quiet hours (src/notices/folding.ts) at fixed instants, across
// both daylight-saving changes of Europe/Amsterdam.
import { describe, expect, it } from 'vitest';
import { DEFAULT_FOLD_WINDOW_MS, localParts, outsideQuietHours, planNotice } from '../../src/notices/folding.ts';

const at = (iso: string) => new Date(iso);

describe('outsideQuietHours (Europe/Amsterdam, 22:00–07:00)', () => {
  it.each([
    // Winter (UTC+1): 23:00 local is 22:00Z; held until 07:00 local the next day, 06:00Z.
    ['2026-01-14T22:00:00Z', '2026-01-15T06:00:00.000Z'],
    // Just before and at the edges.
    ['2026-01-14T20:59:59Z', '2026-01-14T20:59:59.000Z'], // 21:59:59 local: goes
    ['2026-01-14T21:00:00Z', '2026-01-15T06:00:00.000Z'], // 22:00 local: held
    ['2026-01-15T05:59:59Z', '2026-01-15T06:00:00.000Z'], // 06:59:59 local: held a second
    ['2026-01-15T06:00:00Z', '2026-01-15T06:00:00.000Z'], // 07:00 local: goes
    // After midnight local, before 07:00: the same day's 07:00.
    ['2026-01-15T01:30:00Z', '2026-01-15T06:00:00.000Z'],
    // Summer (UTC+2): 23:00 local is 21:00Z; 07:00 local is 05:00Z.
    ['2026-07-01T21:00:00Z', '2026-07-02T05:00:00.000Z'],
    ['2026-07-01T19:59:00Z', '2026-07-01T19:59:00.000Z'], // 21:59 local
    // Into summer time (29 March 2026, 02:00 → 03:00): 23:00 on the 28th is UTC+1, 07:00 on the 29th is UTC+2.
    ['2026-03-28T22:00:00Z', '2026-03-29T05:00:00.000Z'],
    ['2026-03-29T01:30:00Z', '2026-03-29T05:00:00.000Z'], // 03:30 local, just after the change
    // Out of summer time (25 October 2026, 03:00 → 02:00): 23:00 on the 24th is UTC+2, 07:00 on the 25th is UTC+1.
    ['2026-10-24T21:00:00Z', '2026-10-25T06:00:00.000Z'],
    ['2026-10-25T00:30:00Z', '2026-10-25T06:00:00.000Z'], // 02:30 local, the first time round
    ['2026-10-25T01:30:00Z', '2026-10-25T06:00:00.000Z'], // 02:30 local, the second time round
    // Over a month and a year's end.
    ['2026-12-31T22:30:00Z', '2027-01-01T06:00:00.000Z'],
  ])('%s → %s', (input, expected) => {
    const held = outsideQuietHours(at(input));
    expect(held.toISOString()).toBe(expected);
    const local = localParts(held);
    expect(local.hour >= 7 && local.hour < 22).toBe(true);
  });
});

describe('planNotice', () => {
  const now = at('2026-01-14T10:00:00Z');

  it('sends the first message about a case at once', () => {
    expect(planNotice(now, 'email', undefined)).toEqual({ kind: 'new', sendAt: now });
  });

  it('folds a notice into the message still waiting', () => {
    expect(planNotice(now, 'email', { sendAt: at('2026-01-14T10:05:00Z'), pending: true })).toEqual({ kind: 'fold' });
  });

  it('sends a notice within the window of the last message when the window ends', () => {
    const sent = at('2026-01-14T09:50:00Z');
    expect(planNotice(now, 'email', { sendAt: sent, pending: false })).toEqual({ kind: 'new', sendAt: new Date(sent.getTime() + DEFAULT_FOLD_WINDOW_MS) });
  });

  it('sends at once after the window', () => {
    expect(planNotice(now, 'email', { sendAt: at('2026-01-14T09:44:59Z'), pending: false })).toEqual({ kind: 'new', sendAt: now });
  });

  it('holds an SMS, not an e-mail, whose window ends in the night', () => {
    const late = at('2026-01-14T21:10:00Z'); // 22:10 local
    const last = { sendAt: at('2026-01-14T20:55:00Z'), pending: false }; // 21:55 local: the window ends 22:10
    expect(planNotice(late, 'email', last)).toEqual({ kind: 'new', sendAt: late });
    expect(planNotice(late, 'sms', last)).toEqual({ kind: 'new', sendAt: at('2026-01-15T06:00:00Z') });
  });

  it('takes the configured window', () => {
    const sent = at('2026-01-14T09:59:00Z');
    expect(planNotice(now, 'email', { sendAt: sent, pending: false }, 120_000)).toEqual({ kind: 'new', sendAt: at('2026-01-14T10:01:00Z') });
  });
});
