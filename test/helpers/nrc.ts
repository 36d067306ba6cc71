// A stand-in Notificaties API (NRC) following the official Notificaties API 1.0 contract
// (shared/reference/zgw/notificaties-api-1.0.1.openapi.yaml) for what the gateway uses:
// POST /abonnement (201 with url; 400 ValidatieFout), GET /abonnement (an array), GET and DELETE /abonnement/{uuid}
// (200/204; 404 Fout), ZGW JWT auth (401/403). Before it accepts an abonnement it tests the
// callback as Open Notificaties 1.11.0 does: kanaal `test` without Authorization must get 401/403,
// with the abonnement's `auth` 2xx; otherwise 400 with code `invalid-callback-url`.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { verifyZgwJwt } from '../../src/lib/zgw-jwt.ts';
import type { Notification } from '../../src/sync/intake.ts';

export interface Abonnement {
  url: string;
  callbackUrl: string;
  auth: string;
  kanalen: { naam: string; filters?: Record<string, string> }[];
}

export interface CallbackCheck {
  callbackUrl: string;
  withoutAuth: number;
  withAuth: number;
  accepted: boolean;
}

export interface StandInNrc {
  apiRoot: string;
  clientId: string;
  secret: string;
  abonnementen: Map<string, Abonnement>;
  requests: { method: string; path: string; status: number }[];
  checks: CallbackCheck[];
  /** No HTTP answer at all: every connection is reset. */
  setDown(down: boolean): void;
  /** Forget an abonnement as if someone removed it at the NRC. */
  forget(url: string): void;
  /**
   * The next abonnement is created, but its 201 never reaches the client (the connection is cut);
   * `thenDown`: and no request is answered after it until setDown(false).
   */
  loseNextCreateAnswer(options?: { thenDown?: boolean }): void;
  /** Deliver a notification to every matching abonnement, as the NRC's worker does; the callbacks' statuses. */
  publish(notification: Notification): Promise<number[]>;
  close(): Promise<void>;
}

/** The body Open Notificaties posts to a callback to check it (kanaal `test`). */
export const TEST_NOTIFICATION = {
  kanaal: 'test',
  hoofdObject: 'http://some.hoofdobject.nl/',
  resource: 'some_resource',
  resourceUrl: 'http://some.resource.nl/',
  actie: 'create',
  aanmaakdatum: '2019-01-01T12:00:00Z',
  kenmerken: {},
};

export async function startStandInNrc(options: { clientId?: string; secret?: string; kanalen?: string[] } = {}): Promise<StandInNrc> {
  const clientId = options.clientId ?? 'gateway-nrc';
  const secret = options.secret ?? 'stand-in-nrc-secret-0123456789';
  const kanalen = new Set(options.kanalen ?? ['zaken']);
  const abonnementen = new Map<string, Abonnement>();
  const requests: StandInNrc['requests'] = [];
  const checks: CallbackCheck[] = [];
  let down = false;
  let loseCreateAnswer: { thenDown?: boolean } | undefined;
  let apiRoot = '';

  const send = (res: ServerResponse, status: number, body?: unknown, contentType = 'application/json') => {
    if (body === undefined) res.writeHead(status).end();
    else res.writeHead(status, { 'content-type': contentType }).end(JSON.stringify(body));
  };
  // Fout and ValidatieFout of the contract.
  const fout = (status: number, code: string, title: string, _req?: IncomingMessage) => ({
    type: `https://ref.tst.vng.cloud/ref/fouten/${code}/`,
    code,
    title,
    status,
    detail: title,
    instance: `urn:uuid:${randomUUID()}`,
  });
  const validatieFout = (_req: IncomingMessage, params: { name: string; code: string; reason: string }[]) => ({
    ...fout(400, 'invalid', 'Invalid input.'),
    invalidParams: params,
  });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const reply = (status: number, body?: unknown, type?: string) => {
      requests.push({ method: req.method ?? 'GET', path, status });
      send(res, status, body, type);
    };
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token) return reply(401, fout(401, 'not_authenticated', 'Authenticatiegegevens zijn niet opgegeven.', req), 'application/problem+json');
    try {
      verifyZgwJwt(token, { secretFor: (id: string) => (id === clientId ? secret : undefined), maxAgeSeconds: 3600, leewaySeconds: 60 });
    } catch {
      return reply(403, fout(403, 'permission_denied', 'Je hebt geen toestemming om deze actie uit te voeren.', req), 'application/problem+json');
    }
    const item = /^\/api\/v1\/abonnement\/([0-9a-f-]{36})$/.exec(path);
    // The list is an array, not a page (Notificaties API 1.0); `auth` is write-only.
    if (path === '/api/v1/abonnement' && req.method === 'GET')
      return reply(
        200,
        [...abonnementen.values()].map(({ url, callbackUrl, kanalen }) => ({ url, callbackUrl, kanalen })),
      );
    if (path === '/api/v1/abonnement' && req.method === 'POST') {
      let body: Partial<Abonnement>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return reply(400, validatieFout(req, [{ name: 'nonFieldErrors', code: 'parse_error', reason: 'JSON parse error' }]), 'application/problem+json');
      }
      const missing = (['callbackUrl', 'auth', 'kanalen'] as const).filter((k) => !body[k]);
      if (missing.length > 0)
        return reply(
          400,
          validatieFout(
            req,
            missing.map((name) => ({ name, code: 'required', reason: 'Dit veld is vereist.' })),
          ),
          'application/problem+json',
        );
      const unknown = body.kanalen!.filter((k) => !kanalen.has(k.naam));
      if (unknown.length > 0)
        return reply(
          400,
          validatieFout(req, [{ name: 'naam', code: 'kanaal_naam', reason: 'Kanaal met deze naam bestaat niet.' }]),
          'application/problem+json',
        );
      const check = await checkCallback(body.callbackUrl!, body.auth!);
      checks.push(check);
      if (!check.accepted) {
        return reply(
          400,
          validatieFout(req, [{ name: 'nonFieldErrors', code: 'invalid-callback-url', reason: 'De opgegeven callback URL kan geen notificaties ontvangen.' }]),
          'application/problem+json',
        );
      }
      const url = `${apiRoot}abonnement/${randomUUID()}`;
      abonnementen.set(url, { url, callbackUrl: body.callbackUrl!, auth: body.auth!, kanalen: body.kanalen! });
      if (loseCreateAnswer) {
        down = loseCreateAnswer.thenDown ?? false;
        loseCreateAnswer = undefined;
        requests.push({ method: 'POST', path, status: 0 });
        req.socket.destroy();
        return;
      }
      // `auth` is write-only, as in Open Notificaties.
      return reply(201, { url, callbackUrl: body.callbackUrl, kanalen: body.kanalen });
    }
    if (item && (req.method === 'GET' || req.method === 'DELETE')) {
      const url = `${apiRoot}abonnement/${item[1]}`;
      const found = abonnementen.get(url);
      if (!found) return reply(404, fout(404, 'not_found', 'Niet gevonden.', req), 'application/problem+json');
      if (req.method === 'DELETE') {
        abonnementen.delete(url);
        return reply(204);
      }
      return reply(200, { url, callbackUrl: found.callbackUrl, kanalen: found.kanalen });
    }
    return reply(404, fout(404, 'not_found', 'Niet gevonden.', req), 'application/problem+json');
  };

  const server = createServer((req, res) => {
    if (down) {
      req.socket.destroy();
      return;
    }
    handle(req, res).catch(() => send(res, 500));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiRoot = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/`;

  const post = async (url: string, body: unknown, authorization?: string): Promise<number> => {
    try {
      const res = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify(body),
      });
      await res.body.dump();
      return res.statusCode;
    } catch {
      return 0; // no answer: the callback cannot receive notifications
    }
  };
  async function checkCallback(callbackUrl: string, auth: string): Promise<CallbackCheck> {
    const withoutAuth = await post(callbackUrl, TEST_NOTIFICATION);
    const withAuth = await post(callbackUrl, TEST_NOTIFICATION, auth);
    return { callbackUrl, withoutAuth, withAuth, accepted: (withoutAuth === 401 || withoutAuth === 403) && withAuth >= 200 && withAuth <= 209 };
  }

  return {
    apiRoot,
    clientId,
    secret,
    abonnementen,
    requests,
    checks,
    setDown: (d) => void (down = d),
    forget: (url) => void abonnementen.delete(url),
    loseNextCreateAnswer: (options = {}) => void (loseCreateAnswer = options),
    async publish(n) {
      const matching = [...abonnementen.values()].filter((a) =>
        a.kanalen.some((k) => k.naam === n.kanaal && Object.entries(k.filters ?? {}).every(([key, value]) => value === '*' || n.kenmerken?.[key] === value)),
      );
      return Promise.all(matching.map((a) => post(a.callbackUrl, n, a.auth)));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
