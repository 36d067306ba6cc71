// The citizen's verbs, shared by the JSON API (/api/v1/me/...) and the server-rendered page.
// Every case read goes through here: visibility is decided in SQL (the viewer's BSN, or a valid
// mandate; confidentiality ≤ the configured maximum) and the access-log row is written by the
// same statement. Someone else's case is "not found", never "forbidden".
import { randomUUID } from 'node:crypto';
import { isValidBsn, maskBsn } from '../cases/identifiers.ts';
import { CONFIDENTIALITY, type Confidentiality } from '../cases/phases.ts';
import { type Database, withTransaction } from '../db/database.ts';
import { ServiceError, notFound } from '../lib/service-error.ts';
import type { NetworkService } from '../network/service.ts';
import type { Breakers } from '../outbound/breaker.ts';
import { accessLogOf, PURPOSES, type Access } from '../access-log/access-log.ts';
import { isRepresentative, type CitizenIdentity } from './auth.ts';
import { customerOf, grantorOfRow, representativeLabel, sameCustomer, type Customer } from './customer.ts';
import type { Lang } from '../i18n/index.ts';
import * as mandates from './mandates.ts';
import { NetworkView } from './network-view.ts';
import { CitizenPresenter } from './presenter.ts';
import { findVisibleCase, listVisibleCases, type Scope } from './repository.ts';

export type Viewer = CitizenIdentity;

/** Read as the proxy of someone: by their BSN or KvK number (API) or by the mandate's id (the page: no BSN in URLs). */
export type OnBehalfOf = { bsn: string } | { kvk: string } | { mandateId: string };

export interface ReadOptions {
  lang?: Lang;
  onBehalfOf?: OnBehalfOf;
  requestId?: string;
  traceId?: string;
}

export interface CaseListQuery extends ReadOptions {
  state?: 'open' | 'closed';
  page?: number;
  pageSize?: number;
}

export interface GrantInput {
  /** A person who may read (exactly one of proxyBsn and proxyOrganisation). */
  proxyBsn?: string;
  /** An organisation that may read through the consumer API: by OIN or by KvK number. */
  proxyOrganisation?: { oin: string } | { kvk: string };
  proxyName?: string;
  caseId?: string;
  /** ISO date-time, or a date (valid through that day, at most a year); default and maximum: one year from now. */
  validUntil?: string | Date;
}

export interface CitizenServiceDeps {
  database: Database;
  network: NetworkService;
  maxConfidentiality: Confidentiality;
  breakers?: Breakers;
  /** Active mandates one citizen may have given at a time. */
  mandateLimit?: number;
  now?: () => Date;
  /** Benchmarks only: reads write no access-log row (BENCHMARK_NO_ACCESS_LOG). */
  unloggedReads?: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const noMandate = () => new ServiceError('forbidden', 'You hold no valid mandate from this person to read their cases.');

export class CitizenService {
  private readonly deps: CitizenServiceDeps;
  /** Confidentiality levels a customer (and so their proxies) may see. */
  readonly levels: readonly Confidentiality[];
  readonly presenter: CitizenPresenter;
  private readonly networkView: NetworkView;

  constructor(deps: CitizenServiceDeps) {
    this.deps = deps;
    this.levels = CONFIDENTIALITY.slice(0, CONFIDENTIALITY.indexOf(deps.maxConfidentiality) + 1);
    this.presenter = new CitizenPresenter(deps.network);
    this.networkView = new NetworkView({ db: deps.database.db, network: deps.network, breakers: deps.breakers });
  }

  get db() {
    return this.deps.database.db;
  }

  private now() {
    return this.deps.now?.() ?? new Date();
  }

  /** The viewer's cases (or, with onBehalfOf, the mandated cases of the grantor), newest first. */
  async listMyCases(viewer: Viewer, query: CaseListQuery = {}) {
    return this.listCases(await this.scopeOf(viewer, query), query, noMandate);
  }

  /** One case with its citizen-visible timeline; 404 when the viewer may not read it. */
  async getMyCase(viewer: Viewer, id: string, options: ReadOptions = {}) {
    return this.readCase(await this.scopeOf(viewer, options), id, options, noMandate);
  }

  /** Cases through a read: the page, with the one statement that also writes the access-log rows. */
  async listCases({ scope, access }: ScopedRead, query: CaseListQuery, whenNoMandate: () => Error) {
    const pageSize = query.pageSize ?? 20;
    const page = query.page ?? 1;
    const result = await listVisibleCases(this.db, scope, query.state, pageSize, (page - 1) * pageSize, access);
    if (result.mandates === 0) throw whenNoMandate();
    const now = this.now();
    return {
      count: result.count,
      results: result.rows.map((r) => this.presenter.caseSummary(r, query.lang ?? 'nl', now)),
      /** Reading as a proxy: a mandate to name in links instead of the grantor's BSN. */
      mandateId: result.mandateId ?? undefined,
    };
  }

  async readCase({ scope, access }: ScopedRead, id: string, options: ReadOptions, whenNoMandate: () => Error) {
    if (!UUID.test(id)) {
      if (scope.proxy && !(await mandates.hasValidMandate(this.db, scope.subject, scope.proxy))) throw whenNoMandate();
      throw notFound(`case ${id}`);
    }
    const result = await findVisibleCase(this.db, scope, id, access);
    if (result.mandates === 0) throw whenNoMandate();
    if (!result.row) throw notFound(`case ${id}`);
    return this.presenter.caseDetail(result.row, options.lang ?? 'nl', this.now());
  }

  /** Who read the viewer's (or the viewer's company's) case data, and why; newest first. */
  async accessLog(viewer: Viewer, page: { page?: number; pageSize?: number; lang?: Lang } = {}) {
    const pageSize = page.pageSize ?? 20;
    const { rows, count } = await accessLogOf(this.db, customerOf(viewer), pageSize, ((page.page ?? 1) - 1) * pageSize);
    return { count, results: rows.map((r) => this.presenter.accessEntry(r, page.lang ?? 'nl')) };
  }

  async grantMandate(viewer: Viewer, input: GrantInput) {
    const now = this.now();
    const max = new Date(now);
    max.setUTCFullYear(max.getUTCFullYear() + 1);
    const grantor = customerOf(viewer);
    const proxy = this.proxyOf(viewer, input);
    const validUntil = validUntilOf(input.validUntil, max);
    if (Number.isNaN(validUntil.getTime())) throw invalid('validUntil', 'date-time', 'must be an ISO 8601 date-time');
    if (validUntil <= now) throw unprocessable('validUntil', 'past', 'must lie in the future');
    if (validUntil.getTime() > max.getTime() + 60_000) throw unprocessable('validUntil', 'too-long', 'a mandate lasts at most one year');
    if (input.caseId !== undefined && !UUID.test(input.caseId)) throw notFound(`case ${input.caseId}`);
    // A login for one branch may not hand out the company's other branches.
    if ('vestiging' in grantor && grantor.vestiging && input.caseId === undefined) {
      throw unprocessable('caseId', 'branch-login', 'is required: a login for one branch gives mandates for one case of that branch only');
    }
    const row = await withTransaction(this.db, async (trx) => {
      if (input.caseId && !(await mandates.isOwnCase(trx, input.caseId, grantor, this.levels))) throw notFound(`case ${input.caseId}`);
      if ((await mandates.countActiveGranted(trx, grantor, now)) >= (this.deps.mandateLimit ?? 50)) {
        throw new ServiceError('unprocessable', 'You have given the maximum number of mandates; revoke one first.');
      }
      const created = await mandates.insertMandate(trx, {
        id: randomUUID(),
        grantor_bsn: 'bsn' in grantor ? grantor.bsn : null,
        grantor_kvk: 'kvk' in grantor ? grantor.kvk : null,
        proxy_bsn: proxy.bsn ?? null,
        proxy_oin: proxy.oin ?? null,
        proxy_kvk: proxy.kvk ?? null,
        proxy_name: proxy.name,
        case_id: input.caseId ?? null,
        valid_from: now,
        valid_until: validUntil,
      });
      const reference = input.caseId
        ? ((await trx.selectFrom('cases').select('reference').where('id', '=', input.caseId).executeTakeFirst())?.reference ?? null)
        : null;
      return { ...created, case_reference: reference };
    });
    return this.presenter.grantedMandate(row, now);
  }

  /** Mandates the viewer (or the viewer's company) gave and, for a person, the mandates they hold; newest first (at most 100 of each). */
  async listMandates(viewer: Viewer) {
    const now = this.now();
    const [granted, received] = await Promise.all([
      mandates.mandatesGivenBy(this.db, customerOf(viewer)),
      isRepresentative(viewer) ? [] : mandates.mandatesHeldBy(this.db, { bsn: viewer.bsn }),
    ]);
    return {
      granted: granted.map((m) => this.presenter.grantedMandate(m, now)),
      received: received.map((m) => this.presenter.receivedMandate(m, now)),
    };
  }

  /** Ends a mandate at once; only its grantor (for a company: any of its representatives) may. Revoking twice is fine. */
  async revokeMandate(viewer: Viewer, id: string): Promise<void> {
    if (!UUID.test(id) || !(await mandates.revokeMandate(this.db, id, customerOf(viewer)))) throw notFound(`mandate ${id}`);
  }

  /** The public network listing (no authentication needed). */
  network(lang: Lang = 'nl') {
    return this.networkView.list(lang);
  }

  /** Organisations that read for customers through the consumer API (portal clients with an organisation), for the grant form. */
  readProxyOrganisations() {
    return this.deps.network.readProxies();
  }

  private proxyOf(viewer: Viewer, input: GrantInput): { bsn?: string; oin?: string; kvk?: string; name: string | null } {
    const name = input.proxyName?.trim() || null;
    if ((input.proxyBsn === undefined) === (input.proxyOrganisation === undefined)) {
      throw invalid('proxyBsn', 'exclusive', 'or proxyOrganisation: give exactly one');
    }
    if (input.proxyBsn !== undefined) {
      if (!isValidBsn(input.proxyBsn)) throw invalid('proxyBsn', 'bsn', 'must be a valid BSN (9 digits, elfproef)');
      if (!isRepresentative(viewer) && input.proxyBsn === viewer.bsn) throw unprocessable('proxyBsn', 'self', 'you cannot give a mandate to yourself');
      return { bsn: input.proxyBsn, name };
    }
    const org = input.proxyOrganisation!;
    if (isRepresentative(viewer) && 'kvk' in org && org.kvk === viewer.kvk) {
      throw unprocessable('proxyOrganisation', 'self', 'a company cannot give a mandate to itself');
    }
    // Only an organisation that reads through this gateway can use a mandate: a typo is caught now, not never.
    const known = this.deps.network.readProxies().find((o) => ('oin' in org ? o.oin === org.oin : o.kvk === org.kvk));
    if (!known) throw unprocessable('proxyOrganisation', 'unknown', 'is not an organisation that reads for customers through this gateway');
    return { ...('oin' in org ? { oin: org.oin } : { kvk: org.kvk }), name: known.name };
  }

  /** The viewer reading their own (or their company's) cases: the scope and the access-log row it writes (the groups read this way too). */
  ownRead(viewer: Viewer, options: Pick<ReadOptions, 'requestId' | 'traceId'> = {}): ScopedRead {
    const trace = { requestId: options.requestId, traceId: options.traceId, ...(this.deps.unloggedReads ? { unlogged: true } : {}) };
    const scope = { subject: customerOf(viewer), levels: this.levels };
    if (isRepresentative(viewer)) {
      return { scope, access: { role: 'representative', actor: representativeLabel(viewer), purpose: PURPOSES.representative, ...trace } };
    }
    return { scope, access: { role: 'citizen', actor: 'self', purpose: PURPOSES.citizen, ...trace } };
  }

  /** Whose cases a read covers, under which mandate, and the access-log row it writes. */
  private async scopeOf(viewer: Viewer, options: ReadOptions): Promise<ScopedRead> {
    const trace = { requestId: options.requestId, traceId: options.traceId, ...(this.deps.unloggedReads ? { unlogged: true } : {}) };
    const own = customerOf(viewer);
    const grantor = await this.grantorOf(viewer, options.onBehalfOf);
    if (grantor === undefined || sameCustomer(grantor, own)) return this.ownRead(viewer, options);
    // Only people hold mandates from the page and /me (organisations read through the consumer API).
    if (isRepresentative(viewer)) throw noMandate();
    return {
      scope: { subject: grantor, levels: this.levels, proxy: { bsn: viewer.bsn } },
      access: { role: 'proxy', actor: maskBsn(viewer.bsn), purpose: PURPOSES.proxy, ...trace },
    };
  }

  private async grantorOf(viewer: Viewer, onBehalfOf: OnBehalfOf | undefined): Promise<Customer | undefined> {
    if (!onBehalfOf) return undefined;
    if ('bsn' in onBehalfOf) {
      if (!isValidBsn(onBehalfOf.bsn)) throw invalid('onBehalfOf', 'bsn', 'must be a valid BSN (9 digits, elfproef) or KvK number (8 digits)');
      return { bsn: onBehalfOf.bsn };
    }
    if ('kvk' in onBehalfOf) return { kvk: onBehalfOf.kvk };
    const held =
      !isRepresentative(viewer) && UUID.test(onBehalfOf.mandateId) ? await mandates.heldMandate(this.db, onBehalfOf.mandateId, { bsn: viewer.bsn }) : undefined;
    if (!held) throw noMandate();
    return grantorOfRow(held);
  }
}

/** A read's scope and the access-log row it writes. */
export interface ScopedRead {
  scope: Scope;
  access: Access;
}

const invalid = (name: string, code: string, reason: string) => new ServiceError('invalid', `${name} ${reason}.`, { invalidParams: [{ name, code, reason }] });
const unprocessable = (name: string, code: string, reason: string) =>
  new ServiceError('unprocessable', `${name} ${reason}.`, { invalidParams: [{ name, code, reason }] });

/** A plain date means "through that day" (to 23:59:59 CET, clamped to the maximum); a date-time is taken as given. */
function validUntilOf(value: string | Date | undefined, max: Date): Date {
  if (value === undefined) return max;
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const endOfDay = new Date(`${value}T23:59:59+01:00`);
    return Number.isNaN(endOfDay.getTime()) || endOfDay < max ? endOfDay : max;
  }
  return new Date(value);
}
