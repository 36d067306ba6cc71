// The random tokens of links the gateway mails (the partner page's sign-in, the join journey's
// invitation). Letters only: a run of digits in a mail could pass for a BSN and be refused.
import { randomBytes } from 'node:crypto';

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** 43 letters (about 245 random bits). */
export const LETTER_TOKEN = /^[a-zA-Z]{43}$/;

export function letterToken(): string {
  let out = '';
  while (out.length < 43) {
    // 208 = 4 × 52: bytes above it are skipped so every letter is equally likely.
    for (const byte of randomBytes(64)) if (byte < 208 && out.length < 43) out += LETTERS[byte % 52];
  }
  return out;
}
