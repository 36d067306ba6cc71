// A request value that PostgreSQL cannot take (not a UUID, a NUL character) is the request's
// fault: exactly 400 or 404 as problem+json, never 500 (found by the R5 fuzzer).
import { describe, expect, it } from 'vitest';
import { authHeader, startTestGateway } from '../helpers/gateway.ts';

const gateway = await startTestGateway();

describe('values the database cannot take', () => {
  it('answers an order id that is no UUID with 404 (no such order), whatever its length; never 500', async () => {
    // 36 hyphens have a UUID's length; PostgreSQL would refuse them (22P02), the service's check does first.
    for (const [id, expected] of [
      ['x'.repeat(300), { status: 404 }],
      ['-'.repeat(36), { status: 404 }],
      [`${'g'.repeat(8)}-0000-0000-0000-000000000000`, { status: 404 }],
    ] as const) {
      for (const [method, path] of [
        ['POST', `/api/v1/orders/${id}/sync`],
        ['GET', `/api/v1/orders/${id}`],
      ] as const) {
        const res = await gateway.app.request(path, { method, headers: authHeader('zac') });
        expect(res.status, `${method} ${path.slice(0, 40)}`).toBe(expected.status);
        expect(res.headers.get('content-type')).toBe('application/problem+json');
        expect(await res.json()).toMatchObject(expected);
      }
    }
  });

  it('answers a NUL character in a stored text with 400, not 500', async () => {
    const res = await gateway.app.request('/api/v1/cases', {
      method: 'POST',
      headers: { ...authHeader('zac'), 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'a\u0000b', citizen: { bsn: '111222333' } }),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({ status: 400 });
  });
});
