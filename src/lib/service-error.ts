// The one error type services throw. app.ts maps `kind` to an HTTP status; services never
// know about HTTP.
/** One field a request got wrong (RFC 9457 `invalidParams`, as the ZGW APIs spell it). */
export interface InvalidParam {
  name: string;
  code: string;
  reason: string;
}

export type ServiceErrorKind =
  | 'not_found'
  | 'invalid' // 400: the request itself is malformed
  | 'unprocessable' // 422: well-formed but violates a rule
  | 'conflict'
  | 'forbidden'
  | 'unavailable';

export class ServiceError extends Error {
  readonly kind: ServiceErrorKind;
  readonly invalidParams?: InvalidParam[];
  readonly retryAfterSeconds?: number;
  constructor(kind: ServiceErrorKind, message: string, options: { invalidParams?: InvalidParam[]; retryAfterSeconds?: number } = {}) {
    super(message);
    this.kind = kind;
    this.invalidParams = options.invalidParams;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export const notFound = (what: string) => new ServiceError('not_found', `${what} does not exist`);
