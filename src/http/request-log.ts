// One canonical log line and one metrics observation per request. The route pattern (never the
// raw URL) is logged, so query strings such as ?onBehalfOf=<bsn> never reach a log line.
import { randomUUID } from 'node:crypto';
import { routePath } from 'hono/route';
import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { AppEnv } from './context.ts';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

export function requestLog(logger: Logger, metrics: Metrics): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    const trace = TRACEPARENT.exec(c.req.header('traceparent') ?? '');
    c.set('requestId', requestId);
    c.set('traceId', trace?.[1]);
    try {
      await next();
    } finally {
      c.header('X-Request-Id', requestId);
      const durationMs = performance.now() - started;
      const route = c.res.status === 404 && !matched(c) ? 'unmatched' : routePath(c, -1);
      const status = c.res.status;
      metrics.httpRequests.observe({ method: c.req.method, route, status: String(status) }, durationMs / 1000);
      const level = status >= 500 ? 'error' : 'info';
      logger[level]({
        method: c.req.method,
        route,
        status,
        duration_ms: Math.round(durationMs * 10) / 10,
        client_id: c.get('client')?.clientId ?? c.get('actor'),
        request_id: requestId,
        trace_id: c.get('traceId'),
      }, 'request');
    }
  };
}

function matched(c: Parameters<MiddlewareHandler<AppEnv>>[0]): boolean {
  const route = routePath(c, -1);
  return route !== '*' && route !== '/*';
}
