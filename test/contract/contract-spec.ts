// contracts/openapi.yaml resolved for the contract tests: its operations, ajv validators over it
// (OpenAPI 3.0's nullable turned into JSON Schema), and whether an answer is as documented.
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { authHeader } from '../helpers/gateway.ts';

export type Json = Record<string, any>;
export const spec = parse(readFileSync(new URL('../../contracts/openapi.yaml', import.meta.url), 'utf8')) as Json;
export const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

export const resolve = (node: any): any => {
  while (node && typeof node.$ref === 'string') {
    node = node.$ref
      .slice(2)
      .split('/')
      .reduce((n: any, k: string) => n[k.replace(/~1/g, '/').replace(/~0/g, '~')], spec);
  }
  return node;
};

const ajvOptions = { strict: false, allErrors: false, validateFormats: true } as const;
export const bodyAjv = new Ajv(ajvOptions);
export const paramAjv = new Ajv({ ...ajvOptions, coerceTypes: true });
/** OpenAPI 3.0's nullable as JSON Schema says it (ajv takes nullable only beside a type): either the schema or null. */
const nullable = (node: any): any => {
  if (Array.isArray(node)) return node.map(nullable);
  if (!node || typeof node !== 'object') return node;
  const { nullable: isNullable, ...rest } = node;
  const inner = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, nullable(v)]));
  return isNullable === true ? { anyOf: [inner, { type: 'null' }] } : inner;
};
for (const a of [bodyAjv, paramAjv]) {
  (addFormats as unknown as (a: Ajv) => void)(a);
  a.addSchema({ ...nullable(spec), $id: 'contract' });
}
export const pointer = (...segments: string[]) => `contract#/${segments.map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
const compiled = new Map<string, ValidateFunction>();
export const validator = (ajv: Ajv, ref: string) => {
  const key = `${ajv === paramAjv ? 'p' : 'b'} ${ref}`;
  if (!compiled.has(key)) compiled.set(key, ajv.compile({ $ref: ref }));
  return compiled.get(key)!;
};

/** A schema from inside the contract, its local $refs pointing into the contract added to ajv. */
export const contractRefs = (schema: Json): Json => JSON.parse(JSON.stringify(schema).replace(/"\$ref":"#\//g, '"$ref":"contract#/'));

export interface Operation {
  method: (typeof METHODS)[number];
  path: string;
  op: Json;
  params: Json[];
  ref: (...rest: string[]) => string;
}

export const operations: Operation[] = Object.entries(spec.paths as Json).flatMap(([path, item]) =>
  METHODS.filter((m) => item[m]).map((method) => ({
    method,
    path,
    op: item[method],
    params: [...(item.parameters ?? []), ...(item[method].parameters ?? [])].map(resolve),
    ref: (...rest: string[]) => pointer('paths', path, method, ...rest),
  })),
);

export const documented = (o: Operation, status: number) =>
  Object.keys(o.op.responses).some((code) => code === String(status) || code === `${String(status)[0]}XX`);

/**
 * How an answer differs from what the contract documents for its status: a media type it does not
 * list, or a JSON body its schema refuses. Undefined when it agrees (or the status is undocumented,
 * which is reported on its own).
 */
export function answerMismatch(o: Operation, status: number, contentType: string | null, text: string): string | undefined {
  const code = Object.keys(o.op.responses).find((c) => c === String(status)) ?? Object.keys(o.op.responses).find((c) => c === `${String(status)[0]}XX`);
  if (code === undefined) return undefined;
  const content = resolve(o.op.responses[code]).content as Json | undefined;
  if (!content || text === '') return undefined;
  const media = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (!(media in content)) return `answered ${media || 'no content type'}, the contract lists ${Object.keys(content).join(', ')}`;
  if (!/[/+]json$/.test(media) || !content[media].schema) return undefined;
  const response = o.op.responses[code];
  // A shared response ($ref into components) is validated where it is defined.
  const at = typeof response.$ref === 'string' ? `contract${response.$ref}` : o.ref('responses', code);
  const validate = validator(bodyAjv, `${at}/content/${media.replace(/\//g, '~1')}/schema`);
  return validate(JSON.parse(text)) ? undefined : `body not as documented: ${bodyAjv.errorsText(validate.errors)}`;
}

/**
 * The credentials an operation's path is called with: the role that may call it. The tokens the
 * test signs itself (a citizen's, a KCC member's, a notifier's) come from the caller.
 */
export function credentialsFor(
  path: string,
  own: { citizen: Record<string, string>; kcc: Record<string, string>; notifier?: Record<string, string> },
): Record<string, string> {
  if (path.startsWith('/api/v1/me')) return own.citizen;
  if (own.notifier && (path === '/api/v1/notificaties' || path === '/api/v1/events')) return own.notifier;
  if (path.startsWith('/api/v1/organisations') || path.startsWith('/api/v1/ops') || path.startsWith('/api/v1/agreements')) return authHeader('beheer');
  if (path.startsWith('/api/v1/subscriptions')) return authHeader('portaal');
  if (path.startsWith('/api/v1/partner')) return authHeader('bouwer');
  if (path.startsWith('/api/v1/consumer')) return authHeader('leesportaal');
  if (path.startsWith('/api/v1/kcc')) return own.kcc;
  return authHeader('zac');
}
