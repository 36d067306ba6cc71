// A stand-in for a GOV.UK-Notify-style API (as NotifyNL runs it) on loopback: it checks the Bearer JWT
// as Notify does — HS256 signed with the API key's secret, `iss` = the service id, `iat` within 30 s —
// and answers 401/403 with Notify's error body otherwise; it records the messages it accepts, and can
// be told to answer 429 or 500 to the next requests.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll } from 'vitest';

export interface NotifyMessage {
  id: string;
  channel: 'email' | 'sms';
  body: {
    email_address?: string;
    phone_number?: string;
    template_id: string;
    personalisation?: Record<string, string>;
    reference?: string;
    one_click_unsubscribe_url?: string;
  };
}

export interface NotifyStandIn {
  url: string;
  serviceId: string;
  secret: string;
  /** A valid API key: `{key_name}-{service_id}-{secret}`. */
  apiKey: string;
  /** Requests that reached the send endpoints, accepted or not. */
  requests: number;
  messages(): NotifyMessage[];
  /** Answer the next `n` requests with `status` (429 RateLimitError, 500 a server error). */
  failNext(n: number, status: 429 | 500): void;
  waitFor(predicate: (m: NotifyMessage) => boolean, timeoutMs?: number): Promise<NotifyMessage>;
  close(): Promise<void>;
}

const error = (res: ServerResponse, status: number, kind: string, message: string) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ status_code: status, errors: [{ error: kind, message }] }));
};

/** Started on a free loopback port, closed after the file. */
export async function startNotifyStandIn(): Promise<NotifyStandIn> {
  const serviceId = randomUUID();
  const secret = randomUUID();
  const messages: NotifyMessage[] = [];
  const waiters = new Set<() => void>();
  let failures: { left: number; status: 429 | 500 } = { left: 0, status: 500 };
  const state = { requests: 0 };

  const authenticate = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const header = req.headers.authorization;
    if (!header) return (error(res, 401, 'AuthError', 'Unauthorized: authentication token must be provided'), false);
    const [scheme, token] = header.split(' ');
    if (scheme !== 'Bearer' || !token) return (error(res, 401, 'AuthError', 'Unauthorized: authentication bearer scheme must be used'), false);
    try {
      if (decodeProtectedHeader(token).alg !== 'HS256') throw new Error('alg');
      const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), { algorithms: ['HS256'] });
      if (payload.iss !== serviceId) return (error(res, 403, 'AuthError', 'Invalid token: service not found'), false);
      if (typeof payload.iat !== 'number' || Math.abs(Date.now() / 1000 - payload.iat) > 30) {
        return (error(res, 403, 'AuthError', 'Error: Your system clock must be accurate to within 30 seconds'), false);
      }
      return true;
    } catch {
      return (error(res, 403, 'AuthError', 'Invalid token: API key not found'), false);
    }
  };

  const server = createServer(async (req, res) => {
    const channel = req.url === '/v2/notifications/email' ? 'email' : req.url === '/v2/notifications/sms' ? 'sms' : undefined;
    if (req.method !== 'POST' || !channel) return error(res, 404, 'NotFound', 'not found');
    state.requests++;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (!(await authenticate(req, res))) return;
    if (failures.left > 0) {
      failures.left--;
      return failures.status === 429
        ? error(res, 429, 'RateLimitError', 'Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds')
        : error(res, 500, 'Exception', 'Internal server error');
    }
    let body: NotifyMessage['body'];
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return error(res, 400, 'BadRequestError', 'Invalid JSON');
    }
    const recipient = channel === 'email' ? body.email_address : body.phone_number;
    if (!recipient || !body.template_id)
      return error(res, 400, 'ValidationError', `${channel === 'email' ? 'email_address' : 'phone_number'} and template_id are required`);
    const id = randomUUID();
    messages.push({ id, channel, body });
    for (const waiter of [...waiters]) waiter();
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ id, reference: body.reference ?? null, template: { id: body.template_id, version: 1, uri: `${url}/v2/template/${body.template_id}` } }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const standIn: NotifyStandIn = {
    url,
    serviceId,
    secret,
    apiKey: `ketenstatus-test-${serviceId}-${secret}`,
    get requests() {
      return state.requests;
    },
    messages: () => [...messages],
    failNext(n, status) {
      failures = { left: n, status };
    },
    waitFor(predicate, timeoutMs = 10_000) {
      const found = messages.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = messages.find(predicate);
          if (!match) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(match);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching Notify message within ${timeoutMs} ms (${messages.length} received)`));
        }, timeoutMs);
        waiters.add(check);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  afterAll(() => standIn.close());
  return standIn;
}
