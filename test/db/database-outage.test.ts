// The database going away (PostgreSQL lane, through a TCP fault proxy): requests answer 503 with
// Retry-After within the query deadline instead of hanging or failing with 500, readiness says
// not ready, and everything works again once the line is back, without a restart.
import { describe, expect, it } from 'vitest';
import { signZgwJwt } from '../../src/lib/zgw-jwt.ts';
import { freshDatabaseUrl, lane } from '../helpers/db.ts';
import { organisation } from '../helpers/fixtures.ts';
import { startTestGateway, testNetwork } from '../helpers/gateway.ts';
import { startTcpProxy } from '../helpers/tcp-proxy.ts';

describe.runIf(lane === 'postgres')('database outage', async () => {
  if (lane !== 'postgres') return; // the body is still collected on the PGlite lane
  const direct = await freshDatabaseUrl();
  const target = new URL(direct);
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const org = organisation('outage-bv', { notifications: { mode: 'push', clientId: 'outage-bv', secret: 'outage-notify-secret-0123456789' } });
  const gateway = await startTestGateway({ databaseUrl: proxy.via(direct), network: testNetwork([org]), env: { DATABASE_QUERY_TIMEOUT_MS: '700' } });
  const notify = (n: number) =>
    gateway.app.request('/api/v1/notificaties', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${signZgwJwt({ client_id: 'outage-bv' }, 'outage-notify-secret-0123456789')}` },
      body: JSON.stringify({
        kanaal: 'zaken',
        hoofdObject: 'https://zaken.example/zaken/api/v1/zaken/1',
        resource: 'status',
        resourceUrl: `https://zaken.example/zaken/api/v1/statussen/${n}`,
        actie: 'create',
        aanmaakdatum: new Date().toISOString(),
      }),
    });
  const untilAccepted = async (n: number) => {
    const deadline = Date.now() + 20_000;
    let status = 0;
    while (Date.now() < deadline && (status = (await notify(n)).status) !== 204) await new Promise((r) => setTimeout(r, 200));
    return status;
  };
  const timed = async (request: Promise<Response> | Response) => {
    const started = Date.now();
    const res = await request;
    return { res, ms: Date.now() - started };
  };

  for (const mode of ['blackhole', 'reset'] as const) {
    it(`answers 503 with Retry-After while the line is cut (${mode}), and recovers without a restart`, async () => {
      expect(await untilAccepted(1)).toBe(204); // a previous outage may take a moment to clear
      proxy.cut(mode);
      try {
        for (let i = 0; i < 3; i++) {
          const { res, ms } = await timed(notify(100 + i));
          expect(res.status).toBe(503);
          expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
          expect(res.headers.get('content-type')).toBe('application/problem+json');
          expect(ms).toBeLessThan(10_000);
        }
        expect((await gateway.app.request('/health/ready')).status).toBe(503);
      } finally {
        proxy.heal();
      }
      expect(await untilAccepted(200)).toBe(204);
      let ready = 0;
      for (let i = 0; i < 50 && (ready = (await gateway.app.request('/health/ready')).status) !== 200; i++) await new Promise((r) => setTimeout(r, 200));
      expect(ready).toBe(200);
    });
  }
});
