// Reply addresses: <token>@MAIL_REPLY_DOMAIN. The token names the thing a reply belongs to (an
// order, say); whoever knows it can write to that thing, so it is random and unguessable.
import { randomBytes } from 'node:crypto';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
/** 26 characters of lowercase base32: 16 random bytes (128 bits). */
export const REPLY_TOKEN = /^[a-z2-7]{26}$/;

/** A fresh reply token: 16 random bytes as 26 lowercase base32 characters (a–z, 2–7). */
export function newReplyToken(): string {
  const bytes = randomBytes(16);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** The reply address of a token: `<token>@<domain>`. */
export function replyAddress(token: string, domain: string): string {
  if (!REPLY_TOKEN.test(token)) throw new Error('not a reply token (26 characters a–z, 2–7)');
  return `${token}@${domain.toLowerCase()}`;
}

/** The token of a reply address at `domain`, or undefined for any other address. Case does not matter. */
export function tokenFromAddress(address: string, domain: string): string | undefined {
  const at = address.lastIndexOf('@');
  if (at < 0) return undefined;
  const local = address.slice(0, at).toLowerCase();
  const host = address.slice(at + 1).toLowerCase();
  return host === domain.toLowerCase() && REPLY_TOKEN.test(local) ? local : undefined;
}
