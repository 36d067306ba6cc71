// RFC 9457 problem details. One error type for the HTTP layer; services throw their own
// errors and app.ts maps them here.
import type { InvalidParam } from '../lib/service-error.ts';

export interface ProblemInit {
  status: number;
  title?: string;
  detail?: string;
  type?: string;
  code?: string;
  invalidParams?: InvalidParam[];
  headers?: Record<string, string>;
  extra?: Record<string, unknown>;
}

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Not authenticated',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  412: 'Precondition failed',
  413: 'Request body too large',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  429: 'Too many requests',
  500: 'Internal server error',
  502: 'Bad gateway',
  503: 'Service unavailable',
};

export class HttpProblem extends Error {
  readonly init: ProblemInit;
  constructor(init: ProblemInit) {
    super(init.detail ?? init.title ?? TITLES[init.status] ?? 'error');
    this.init = init;
  }
}

export const problemType = (code: string) => `https://ketenstatus.dev/problems/${code}`;

export function problemBody(init: ProblemInit, instance: string) {
  const code = init.code ?? defaultCode(init.status);
  return {
    type: init.type ?? problemType(code),
    code,
    title: init.title ?? TITLES[init.status] ?? 'Error',
    status: init.status,
    detail: init.detail ?? init.title ?? TITLES[init.status] ?? 'Error',
    instance,
    ...(init.invalidParams ? { invalidParams: init.invalidParams } : {}),
    ...init.extra,
  };
}

export function problemResponse(init: ProblemInit, instance: string): Response {
  return new Response(JSON.stringify(problemBody(init, instance)), {
    status: init.status,
    headers: { 'content-type': 'application/problem+json', ...init.headers },
  });
}

export const validationProblem = (invalidParams: InvalidParam[], detail = 'The request is not valid.') =>
  new HttpProblem({ status: 400, code: 'invalid', title: 'Invalid request', detail, invalidParams });

function defaultCode(status: number): string {
  const map: Record<number, string> = {
    400: 'bad-request',
    401: 'not-authenticated',
    403: 'forbidden',
    404: 'not-found',
    405: 'method-not-allowed',
    409: 'conflict',
    412: 'precondition-failed',
    413: 'body-too-large',
    415: 'unsupported-media-type',
    422: 'unprocessable',
    429: 'too-many-requests',
    500: 'internal',
    502: 'bad-gateway',
    503: 'unavailable',
  };
  return map[status] ?? 'error';
}
