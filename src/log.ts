import { pino, type Logger } from 'pino';

export type { Logger };

// A BSN is 9 digits; any 9-digit run in a log message or in any string field (an error message
// from a remote, a request id, a nested value) is masked as a last line of defence.
const BSN_LIKE = /\b\d{9}\b/g;
const MASK = '*********';
const MAX_DEPTH = 8;

const mask = (s: string) => s.replace(BSN_LIKE, MASK);

function maskDeep(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return mask(value);
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  if (value instanceof Error) return maskError(value, depth);
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, depth + 1));
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value; // Dates, Buffers, class instances: as pino writes them
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = maskDeep(v, depth + 1);
  return out;
}

/** A copy of the error (same class, so pino's err serializer names its type) with masked text. */
function maskError(error: Error, depth: number): Error {
  const copy = Object.create(Object.getPrototypeOf(error)) as Error;
  for (const [k, v] of Object.entries(error)) (copy as unknown as Record<string, unknown>)[k] = maskDeep(v, depth + 1);
  const hidden = { enumerable: false, writable: true, configurable: true };
  Object.defineProperty(copy, 'message', { ...hidden, value: mask(error.message ?? '') });
  if (error.stack !== undefined) Object.defineProperty(copy, 'stack', { ...hidden, value: mask(error.stack) });
  if (error.cause !== undefined) Object.defineProperty(copy, 'cause', { ...hidden, value: maskDeep(error.cause, depth + 1) });
  return copy;
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'ketenstatus' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['authorization', '*.authorization', 'headers.authorization', '*.secret', '*.*.secret', 'secret', 'bsn', '*.bsn'],
        censor: '[redacted]',
      },
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => maskDeep(object, 0) as Record<string, unknown>,
        bindings: (bindings) => maskDeep(bindings, 0) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          const masked = args.map((a) => (typeof a === 'string' ? mask(a) : a));
          method.apply(this, masked as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}
