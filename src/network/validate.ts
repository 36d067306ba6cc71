// Validation of the trust network against contracts/network.schema.json (the contract is the
// single source), plus the rules a schema cannot say.
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { InvalidParam } from '../lib/service-error.ts';
import { isValidElfproefNumber } from '../lib/elfproef.ts';
import type { NetworkDefinition, Organisation } from './types.ts';

const schema = JSON.parse(readFileSync(new URL('../../contracts/network.schema.json', import.meta.url), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: false });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);
ajv.addSchema(schema);
const validateNetworkSchema = ajv.compile(schema);
const validateOrganisationSchema = ajv.getSchema(`${schema.$id}#/$defs/organisation`)!;

export interface NetworkProblem {
  path: string;
  code: string;
  message: string;
}

export function validateNetwork(data: unknown): NetworkProblem[] {
  if (!validateNetworkSchema(data)) return schemaProblems(validateNetworkSchema.errors, '$');
  const net = data as NetworkDefinition;
  const problems: NetworkProblem[] = [];
  noKeepMarkers(net, '$', problems);
  problems.push(...rsinRule(net.self.rsin, '$.self'));
  const seen = new Map<string, number>();
  net.organisations.forEach((org, i) => {
    const at = `$.organisations[${i}]`;
    if (seen.has(org.id) || org.id === net.self.id) problems.push({ path: `${at}.id`, code: 'unique', message: `duplicate organisation id "${org.id}"` });
    seen.set(org.id, i);
    problems.push(...organisationRules(org, at));
  });
  const clientIds = new Set<string>();
  net.clients.forEach((client, i) => {
    if (clientIds.has(client.clientId)) problems.push({ path: `$.clients[${i}].clientId`, code: 'unique', message: `duplicate clientId "${client.clientId}"` });
    clientIds.add(client.clientId);
  });
  return problems;
}

export function validateOrganisation(data: unknown, at = '$'): NetworkProblem[] {
  if (!validateOrganisationSchema(data)) return schemaProblems(validateOrganisationSchema.errors, at);
  return organisationRules(data as Organisation, at);
}

function organisationRules(org: Organisation, at: string): NetworkProblem[] {
  const problems: NetworkProblem[] = rsinRule(org.rsin, at);
  if (org.status === 'active' && !org.agreement) {
    problems.push({
      path: `${at}.agreement`,
      code: 'required',
      message: 'an active organisation needs an accepted agreement (version, acceptedAt, acceptedBy)',
    });
  }
  // The schema's pattern lets through what no URL parser takes (a port above 65535, say).
  const roots: [string, string | undefined][] = [
    ['zaken.apiRoot', org.zaken.apiRoot],
    ['zaken.catalogiApiRoot', org.zaken.catalogiApiRoot],
    ['notifications.nrc.apiRoot', org.notifications.nrc?.apiRoot],
  ];
  for (const [name, root] of roots) {
    if (root !== undefined && !URL.canParse(root)) problems.push({ path: `${at}.${name}`, code: 'invalid', message: 'must be an absolute http(s) URL' });
  }
  const n = org.notifications;
  // With an nrc the gateway makes the abonnement and its Authorization value itself.
  if (n.mode === 'push' && !n.authorization && !(n.clientId && n.secret) && !n.nrc) {
    problems.push({
      path: `${at}.notifications`,
      code: 'required',
      message: 'push mode needs clientId and secret, a fixed authorization value, or an nrc to subscribe at',
    });
  }
  const codes = new Set<string>();
  org.products.forEach((p, i) => {
    if (codes.has(p.code)) problems.push({ path: `${at}.products[${i}].code`, code: 'unique', message: `duplicate product code "${p.code}"` });
    codes.add(p.code);
  });
  return problems;
}

// The schema says nine digits; the elfproef it cannot say. A Zaken API refuses a zaak whose
// bronorganisatie fails it (Open Zaak: 400 "Onjuist RSIN nummer"), so every order would fail.
function rsinRule(rsin: string, at: string): NetworkProblem[] {
  return isValidElfproefNumber(rsin)
    ? []
    : [{ path: `${at}.rsin`, code: 'elfproef', message: 'is not a valid RSIN: nine digits that pass the elfproef (11-proef)' }];
}

function noKeepMarkers(value: unknown, path: string, problems: NetworkProblem[]): void {
  if (typeof value !== 'object' || value === null) return;
  if ('configured' in value) {
    problems.push({
      path,
      code: 'invalid',
      message: '{ "configured": true } only keeps a stored secret in the operator API; write the secret or { "env": "NAME" }',
    });
    return;
  }
  for (const [k, v] of Object.entries(value)) noKeepMarkers(v, Array.isArray(value) ? `${path}[${k}]` : `${path}.${k}`, problems);
}

function schemaProblems(errors: ErrorObject[] | null | undefined, root: string): NetworkProblem[] {
  // oneOf failures repeat once per branch; keep the most specific message per path.
  const byPath = new Map<string, NetworkProblem>();
  for (const e of errors ?? []) {
    const extra =
      e.keyword === 'required'
        ? `.${(e.params as { missingProperty: string }).missingProperty}`
        : e.keyword === 'additionalProperties'
          ? `.${(e.params as { additionalProperty: string }).additionalProperty}`
          : '';
    const path = root + pointerToPath(e.instancePath) + extra;
    const message = e.keyword === 'additionalProperties' ? 'is not an allowed property' : (e.message ?? 'is invalid');
    if (!byPath.has(path) || e.keyword !== 'oneOf') byPath.set(path, { path, code: e.keyword, message });
  }
  return [...byPath.values()];
}

function pointerToPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((seg) => seg.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((seg) => (/^\d+$/.test(seg) ? `[${seg}]` : `.${seg}`))
    .join('');
}

export const toInvalidParams = (problems: NetworkProblem[]): InvalidParam[] =>
  problems.map((p) => ({ name: p.path.replace(/^\$\.?/, ''), code: p.code, reason: p.message }));
