import { Readable } from 'node:stream';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { authHeader, startTestGateway, testNetwork } from '../helpers/gateway.ts';

const gateway = await startTestGateway({ listen: true, env: { BODY_LIMIT: '2048' } });
const app = gateway.app;

describe('health', () => {
  it('is live and ready once migrations ran', async () => {
    expect((await app.request('/health/live')).status).toBe(200);
    const ready = await app.request('/health/ready');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { database: true, migrations: true } });
  });
});

describe('problem+json errors', () => {
  it('answers an unknown route with 404 problem details', async () => {
    const res = await app.request('/nope/nothing');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({
      type: expect.stringContaining('not-found'),
      title: 'Not found',
      status: 404,
      detail: expect.any(String),
      instance: '/nope/nothing',
    });
  });

  it('answers a wrong method with 405 and Allow', async () => {
    const res = await app.request('/health/live', { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toContain('GET');
    expect((await res.json()).status).toBe(405);
  });

  it('answers malformed JSON with 400', async () => {
    const res = await app.request('/api/v1/organisations/x', {
      method: 'PUT',
      headers: { ...authHeader('beheer'), 'content-type': 'application/json' },
      body: '{"id": ',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'malformed-json', status: 400 });
  });

  it('refuses a declared Content-Length over the limit with 413 before the handler', async () => {
    const res = await app.request('/api/v1/organisations/x', {
      method: 'PUT',
      headers: { ...authHeader('beheer'), 'content-type': 'application/json', 'content-length': '999999' },
      body: 'x'.repeat(10),
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it('refuses an oversized chunked body with 413 over a real socket', async () => {
    const chunks = async function* () {
      for (let i = 0; i < 10; i++) yield Buffer.alloc(512, 'a');
    };
    const res = await request(`${gateway.url}/api/v1/organisations/x`, {
      method: 'PUT',
      headers: { ...authHeader('beheer'), 'content-type': 'application/json' },
      body: Readable.from(chunks()),
    });
    expect(res.statusCode).toBe(413);
    expect(await res.body.json()).toMatchObject({ status: 413 });
  });

  it('accepts a chunked body under the limit', async () => {
    const body = JSON.stringify({ id: 'x' });
    const res = await request(`${gateway.url}/api/v1/organisations/x`, {
      method: 'PUT',
      headers: { ...authHeader('beheer'), 'content-type': 'application/json' },
      body: Readable.from([Buffer.from(body)]),
    });
    expect(res.statusCode).toBe(400); // reached the handler: validation, not 413
    expect(((await res.body.json()) as { invalidParams: unknown[] }).invalidParams.length).toBeGreaterThan(0);
  });
});

describe('request ids and metrics', () => {
  it('echoes a sane X-Request-Id and generates one otherwise', async () => {
    expect((await app.request('/health/live', { headers: { 'x-request-id': 'abc-123' } })).headers.get('x-request-id')).toBe('abc-123');
    const generated = (await app.request('/health/live', { headers: { 'x-request-id': 'bad id\n' } })).headers.get('x-request-id');
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends X-Request-Id over a real socket on success, on handler errors and on the 404, once each', async () => {
    const cases = [
      { path: '/health/live', init: {}, status: 200 },
      { path: '/api/v1/organisations', init: { headers: { authorization: 'Bearer not-a-jwt' } }, status: 401 },
      {
        path: '/api/v1/organisations/x',
        init: { method: 'PUT', headers: { ...authHeader('beheer'), 'content-type': 'application/json' }, body: '{"id": ' },
        status: 400,
      },
      { path: '/nope', init: {}, status: 404 },
      { path: '/health/live', init: { method: 'POST' }, status: 405 },
    ];
    for (const [k, { path, init, status }] of cases.entries()) {
      const res = await request(`${gateway.url}${path}`, {
        ...init,
        headers: { ...(init as { headers?: object }).headers, 'x-request-id': `sock-${k}` },
      } as Parameters<typeof request>[1]);
      await res.body.dump();
      expect(res.statusCode).toBe(status);
      expect(res.headers['x-request-id']).toBe(`sock-${k}`); // a repeated header would arrive as an array
    }
    const fresh = await request(`${gateway.url}/nope`);
    await fresh.body.dump();
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('exposes Prometheus metrics with the request histogram by route and the job queue', async () => {
    await app.request('/health/live');
    const text = await (await app.request('/metrics')).text();
    expect(text).toMatch(/ketenstatus_http_request_duration_seconds_count\{method="GET",route="\/health\/live",status="200"\} \d+/);
    expect(text).toContain('ketenstatus_process_resident_memory_bytes');
    expect(text).toContain('# TYPE ketenstatus_jobs gauge');
  });

  it('serves the contract (rendered on /docs: test/http/docs.test.ts)', async () => {
    const yaml = await (await app.request('/openapi.yaml')).text();
    expect(yaml).toContain('openapi: 3.0.3');
    expect(yaml).toContain('/api/v1/organisations/{id}:');
  });
});

it('uses the network it was given', () => {
  expect(gateway.network.self.id).toBe(testNetwork().self.id);
});
