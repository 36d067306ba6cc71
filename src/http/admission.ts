// Admission control: at most `maxInFlight` requests are handled at once; a few more may wait a
// short while for a slot; everything beyond is answered 503 with Retry-After at once. Under
// overload the gateway keeps serving what it admitted at normal latency and tells the rest when to
// come back (a notifier retries; a portal shows "try again"), instead of queueing without bound
// until every request is slow and memory runs out. Health probes and metrics are never held back.
import type { MiddlewareHandler } from 'hono';
import { problemResponse } from './problem.ts';

export interface AdmissionOptions {
  /** 0 turns admission control off. */
  maxInFlight: number;
  /** Requests that may wait for a slot. */
  maxQueue: number;
  /** How long one may wait before it is turned away. */
  queueTimeoutMs: number;
  retryAfterSeconds?: number;
  exempt?: (path: string) => boolean;
}

export interface Admission {
  middleware: MiddlewareHandler;
  stats(): { inFlight: number; queued: number; rejected: number };
}

export function admission(options: AdmissionOptions): Admission {
  const { maxInFlight, maxQueue, queueTimeoutMs } = options;
  const retryAfter = String(options.retryAfterSeconds ?? 1);
  const exempt = options.exempt ?? (() => false);
  let inFlight = 0;
  let rejected = 0;
  const waiting: { admit: () => void }[] = [];

  const release = () => {
    const next = waiting.shift();
    if (next) next.admit(); // the slot passes on; inFlight stays
    else inFlight--;
  };
  const reject = (path: string) => {
    rejected++;
    return problemResponse({
      status: 503, code: 'overloaded', title: 'Too busy',
      detail: 'The gateway is at capacity; try again after the Retry-After interval.',
      headers: { 'Retry-After': retryAfter },
    }, path);
  };
  /** Resolves true when a slot was handed over, false when the wait timed out. */
  const wait = () => new Promise<boolean>((resolve) => {
    const entry = {
      admit: () => {
        clearTimeout(timer);
        resolve(true);
      },
    };
    const timer = setTimeout(() => {
      const at = waiting.indexOf(entry);
      if (at >= 0) waiting.splice(at, 1);
      resolve(false);
    }, queueTimeoutMs);
    waiting.push(entry);
  });

  const middleware: MiddlewareHandler = async (c, next) => {
    if (maxInFlight <= 0 || exempt(c.req.path)) return next();
    if (inFlight < maxInFlight) inFlight++;
    else if (waiting.length < maxQueue && queueTimeoutMs > 0) {
      if (!(await wait())) return reject(c.req.path);
    } else return reject(c.req.path);
    try {
      await next();
    } finally {
      release();
    }
  };
  return { middleware, stats: () => ({ inFlight, queued: waiting.length, rejected }) };
}
