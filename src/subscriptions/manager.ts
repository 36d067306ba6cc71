// The gateway's own abonnement at an organisation's Notificaties API (`notifications.nrc`), kept
// for the subcontractor: created when the organisation is active and names an NRC, checked daily
// (re-created when gone), removed when the organisation is suspended, drops its NRC or leaves.
//
// One job kind owns all of it: a reconcile per organisation that compares what should be (the
// organisation as stored) with what is (nrc_subscriptions, and the NRC's answer) and acts. Network
// changes enqueue it in their own transaction (NetworkService's onOrganisationWrite), start-up
// enqueues it for every organisation concerned, and each successful run enqueues the next day's.
// One dedupe key per organisation coalesces them; its group runs one at a time. Failures are
// recorded for the operator and retried with backoff (capped at an hour), never given up on.
import { randomBytes } from 'node:crypto';
import { type Database, type Db, withTransaction, type Trx } from '../db/database.ts';
import { backoffMs, RetryJobError } from '../jobs/errors.ts';
import { enqueue, type Job } from '../jobs/queue.ts';
import type { Logger } from '../log.ts';
import { findOrganisation, listOrganisations } from '../network/repository.ts';
import { hasZaken, type NotificatiesApi, type Organisation, type SecretRef } from '../network/types.ts';
import { OutboundError } from '../outbound/errors.ts';
import { announceAuthChange, type GeneratedAuths } from './auths.ts';
import { NrcClients, nrcTarget, type NrcResponse } from './nrc-client.ts';
import * as repo from './repository.ts';

export const NRC_SUBSCRIPTION_JOB = 'nrc.subscription';
const CHECK_INTERVAL_MS = 24 * 3_600_000;
const RETRY_CAP_MS = 3_600_000;
// Retried as long as it fails (an hour apart at most): a subscription is never given up on.
const MAX_ATTEMPTS = 100_000;
const KANAAL = 'zaken';

const groupOf = (organisationId: string) => `nrc:${organisationId}`;
/** Jobs of one organisation's subscription run one at a time (see gateway.ts groupConcurrency). */
export const isSubscriptionGroup = (groupKey: string) => groupKey.startsWith('nrc:');

/** Enqueue a reconcile of the organisation's abonnement, in the caller's transaction. */
export async function enqueueSubscriptionReconcile(db: Db, organisationId: string, options: { runAt?: Date } = {}): Promise<void> {
  await enqueue(
    db,
    NRC_SUBSCRIPTION_JOB,
    { organisationId },
    {
      dedupeKey: groupOf(organisationId),
      groupKey: groupOf(organisationId),
      maxAttempts: MAX_ATTEMPTS,
      ...options,
    },
  );
}

/**
 * NetworkService's onOrganisationWrite: reconcile when the organisation (as just written) names an
 * NRC or still has an abonnement; every other organisation's write adds no job.
 */
export async function reconcileAfterWrite(trx: Trx, organisationId: string): Promise<void> {
  const written = await findOrganisation(trx, organisationId);
  if (!nrcOf(written?.config)) {
    const row = await trx.selectFrom('nrc_subscriptions').select('state').where('organisation_id', '=', organisationId).executeTakeFirst();
    if (!row || row.state === 'removed') return;
  }
  await enqueueSubscriptionReconcile(trx, organisationId);
}

/** The Notificaties API an organisation names; a portal organisation has none (it is never notified about). */
const nrcOf = (org: Organisation | undefined): NotificatiesApi | undefined => (org && hasZaken(org) ? org.notifications.nrc : undefined);

export interface SubscriptionView {
  state: repo.SubscriptionState;
  notificatiesApiRoot: string | null;
  abonnement: string | null;
  callbackUrl: string | null;
  kanaal: string;
  filters: Record<string, unknown> | null;
  lastCheckedAt: Date | null;
  lastError: string | null;
  updatedAt: Date | null;
}

export interface SubscriptionDeps {
  database: Database;
  logger: Logger;
  auths: GeneratedAuths;
  secret: (ref: SecretRef | undefined) => string | undefined;
  /** `{PUBLIC_BASE_URL}/api/v1/notificaties`; undefined when PUBLIC_BASE_URL is not set. */
  callbackUrl: string | undefined;
  timeoutMs: number;
}

export class SubscriptionManager {
  private readonly deps: SubscriptionDeps;
  private readonly nrc: NrcClients;
  private readonly warned = new Set<string>();

  constructor(deps: SubscriptionDeps) {
    this.deps = deps;
    this.nrc = new NrcClients({ secret: deps.secret, timeoutMs: deps.timeoutMs });
  }

  /** Reconciles every organisation that names an NRC or still has an abonnement (on start-up). */
  async start(): Promise<void> {
    const { db } = this.deps.database;
    const [orgs, rows] = await Promise.all([listOrganisations(db), repo.listSubscriptions(db)]);
    const ids = new Set(rows.filter((r) => r.state !== 'removed').map((r) => r.organisation_id));
    for (const { organisation } of orgs) if (nrcOf(organisation)) ids.add(organisation.id);
    for (const id of ids) await enqueueSubscriptionReconcile(db, id);
  }

  async close(): Promise<void> {
    await this.nrc.close();
  }

  handler() {
    return (job: Job) => this.reconcile(job);
  }

  /** What the operator sees; null when the organisation has no abonnement and names no NRC. */
  async view(organisation: Organisation): Promise<SubscriptionView | null> {
    const row = await repo.findSubscription(this.deps.database.db, organisation.id);
    const nrc = nrcOf(organisation);
    if (!row && !nrc) return null;
    return {
      state: row?.state ?? 'pending', // named, not yet reconciled
      notificatiesApiRoot: row?.nrc?.apiRoot ?? nrc?.apiRoot ?? null,
      abonnement: row?.abonnement_url ?? null,
      callbackUrl: row?.callback_url ?? null,
      kanaal: KANAAL,
      filters: row?.filters ?? null,
      lastCheckedAt: row?.last_checked_at ?? null,
      lastError: row?.last_error ?? null,
      updatedAt: row?.updated_at ?? null,
    };
  }

  private async reconcile(job: Job): Promise<void> {
    const { db } = this.deps.database;
    const orgId = String(job.payload.organisationId);
    // The organisation as stored, not this process's copy: the job may run before the refresh.
    const stored = await findOrganisation(db, orgId);
    const org = stored?.config;
    const nrc = org?.status === 'active' ? nrcOf(org) : undefined;
    const row = await repo.findSubscription(db, orgId);
    if (!org || !nrc) {
      if (row && row.state !== 'removed') await this.remove(job, row, org);
      return;
    }
    const callbackUrl = this.deps.callbackUrl;
    if (!callbackUrl) {
      const message =
        'PUBLIC_BASE_URL is not set: the gateway cannot give the Notificaties API a callback URL. Set it to the address at which the NRC reaches this gateway.';
      if (!this.warned.has(orgId)) {
        this.warned.add(orgId);
        this.deps.logger.warn({ organisation: orgId }, `notifications.nrc is set, but ${message}`);
      }
      await this.ensureRow(orgId);
      await repo.updateSubscription(db, orgId, { state: 'failed', lastError: message });
      return; // a restart with PUBLIC_BASE_URL set reconciles again
    }
    const current = await this.ensureRow(orgId);
    const filters = { bronorganisatie: org.rsin };
    let abonnement = current.abonnement_url;
    if (abonnement) {
      const old = current.nrc;
      const changed = current.callback_url !== callbackUrl || JSON.stringify(current.filters) !== JSON.stringify(filters) || old?.apiRoot !== nrc.apiRoot;
      if (changed) {
        // Settings changed: the old abonnement goes (best effort), a new one is made below.
        await this.deleteAbonnement(orgId, old?.apiRoot === nrc.apiRoot ? nrc : old, abonnement).catch((error: Error) =>
          this.deps.logger.warn({ organisation: orgId, err: error.message }, 'the previous abonnement could not be removed; remove it at that NRC by hand'),
        );
        await repo.updateSubscription(db, orgId, { abonnementUrl: null });
        abonnement = null;
      } else {
        const res = await this.call(job, orgId, nrc, 'GET', abonnement);
        if (res.status === 200) {
          await repo.updateSubscription(db, orgId, { state: 'active', lastCheckedAt: new Date(), lastError: null });
          await this.scheduleCheck(orgId);
          return;
        }
        if (res.status !== 404 && res.status !== 410) await this.fail(job, orgId, undefined, `checking the abonnement: ${describe(res)}`);
        this.deps.logger.warn({ organisation: orgId }, 'the abonnement is gone at the Notificaties API; creating it again');
        await repo.updateSubscription(db, orgId, { abonnementUrl: null });
      }
    }
    await this.create(job, org, nrc, callbackUrl, filters, current);
  }

  private async create(job: Job, org: Organisation, nrc: NotificatiesApi, callbackUrl: string, filters: Record<string, string>, row: repo.SubscriptionRow) {
    const { db } = this.deps.database;
    // Where this attempt goes, stored before it is sent: should its answer be lost, a removal still
    // knows where to look for it (the organisation may have left or dropped its NRC by then).
    await repo.updateSubscription(db, org.id, { ...(row.state !== 'failed' ? { state: 'pending' as const } : {}), nrc, callbackUrl, filters });
    await this.removeUnseen(org.id, nrc, callbackUrl, filters);
    const body = { callbackUrl, auth: row.auth, kanalen: [{ naam: KANAAL, filters }] };
    const res = await this.call(job, org.id, nrc, 'POST', `${nrc.apiRoot}abonnement`, body);
    if (res.status !== 201) await this.fail(job, org.id, 'failed', `creating the abonnement: ${describe(res)}`);
    const url = (res.body as { url?: unknown } | null)?.url;
    if (typeof url !== 'string') return this.fail(job, org.id, 'failed', 'creating the abonnement: the answer (201) carries no url');
    try {
      nrcTarget(new URL(nrc.apiRoot).origin, url, org.id);
    } catch {
      return this.fail(job, org.id, 'failed', `creating the abonnement: its url ${url.slice(0, 200)} is not on the Notificaties API's origin`);
    }
    await repo.updateSubscription(db, org.id, {
      state: 'active',
      nrc,
      abonnementUrl: url,
      callbackUrl,
      filters,
      lastCheckedAt: new Date(),
      lastError: null,
    });
    this.deps.logger.info({ organisation: org.id, abonnement: url }, 'abonnement created at the Notificaties API');
    await this.scheduleCheck(org.id);
  }

  private async remove(job: Job, row: repo.SubscriptionRow, org: Organisation | undefined) {
    const { db } = this.deps.database;
    const orgId = row.organisation_id;
    const currentNrc = nrcOf(org);
    // The NRC of the last attempt (a row from before attempts were recorded: the organisation's),
    // with the organisation's current credentials when it is the same NRC (they may have been rotated).
    const old = row.nrc ?? currentNrc;
    const nrc = old && currentNrc?.apiRoot === old.apiRoot ? currentNrc : old;
    if (row.abonnement_url && nrc) {
      const res = await this.call(job, orgId, nrc, 'DELETE', row.abonnement_url);
      if (!isRemoved(res.status)) await this.fail(job, orgId, undefined, `removing the abonnement: ${describe(res)}`);
      this.deps.logger.info({ organisation: orgId }, 'abonnement removed at the Notificaties API');
    }
    // One whose create answer was lost has no url here: it would keep pushing after the removal.
    const callbackUrl = row.callback_url ?? this.deps.callbackUrl;
    const bronorganisatie = row.filters?.bronorganisatie ?? org?.rsin;
    if (nrc && callbackUrl && typeof bronorganisatie === 'string') {
      await this.removeUnseen(orgId, nrc, callbackUrl, { bronorganisatie });
    }
    await withTransaction(db, async (trx) => {
      await repo.updateSubscription(trx, row.organisation_id, { state: 'removed', abonnementUrl: null, lastCheckedAt: new Date(), lastError: null });
      await announceAuthChange(trx);
    });
    await this.deps.auths.reload();
  }

  private async deleteAbonnement(orgId: string, nrc: NotificatiesApi | null, url: string): Promise<void> {
    if (!nrc) throw new Error('no Notificaties API recorded for it');
    const res = await this.nrc.request(orgId, nrc, 'DELETE', url);
    if (!isRemoved(res.status)) throw new Error(describe(res));
  }

  /**
   * An earlier create may have made an abonnement whose answer never reached us (a timeout while the
   * NRC tested the callback, a crash before its url was stored): one with our callback on this
   * organisation's kanaal is removed (before the next create, and on removal), so one stays and
   * suspending removes it. The callback is the same for every organisation and an rsin may be
   * shared: one recorded for another organisation is never taken. An NRC that does not list is
   * passed by. Best effort: a failed request is logged, and the create or removal goes on.
   */
  private async removeUnseen(orgId: string, nrc: NotificatiesApi, callbackUrl: string, filters: Record<string, string>): Promise<void> {
    await this.findAndRemoveUnseen(orgId, nrc, callbackUrl, filters).catch((error: Error) =>
      this.deps.logger.warn(
        { organisation: orgId, err: error.message },
        "looking for an abonnement an earlier attempt made without seeing the answer failed; if the NRC lists one with the gateway's callback for this organisation, it must be removed there",
      ),
    );
  }

  private async findAndRemoveUnseen(orgId: string, nrc: NotificatiesApi, callbackUrl: string, filters: Record<string, string>): Promise<void> {
    const res = await this.nrc.request(orgId, nrc, 'GET', `${nrc.apiRoot}abonnement`);
    if (res.status !== 200 || !Array.isArray(res.body)) return;
    const others = await repo.abonnementUrlsOfOthers(this.deps.database.db, orgId);
    for (const a of res.body as { url?: unknown; callbackUrl?: unknown; kanalen?: unknown }[]) {
      const ours =
        typeof a?.url === 'string' &&
        !others.has(a.url) &&
        a.callbackUrl === callbackUrl &&
        Array.isArray(a.kanalen) &&
        a.kanalen.some(
          (k: { naam?: unknown; filters?: Record<string, unknown> }) => k?.naam === KANAAL && k.filters?.bronorganisatie === filters.bronorganisatie,
        );
      if (!ours) continue;
      await this.deleteAbonnement(orgId, nrc, a.url as string);
      this.deps.logger.warn({ organisation: orgId, abonnement: a.url }, 'removed an abonnement an earlier attempt made without seeing the answer');
    }
  }

  /** The row with this organisation's Authorization value, known to every process before the NRC tests it. */
  private async ensureRow(orgId: string): Promise<repo.SubscriptionRow> {
    const { db } = this.deps.database;
    let row = await repo.findSubscription(db, orgId);
    if (row && row.state !== 'removed') return row;
    row = await withTransaction(db, async (trx) => {
      const ensured = await repo.ensureSubscription(trx, orgId, `Token ${randomBytes(32).toString('base64url')}`);
      if (ensured.state === 'removed') await repo.updateSubscription(trx, orgId, { state: 'pending' });
      await announceAuthChange(trx);
      return { ...ensured, state: ensured.state === 'removed' ? ('pending' as const) : ensured.state };
    });
    await this.deps.auths.reload();
    return row;
  }

  private async call(job: Job, orgId: string, nrc: NotificatiesApi, method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown): Promise<NrcResponse> {
    try {
      return await this.nrc.request(orgId, nrc, method, url, body);
    } catch (error) {
      const reason = error instanceof OutboundError ? `${error.kind}: ${error.message}` : (error as Error).message;
      const action = method === 'POST' ? 'creating' : method === 'GET' ? 'checking' : 'removing';
      return this.fail(job, orgId, method === 'POST' ? 'failed' : undefined, `${action} the abonnement: ${reason}`);
    }
  }

  /** Records the failure for the operator and hands the job back for a retry with backoff. */
  private async fail(job: Job, orgId: string, state: repo.SubscriptionState | undefined, message: string): Promise<never> {
    await repo.updateSubscription(this.deps.database.db, orgId, { ...(state ? { state } : {}), lastCheckedAt: new Date(), lastError: message });
    this.deps.logger.warn({ organisation: orgId, attempt: job.attempts, err: message }, 'abonnement at the Notificaties API: will retry');
    throw new RetryJobError(message, backoffMs(job.attempts, 1000, RETRY_CAP_MS));
  }

  private async scheduleCheck(orgId: string): Promise<void> {
    await enqueueSubscriptionReconcile(this.deps.database.db, orgId, { runAt: new Date(Date.now() + CHECK_INTERVAL_MS) });
  }
}

/** A DELETE of an abonnement succeeded, or it was gone already. */
const isRemoved = (status: number) => (status >= 200 && status < 300) || status === 404 || status === 410;

/** A Notificaties API answer in one line: status, the problem's code and reason (ValidatieFout / Fout). */
function describe(res: NrcResponse): string {
  const b = (typeof res.body === 'object' && res.body !== null ? res.body : {}) as {
    code?: unknown;
    detail?: unknown;
    title?: unknown;
    invalidParams?: { code?: unknown; reason?: unknown; name?: unknown }[];
  };
  const param = Array.isArray(b.invalidParams) ? b.invalidParams[0] : undefined;
  const code = typeof param?.code === 'string' ? param.code : typeof b.code === 'string' ? b.code : undefined;
  const reason = typeof param?.reason === 'string' ? param.reason : typeof b.detail === 'string' ? b.detail : typeof b.title === 'string' ? b.title : undefined;
  return `the Notificaties API answered ${res.status}${code ? ` ${code}` : ''}${reason ? `: ${reason}` : ''}`.slice(0, 1000);
}
