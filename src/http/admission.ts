// Admission control: at most `maxInFlight` requests are handled at once; a few more may wait a
// short while for a slot; everything beyond is answered 503 with Retry-After at once. Under
// overload the gateway keeps serving what it admitted at normal latency and tells the rest when to
// come back (a notifier retries; a portal shows "try again"), instead of queueing without bound
// until every request is slow and memory runs out. Health probes and metrics are never held back.
//
// It sits in front of the framework (wrapListener, on the node:http request): a refusal costs a
// few microseconds — no Request object, no routing, no access line — so refusing twice the peak
// does not eat the CPU the admitted requests need. Refusals are counted and logged as a summary.
import { createServer, type IncomingMessage, type RequestListener, type ServerOptions, type ServerResponse } from 'node:http';
import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../log.ts';
import { problemBody, problemResponse, type ProblemInit } from './problem.ts';

export interface AdmissionOptions {
  /** 0 turns admission control off. */
  maxInFlight: number;
  /** Requests that may wait for a slot. */
  maxQueue: number;
  /** How long one may wait before it is turned away. */
  queueTimeoutMs: number;
  retryAfterSeconds?: number;
  exempt?: (path: string) => boolean;
  onReject?: () => void;
  /** Refusals are logged as a summary, at most every 10 s. */
  logger?: Logger;
}

/** Health probes and metrics: never held back. */
export const isProbe = (path: string) => path.startsWith('/health/') || path === '/metrics';

const ARRIVED = Symbol('ketenstatus.arrivedAt');

/** When admission first saw the request (performance.now()), so its access line counts the wait too. */
export const arrivedAt = (req: IncomingMessage | undefined): number | undefined => (req as { [ARRIVED]?: number } | undefined)?.[ARRIVED];

export interface Admission {
  /** For node:http: wraps the request listener. */
  wrapListener<L extends RequestListener>(listener: L): RequestListener;
  /** node:http createServer with the listener wrapped (for @hono/node-server's `createServer` option). */
  createServer: typeof createServer;
  /** The same as Hono middleware (for an app used without its own server). */
  middleware: MiddlewareHandler;
  stats(): { inFlight: number; queued: number; rejected: number };
}

const OVERLOADED: ProblemInit = {
  status: 503,
  code: 'overloaded',
  title: 'Too busy',
  detail: 'The gateway is at capacity; try again after the Retry-After interval.',
};

export function admission(options: AdmissionOptions): Admission {
  const { maxInFlight, maxQueue, queueTimeoutMs } = options;
  const retryAfter = String(options.retryAfterSeconds ?? 1);
  const exempt = options.exempt ?? (() => false);
  let inFlight = 0;
  let rejected = 0;
  const waiting: { admit: () => void }[] = [];

  const leave = () => {
    const next = waiting.shift();
    if (next)
      next.admit(); // the slot passes on; inFlight stays
    else inFlight--;
  };
  /** true: admitted now; a promise: queued (true when a slot came in time); false: refused. */
  const enter = (): boolean | Promise<boolean> => {
    if (inFlight < maxInFlight) {
      inFlight++;
      return true;
    }
    if (waiting.length >= maxQueue || queueTimeoutMs <= 0) return false;
    return new Promise<boolean>((resolve) => {
      const entry = {
        admit: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      const timer = setTimeout(() => {
        // Timers run before the event loop reads what is ready: after a stall longer than the wait
        // (a GC pause, the process off the CPU) the answers that free slots are not read yet, and
        // judging now would turn away requests whose slot is already there. Judge after the reads
        // (setImmediate: the check phase).
        setImmediate(() => {
          const at = waiting.indexOf(entry);
          if (at < 0) return; // a slot came meanwhile
          waiting.splice(at, 1);
          resolve(false);
        });
      }, queueTimeoutMs);
      waiting.push(entry);
    });
  };
  let unreported = 0;
  let reportedAt = 0;
  const refused = () => {
    rejected++;
    options.onReject?.();
    unreported++;
    if (options.logger && Date.now() - reportedAt >= 10_000) {
      options.logger.warn({ refused: unreported, in_flight: inFlight, queued: waiting.length }, 'overloaded: requests refused with 503 (admission control)');
      unreported = 0;
      reportedAt = Date.now();
    }
  };

  const refuseRaw = (req: IncomingMessage, res: ServerResponse) => {
    refused();
    const body = JSON.stringify(problemBody(OVERLOADED, (req.url ?? '/').split('?')[0]));
    res.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': retryAfter, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };

  const self: Admission = {
    createServer: ((opts: ServerOptions, listener: RequestListener) => createServer(opts, self.wrapListener(listener))) as typeof createServer,
    wrapListener(listener) {
      if (maxInFlight <= 0) return listener;
      return (req, res) => {
        if (exempt((req.url ?? '/').split('?')[0])) return listener(req, res);
        (req as { [ARRIVED]?: number })[ARRIVED] = performance.now();
        const admitted = enter();
        const run = () => {
          if (res.destroyed) return leave(); // the client gave up while it waited
          res.once('close', leave); // finished or cut off: either way the slot is free
          listener(req, res);
        };
        if (admitted === true) return run();
        if (admitted === false) return refuseRaw(req, res);
        void admitted.then((ok) => (ok ? run() : refuseRaw(req, res)));
      };
    },
    middleware: async (c, next) => {
      if (maxInFlight <= 0 || exempt(c.req.path)) return next();
      if (!(await enter())) {
        refused();
        return problemResponse({ ...OVERLOADED, headers: { 'Retry-After': retryAfter } }, c.req.path);
      }
      try {
        await next();
      } finally {
        leave();
      }
    },
    stats: () => ({ inFlight, queued: waiting.length, rejected }),
  };
  return self;
}
