import { writeSync } from 'node:fs';
import { pino, type Logger } from 'pino';

export type { Logger };

// A BSN is 9 digits; any 9-digit run in a log message or in any string field (an error message
// from a remote, a request id, a nested value) is masked as a last line of defence.
const BSN_LIKE = /\b\d{9}\b/g;
const MASK = '*********';
const MAX_DEPTH = 8;

/** Fields whose value never reaches a log line, at any depth. */
const REDACTED_KEYS = new Set(['authorization', 'secret', 'bsn']);
const REDACTED = '[redacted]';

const mask = (s: string) => s.replace(BSN_LIKE, MASK);

function maskDeep(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return mask(value);
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  if (value instanceof Error) return maskError(value, depth);
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, depth + 1));
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value; // Dates, Buffers, class instances: as pino writes them
  const out: Record<string, unknown> = {};
  for (const k in value) {
    const v = (value as Record<string, unknown>)[k];
    out[k] = REDACTED_KEYS.has(k.toLowerCase()) && v !== undefined ? REDACTED : maskDeep(v, depth + 1);
  }
  return out;
}

/** A copy of the error (same class, so pino's err serializer names its type) with masked text. */
function maskError(error: Error, depth: number): Error {
  const copy = Object.create(Object.getPrototypeOf(error)) as Error;
  for (const [k, v] of Object.entries(error)) {
    (copy as unknown as Record<string, unknown>)[k] = REDACTED_KEYS.has(k.toLowerCase()) && v !== undefined ? REDACTED : maskDeep(v, depth + 1);
  }
  const hidden = { enumerable: false, writable: true, configurable: true };
  Object.defineProperty(copy, 'message', { ...hidden, value: mask(error.message ?? '') });
  if (error.stack !== undefined) Object.defineProperty(copy, 'stack', { ...hidden, value: mask(error.stack) });
  if (error.cause !== undefined) Object.defineProperty(copy, 'cause', { ...hidden, value: maskDeep(error.cause, depth + 1) });
  return copy;
}

/**
 * stdout with the lines of one event-loop turn written together: one write(2) per turn instead of
 * one per line (at peak intake a syscall per access line is a large share of the gateway's CPU;
 * sonic-boom's async mode measures its whole pending buffer again for every line). Flushed
 * synchronously when the process exits; a SIGKILL loses at most the current turn's lines — never
 * data: what matters is in the database.
 */
export function batchedStdout(fd = 1): pino.DestinationStream {
  let pending: string[] = [];
  let unwritten: Buffer | undefined; // what a full pipe did not take, written first next time
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    const fresh = pending.length > 0 ? Buffer.from(pending.join('')) : undefined;
    pending = [];
    let chunk = unwritten && fresh ? Buffer.concat([unwritten, fresh]) : (unwritten ?? fresh);
    unwritten = undefined;
    while (chunk !== undefined && chunk.length > 0) {
      try {
        chunk = chunk.subarray(writeSync(fd, chunk));
      } catch (error) {
        // A closed stdout (EPIPE, a log collector gone) must not end the gateway from a timer:
        // the lines are dropped, as there is nowhere left to write them.
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return;
        unwritten = chunk; // a full pipe: try again shortly, in order
        if (!scheduled) {
          scheduled = true;
          setTimeout(flush, 10).unref();
        }
        return;
      }
    }
  };
  process.on('exit', () => {
    try {
      flush();
    } catch {
      // exiting: nowhere left to report a failed log write
    }
  });
  return {
    write(line: string) {
      pending.push(line);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
  };
}

/** The stream each logger from createLogger writes to: the access line writes there too. */
const destinations = new WeakMap<Logger, pino.DestinationStream>();

/** pino-pretty for a person at a terminal, JSON lines for everything else (LOG_FORMAT=auto). */
export function chooseLogFormat(format: 'auto' | 'pretty' | 'json', stdoutIsTty: boolean): 'pretty' | 'json' {
  return format === 'auto' ? (stdoutIsTty ? 'pretty' : 'json') : format;
}

/**
 * Where the gateway's log lines go: batched JSON lines on stdout, or readable lines through
 * pino-pretty (loaded only then; same fields, coloured when stdout is a terminal).
 */
export async function logDestination(format: 'pretty' | 'json', fd = 1): Promise<pino.DestinationStream> {
  if (format === 'json') return batchedStdout(fd);
  const { default: pretty } = await import('pino-pretty');
  return pretty({ destination: fd, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' });
}

export function createLogger(level: string, destination: pino.DestinationStream = pino.destination(1)): Logger {
  const logger = pino(
    {
      level,
      base: { service: 'ketenstatus' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Redaction (REDACTED_KEYS) and masking happen in one walk over each log object: pino's own
      // redact, with wildcard paths, costs more than the rest of the access line.
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
  destinations.set(logger, destination);
  return logger;
}

/** The access line's fields (msg "request"): one fixed shape, written once per request. */
export interface AccessLine {
  method: string;
  route: string;
  status: number;
  duration_ms: number;
  client_id?: string;
  request_id: string;
  trace_id?: string;
}

/**
 * Writes the access line to the logger's destination exactly as pino writes it (same keys, order,
 * level, time, bindings and masking) without pino's generic walk over an object of unknown shape,
 * its masking copy and its serialiser: the access line is the largest part of the middleware's
 * cost per request (bench/README.md). A 5xx line is at level error.
 */
export function accessLineWriter(logger: Logger): (line: AccessLine) => void {
  const destination = destinations.get(logger);
  if (destination === undefined) {
    // A logger not made by createLogger (a child, a test's own): through pino, same fields.
    return (line) => logger[line.status >= 500 ? 'error' : 'info'](line, 'request');
  }
  const bindings = JSON.stringify(maskDeep(logger.bindings(), 0)).slice(1, -1);
  const base = bindings === '' ? '' : `,${bindings}`;
  const text = (s: string) => JSON.stringify(mask(s));
  return (line) => {
    const level = line.status >= 500 ? 'error' : 'info';
    if (!logger.isLevelEnabled(level)) return;
    let s = `{"level":"${level}","time":"${new Date().toISOString()}"${base},"method":${text(line.method)},"route":${text(line.route)},"status":${line.status},"duration_ms":${line.duration_ms}`;
    if (line.client_id !== undefined) s += `,"client_id":${text(line.client_id)}`;
    s += `,"request_id":${text(line.request_id)}`;
    if (line.trace_id !== undefined) s += `,"trace_id":${text(line.trace_id)}`;
    destination.write(`${s},"msg":"request"}\n`);
  };
}
