// One canonical log line and one metrics observation per request. The route pattern (never the
// raw URL) is logged, so query strings such as ?onBehalfOf=<bsn> never reach a log line.
import { randomUUID } from 'node:crypto';
import { routePath } from 'hono/route';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MiddlewareHandler } from 'hono';
import { arrivedAt } from './admission.ts';
import { accessLineWriter, type Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { AppEnv } from './context.ts';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

export function requestLog(logger: Logger, metrics: Metrics): MiddlewareHandler<AppEnv> {
  // One labelled child per method, route pattern and status: prom-client otherwise hashes the
  // label object on every observation.
  const children = new Map<string, { observe(value: number): void }>();
  const observe = (method: string, route: string, status: number, seconds: number) => {
    const key = `${method} ${status} ${route}`;
    let child = children.get(key);
    if (child === undefined) {
      child = metrics.httpRequests.labels({ method, route, status: String(status) });
      children.set(key, child);
    }
    child.observe(seconds);
  };
  const writeAccessLine = accessLineWriter(logger);
  return async (c, next) => {
    // From when admission first saw the request: time spent waiting for a slot is the caller's too.
    const started = arrivedAt((c.env as { incoming?: IncomingMessage } | undefined)?.incoming) ?? performance.now();
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    const trace = TRACEPARENT.exec(c.req.header('traceparent') ?? '');
    c.set('requestId', requestId);
    c.set('traceId', trace?.[1]);
    // Served by @hono/node-server, the header goes straight onto Node's response, which merges it
    // into whatever the handler answers (errors included); c.header would build a web Headers
    // object only to convert it back when written. Without a Node response (app.request), c.header
    // before the handler and again for responses built outside the context (errors).
    const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
    if (outgoing?.setHeader) outgoing.setHeader('X-Request-Id', requestId);
    else c.header('X-Request-Id', requestId);
    try {
      await next();
    } finally {
      const status = c.res.status;
      if (status >= 400 && !outgoing?.setHeader) c.header('X-Request-Id', requestId);
      const durationMs = performance.now() - started;
      const route = status === 404 && !matched(c) ? 'unmatched' : routePath(c, -1);
      observe(c.req.method, route, status, durationMs / 1000);
      writeAccessLine({
        method: c.req.method,
        route,
        status,
        duration_ms: Math.round(durationMs * 10) / 10,
        client_id: c.get('client')?.clientId ?? c.get('actor'),
        request_id: requestId,
        trace_id: c.get('traceId'),
      });
    }
  };
}

function matched(c: Parameters<MiddlewareHandler<AppEnv>>[0]): boolean {
  const route = routePath(c, -1);
  return route !== '*' && route !== '/*';
}
