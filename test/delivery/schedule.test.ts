import { describe, expect, it } from 'vitest';
import { decide, MAX_ATTEMPTS, retryDelayMs } from '../../src/delivery/schedule.ts';

const BASE = 25_000;

describe('the retry schedule', () => {
  it('waits base·4^n between attempts, n = 0…6, jittered within [½, 1] — about a day in all', () => {
    const ceilings = [1, 2, 3, 4, 5, 6, 7].map((retry) => retryDelayMs(retry, BASE, () => 1));
    expect(ceilings.map((ms) => ms / 1000)).toEqual([25, 100, 400, 1600, 6400, 25600, 102400]);
    expect([1, 2, 3, 4, 5, 6, 7].map((retry) => retryDelayMs(retry, BASE, () => 0) / 1000)).toEqual([12.5, 50, 200, 800, 3200, 12800, 51200]);
    const typical = [1, 2, 3, 4, 5, 6, 7].reduce((sum, retry) => sum + retryDelayMs(retry, BASE, () => 0.5), 0) / 3_600_000;
    expect(typical).toBeGreaterThan(20);
    expect(typical).toBeLessThan(36);
  });

  it('delivers on any 2xx and gives up after the 8th attempt (the first plus 7 retries)', () => {
    for (const status of [200, 201, 202, 204, 299]) expect(decide({ status, durationMs: 1 }, 1, BASE).kind).toBe('delivered');
    expect(MAX_ATTEMPTS).toBe(8);
    expect(decide({ status: 500, durationMs: 1 }, 7, BASE).kind).toBe('retry');
    expect(decide({ status: 500, durationMs: 1 }, 8, BASE).kind).toBe('dead');
    expect(decide({ error: 'ECONNREFUSED', durationMs: 1 }, 8, BASE).kind).toBe('dead');
  });

  it('treats 3xx as failure, 410 as unsubscribe, and honours Retry-After only on 429 and 503', () => {
    expect(decide({ status: 301, durationMs: 1 }, 1, BASE, () => 1)).toEqual({ kind: 'retry', delayMs: 25_000 });
    expect(decide({ status: 410, durationMs: 1 }, 1, BASE).kind).toBe('gone');
    expect(decide({ status: 429, retryAfterMs: 120_000, durationMs: 1 }, 1, BASE)).toEqual({ kind: 'retry', delayMs: 120_000 });
    expect(decide({ status: 503, retryAfterMs: 3_000, durationMs: 1 }, 2, BASE)).toEqual({ kind: 'retry', delayMs: 3_000 });
    expect(decide({ status: 500, retryAfterMs: 120_000, durationMs: 1 }, 1, BASE, () => 1)).toEqual({ kind: 'retry', delayMs: 25_000 });
    expect(decide({ status: 429, durationMs: 1 }, 1, BASE, () => 1)).toEqual({ kind: 'retry', delayMs: 25_000 });
  });
});
