// B1's servers: the same no-op (read the JSON body, parse it, answer 204) three ways, each in its
// own process so the load generator never shares its event loop:
//   raw      node:http alone — the baseline
//   hono     Hono on @hono/node-server, served exactly as the gateway serves its app
//   gateway  Hono plus the gateway's own middleware (request id, access line, metrics, 405, body limit)
// Started by fork(); sends { port } over IPC once it listens.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { bodyLimit } from '../../src/http/body-limit.ts';
import { methodNotAllowed } from 'hono/method-not-allowed';
import { readJson } from '../../src/http/body.ts';
import type { AppEnv } from '../../src/http/context.ts';
import { HttpProblem, problemResponse } from '../../src/http/problem.ts';
import { requestLog } from '../../src/http/request-log.ts';
import { batchedStdout, createLogger } from '../../src/log.ts';
import { createMetrics } from '../../src/metrics.ts';

const mode = process.argv[2] ?? 'raw';

function rawServer() {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        JSON.parse(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(204).end();
      } catch {
        res.writeHead(400).end();
      }
    });
  });
}

function honoApp() {
  return new Hono().post('/noop', async (c) => {
    await c.req.json();
    return c.body(null, 204);
  });
}

function gatewayStackApp() {
  // LOG_LEVEL and destination as the gateway has them (info by default): one access line per
  // request to stdout, the lines of one event-loop turn in one write.
  const logger = createLogger(process.env.LOG_LEVEL ?? 'info', batchedStdout());
  const metrics = createMetrics();
  const app = new Hono<AppEnv>();
  app.use(requestLog(logger, metrics));
  app.use(methodNotAllowed({ app, onMethodNotAllowed: (c, methods) => problemResponse({ status: 405, headers: { Allow: methods.join(', ') } }, c.req.path) }));
  app.use(
    bodyLimit({
      maxSize: 65536,
      onError: () => {
        throw new HttpProblem({ status: 413 });
      },
    }),
  );
  app.post('/noop', async (c) => {
    await readJson(c);
    return c.body(null, 204);
  });
  return app;
}

function listening(port: number) {
  process.send?.({ port });
}

if (mode === 'raw') {
  const server = rawServer();
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => listening((server.address() as AddressInfo).port));
} else {
  const app = mode === 'hono' ? honoApp() : gatewayStackApp();
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => listening(info.port));
  void server;
}
process.on('SIGTERM', () => process.exit(0));
