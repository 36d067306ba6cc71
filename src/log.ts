import { pino, type Logger } from 'pino';

export type { Logger };

// A BSN is 9 digits; any 9-digit run in a free-text log field is masked as a last line of defence.
const BSN_LIKE = /\b\d{9}\b/g;

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
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        logMethod(args, method) {
          const masked = args.map((a) => (typeof a === 'string' ? a.replace(BSN_LIKE, '*********') : a));
          method.apply(this, masked as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}
