// A client of a GOV.UK-Notify-style API as NotifyNL runs it: the API key `{key_name}-{service_id}-{secret}`
// becomes a short JWT (HS256, `iss` = service id, `iat` = now, signed with the secret UUID as text),
// sent as a Bearer token. Notify refuses a token whose iat is more than 30 s off, so one per request.
import { SignJWT } from 'jose';
import type { SendResult } from '../../delivery/sender.ts';
import { retryAfterMs } from '../../outbound/errors.ts';

const UUID_LENGTH = 36;

/** The service id and secret of an API key (its name may hold dashes; the two UUIDs end it). */
export function parseApiKey(apiKey: string): { serviceId: string; secret: string } {
  const secret = apiKey.slice(-UUID_LENGTH);
  const serviceId = apiKey.slice(-2 * UUID_LENGTH - 1, -UUID_LENGTH - 1);
  return { serviceId, secret };
}

/** The Bearer token for one request. */
export async function notifyToken(apiKey: string, now = new Date()): Promise<string> {
  const { serviceId, secret } = parseApiKey(apiKey);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(serviceId)
    .setIssuedAt(Math.floor(now.getTime() / 1000))
    .sign(new TextEncoder().encode(secret));
}

export interface NotifyEmail {
  email_address: string;
  template_id: string;
  personalisation: Record<string, string>;
  reference: string;
  one_click_unsubscribe_url?: string;
}

export interface NotifySms {
  phone_number: string;
  template_id: string;
  personalisation: Record<string, string>;
  reference: string;
}

/** An attempt's outcome in the webhooks' terms (src/delivery/schedule.ts decides on it), with Notify's id when sent. */
export type NotifyResult = SendResult & { id?: string };

export class NotifyClient {
  private readonly apiUrl: string;
  private readonly apiKey: string;
  private readonly timeoutMs: number;
  constructor(options: { apiUrl: string; apiKey: string; timeoutMs: number }) {
    this.apiUrl = options.apiUrl;
    this.apiKey = options.apiKey;
    this.timeoutMs = options.timeoutMs;
  }

  sendEmail(body: NotifyEmail): Promise<NotifyResult> {
    return this.post('/v2/notifications/email', body);
  }

  sendSms(body: NotifySms): Promise<NotifyResult> {
    return this.post('/v2/notifications/sms', body);
  }

  private async post(path: string, body: object): Promise<NotifyResult> {
    const started = Date.now();
    const durationMs = () => Date.now() - started;
    let res: Response;
    try {
      res = await fetch(`${this.apiUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await notifyToken(this.apiKey)}`, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      return { error: `Notify API not reached: ${cause ?? (error as Error).message}`, durationMs: durationMs() };
    }
    const text = await res.text().catch(() => '');
    if (res.status >= 200 && res.status < 300) {
      const id = (safeJson(text) as { id?: unknown } | undefined)?.id;
      return { status: res.status, id: typeof id === 'string' ? id : undefined, durationMs: durationMs() };
    }
    return {
      status: res.status,
      error: `HTTP ${res.status}${describeErrors(safeJson(text))}`,
      retryAfterMs: retryAfterMs({ 'retry-after': res.headers.get('retry-after') ?? undefined }),
      durationMs: durationMs(),
    };
  }
}

/** Notify's error body `{ status_code, errors: [{ error, message }] }` as one line for the operator. */
function describeErrors(body: unknown): string {
  const errors = (body as { errors?: { error?: unknown; message?: unknown }[] } | undefined)?.errors;
  if (!Array.isArray(errors) || errors.length === 0) return '';
  return `: ${errors
    .map((e) => [e.error, e.message].filter((v) => typeof v === 'string').join(': '))
    .join('; ')
    .slice(0, 500)}`;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
