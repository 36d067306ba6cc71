// Validation of the trust network against contracts/network.schema.json (the contract is the
// single source), plus the rules a schema cannot say.
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { InvalidParam } from '../lib/service-error.ts';
import { isValidElfproefNumber } from '../lib/elfproef.ts';
import { hasZaken, isPortal, type NetworkDefinition, type Organisation, type PortalOrganisation, type ZakenOrganisation } from './types.ts';

const schema = JSON.parse(readFileSync(new URL('../../contracts/network.schema.json', import.meta.url), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: false });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);
ajv.addSchema(schema);
const validateNetworkSchema = ajv.compile(schema);
const validateOrganisationSchema = ajv.getSchema(`${schema.$id}#/$defs/organisation`)!;
const validateKind = {
  zaken: ajv.getSchema(`${schema.$id}#/$defs/zakenOrganisation`)!,
  portal: ajv.getSchema(`${schema.$id}#/$defs/portalOrganisation`)!,
  unconnected: ajv.getSchema(`${schema.$id}#/$defs/unconnectedOrganisation`)!,
};

export interface NetworkProblem {
  path: string;
  code: string;
  message: string;
}

export function validateNetwork(data: unknown): NetworkProblem[] {
  if (!validateNetworkSchema(data)) return networkSchemaProblems(data);
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
    // A subcontractor client acts for its organisation (the partner API): one that is not in the file acts for no one.
    if (client.role === 'subcontractor' && typeof client.organisation === 'string' && !seen.has(client.organisation)) {
      problems.push({ path: `$.clients[${i}].organisation`, code: 'unknown', message: `names no organisation of this file: "${client.organisation}"` });
    }
  });
  return problems;
}

export function validateOrganisation(data: unknown, at = '$'): NetworkProblem[] {
  if (!validateOrganisationSchema(data)) return kindProblems(data, at);
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
  problems.push(...(isPortal(org) ? portalRules(org, at) : hasZaken(org) ? zakenRules(org, at) : []));
  const codes = new Set<string>();
  org.products.forEach((p, i) => {
    if (codes.has(p.code)) problems.push({ path: `${at}.products[${i}].code`, code: 'unique', message: `duplicate product code "${p.code}"` });
    codes.add(p.code);
  });
  return problems;
}

function zakenRules(org: ZakenOrganisation, at: string): NetworkProblem[] {
  const problems: NetworkProblem[] = [];
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
  return problems;
}

// A partner reports its statuses by code, and an assignment closes at a final one.
function portalRules(org: PortalOrganisation, at: string): NetworkProblem[] {
  const problems: NetworkProblem[] = [];
  org.products.forEach((p, i) => {
    const codes = new Set<string>();
    p.statuses.forEach((s, j) => {
      if (codes.has(s.code)) problems.push({ path: `${at}.products[${i}].statuses[${j}].code`, code: 'unique', message: `duplicate status code "${s.code}"` });
      codes.add(s.code);
    });
    if (!p.statuses.some((s) => s.final)) {
      problems.push({
        path: `${at}.products[${i}].statuses`,
        code: 'required',
        message: 'needs at least one status with final: true (it closes the assignment)',
      });
    }
  });
  const emails = new Set<string>();
  org.portal.contacts.forEach((c, i) => {
    const email = c.email.toLowerCase();
    if (emails.has(email)) problems.push({ path: `${at}.portal.contacts[${i}].email`, code: 'unique', message: `duplicate contact address "${c.email}"` });
    emails.add(email);
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

/**
 * An organisation is one of three kinds, and `portal`, `zaken` and a pending status say which: its
 * problems are the ones of that kind's schema alone. The other kinds' complaints ("must have
 * required property 'portal'") would only confuse, and ajv reports all kinds under one oneOf. Only
 * a member that is not active may lack `zaken`; an active one is told it needs one.
 */
function kindProblems(org: unknown, at: string): NetworkProblem[] {
  const o = typeof org === 'object' && org !== null ? (org as Record<string, unknown>) : {};
  const validate = 'portal' in o ? validateKind.portal : !('zaken' in o) && o.status !== 'active' ? validateKind.unconnected : validateKind.zaken;
  validate(org);
  return schemaProblems(validate.errors, at);
}

function networkSchemaProblems(data: unknown): NetworkProblem[] {
  const orgAt = /^\/organisations\/(\d+)(\/|$)/;
  const errors = validateNetworkSchema.errors ?? [];
  const failed = new Set(errors.flatMap((e) => orgAt.exec(e.instancePath)?.[1] ?? []).map(Number));
  const organisations = (data as { organisations: unknown[] }).organisations;
  return [
    ...schemaProblems(
      errors.filter((e) => !orgAt.test(e.instancePath)),
      '$',
    ),
    ...[...failed].sort((a, b) => a - b).flatMap((i) => kindProblems(organisations[i], `$.organisations[${i}]`)),
  ];
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
