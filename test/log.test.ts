// Logs: pino JSON, one access line per request with the route pattern (never the raw URL),
// X-Request-Id echoed, trace id from traceparent; no Authorization value and no BSN, ever.
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.ts';
import { startGateway } from '../src/gateway.ts';
import { accessLineWriter, batchedStdout, chooseLogFormat, createLogger, logDestination, type AccessLine } from '../src/log.ts';
import { freshDatabaseUrl } from './helpers/db.ts';
import { testNetwork, token } from './helpers/gateway.ts';

const BSN = '123456782';
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** An in-memory pino destination: every write is one JSON line. */
function memoryDestination() {
  const raw: string[] = [];
  return {
    raw,
    write(chunk: string) {
      for (const line of chunk.split('\n')) if (line) raw.push(line);
    },
    lines: () => raw.map((l) => JSON.parse(l) as Record<string, unknown>),
    clear: () => void raw.splice(0),
  };
}

const out = memoryDestination();
const env = {
  DATABASE_URL: await freshDatabaseUrl(),
  PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'info',
  OUTBOUND_ALLOW_PRIVATE: 'true',
  JOB_POLL_INTERVAL_MS: '50',
};
const config = parseConfig(env);
const gateway = await startGateway({ config, logger: createLogger(config.logLevel, out), env, network: testNetwork(), listen: false });
afterAll(() => gateway.close());
const app = gateway.app;
const startupLines = out.lines();

const requestLines = () => out.lines().filter((l) => l.msg === 'request');

beforeEach(() => out.clear());

describe('the access line', () => {
  it('writes one JSON line per request with method, route pattern, status, duration, client, request id and trace id', async () => {
    const bearer = token('beheer');
    const res = await app.request(`/api/v1/organisations/${BSN}`, { headers: { authorization: `Bearer ${bearer}`, traceparent: TRACEPARENT } });
    expect(res.status).toBe(404);
    const requestId = res.headers.get('x-request-id');
    expect(requestId).toMatch(UUID);

    const lines = requestLines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'info',
      service: 'ketenstatus',
      msg: 'request',
      method: 'GET',
      route: '/api/v1/organisations/:id',
      status: 404,
      client_id: 'beheer',
      request_id: requestId,
      trace_id: TRACE_ID,
    });
    expect(Date.parse(lines[0].time as string)).not.toBeNaN();
    for (const raw of out.raw) {
      expect(raw).not.toContain(bearer);
      expect(raw).not.toContain(BSN);
      expect(raw.toLowerCase()).not.toContain('bearer');
    }
  });

  it('gives the duration in milliseconds: at least the time the body took to arrive, at most the whole call', async () => {
    const HELD_MS = 120;
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(new TextEncoder().encode('{"id":"slow-org",'));
        await new Promise((r) => setTimeout(r, HELD_MS));
        controller.enqueue(new TextEncoder().encode('"name":"Slow"}'));
        controller.close();
      },
    });
    const before = performance.now();
    const res = await app.request('/api/v1/organisations/slow-org', {
      method: 'PUT',
      body,
      duplex: 'half',
      headers: { authorization: `Bearer ${token('beheer')}`, 'content-type': 'application/json' },
    } as RequestInit);
    const elapsed = performance.now() - before;
    expect(res.status).toBe(400); // the body was read to its end: an organisation without its fields
    const [line] = requestLines();
    expect(line).toMatchObject({ method: 'PUT', route: '/api/v1/organisations/:id', status: 400 });
    // Bounds that hold on any machine: the handler waited for the held body; the call contains the request.
    expect(line.duration_ms as number).toBeGreaterThanOrEqual(HELD_MS - 2);
    expect(line.duration_ms as number).toBeLessThanOrEqual(elapsed);
  });

  it('logs the route pattern, never the query string (?onBehalfOf=<bsn>)', async () => {
    const res = await app.request(`/api/v1/organisations?onBehalfOf=${BSN}&page=1`, { headers: { authorization: `Bearer ${token('beheer')}` } });
    expect(res.status).toBe(200);
    const [line] = requestLines();
    expect(requestLines()).toHaveLength(1);
    expect(line.route).toMatch(/^\/api\/v1\/organisations\/?$/);
    expect(line).not.toHaveProperty('url');
    expect(line).not.toHaveProperty('path');
    for (const raw of out.raw) {
      expect(raw).not.toContain(BSN);
      expect(raw).not.toContain('onBehalfOf');
    }
  });

  it('echoes a well-formed X-Request-Id and logs it; replaces a malformed one', async () => {
    const res = await app.request('/health/live', { headers: { 'x-request-id': 'portal-7f3a:42' } });
    expect(res.headers.get('x-request-id')).toBe('portal-7f3a:42');
    expect(requestLines()[0]).toMatchObject({ request_id: 'portal-7f3a:42', route: '/health/live', status: 200 });

    out.clear();
    const evil = `x"\n{"msg":"forged"} ${'y'.repeat(200)}`;
    const replaced = await app.request('/health/live', { headers: { 'x-request-id': evil.replace('\n', ' ') } });
    const id = replaced.headers.get('x-request-id');
    expect(id).toMatch(UUID);
    expect(requestLines()).toHaveLength(1);
    expect(requestLines()[0].request_id).toBe(id);
    expect(out.raw.join('\n')).not.toContain('forged');
  });

  it('has no trace id for a missing or malformed traceparent', async () => {
    await app.request('/health/live');
    await app.request('/health/live', { headers: { traceparent: '00-not-a-trace-01' } });
    const lines = requestLines();
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line.trace_id).toBeUndefined();
  });

  it('never logs a rejected Authorization value; client_id stays empty', async () => {
    const forged = 'eyJhbGciOiJIUzI1NiJ9.eyJjbGllbnRfaWQiOiJiZWhlZXIifQ.c2lnbmF0dXJlLW5vdC12YWxpZA';
    const res = await app.request('/api/v1/organisations', { headers: { authorization: `Bearer ${forged}` } });
    expect(res.status).toBe(401);
    const raw2 = await app.request('/api/v1/organisations', { headers: { authorization: `Basic ${Buffer.from(`beheer:${BSN}`).toString('base64')}` } });
    expect(raw2.status).toBe(401);
    const lines = requestLines();
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).toMatchObject({ route: expect.stringMatching(/^\/api\/v1\/organisations/), status: 401 });
      expect(line.client_id).toBeUndefined();
    }
    const all = out.raw.join('\n');
    expect(all).not.toContain(forged);
    expect(all).not.toContain('c2lnbmF0dXJlLW5vdC12YWxpZA');
    expect(all).not.toContain(Buffer.from(`beheer:${BSN}`).toString('base64'));
  });

  it('logs an unknown path as "unmatched", not the path itself', async () => {
    const res = await app.request(`/citizens/${BSN}/secret?bsn=${BSN}`);
    expect(res.status).toBe(404);
    const lines = requestLines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ route: 'unmatched', status: 404, method: 'GET' });
    expect(out.raw.join('\n')).not.toContain(BSN);
    expect(out.raw.join('\n')).not.toContain('citizens');
  });

  it('does not log request bodies: a BSN in a rejected body stays out', async () => {
    const res = await app.request('/api/v1/organisations/new-org', {
      method: 'PUT',
      headers: { authorization: `Bearer ${token('beheer')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'new-org', name: `BSN ${BSN}`, bsn: BSN }),
    });
    expect(res.status).toBe(400);
    expect(requestLines()).toHaveLength(1);
    expect(requestLines()[0]).toMatchObject({ method: 'PUT', route: '/api/v1/organisations/:id', client_id: 'beheer', status: 400 });
    expect(out.raw.join('\n')).not.toContain(BSN);
  });

  it('writes exactly one line per request under concurrency', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `req-${i}`);
    await Promise.all(ids.map((id) => app.request('/health/live', { headers: { 'x-request-id': id } })));
    const lines = requestLines();
    expect(lines).toHaveLength(20);
    expect(lines.map((l) => l.request_id).sort()).toEqual([...ids].sort());
  });
});

describe('without citizen login (no CITIZEN_OIDC_ISSUER)', () => {
  it('warns once at start-up, and answers /me with a clean 503 that logs no error and no stack', async () => {
    expect(startupLines.filter((l) => l.level === 'warn' && /CITIZEN_OIDC_ISSUER/.test(String(l.msg)))).toHaveLength(1);
    for (const path of ['/api/v1/me/cases', '/api/v1/me/mandates', '/api/v1/me/access-log']) {
      const res = await app.request(path, { headers: { authorization: 'Bearer x.y.z' } });
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ status: 503, code: 'citizen-login-not-configured' });
    }
    // Only the access lines (a 5xx one is at level error, as every 5xx is); no "unhandled error" with its stack.
    const lines = out.lines();
    expect(lines.filter((l) => l.msg !== 'request' || l.err !== undefined)).toEqual([]);
    expect(requestLines().map((l) => l.status)).toEqual([503, 503, 503]);
  });
});

describe('LOG_LEVEL', () => {
  it('accepts any case and surrounding spaces', () => {
    expect(parseConfig({ ...env, LOG_LEVEL: 'INFO' }).logLevel).toBe('info');
    expect(parseConfig({ ...env, LOG_LEVEL: ' Debug ' }).logLevel).toBe('debug');
    expect(parseConfig({ ...env, LOG_LEVEL: undefined }).logLevel).toBe('info');
    expect(() => parseConfig({ ...env, LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
  });
});

describe('LOG_FORMAT', () => {
  it('is readable lines at a terminal and JSON lines otherwise, unless forced', () => {
    expect(parseConfig({ ...env, LOG_FORMAT: undefined }).logFormat).toBe('auto');
    expect(parseConfig({ ...env, LOG_FORMAT: ' Pretty ' }).logFormat).toBe('pretty');
    expect(() => parseConfig({ ...env, LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT/);
    expect(chooseLogFormat('auto', true)).toBe('pretty');
    expect(chooseLogFormat('auto', false)).toBe('json');
    expect(chooseLogFormat('json', true)).toBe('json');
    expect(chooseLogFormat('pretty', false)).toBe('pretty');
  });

  it('pretty: one readable line per event with level and message, the access line included, still masked', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ks-log-')), 'pretty.log');
    const fd = openSync(file, 'w');
    try {
      const logger = createLogger('info', await logDestination('pretty', fd));
      logger.info({ organisation: 'acme' }, `started for ${BSN}`);
      accessLineWriter(logger)({ method: 'GET', route: '/health/live', status: 200, duration_ms: 1.5, request_id: 'r-1' });
      const text = readFileSync(file, 'utf8');
      expect(text).not.toMatch(/^\{/m); // no JSON line
      expect(text).toMatch(/INFO.*started for \*{9}/);
      expect(text).toMatch(/organisation.*"acme"/);
      expect(text).toMatch(/INFO.*request/);
      expect(text).toMatch(/route.*"\/health\/live"/);
      expect(text).not.toContain(BSN);
    } finally {
      closeSync(fd);
    }
  });

  it('json: the batched JSON lines', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ks-log-')), 'json.log');
    const fd = openSync(file, 'w');
    try {
      createLogger('info', await logDestination('json', fd)).info({ n: 1 }, 'hello');
      await new Promise((r) => setImmediate(r));
      expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ level: 'info', n: 1, msg: 'hello' });
    } finally {
      closeSync(fd);
    }
  });
});

describe('the logger', () => {
  it('redacts authorization and secrets, and masks anything BSN-shaped in messages and fields', () => {
    const dest = memoryDestination();
    const logger = createLogger('info', dest);
    logger.info(
      { authorization: 'Bearer abc.def.ghi', headers: { authorization: 'Bearer abc.def.ghi' }, client: { secret: 'hush-hush-0123456789' } },
      'headers',
    );
    logger.info({ bsn: BSN, citizen: { bsn: BSN } }, 'fields named bsn');
    logger.info(`free text with ${BSN}`);
    logger.warn({ job_id: 7, err: `remote said: inpBsn ${BSN} is unknown` }, 'job will be retried');
    logger.error({ err: new Error(`duplicate key (bsn)=(${BSN})`) }, 'unhandled error');
    logger.info({ nested: { list: [`x ${BSN} y`, { deeper: `?onBehalfOf=${BSN}` }] } }, 'nested');
    logger.error({ err: Object.assign(new TypeError('outer', { cause: new Error(`inner ${BSN}`) }), { detail: `for ${BSN}` }) }, 'with cause');
    logger.info(
      {
        a: { b: { c: { Authorization: 'Basic deep-credential', secret: 'deep-secret-value' } } },
        err: Object.assign(new Error('x'), { secret: 'err-secret-value' }),
      },
      'deep',
    );
    const all = dest.raw.join('\n');
    expect(all).not.toContain('deep-credential');
    expect(all).not.toContain('deep-secret-value');
    expect(all).not.toContain('err-secret-value');
    expect(all).not.toContain('abc.def.ghi');
    expect(all).not.toContain('hush-hush');
    expect(all).not.toContain(BSN);
    const lines = dest.lines();
    expect(lines).toHaveLength(8);
    expect(lines[7]).toMatchObject({ a: { b: { c: { Authorization: '[redacted]', secret: '[redacted]' } } }, err: { secret: '[redacted]' } });
    expect(lines[0]).toMatchObject({ authorization: '[redacted]', headers: { authorization: '[redacted]' }, client: { secret: '[redacted]' } });
    expect(lines[1]).toMatchObject({ bsn: '[redacted]', citizen: { bsn: '[redacted]' } });
    expect(lines[2].msg).toBe('free text with *********');
    expect(lines[3]).toMatchObject({ level: 'warn', job_id: 7, err: 'remote said: inpBsn ********* is unknown' });
    expect(lines[4]).toMatchObject({ level: 'error', err: { type: 'Error', message: 'duplicate key (bsn)=(*********)' } });
    expect((lines[4].err as { stack: string }).stack).toContain('duplicate key');
    expect(lines[5]).toMatchObject({ nested: { list: ['x ********* y', { deeper: '?onBehalfOf=*********' }] } });
    expect(lines[6]).toMatchObject({ err: { type: 'TypeError', message: expect.stringContaining('outer'), detail: 'for *********' } });
    expect(JSON.stringify(lines[6])).toContain('inner *********');
  });

  it('leaves numbers, ids and longer digit runs (OIN, trace ids) alone', () => {
    const dest = memoryDestination();
    createLogger('info', dest).info({ oin: '00000001001234567000', trace_id: TRACE_ID, job_id: 123456782, at: new Date(0) }, 'ids');
    expect(dest.lines()[0]).toMatchObject({ oin: '00000001001234567000', trace_id: TRACE_ID, job_id: 123456782, at: '1970-01-01T00:00:00.000Z' });
  });
});

describe('the access line writer', () => {
  const lines: AccessLine[] = [
    {
      method: 'POST',
      route: '/api/v1/notificaties',
      status: 204,
      duration_ms: 1.3,
      client_id: 'organisation:fresh-bv',
      request_id: 'b3c1d2e4-0000-4000-8000-000000000001',
    },
    { method: 'GET', route: '/api/v1/me/cases', status: 503, duration_ms: 12, request_id: 'x', trace_id: TRACE_ID },
    { method: 'GET', route: 'unmatched', status: 404, duration_ms: 0, client_id: `sender ${BSN}`, request_id: `portal:${BSN}`, trace_id: undefined },
    { method: 'PUT', route: '/a"\\b\u2028', status: 200, duration_ms: 0.1, request_id: 'q"uote' },
  ];

  it('writes byte for byte what pino writes for the same fields (keys, order, level, bindings, masking), time aside', () => {
    const viaPino = memoryDestination();
    const direct = memoryDestination();
    const pinoLogger = createLogger('info', viaPino);
    const write = accessLineWriter(createLogger('info', direct));
    for (const line of lines) {
      pinoLogger[line.status >= 500 ? 'error' : 'info'](line, 'request');
      write(line);
    }
    const withoutTime = (raw: string) => raw.replace(/"time":"[^"]+"/, '"time":""');
    expect(direct.raw.map(withoutTime)).toEqual(viaPino.raw.map(withoutTime));
    expect(direct.raw).toHaveLength(lines.length);
    expect(direct.raw.join('\n')).not.toContain(BSN);
    expect(direct.lines().map((l) => l.level)).toEqual(['info', 'error', 'info', 'info']);
    for (const l of direct.lines()) expect(Math.abs(Date.parse(l.time as string) - Date.now())).toBeLessThan(60_000);
  });

  it('follows the logger level, also when it changes at run time', () => {
    const dest = memoryDestination();
    const logger = createLogger('warn', dest);
    const write = accessLineWriter(logger);
    write(lines[0]);
    write(lines[1]);
    expect(dest.lines().map((l) => l.status)).toEqual([503]);
    logger.level = 'info';
    write(lines[0]);
    logger.level = 'silent';
    write(lines[1]);
    expect(dest.lines().map((l) => l.status)).toEqual([503, 204]);
  });
});

describe('the batched stdout destination', () => {
  it('writes the lines of one event-loop turn together, in order, and keeps writing afterwards', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ks-log-')), 'out.log');
    const fd = openSync(file, 'w');
    try {
      const logger = createLogger('info', batchedStdout(fd));
      for (let i = 0; i < 50; i++) logger.info({ i }, 'line');
      expect(readFileSync(file, 'utf8')).toBe(''); // nothing written within the turn
      await new Promise((r) => setImmediate(r));
      logger.info({ i: 50 }, 'after');
      await new Promise((r) => setImmediate(r));
      const lines = readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { i: number });
      expect(lines.map((l) => l.i)).toEqual(Array.from({ length: 51 }, (_, i) => i));
    } finally {
      closeSync(fd);
    }
  });
});
