// Six-digit codes that prove an address is someone's — the notice preferences' (src/notices) and the
// join journey's signer (src/onboarding) — with one rule for both: only a keyed hash of the code is
// stored, and a code is sent at most once per 30 s and 5 times an hour per thing it confirms.
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';

/** What a code may take: tries, lifetime, and how often one may be sent. */
export const CODE_RULES = { tries: 5, ttlSeconds: 15 * 60, resendAfterSeconds: 30, perHour: 5 } as const;

const HOUR_MS = 3_600_000;

/** A code was sent too recently or too often; ask again after retryAfterSeconds. */
export class CodeRateLimited extends Error {
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    super(`A code was sent recently; ask again in ${retryAfterSeconds} seconds.`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export const newCode = (): string => String(randomInt(0, 1_000_000)).padStart(6, '0');

/**
 * The stored form of a code: an HMAC keyed with SESSION_SECRET, so a copy of the table does not give
 * the million candidates away. `context` names what the code confirms (a code for another never matches).
 */
export const codeHash = (secret: string, context: string, code: string): string =>
  createHmac('sha256', secret).update(`${context}|${code}`).digest('base64url');

/** Compares two stored hashes in constant time. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** How many codes were sent for one thing: the last one, and the hour window the count is for. */
export interface CodeSends {
  sentAt: Date;
  windowStart: Date;
  sendsInWindow: number;
}

/** The counts after sending one more code at `now`; throws CodeRateLimited when one may not be sent yet. */
export function nextSend(last: CodeSends | undefined, now: Date): CodeSends {
  if (!last) return { sentAt: now, windowStart: now, sendsInWindow: 1 };
  const since = (now.getTime() - last.sentAt.getTime()) / 1000;
  if (since < CODE_RULES.resendAfterSeconds) throw new CodeRateLimited(Math.ceil(CODE_RULES.resendAfterSeconds - since));
  const windowOpen = now.getTime() - last.windowStart.getTime() < HOUR_MS;
  if (!windowOpen) return { sentAt: now, windowStart: now, sendsInWindow: 1 };
  if (last.sendsInWindow >= CODE_RULES.perHour) throw new CodeRateLimited(Math.ceil((last.windowStart.getTime() + HOUR_MS - now.getTime()) / 1000));
  return { sentAt: now, windowStart: last.windowStart, sendsInWindow: last.sendsInWindow + 1 };
}
