// What the load generator sends. Specs are plain JSON so they cross the process boundary to the
// load worker; each factory turns one into a stream of requests.

export type RequestSpec =
  /** POST a notification-shaped JSON body to a no-op route (B1). */
  | { kind: 'noop'; path: string }
  /** Distinct ZGW notifications for tracked orders: index i → one notification, the same i → the same one (B2, B3). */
  | { kind: 'notification'; path: string; authorization: string; apiRoot: string; zaakUrls: string[]; start: number; indices?: number[] }
  /** GETs rotating over paths and credentials, none when the list is empty (B5, B2's /health/live). */
  | { kind: 'get'; paths: string[]; authorizations: string[] };

export interface RequestShape {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface RequestFactory {
  next(): RequestShape;
  /** How many requests were produced. */
  produced(): number;
}

/** The moment every generated notification's aanmaakdatum counts from; index i is i ms later. */
const EPOCH = Date.parse('2026-11-25T08:00:00.000Z');

const STATUS_UUID_PREFIX = '5a7a0000-0000-4000-8000-';

export function statusUuid(i: number): string {
  return `${STATUS_UUID_PREFIX}${i.toString(16).padStart(12, '0')}`;
}

/** The notification index a generated resourceUrl carries, or undefined. */
export function indexOfStatusUrl(url: string): number | undefined {
  const at = url.lastIndexOf(STATUS_UUID_PREFIX);
  return at < 0 ? undefined : Number.parseInt(url.slice(at + STATUS_UUID_PREFIX.length), 16);
}

export function notificationBody(i: number, hoofdObject: string, apiRoot: string): string {
  return JSON.stringify({
    kanaal: 'zaken',
    hoofdObject,
    resource: 'status',
    resourceUrl: `${apiRoot}statussen/${statusUuid(i)}`,
    actie: 'create',
    aanmaakdatum: new Date(EPOCH + i).toISOString(),
    kenmerken: { bronorganisatie: '012345672', zaaktype: `${apiRoot.replace('/zaken/', '/catalogi/')}zaaktypen/1`, vertrouwelijkheidaanduiding: 'openbaar' },
  });
}

export function requestFactory(spec: RequestSpec): RequestFactory {
  let k = 0;
  switch (spec.kind) {
    case 'noop': {
      const body = notificationBody(0, 'http://127.0.0.1:1/zaken/api/v1/zaken/0', 'http://127.0.0.1:1/zaken/api/v1/');
      const headers = { 'content-type': 'application/json' };
      return { next: () => (k++, { method: 'POST', path: spec.path, headers, body }), produced: () => k };
    }
    case 'notification': {
      const headers = { 'content-type': 'application/json', authorization: spec.authorization };
      const n = spec.zaakUrls.length;
      return {
        next: () => {
          const i = spec.indices ? spec.indices[k % spec.indices.length] : spec.start + k;
          k++;
          return { method: 'POST', path: spec.path, headers, body: notificationBody(i, spec.zaakUrls[i % n], spec.apiRoot) };
        },
        produced: () => k,
      };
    }
    case 'get': {
      const headers: Record<string, string>[] = spec.authorizations.length > 0 ? spec.authorizations.map((authorization) => ({ authorization })) : [{}];
      return {
        next: () => {
          const i = k++;
          return { method: 'GET', path: spec.paths[i % spec.paths.length], headers: headers[i % headers.length] };
        },
        produced: () => k,
      };
    }
  }
}
