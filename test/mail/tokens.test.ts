// Reply tokens and the BSN guard: small pure pieces of the mail component.
import { describe, expect, it } from 'vitest';
import { containsBsn, newReplyToken, REPLY_TOKEN, replyAddress, tokenFromAddress } from '../../src/mail/index.ts';

describe('reply tokens', () => {
  it('are 26 lowercase base32 characters, different every time', () => {
    const tokens = Array.from({ length: 1000 }, newReplyToken);
    for (const t of tokens) expect(t).toMatch(REPLY_TOKEN);
    expect(new Set(tokens).size).toBe(1000);
    // All 32 symbols in use (16 random bytes, no bias towards a few letters).
    expect(new Set(tokens.join('')).size).toBe(32);
  });

  it('make a reply address and are read back from one, in any case, only at the reply domain', () => {
    const token = newReplyToken();
    const address = replyAddress(token, 'Reply.Gateway.Test');
    expect(address).toBe(`${token}@reply.gateway.test`);
    expect(tokenFromAddress(address.toUpperCase(), 'reply.gateway.test')).toBe(token);
    expect(tokenFromAddress(`${token}@other.test`, 'reply.gateway.test')).toBeUndefined();
    expect(tokenFromAddress(`${token}x@reply.gateway.test`, 'reply.gateway.test')).toBeUndefined();
    expect(tokenFromAddress('postmaster@reply.gateway.test', 'reply.gateway.test')).toBeUndefined();
    expect(tokenFromAddress(token, 'reply.gateway.test')).toBeUndefined();
    expect(() => replyAddress('Not-A-Token', 'reply.gateway.test')).toThrow();
  });
});

describe('containsBsn', () => {
  it('finds a nine-digit number passing the elfproef, also written with dots or spaces', () => {
    for (const text of ['999993653', 'bsn: 999993653.', 'x 9999.93.653 y', '999 993 653', '<td>999993653</td>']) expect(containsBsn(text)).toBe(true);
  });

  it('lets other numbers through: failing the elfproef, longer, shorter, all zeros', () => {
    for (const text of ['123456789', '0999993653', '9999936530', '99999365', '000000000', 'KS-2026-ABCDEF', '020 123 4567']) {
      expect(containsBsn(text)).toBe(false);
    }
  });

  it('ignores the digits of a UUID (an id in a link), and still finds a BSN beside one', () => {
    // The last group holds 350413587, which passes the elfproef.
    const id = 'eb91d783-6d61-4fe9-bb95-350413587cd1';
    expect(containsBsn('350413587')).toBe(true);
    expect(containsBsn(`https://gateway.example/api/v1/partner/assignments/${id}`)).toBe(false);
    expect(containsBsn(`${id} 999993653`)).toBe(true);
  });
});
