// Test support: validates JSON against component schemas of the official OAS 3.0 contracts with ajv.
// OAS 3.0 `nullable` has no JSON Schema equivalent, so it is rewritten to anyOf [schema, null].
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import formatsPlugin from 'ajv-formats';
import { parse } from 'yaml';

const contractsDir = fileURLToPath(new URL('../../contracts/zgw/', import.meta.url));

export const CONTRACTS = {
  zaken: 'zaken-api-1.5.1.openapi.yaml',
  zaken17: 'zaken-api-1.7.0.openapi.yaml',
  catalogi: 'catalogi-api-1.3.3.openapi.yaml',
  webhook: 'notificaties-consumer-webhook-1.0.0-rc1.openapi.yaml',
} as const;

function convert(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(convert);
  if (typeof node !== 'object' || node === null) return node;
  const { nullable, discriminator: _d, example: _e, ...rest } = node as Record<string, unknown>;
  const out = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, convert(v)]));
  return nullable === true ? { anyOf: [out, { type: 'null' }] } : out;
}

// ajv-formats is CommonJS; under nodenext its default import is the module object.
type AddFormats = (ajv: Ajv) => Ajv;
const formatsModule = formatsPlugin as unknown as AddFormats & { default?: AddFormats };
const addFormats: AddFormats = formatsModule.default ?? formatsModule;

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const loaded = new Set<string>();

export function schemaValidator(contract: keyof typeof CONTRACTS, schema: string): ValidateFunction {
  const id = CONTRACTS[contract];
  if (!loaded.has(id)) {
    const doc = parse(readFileSync(`${contractsDir}${id}`, 'utf8')) as { components: unknown };
    ajv.addSchema({ $id: id, components: convert(doc.components) });
    loaded.add(id);
  }
  const validate = ajv.getSchema(`${id}#/components/schemas/${schema}`);
  if (!validate) throw new Error(`schema ${schema} not found in ${id}`);
  return validate;
}

/** Returns a readable list of violations, or [] when the value matches the schema. */
export function violations(contract: keyof typeof CONTRACTS, schema: string, value: unknown): string[] {
  const validate = schemaValidator(contract, schema);
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}
