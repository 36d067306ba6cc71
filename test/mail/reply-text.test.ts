// replyText: the new text of a reply, as the mail apps partners use write them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { replyText } from '../../src/mail/reply-text.ts';

const NEW = 'Goed, we komen dinsdag.';

describe('replyText', () => {
  it.each([
    ['Gmail, Dutch', `${NEW}\n\nOp do 5 dec 2026 om 10:00 schreef Ketenstatus <noreply@gateway.test>:\n\n> Nieuwe opdracht\n> Regel 2\n`],
    ['Gmail, English', `${NEW}\n\nOn Thu, Dec 5, 2026 at 10:00 AM Ketenstatus <noreply@gateway.test> wrote:\n> New assignment\n`],
    [
      'Gmail, attribution wrapped over two lines',
      `${NEW}\n\nOn Thu, Dec 5, 2026 at 10:00 AM Ketenstatus Gemeente Voorbeeld <\nnoreply@gateway.test> wrote:\n\n> New assignment\n`,
    ],
    ['Apple Mail, Dutch', `${NEW}\n\n> Op 5 dec. 2026 om 10:00 heeft Ketenstatus <noreply@gateway.test> het volgende geschreven:\n>\n> Nieuwe opdracht\n`],
    [
      'Apple Mail, unquoted attribution',
      `${NEW}\n\nOp 5 dec. 2026 om 10:00 heeft Ketenstatus <noreply@gateway.test> het volgende geschreven:\n\nNieuwe opdracht\n`,
    ],
    [
      'Outlook, Dutch header block',
      `${NEW}\r\n\r\nVan: Ketenstatus <noreply@gateway.test>\r\nVerzonden: donderdag 5 december 2026 10:00\r\nAan: jan@steiger.test\r\nOnderwerp: Nieuwe opdracht\r\n\r\nNieuwe opdracht: drempelhulp\r\n`,
    ],
    [
      'Outlook, rule and bold header',
      `${NEW}\n\n________________________________\n*From:* Ketenstatus <noreply@gateway.test>\n*Sent:* Thursday\n\nNew assignment\n`,
    ],
    ['Outlook, original message separator', `${NEW}\n\n-----Oorspronkelijk bericht-----\nVan: Ketenstatus\nNieuwe opdracht\n`],
    ['a signature', `${NEW}\n\n-- \nJan Bouwer\nBouwbedrijf De Steiger\n`],
    ['a phone app line', `${NEW}\n\nVerstuurd vanaf mijn iPhone\n\n> Op 5 dec. 2026 om 10:00 heeft Ketenstatus het volgende geschreven:\n> Hallo\n`],
    ['only new text', NEW],
  ])('%s', (_, mail) => {
    expect(replyText(mail)).toBe(NEW);
  });

  it('keeps the text between quotes of an inline answer, and the greeting', () => {
    const mail = '> Kunt u dinsdag?\nJa, dinsdag kan.\n\n> Om 9 uur?\nLiever om 10 uur.\n\nMet vriendelijke groet,\nJan';
    expect(replyText(mail)).toBe('Ja, dinsdag kan.\n\nLiever om 10 uur.\n\nMet vriendelijke groet,\nJan');
  });

  it('keeps lines that merely look like the start of a header or an attribution', () => {
    const mail = 'Op dinsdag komen we.\nOn site at 9.\nVan: de steiger naar de kelder is het trap af.\nDe: is geen kop.';
    expect(replyText(mail)).toBe(mail);
  });

  it('is empty when the reply has no text of its own', () => {
    expect(replyText('\n\nOn Thu, Dec 5, 2026 at 10:00 AM Ketenstatus <noreply@gateway.test> wrote:\n> Hallo\n')).toBe('');
  });

  it('only ever removes lines: what it keeps is a subsequence of the reply, never quoted', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.constantFrom('> quoted', '-- ', 'On x wrote:', 'Van: a', 'Aan: b', '')), { maxLength: 40 }), (lines) => {
        const out = replyText(lines.join('\n'));
        const kept = out === '' ? [] : out.split('\n');
        let i = 0;
        for (const line of lines.flatMap((l) => l.split(/\r\n?|\n/)).map((l) => l.trimEnd())) if (i < kept.length && kept[i] === line) i++;
        expect(i).toBe(kept.length);
        expect(kept.some((l) => /^\s*>/.test(l))).toBe(false);
      }),
    );
  });

  it('handles a megabyte of hostile input line by line (patterns that backtrack badly elsewhere)', () => {
    const hostile = [
      'Op een dag\n'.repeat(100_000),
      '2026-12 '.repeat(130_000),
      `On ${'x '.repeat(500_000)}`,
      '>'.repeat(1_000_000),
      'From: a\n\n'.repeat(100_000),
    ];
    for (const text of hostile) expect(typeof replyText(text)).toBe('string');
  });
});
