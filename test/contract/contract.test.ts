// contracts/openapi.yaml is the source of truth: every API route the app serves is in it, and
// every operation in it is served.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startTestGateway } from '../helpers/gateway.ts';

const { app } = await startTestGateway();
const spec = parse(readFileSync(new URL('../../contracts/openapi.yaml', import.meta.url), 'utf8')) as { paths: Record<string, Record<string, unknown>> };
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

const served = new Set(
  app.routes
    .filter(
      (r) =>
        r.method !== 'ALL' &&
        (r.path.startsWith('/api/') ||
          r.path.startsWith('/health') ||
          r.path.startsWith('/.well-known/') ||
          r.path === '/metrics' ||
          // A page route with a machine interface: mail clients post the one-click unsubscribe (RFC 8058).
          r.path.startsWith('/unsubscribe/')),
    )
    .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}').replace(/\/$/, '')}`),
);
const documented = new Set(Object.entries(spec.paths).flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${path}`)));

describe('contracts/openapi.yaml', () => {
  it('documents every API route the gateway serves', () => {
    expect([...served].filter((r) => !documented.has(r))).toEqual([]);
  });

  it('describes no operation the gateway does not serve', () => {
    expect([...documented].filter((r) => !served.has(r))).toEqual([]);
  });
});
