// The trust network held in the database and mirrored in memory: read paths (every request,
// every notification) never touch the database; writes go through here and refresh every
// process through pg_notify.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { type Database, withTransaction, type Trx } from '../db/database.ts';
import type { ApiClient, ClientOrganisation } from '../http/context.ts';
import type { Logger } from '../log.ts';
import { ServiceError, notFound } from '../lib/service-error.ts';
import { findOrganisation, findOrganisationForUpdate, listChanges, listOrganisations, recordChange, upsertOrganisation } from './repository.ts';
import { keepStoredSecrets, redactSecrets, resolveSecret } from './secrets.ts';
import { type Agreement, type Client, hasZaken, isPortal, isUnconnected, type NetworkDefinition, type Organisation, type ZakenOrganisation } from './types.ts';
import { toInvalidParams, validateOrganisation } from './validate.ts';

const CHANNEL = 'ketenstatus_network';
const REFRESH_FALLBACK_MS = 5000;

export interface NetworkDeps {
  database: Database;
  definition: NetworkDefinition;
  env: Record<string, string | undefined>;
  logger: Logger;
  /** Runs in the transaction of every write of an organisation (file, operator API): enqueue durable follow-up work there. */
  onOrganisationWrite?: (trx: Trx, organisationId: string) => Promise<void>;
}

export class NetworkService {
  readonly self: NetworkDefinition['self'];
  private readonly deps: NetworkDeps;
  private organisations = new Map<string, Organisation>();
  private byNotificationClient = new Map<string, ZakenOrganisation>();
  private zakenOrigins = new Map<string, string>();
  private readonly reportedRoots = new Set<string>();
  private readonly clients: Map<string, Client & { resolvedSecret: string }>;
  private refreshTimer?: NodeJS.Timeout;
  private unlisten?: () => Promise<void>;
  private listeners = new Set<() => void>();
  private readonly activationChecks: ((org: Organisation) => Promise<void>)[] = [];
  private readonly activationHooks: ((trx: Trx, organisationId: string) => Promise<void>)[] = [];

  constructor(deps: NetworkDeps) {
    this.deps = deps;
    this.self = deps.definition.self;
    this.clients = new Map(deps.definition.clients.map((c) => [c.clientId, { ...c, resolvedSecret: resolveSecret(c.secret, deps.env)! }]));
  }

  /**
   * Applies the file's organisations whose definition changed since it was last applied, then loads
   * all. The file may declare an agreement for a member that signed outside the gateway; once one is
   * stored, it stays: only an acceptance changes it, as with a PUT.
   */
  async start(): Promise<void> {
    const { db } = this.deps.database;
    const stored = new Map((await listOrganisations(db)).map((s) => [s.organisation.id, s]));
    for (const declared of this.deps.definition.organisations) {
      const hash = createHash('sha256').update(JSON.stringify(declared)).digest('hex');
      if (stored.get(declared.id)?.sourceHash === hash) continue;
      await withTransaction(db, async (trx) => {
        const before = await findOrganisationForUpdate(trx, declared.id);
        if (before?.source_hash === hash) return;
        const kept = before?.config.agreement;
        if (kept && declared.agreement && !sameAgreement(declared.agreement, kept)) {
          this.deps.logger.warn({ organisation: declared.id }, 'the network file names another agreement than the one on record; the recorded one stays');
        }
        const org: Organisation = kept ? { ...declared, agreement: kept } : declared;
        await upsertOrganisation(trx, org, 'file', hash);
        await recordChange(trx, org.id, before ? 'replace' : 'create', 'network-file', describeChange(before?.config, org));
        await this.deps.onOrganisationWrite?.(trx, org.id);
      });
    }
    await this.refresh();
    this.unlisten = await this.deps.database.listen(CHANNEL, () => void this.refresh());
    this.refreshTimer = setInterval(() => void this.refresh(), REFRESH_FALLBACK_MS);
    this.refreshTimer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.refreshTimer);
    await this.unlisten?.();
  }

  async refresh(): Promise<void> {
    try {
      const rows = await listOrganisations(this.deps.database.db);
      // Built whole, then swapped in together: no reader sees one map of this refresh and one of the last.
      const organisations = new Map(rows.map((r) => [r.organisation.id, r.organisation]));
      // Portal organisations have no Zaken API: they never notify and are never called.
      const withZaken = rows.map((r) => r.organisation).filter(hasZaken);
      const byNotificationClient = new Map(withZaken.filter((o) => o.notifications.clientId).map((o) => [o.notifications.clientId!, o]));
      const zakenOrigins = new Map<string, string>();
      for (const organisation of withZaken) {
        const origin = URL.parse(organisation.zaken.apiRoot)?.origin;
        // A root stored before roots were parsed on the way in: that organisation's notifications
        // get 503 (zakenOrigin); the rest of the network is not held back by it.
        const reported = `${organisation.id} ${organisation.zaken.apiRoot}`;
        if (origin !== undefined && origin !== 'null') zakenOrigins.set(organisation.id, origin);
        else if (!this.reportedRoots.has(reported)) {
          this.reportedRoots.add(reported);
          this.deps.logger.error(
            { organisation: organisation.id },
            'the registered Zaken API root is not a URL: notifications from this organisation are refused (503) until an operator corrects it',
          );
        }
      }
      this.organisations = organisations;
      this.byNotificationClient = byNotificationClient;
      this.zakenOrigins = zakenOrigins;
      for (const fn of this.listeners) fn();
    } catch (error) {
      this.deps.logger.warn({ err: (error as Error).message }, 'network refresh failed; keeping the last known network');
    }
  }

  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  list(): Organisation[] {
    return [...this.organisations.values()];
  }

  get(id: string): Organisation | undefined {
    return this.organisations.get(id);
  }

  /** The organisation when it has a Zaken API (undefined for a portal organisation or an unknown id). */
  zakenOrganisation(id: string): ZakenOrganisation | undefined {
    const org = this.organisations.get(id);
    return org && hasZaken(org) ? org : undefined;
  }

  byNotificationClientId(clientId: string): ZakenOrganisation | undefined {
    return this.byNotificationClient.get(clientId);
  }

  /** The origin of the organisation's registered Zaken API, parsed once per refresh (every notification asks). */
  zakenOrigin(org: ZakenOrganisation): string {
    // An organisation object from before the last refresh: its own root, not the replacement's.
    const origin = this.organisations.get(org.id) === org ? this.zakenOrigins.get(org.id) : URL.parse(org.zaken.apiRoot)?.origin;
    if (origin === undefined || origin === 'null') {
      throw new ServiceError('unavailable', `The registered Zaken API root of ${org.id} is not a URL; an operator must correct it.`, {
        retryAfterSeconds: 300,
      });
    }
    return origin;
  }

  client(clientId: string) {
    return this.clients.get(clientId);
  }

  /** Organisations that read for customers through the consumer API: the portal clients that name one (one entry per organisation). */
  readProxies(): ClientOrganisation[] {
    const seen = new Map<string, ClientOrganisation>();
    for (const c of this.clients.values()) {
      if (c.role === 'portal' && typeof c.organisation === 'object') seen.set(`${c.organisation.oin ?? ''}|${c.organisation.kvk ?? ''}`, c.organisation);
    }
    return [...seen.values()];
  }

  /** The client as the API sees it once authenticated: its role and, by role, its organisation. */
  apiClient(clientId: string): ApiClient | undefined {
    const client = this.clients.get(clientId);
    if (!client) return undefined;
    const { organisation } = client;
    return {
      clientId,
      role: client.role,
      ...(client.name ? { name: client.name } : {}),
      ...(typeof organisation === 'object' ? { organisation } : {}),
      ...(typeof organisation === 'string' ? { subcontractor: organisation } : {}),
    };
  }

  secret(ref: Parameters<typeof resolveSecret>[0]): string | undefined {
    return resolveSecret(ref, this.deps.env);
  }

  /** The operator's view: everything but secrets. */
  view(org: Organisation) {
    return redactSecrets(org);
  }

  /**
   * Creates or replaces an organisation. Replacing keeps the stored `agreement`: only an acceptance
   * (recordAgreement) changes it, so a PUT leaves it out or repeats it; a different one is 422.
   * Creating may declare one, as the network file does, for a member that signed outside the gateway.
   */
  async put(id: string, body: unknown, actor: string): Promise<{ organisation: Organisation; created: boolean }> {
    const result = await withTransaction(this.deps.database.db, async (trx) => {
      const before = await findOrganisationForUpdate(trx, id);
      const stored = before?.config.agreement;
      const given = isObject(body) ? (body.agreement as Agreement | undefined) : undefined;
      const candidate = before && isObject(body) ? { ...withoutAgreement(body), ...(stored ? { agreement: stored } : {}) } : body;
      const problems = validateOrganisation(candidate);
      if (problems.length > 0) throw new ServiceError('invalid', 'The organisation is not valid.', { invalidParams: toInvalidParams(problems) });
      const org = candidate as Organisation;
      if (org.id !== id) {
        throw new ServiceError('invalid', 'The id in the body must match the id in the path.', {
          invalidParams: [{ name: 'id', code: 'mismatch', reason: `expected "${id}"` }],
        });
      }
      if (before && given !== undefined && !sameAgreement(given, stored)) throw agreementReadOnly(id, 'a PUT');
      const missing = keepStoredSecrets(org, before?.config);
      if (missing.length > 0) {
        throw new ServiceError('unprocessable', 'A secret marked { "configured": true } has no stored value to keep.', {
          invalidParams: missing.map((p) => ({ name: p.replace(/^\$\./, ''), code: 'required', reason: 'write the secret or { "env": "NAME" }' })),
        });
      }
      await upsertOrganisation(trx, org, 'api', null);
      await recordChange(trx, id, before ? 'replace' : 'create', actor, describeChange(before?.config, org));
      await this.deps.onOrganisationWrite?.(trx, id);
      await notifyChange(trx);
      return { organisation: org, created: !before };
    });
    await this.refresh();
    return result;
  }

  /** A check another area adds (src/onboarding: an invited member's test and agreement); it throws a ServiceError to refuse. */
  addActivationCheck(check: (org: Organisation) => Promise<void>): void {
    this.activationChecks.push(check);
  }

  /** Runs inside the activation's transaction (src/onboarding: the member's invitations are used up with it). */
  addActivationHook(hook: (trx: Trx, organisationId: string) => Promise<void>): void {
    this.activationHooks.push(hook);
  }

  /** `agreement`, when given, must be the stored one (as GET shows it): an activation never sets it, only an acceptance does. */
  async activate(id: string, actor: string, agreement?: Agreement): Promise<Organisation> {
    const current = this.get(id);
    if (current) for (const check of this.activationChecks) await check(current);
    return this.transition(id, actor, 'activate', (org) => {
      if (agreement !== undefined && !sameAgreement(agreement, org.agreement)) throw agreementReadOnly(id, 'an activation');
      if (isUnconnected(org)) {
        throw new ServiceError('unprocessable', 'An organisation becomes active only once its connection (zaken, notifications) is set.', {
          invalidParams: [{ name: 'zaken', code: 'required', reason: 'the member sets it while joining, or the operator PUTs it' }],
        });
      }
      if (!org.agreement) {
        throw new ServiceError('unprocessable', 'An organisation becomes active only with an accepted agreement.', {
          invalidParams: [{ name: 'agreement', code: 'required', reason: `record an acceptance first: ${acceptancesRoute(id)}, or the join journey` }],
        });
      }
      return { ...org, status: 'active' };
    });
  }

  /**
   * A pending member gives its own connection while joining (src/onboarding): `zaken` and
   * `notifications` replace what it had; it stays pending. Secrets written `{ configured: true }`
   * keep the stored ones. Validated as the operator's PUT is.
   */
  async connect(id: string, connection: { zaken: ZakenOrganisation['zaken']; notifications: ZakenOrganisation['notifications'] }, actor: string) {
    return this.transition(id, actor, 'connect', (org, stored) => {
      if (org.status !== 'pending' || isPortal(org)) {
        throw new ServiceError(
          'conflict',
          `Organisation ${id} is ${org.status}${isPortal(org) ? ' (a portal organisation)' : ''}; only a pending member sets its own connection.`,
        );
      }
      const next = { ...org, zaken: connection.zaken, notifications: connection.notifications } as ZakenOrganisation;
      const missing = keepStoredSecrets(next, stored);
      const problems = validateOrganisation(next);
      if (missing.length > 0 || problems.length > 0) {
        throw new ServiceError('invalid', 'The connection is not valid.', {
          invalidParams: [
            ...toInvalidParams(problems),
            ...missing.map((p) => ({ name: p.replace(/^\$\./, ''), code: 'required', reason: 'no stored secret to keep: write it' })),
          ],
        });
      }
      return next;
    });
  }

  async suspend(id: string, actor: string, reason?: string): Promise<Organisation> {
    return this.transition(id, actor, 'suspend', (org) => ({ ...org, status: 'suspended' }) as Organisation, reason);
  }

  /**
   * An accepted agreement (src/agreements), in the caller's transaction beside its acceptance row:
   * the organisation's `agreement` and a change record. Call refresh() once that transaction committed.
   */
  async recordAgreement(trx: Trx, id: string, agreement: Agreement, actor: string, details: Record<string, unknown>): Promise<Organisation> {
    const before = await findOrganisationForUpdate(trx, id);
    if (!before) throw notFound(`organisation ${id}`);
    const org: Organisation = { ...before.config, agreement };
    await upsertOrganisation(trx, org, before.source, before.source_hash);
    await recordChange(trx, id, 'accept-agreement', actor, { ...describeChange(before.config, org), ...details });
    await this.deps.onOrganisationWrite?.(trx, id);
    await notifyChange(trx);
    return org;
  }

  async changes(id: string, limit: number, offset: number) {
    if (!this.get(id)) {
      const exists = await findOrganisation(this.deps.database.db, id);
      if (!exists) throw notFound(`organisation ${id}`);
    }
    return listChanges(this.deps.database.db, id, limit, offset);
  }

  private async transition(id: string, actor: string, action: string, change: (org: Organisation, stored: Organisation) => Organisation, reason?: string) {
    const next = await withTransaction(this.deps.database.db, async (trx) => {
      const before = await findOrganisationForUpdate(trx, id);
      if (!before) throw notFound(`organisation ${id}`);
      const org = change(structuredClone(before.config), before.config);
      await upsertOrganisation(trx, org, before.source, before.source_hash);
      await recordChange(trx, id, action, actor, { ...describeChange(before.config, org), ...(reason ? { reason } : {}) });
      if (action === 'activate') for (const hook of this.activationHooks) await hook(trx, id);
      await this.deps.onOrganisationWrite?.(trx, id);
      await notifyChange(trx);
      return org;
    });
    await this.refresh();
    return next;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const acceptancesRoute = (id: string) => `POST /api/v1/organisations/${id}/acceptances`;

function agreementReadOnly(id: string, by: string): ServiceError {
  return new ServiceError('unprocessable', `The agreement of ${id} changes only by an acceptance, not by ${by}: leave it out or send it as stored.`, {
    invalidParams: [{ name: 'agreement', code: 'read-only', reason: `record an acceptance: ${acceptancesRoute(id)}, or the join journey` }],
  });
}

function withoutAgreement(body: Record<string, unknown>): Record<string, unknown> {
  const { agreement: _agreement, ...rest } = body;
  return rest;
}

/** The same acceptance, whatever way its time is written (what GET showed may be PUT back). */
function sameAgreement(a: Agreement, b: Agreement | undefined): boolean {
  return (
    b !== undefined &&
    isObject(a) &&
    a.version === b.version &&
    a.acceptedBy === b.acceptedBy &&
    typeof a.acceptedAt === 'string' &&
    Date.parse(a.acceptedAt) === Date.parse(b.acceptedAt)
  );
}

async function notifyChange(trx: Parameters<typeof upsertOrganisation>[0]) {
  await sql`select pg_notify(${CHANNEL}, '')`.execute(trx);
}

/** What changed, as paths; secret values never appear, only that they changed. */
export function describeChange(before: unknown, after: unknown): { fields: string[]; after: unknown } {
  const fields: string[] = [];
  diff(redactSecretsDeep(before), redactSecretsDeep(after), '', fields);
  return { fields, after: redactSecrets(after) };
}

function redactSecretsDeep(value: unknown): unknown {
  // Hash secrets so a changed secret shows up as a changed field without revealing it.
  if (Array.isArray(value)) return value.map(redactSecretsDeep);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = ['secret', 'clientSecret', 'authorization', 'key'].includes(k)
      ? createHash('sha256').update(JSON.stringify(v)).digest('hex')
      : redactSecretsDeep(v);
  }
  return out;
}

function diff(a: unknown, b: unknown, path: string, out: string[]): void {
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  const objA = typeof a === 'object' && a !== null && !Array.isArray(a);
  const objB = typeof b === 'object' && b !== null && !Array.isArray(b);
  if (!objA || !objB) {
    out.push(path || '$');
    return;
  }
  const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
  for (const k of keys) diff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k, out);
}
