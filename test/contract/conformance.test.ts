// contracts/openapi.yaml and the code agree on what is valid, not only on which routes exist.
// Every operation is driven through the HTTP surface with inputs derived from its contract and
// from the limits code tends to have (empty, one past common lengths, out-of-range numbers,
// unknown enum values, missing and extra properties). For each answer:
//   - its status code is one the contract lists for the operation;
//   - an input the contract calls invalid is refused (400/422; 404 for a path id);
//   - an input refused with 400 is one the contract calls invalid: every limit the code enforces
//     (minLength, maxLength, maximum, enum, additionalProperties …) is written in the contract.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { signZgwJwt } from '../../src/lib/zgw-jwt.ts';
import { startTestIssuer } from '../citizen/helpers/issuer.ts';
import { agreementVersion, organisation, portalOrganisation } from '../helpers/fixtures.ts';
import { authHeader, startTestGateway, subcontractorClient, testNetwork } from '../helpers/gateway.ts';
import {
  answerMismatch,
  bodyAjv,
  contractRefs,
  documented,
  type Json,
  type Operation,
  operations,
  paramAjv,
  resolve,
  spec,
  validator,
  credentialsFor,
} from './contract-spec.ts';

const issuer = await startTestIssuer();
const staffIssuer = await startTestIssuer('ketenstatus-staff');
const { app } = await startTestGateway({
  network: testNetwork([organisation('hulpmiddelen-bv'), portalOrganisation('bouwer-bv')], [subcontractorClient('bouwer-bv')]),
  env: { CITIZEN_OIDC_ISSUER: issuer.url, STAFF_OIDC_ISSUER: staffIssuer.url },
});
const CITIZEN_BSN = '111222333';
const citizen = { authorization: `Bearer ${await issuer.token(CITIZEN_BSN)}` };
/** A contact-centre employee (staff sign-on, role kcc). */
const kccMember = { authorization: `Bearer ${await staffIssuer.token(undefined, { claims: { sub: 'kcc-1', name: 'K. Klant', roles: ['kcc'] } })}` };
// The gateway above runs with the default BODY_LIMIT.
const BODY_LIMIT = parseConfig({}).bodyLimit;
const notifier = { authorization: `Bearer ${signZgwJwt({ client_id: 'hulpmiddelen-bv' }, 'notify-secret-0123456789abc')}` };

// ---- how to call each operation --------------------------------------------------------------

const caseId = await (async () => {
  const res = await app.request('/api/v1/cases', {
    method: 'POST',
    headers: { ...authHeader('zac'), 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'Contract', citizen: { bsn: CITIZEN_BSN } }),
  });
  return ((await res.json()) as { id: string }).id;
})();

const credentials = (path: string) => credentialsFor(path, { citizen, kcc: kccMember, notifier });

/** A value for a path parameter that names something that exists where we have it, else a well-formed id. */
function pathValue(o: Operation, name: string, schema: Json): string {
  // Its own organisation (created by the PUT, which comes first), so suspending it stops no one's notifications.
  if (o.path.startsWith('/api/v1/organisations')) return 'contract-org';
  if (o.path.startsWith('/api/v1/cases') || o.path.startsWith('/api/v1/me/cases')) return caseId;
  if (schema.type === 'integer') return '999999';
  if (schema.format === 'uuid') return randomUUID();
  return name;
}

const BODIES: Record<string, unknown> = {
  'PUT /api/v1/organisations/{id}': {
    ...organisation('contract-org', { status: 'pending', agreement: undefined }),
    pollIntervalSeconds: 300,
    maxConcurrency: 4,
  },
  'POST /api/v1/organisations/{id}/activate': { agreement: { version: '2026-1', acceptedAt: '2026-01-10T09:00:00Z', acceptedBy: 'J. Jansen' } },
  'POST /api/v1/organisations/{id}/suspend': { reason: 'contract' },
  // The first posts version 2026-1 (201); the variants with the same version are 409.
  'POST /api/v1/agreements': { ...agreementVersion('2026-1'), reacceptBy: '2027-01-31T00:00:00Z' },
  // A hash that is no version's: 409 once valid.
  'POST /api/v1/organisations/{id}/acceptances': {
    method: 'paper',
    agreementVersion: '2026-1',
    agreementHash: 'a'.repeat(64),
    signer: { name: 'P. Papier', email: 'p.papier@example.nl', role: 'bestuurder' },
    signedAt: '2026-12-01T10:00:00Z',
    scanSha256: 'b'.repeat(64),
  },
  // The join journey: contract-org is pending (the PUT comes first), so it is invited (201); the
  // token 'token' names no invitation, so each journey call answers 404 once the body is valid.
  'POST /api/v1/organisations/{id}/invitations': { name: 'P. Planner', email: 'planner@example.nl' },
  'POST /api/v1/join/{token}/signer': { name: 'P. Planner', email: 'planner@example.nl', role: 'directeur' },
  'POST /api/v1/join/{token}/signer/verify': { code: '123456' },
  'POST /api/v1/join/{token}/acceptance': {
    signer: { name: 'P. Planner', email: 'planner@example.nl', role: 'directeur' },
    agreementVersion: '2026-1',
    agreementHash: 'a'.repeat(64),
  },
  'PUT /api/v1/join/{token}/connection': {
    zaken: {
      apiRoot: 'https://zaken.example/zaken/api/v1/',
      catalogiApiRoot: 'https://catalogi.example/catalogi/api/v1/',
      auth: { type: 'zgw-jwt', clientId: 'gemeente', secret: 'outbound-secret-0123456789' },
    },
    notifications: { mode: 'push' },
  },
  'POST /api/v1/cases': { title: 'Aanvraag', citizen: { bsn: CITIZEN_BSN }, product: 'traplift', reference: 'REF-1', plannedEndDate: '2027-01-31' },
  'POST /api/v1/cases/{id}/status': { phase: 'in_behandeling', text: 'Bezig' },
  'POST /api/v1/cases/{id}/events': {
    kind: 'letter',
    text: 'Brief',
    references: [{ type: 'letter', id: 'B-1' }],
    at: '2026-12-01T10:00:00Z',
    citizenVisible: true,
  },
  // An organisation that is not in the network: 422 after validation, nothing is placed.
  'POST /api/v1/cases/{id}/orders': { subcontractor: 'onbekend-bv', product: 'traplift', description: 'Graag snel', shareCitizen: false },
  'POST /api/v1/notificaties': {
    kanaal: 'zaken',
    hoofdObject: 'https://zaken.example/zaken/api/v1/zaken/1',
    resource: 'status',
    resourceUrl: 'https://zaken.example/zaken/api/v1/statussen/1',
    actie: 'create',
    aanmaakdatum: '2026-12-01T10:00:00Z',
    kenmerken: { bronorganisatie: '012345672' },
  },
  'POST /api/v1/events': {
    specversion: '1.0',
    id: 'e-1',
    source: 'urn:nld:oin:00000003012345678000:systeem:zaken',
    type: 'nl.overheid.zaken.zaakstatus-gewijzigd',
    time: '2026-12-01T10:00:00Z',
    dataref: 'https://zaken.example/zaken/api/v1/zaken/1',
    subject: 'https://zaken.example/zaken/api/v1/zaken/1',
  },
  // A literal private address: refused (422) without any network I/O.
  'POST /api/v1/subscriptions': { callbackUrl: 'https://10.0.0.1/hook', events: ['case.status-changed'], format: 'zgw', filters: { phases: ['afgerond'] } },
  // An order or assignment that does not exist: 404 after validation.
  'POST /api/v1/orders/{id}/messages': { text: 'Sleutel ligt bij de buren.', visibleToCitizen: true },
  'POST /api/v1/partner/assignments/{id}/status': { status: 'bezig', text: 'Start maandag' },
  'POST /api/v1/partner/assignments/{id}/messages': { text: 'We komen dinsdag.', visibleToCitizen: false },
  'PATCH /api/v1/partner/assignments/{id}/messages/{messageId}': { visibleToCitizen: true },
  'POST /api/v1/me/mandates': { proxyBsn: '123456782', proxyName: 'Bram', caseId, validUntil: '2027-01-31' },
  'POST /api/v1/me/groups': { name: 'Verhuizen', caseIds: [caseId] },
  'POST /api/v1/kcc/lookups': { bsn: CITIZEN_BSN, purpose: 'application-question' },
  'PATCH /api/v1/me/groups/{id}': { name: 'Verhuizen', caseIds: [caseId] },
  'PUT /api/v1/me/preferences': { language: 'en', email: 'contract@voorbeeld.nl', channels: { email: true, sms: false } },
  'POST /api/v1/me/preferences/email/verify': { code: '123456' },
  'POST /api/v1/me/preferences/phone/verify': { code: '123456' },
  // A form, as a mail client posts it (RFC 8058); the token names no one: 404 once the body is valid.
  'POST /unsubscribe/{token}': { 'List-Unsubscribe': 'One-Click' },
};

async function call(
  o: Operation,
  options: {
    path?: Record<string, string>;
    query?: Record<string, string>;
    body?: unknown;
    headers?: Record<string, string>;
    /** Sent as it is, with this content type. */
    raw?: { text: string; type: string };
  } = {},
) {
  let url = o.path;
  for (const p of o.params.filter((p) => p.in === 'path'))
    url = url.replace(`{${p.name}}`, encodeURIComponent(options.path?.[p.name] ?? pathValue(o, p.name, p.schema)));
  const query = new URLSearchParams(options.query ?? {}).toString();
  const content = o.op.requestBody ? Object.keys(o.op.requestBody.content)[0] : undefined;
  const form = content === 'application/x-www-form-urlencoded';
  const body = options.raw
    ? options.raw.text
    : options.body === undefined
      ? undefined
      : form
        ? new URLSearchParams(options.body as Record<string, string>).toString()
        : JSON.stringify(options.body);
  const type = options.raw?.type ?? content ?? 'application/json';
  const headers = { ...(options.headers ?? credentials(o.path)), ...(body !== undefined ? { 'content-type': type } : {}) };
  const res = await app.request(`${url}${query ? `?${query}` : ''}`, { method: o.method.toUpperCase(), headers, body });
  return { status: res.status, mismatch: answerMismatch(o, res.status, res.headers.get('content-type'), await res.text()) };
}
type Reply = Awaited<ReturnType<typeof call>>;

// ---- inputs ----------------------------------------------------------------------------------

const LENGTHS = [20, 21, 40, 41, 50, 51, 63, 64, 100, 101, 200, 201, 500, 501, 1000, 1001, 2000, 2001];
// Only spaces, and one past a length in spaces: a limit counts what is sent, before any trimming.
const STRINGS = ['', 'x', '!', 'bogus', '   ', ...LENGTHS.flatMap((n) => ['x'.repeat(n), ` ${'x'.repeat(n - 1)} `])];
const NUMBERS = [-1, 0, 1, 9, 10, 64, 65, 100, 101, 86400, 86401, 1.5];

/** Variants of a body: each leaf replaced by probes, each property dropped, an unknown one added. */
function* variants(value: unknown, set: (v: unknown) => unknown, at: string): Generator<[string, unknown]> {
  if (typeof value === 'string') {
    for (const s of STRINGS) yield [`${at}=${s.slice(0, 8)}…(${s.length})`, set(s)];
    // A URL: another scheme, a bare scheme, the URL between spaces, and made longer to each length.
    if (/^https?:\/\//.test(value)) {
      yield [`${at}=ftp:…`, set(value.replace(/^https?/, 'ftp'))];
      for (const bare of ['https://', 'http:']) yield [`${at}=${bare}`, set(bare)];
      yield [`${at}= ${value.slice(0, 8)}… `, set(` ${value} `)];
      for (const n of LENGTHS.filter((n) => n > value.length)) yield [`${at}=${value.slice(0, 8)}…(${n})`, set(value + 'x'.repeat(n - value.length))];
    }
  } else if (typeof value === 'number') for (const n of NUMBERS) yield [`${at}=${n}`, set(n)];
  else if (typeof value === 'boolean') yield [`${at}="true"`, set('true')];
  else if (Array.isArray(value)) {
    yield [`${at}=[]`, set([])];
    if (value.length > 0) yield [`${at} repeated`, set([...value, value[0]])];
    for (let i = 0; i < value.length; i++) yield* variants(value[i], (v) => set(value.map((x, j) => (j === i ? v : x))), `${at}[${i}]`);
  } else if (value && typeof value === 'object') {
    const obj = value as Json;
    yield [`${at}+zzz`, set({ ...obj, zzz: 'x' })];
    for (const key of Object.keys(obj)) {
      const { [key]: _dropped, ...rest } = obj;
      yield [`${at}-${key}`, set(rest)];
      yield* variants(obj[key], (v) => set({ ...obj, [key]: v }), `${at}.${key}`);
    }
  }
}

const QUERY_VALUES = [
  '',
  'x',
  'bogus',
  '0',
  '-1',
  '1',
  '1.5',
  '100',
  '101',
  '1000000',
  '1000001',
  'not-a-uuid',
  randomUUID(),
  '2026-12-01T10:00:00Z',
  'open',
  ...LENGTHS.map((n) => 'x'.repeat(n)),
];
const PATH_VALUES = ['x', 'not-a-uuid', 'UPPER', '-1', '1.5', '99999999999999999999', 'x'.repeat(64)];

/** Known rules a JSON schema cannot say; a 400 for these inputs is not a missing limit. */
const NOT_SCHEMA: Record<string, RegExp> = {
  // The body's id must be the path's; push mode needs clientId and secret (or authorization);
  // product codes are unique.
  'PUT /api/v1/organisations/{id}': /^(\$\.id=|path id=|\$\.notifications-(clientId|secret)$|\$\.products repeated$)/,
  // A cursor is opaque: only one this API gave is taken, whatever its characters.
  'GET /api/v1/consumer/mandates/{id}/events': /^query after=/,
};

interface Finding {
  operation: string;
  input: string;
  status: number;
  problem: string;
}

async function conformance(o: Operation): Promise<Finding[]> {
  const name = `${o.method.toUpperCase()} ${o.path}`;
  const findings: Finding[] = [];
  const check = (input: string, { status, mismatch }: Reply, contractValid: boolean | undefined, refused = [400, 422]) => {
    if (!documented(o, status)) findings.push({ operation: name, input, status, problem: 'status not in the contract' });
    if (mismatch) findings.push({ operation: name, input, status, problem: mismatch });
    if (contractValid === false && !refused.includes(status))
      findings.push({ operation: name, input, status, problem: 'the contract calls this invalid, the code took it' });
    if (contractValid === true && status === 400 && !NOT_SCHEMA[name]?.test(input))
      findings.push({ operation: name, input, status, problem: 'the code refuses what the contract allows (a limit missing from the contract?)' });
  };

  const base = BODIES[name];
  const secured = (o.op.security ?? spec.security).length > 0;
  if (secured) {
    check('no credentials', await call(o, { headers: {}, body: base }), undefined);
    for (const other of [authHeader('zac'), authHeader('beheer'), authHeader('portaal'), citizen, notifier])
      check('other credentials', await call(o, { headers: other, body: base }), undefined);
  }

  for (const p of o.params.filter((p) => p.in === 'path')) {
    const validate = paramAjv.compile(contractRefs(p.schema));
    for (const value of PATH_VALUES)
      check(`path ${p.name}=${value.slice(0, 12)}`, await call(o, { path: { [p.name]: value }, body: base }), validate(value), [400, 404, 422]);
  }
  for (const p of o.params.filter((p) => p.in === 'query')) {
    const validate = paramAjv.compile(contractRefs(p.schema));
    for (const value of QUERY_VALUES)
      check(`query ${p.name}=${value.slice(0, 12)}…(${value.length})`, await call(o, { query: { [p.name]: value } }), validate(value));
  }

  if (o.op.requestBody) {
    const media = Object.keys(o.op.requestBody.content)[0];
    const validate = validator(bodyAjv, o.ref('requestBody', 'content', media, 'schema'));
    expect(validate(base), `${name}: the test's base body is valid by the contract`).toBe(true);
    check('base body', await call(o, { body: base }), true);
    check('a JSON array', await call(o, { body: [] }), false);
    // What the HTTP layer refuses before any schema: a media type the operation does not take, a body past BODY_LIMIT.
    // 415, or 400 where the operation documents no 415 (the unsubscribe form: "Not a form").
    const notTaken = documented(o, 415) ? [415] : [400];
    check('the body as text/plain', await call(o, { raw: { text: JSON.stringify(base), type: 'text/plain' } }), false, notTaken);
    check('a body past BODY_LIMIT', await call(o, { raw: { text: ' '.repeat(BODY_LIMIT + 1), type: media } }), false, [413]);
    for (const [input, body] of variants(base, (v) => v, '$')) check(input, await call(o, { body }), validate(body));
  }
  return findings;
}

describe('contracts/openapi.yaml and the code agree', () => {
  it.each(operations.map((o) => [`${o.method.toUpperCase()} ${o.path}`, o] as const))('%s', async (_name, o) => {
    const findings = await conformance(o);
    expect(findings.map((f) => `${f.status} ${f.input}: ${f.problem}`)).toEqual([]);
  });
});

describe('the organisation in PUT /api/v1/organisations/{id}', () => {
  it('is what contracts/network.schema.json says an organisation is', () => {
    const network = JSON.parse(readFileSync(new URL('../../contracts/network.schema.json', import.meta.url), 'utf8')) as Json;
    // Both resolved in full, descriptions aside, const as the one-value enum OpenAPI 3.0 has.
    const normalise = (node: any, root: Json): any => {
      if (Array.isArray(node)) return node.map((n) => normalise(n, root));
      if (!node || typeof node !== 'object') return node;
      if (typeof node.$ref === 'string') {
        const target = node.$ref
          .slice(2)
          .split('/')
          .reduce((n: any, k: string) => n[k], root);
        return normalise(target, root);
      }
      return Object.fromEntries(
        Object.entries(node)
          .filter(([k]) => k !== 'description' && k !== '$comment' && k !== 'title')
          .map(([k, v]) => (k === 'const' ? ['enum', [v]] : [k, normalise(v, root)])),
      );
    };
    const put = spec.paths['/api/v1/organisations/{id}'].put.requestBody.content['application/json'].schema;
    expect(normalise(put, spec)).toEqual(normalise(network.$defs.organisation, network));
  });
});

describe('links', () => {
  const byId = new Map(operations.filter((o) => o.op.operationId).map((o) => [o.op.operationId as string, o]));
  /** The schema a JSON pointer reaches inside a response schema (allOf merged), or undefined. */
  const reach = (schema: any, pointer: string): Json | undefined => {
    let node = resolve(schema);
    for (const segment of pointer.split('/').slice(1)) {
      const parts = node.allOf || node.oneOf ? (node.allOf ?? node.oneOf).map(resolve) : [node];
      // A numeric segment steps into an array's items (a list's first result).
      node = resolve(parts.map((p: Json) => (/^\d+$/.test(segment) ? p.items : p.properties?.[segment])).find(Boolean));
      if (!node) return undefined;
    }
    return node;
  };
  const links = operations.flatMap((o) =>
    Object.entries(o.op.responses as Json).flatMap(([status, response]) =>
      Object.entries((resolve(response).links ?? {}) as Json).map(([name, link]) => ({
        from: o,
        status,
        response: resolve(response),
        name,
        link: resolve(link) as Json,
      })),
    ),
  );

  it('lead from every create to its read', () => {
    const from = (operationId: string) => links.filter((l) => l.from.op.operationId === operationId).map((l) => l.link.operationId);
    expect(from('createCase')).toContain('getCase');
    expect(from('placeOrder')).toContain('getOrder');
    expect(from('createSubscription')).toContain('getSubscription');
    expect(from('putOrganisation')).toContain('getOrganisation');
    expect(from('grantMandate')).toEqual(expect.arrayContaining(['listMandates', 'revokeMandate']));
    expect(from('createGroup')).toEqual(expect.arrayContaining(['getGroup', 'updateGroup', 'deleteGroup']));
  });

  it.each(links.map((l) => [`${l.from.op.operationId} ${l.status} → ${l.name}`, l] as const))(
    '%s names an operation and fills its parameters from the response',
    (_name, l) => {
      const target = byId.get(l.link.operationId);
      expect(target, `operationId ${l.link.operationId}`).toBeDefined();
      const required = target!.params.filter((p) => p.in === 'path').map((p) => p.name);
      expect(Object.keys(l.link.parameters ?? {}).sort()).toEqual(required.sort());
      const schema = l.response.content['application/json'].schema;
      for (const [param, expression] of Object.entries((l.link.parameters ?? {}) as Record<string, string>)) {
        // The same path parameter of the request that got this response (a mandate's id, say).
        const fromPath = /^\$request\.path\.(\w+)$/.exec(expression)?.[1];
        if (fromPath) {
          expect(l.from.params.find((p) => p.in === 'path' && p.name === fromPath)?.schema, expression).toMatchObject({ type: 'string' });
          continue;
        }
        const pointer = /^\$response\.body#(\/.*)$/.exec(expression)?.[1];
        expect(pointer, expression).toBeDefined();
        const reached = reach(schema, pointer!);
        expect(reached, `${expression} in the ${l.status} response`).toBeDefined();
        const wanted = target!.params.find((p) => p.name === param)!.schema;
        expect(reached).toMatchObject({ type: wanted.type, ...(wanted.format ? { format: wanted.format } : {}) });
      }
    },
  );

  it('work when followed: a case just created is read through its links', async () => {
    const created = await app.request('/api/v1/cases', {
      method: 'POST',
      headers: { ...authHeader('zac'), 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Links', citizen: { bsn: CITIZEN_BSN } }),
    });
    expect(created.status).toBe(201);
    const body = (await created.json()) as Json;
    for (const l of links.filter((x) => x.from.op.operationId === 'createCase' && byId.get(x.link.operationId)!.method === 'get')) {
      const target = byId.get(l.link.operationId)!;
      let url = target.path;
      for (const [param, expression] of Object.entries(l.link.parameters as Record<string, string>)) {
        const value = expression
          .replace('$response.body#/', '')
          .split('/')
          .reduce((v: any, k) => v[k], body);
        url = url.replace(`{${param}}`, value);
      }
      expect((await app.request(url, { headers: authHeader('zac') })).status, l.name).toBe(200);
    }
  });
});
