// Problem responses in the ZGW `Fout` / `ValidatieFout` shape and DRF-style page-number pagination.
import { createHash, randomUUID } from 'node:crypto';
import type { Context } from 'hono';

export interface InvalidParam {
  name: string;
  code: string;
  reason: string;
}

export interface Problem {
  type: string;
  code: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  invalidParams?: InvalidParam[];
}

const titles: Record<number, string> = {
  400: 'Invalid input.',
  401: 'Authenticatiegegevens zijn niet opgegeven.',
  403: 'U heeft geen toestemming om deze actie uit te voeren.',
  404: 'Niet gevonden.',
  406: 'Kan niet voldoen aan de opgegeven Accept header.',
  412: 'Precondition failed',
  415: 'Ongeldige media type.',
  500: 'Er is een serverfout opgetreden.',
};

// Open Zaak names the error classes in `type`; the suffix mirrors that.
const typeNames: Record<number, string> = {
  400: 'ValidationError',
  401: 'NotAuthenticated',
  403: 'PermissionDenied',
  404: 'NotFound',
  406: 'NotAcceptable',
  412: 'PreconditionFailed',
  415: 'UnsupportedMediaType',
  500: 'APIException',
};

export function problem(baseUrl: string, status: number, code: string, detail: string, invalidParams?: InvalidParam[]): Problem {
  return {
    type: `${baseUrl}/ref/fouten/${typeNames[status] ?? 'APIException'}/`,
    code,
    title: titles[status] ?? 'Fout',
    status,
    detail,
    instance: `urn:uuid:${randomUUID()}`,
    ...(invalidParams ? { invalidParams } : {}),
  };
}

export function problemResponse(p: Problem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(p), {
    status: p.status,
    headers: { 'Content-Type': 'application/problem+json', ...headers },
  });
}

export function validationProblem(baseUrl: string, invalidParams: InvalidParam[]): Response {
  return problemResponse(problem(baseUrl, 400, 'invalid', 'Invalid input.', invalidParams));
}

export function notFound(baseUrl: string): Response {
  return problemResponse(problem(baseUrl, 404, 'not_found', 'Niet gevonden.'));
}

export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

/** Paginates like DRF's PageNumberPagination; `next`/`previous` are absolute and keep other query params. */
export function paginate<T>(items: T[], requestUrl: URL, baseUrl: string, pageSize: number): Page<T> | 'invalid-page' {
  const raw = requestUrl.searchParams.get('page');
  const page = raw === null ? 1 : Number(raw);
  const lastPage = Math.max(1, Math.ceil(items.length / pageSize));
  if (!Number.isInteger(page) || page < 1 || page > lastPage) return 'invalid-page';
  const link = (n: number): string => {
    const u = new URL(requestUrl.pathname + requestUrl.search, baseUrl);
    if (n === 1) u.searchParams.delete('page');
    else u.searchParams.set('page', String(n));
    return u.toString();
  };
  return {
    count: items.length,
    next: page < lastPage ? link(page + 1) : null,
    previous: page > 1 ? link(page - 1) : null,
    results: items.slice((page - 1) * pageSize, page * pageSize),
  };
}

/** `render` maps only the items on the requested page, so listing many stored objects stays cheap. */
export function pageOrProblem<T, R = T>(
  c: Context,
  items: T[],
  baseUrl: string,
  pageSize: number,
  headers: Record<string, string> = {},
  render?: (item: T) => R,
): Response {
  const page = paginate(items, new URL(c.req.url), baseUrl, pageSize);
  if (page === 'invalid-page') return problemResponse(problem(baseUrl, 404, 'not_found', 'Ongeldige pagina.'));
  return c.json(render ? { ...page, results: page.results.map(render) } : page, 200, headers);
}

/** Reads a JSON object body; a Response means the request must be answered with that problem. */
export async function readJsonObject(c: Context, baseUrl: string): Promise<Record<string, unknown> | Response> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) {
    return problemResponse(problem(baseUrl, 415, 'unsupported_media_type', `Ongeldige media type "${type}" in aanvraag.`));
  }
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    return problemResponse(problem(baseUrl, 400, 'parse_error', 'JSON parse error', []));
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return validationProblem(baseUrl, [{ name: 'nonFieldErrors', code: 'invalid', reason: 'Ongeldige data. Verwacht een dictionary.' }]);
  }
  return body as Record<string, unknown>;
}

/**
 * Answers with an ETag computed over the body, or 304 when If-None-Match matches it. `etagOf`, when
 * given, picks another tag (a stale one, none) to play a server whose ETags cannot be trusted.
 */
export function jsonWithEtag(c: Context, body: unknown, headers: Record<string, string> = {}, etagOf?: (contentTag: string) => string | undefined): Response {
  const json = JSON.stringify(body);
  const contentTag = `"${createHash('md5').update(json).digest('hex')}"`;
  const etag = etagOf ? etagOf(contentTag) : contentTag;
  if (etag === undefined) return new Response(json, { status: 200, headers: { 'Content-Type': 'application/json', ...headers } });
  const inm = c.req.header('if-none-match');
  if (inm) {
    const tags = inm.split(',').map((t) => t.trim().replace(/^W\//, ''));
    if (tags.includes('*') || tags.includes(etag)) return new Response(null, { status: 304, headers: { ETag: etag, ...headers } });
  }
  return new Response(json, { status: 200, headers: { 'Content-Type': 'application/json', ETag: etag, ...headers } });
}
