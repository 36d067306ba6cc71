// Request body limit. A declared Content-Length is checked from the header alone; only a body
// without one (chunked) is read through a counting stream. hono/body-limit touches
// `c.req.raw.body` on every request, which makes @hono/node-server build a full web Request with a
// stream adapter: more than the rest of the stack costs a POST (bench/README.md, B1).
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit as streamingBodyLimit } from 'hono/body-limit';

export function bodyLimit(options: { maxSize: number; onError: (c: Context) => Response | Promise<Response> }): MiddlewareHandler {
  const streaming = streamingBodyLimit(options);
  return async (c, next) => {
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD') return next();
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      // Node's HTTP parser holds the body to the declared length, so the header is the truth.
      const size = Number(length);
      if (!Number.isSafeInteger(size) || size > options.maxSize) return options.onError(c);
      return next();
    }
    return streaming(c, next);
  };
}
