// Failures of outbound calls, reduced to what a caller has to decide on: may it retry?
// HTTP statuses are not errors here; callers see every response, 3xx/4xx/5xx included.

export type OutboundErrorKind = 'unknown-organisation' | 'forbidden-destination' | 'timeout' | 'network' | 'auth' | 'response-too-large' | 'aborted';

export class OutboundError extends Error {
  readonly kind: OutboundErrorKind;
  readonly retryable: boolean;

  constructor(kind: OutboundErrorKind, message: string, options: { retryable: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OutboundError';
    this.kind = kind;
    this.retryable = options.retryable;
  }
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

/** Maps a transport error from undici (or node:net) to an OutboundError. */
export function transportError(error: unknown, orgId: string): OutboundError {
  if (error instanceof OutboundError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && TIMEOUT_CODES.has(code)) {
    return new OutboundError('timeout', `request to ${orgId} timed out`, { retryable: true, cause: error });
  }
  if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') {
    return new OutboundError('response-too-large', `response from ${orgId} is too large`, { retryable: false, cause: error });
  }
  const reason = typeof code === 'string' ? code : ((error as Error)?.message ?? String(error));
  return new OutboundError('network', `request to ${orgId} failed: ${reason}`, { retryable: true, cause: error });
}

/**
 * Milliseconds a Retry-After header asks to wait (delta-seconds or an HTTP date);
 * undefined when absent or unreadable. A date in the past gives 0.
 */
export function retryAfterMs(headers: Record<string, string | undefined>, now = Date.now()): number | undefined {
  const value = headers['retry-after']?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
