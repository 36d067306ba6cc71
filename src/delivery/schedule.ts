// What an attempt's outcome means for the delivery and its subscription. Pure, so the whole retry
// policy can be read (and tested) in one place.
import type { SendResult } from './sender.ts';

/** The first attempt plus 7 retries at base·4^n (n = 0…6): with base 25 s about a day, as Open Notificaties. */
export const RETRIES = 7;
export const MAX_ATTEMPTS = RETRIES + 1;
/** A subscription that has not had one success for this long is disabled. */
export const DISABLE_AFTER_MS = 5 * 24 * 3_600_000;
/** A Retry-After longer than this is not believed. */
const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

export type Decision =
  | { kind: 'delivered' }
  | { kind: 'retry'; delayMs: number }
  | { kind: 'dead' }
  /** 410 Gone: the subscriber asks to be unsubscribed. */
  | { kind: 'gone' };

/** Delay before retry number `retry` (1-based): base·4^(retry-1), drawn from [½, 1] of it (jitter). */
export function retryDelayMs(retry: number, baseMs: number, random = Math.random): number {
  const ceiling = baseMs * 4 ** (retry - 1);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export function decide(result: SendResult, attempt: number, baseMs: number, random = Math.random): Decision {
  const status = result.status;
  if (status !== undefined && status >= 200 && status < 300) return { kind: 'delivered' };
  if (status === 410) return { kind: 'gone' };
  if (attempt >= MAX_ATTEMPTS) return { kind: 'dead' };
  // 3xx is a failure like any other: redirects are never followed (the URL is the subscriber's to fix).
  if ((status === 429 || status === 503) && result.retryAfterMs !== undefined) {
    return { kind: 'retry', delayMs: Math.min(result.retryAfterMs, MAX_RETRY_AFTER_MS) };
  }
  return { kind: 'retry', delayMs: retryDelayMs(attempt, baseMs, random) };
}

/** A readable line for the attempt log and the dashboard. */
export function describe(result: SendResult): string | null {
  if (result.error) return result.error;
  const status = result.status!;
  if (status >= 200 && status < 300) return null;
  if (status >= 300 && status < 400) return `HTTP ${status}: redirects are not followed; register the final URL`;
  return `HTTP ${status}`;
}
