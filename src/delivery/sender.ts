// The only way the gateway calls a subscriber: one undici Agent of its own (not the subcontractor
// pools of src/outbound), redirects never followed, a hard deadline per attempt, the destination
// policy enforced on the resolved address, and the response body discarded unread past a few KiB.
import { Agent, request } from 'undici';
import { retryAfterMs } from '../outbound/errors.ts';
import { checkCallbackUrl, ForbiddenDestinationError, guardedLookup, type DestinationPolicy, type Resolver } from './destination.ts';

export interface SendResult {
  /** HTTP status, or undefined when no response came (error says why). */
  status?: number;
  error?: string;
  retryAfterMs?: number;
  durationMs: number;
  /** True when the destination policy refused the call (no connection was made). */
  refused?: boolean;
}

export interface SenderOptions extends DestinationPolicy {
  timeoutMs: number;
  userAgent?: string;
  /** Tests: a resolver standing in for DNS. */
  resolve?: Resolver;
}

export class WebhookSender {
  private readonly options: SenderOptions;
  private readonly agent: Agent;

  constructor(options: SenderOptions) {
    this.options = options;
    this.agent = new Agent({
      connect: { timeout: options.timeoutMs, lookup: guardedLookup(options.allowPrivate, options.resolve) as never },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      keepAliveTimeout: 10_000,
    });
  }

  checkUrl(url: string): URL {
    return checkCallbackUrl(url, this.options);
  }

  async send(url: string, body: string, headers: Record<string, string>, signal?: AbortSignal): Promise<SendResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    let target: URL;
    try {
      target = this.checkUrl(url);
    } catch (error) {
      return { error: (error as Error).message, durationMs: 0, refused: true };
    }
    const deadline = AbortSignal.timeout(this.options.timeoutMs);
    try {
      const res = await request(target, {
        dispatcher: this.agent,
        method: 'POST',
        headers: { 'user-agent': this.options.userAgent ?? 'ketenstatus-webhooks', ...headers },
        body,
        signal: signal ? AbortSignal.any([signal, deadline]) : deadline,
      });
      // Only the status counts; a few KiB are read so a small answer keeps the connection reusable.
      await res.body.dump({ limit: 16 * 1024 }).catch(() => undefined);
      const flat = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v[0] : v]));
      return { status: res.statusCode, durationMs: elapsed(), retryAfterMs: retryAfterMs(flat) };
    } catch (error) {
      const refused = findCause(error, (e) => e instanceof ForbiddenDestinationError);
      if (refused) return { error: refused.message, durationMs: elapsed(), refused: true };
      if (deadline.aborted) return { error: `no answer within ${this.options.timeoutMs} ms`, durationMs: elapsed() };
      if (signal?.aborted) return { error: 'cancelled: the gateway is shutting down', durationMs: elapsed() };
      const code = (error as { code?: string }).code;
      return { error: `${code ? `${code}: ` : ''}${(error as Error).message}`.slice(0, 500), durationMs: elapsed() };
    }
  }

  async close(): Promise<void> {
    await this.agent.destroy().catch(() => undefined);
  }
}

function findCause(error: unknown, match: (e: unknown) => boolean): Error | undefined {
  for (let e = error, depth = 0; e && depth < 5; e = (e as Error).cause, depth++) if (match(e)) return e as Error;
  return undefined;
}
