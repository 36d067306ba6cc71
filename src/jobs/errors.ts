/** Thrown by a job handler: do not retry, straight to the dead letter. */
export class PermanentJobError extends Error {}

/** Thrown by a job handler: try again after `delayMs` (e.g. Retry-After), counting the attempt. */
export class RetryJobError extends Error {
  readonly delayMs: number;
  constructor(message: string, delayMs: number) {
    super(message);
    this.delayMs = delayMs;
  }
}

/**
 * Thrown by a job handler that did not attempt the work (e.g. the organisation's circuit is open):
 * run it again after `delayMs` without counting an attempt, so waiting out an outage never uses
 * up a job's attempts.
 */
export class DeferJobError extends Error {
  readonly delayMs: number;
  constructor(message: string, delayMs: number) {
    super(message);
    this.delayMs = delayMs;
  }
}

/** Exponential backoff with jitter: base·2^(attempt-1), capped, randomised in [½, 1]. */
export function backoffMs(attempt: number, baseMs = 1000, capMs = 3_600_000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}
