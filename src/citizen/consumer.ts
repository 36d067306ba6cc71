// The consumer API's verbs: an organisation (a portal client that names one) reads a customer's
// cases through a mandate the customer gave it — Mina ärenden's juridiskt läsombud. Outside a valid
// mandate everything is "not found"; every read writes an access-log row the customer sees.
import type { ClientOrganisation } from '../http/context.ts';
import { notFound, ServiceError } from '../lib/service-error.ts';
import { PURPOSES, type Access } from '../access-log/access-log.ts';
import { grantorLabel, grantorOfRow, type MandateHolder } from './customer.ts';
import { decodeCursor, encodeCursor, readFeed } from './events-feed.ts';
import type { Lang } from '../i18n/index.ts';
import * as mandates from './mandates.ts';
import type { CitizenPresenter } from './presenter.ts';
import type { CaseListQuery, CitizenService, ReadOptions, ScopedRead } from './service.ts';

/** The organisation reading, and the client it reads with (both go into the access log). */
export interface Consumer {
  clientId: string;
  organisation: ClientOrganisation;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const noMandate = (id: string) => notFound(`mandate ${id}`);

export class ConsumerService {
  private readonly citizen: CitizenService;
  private readonly present: CitizenPresenter;
  constructor(citizen: CitizenService) {
    this.citizen = citizen;
    this.present = citizen.presenter;
  }

  /** The mandates given to the consumer's organisation that are valid now or later, newest first. */
  async mandates(consumer: Consumer, page: { page: number; pageSize: number }) {
    const proxy = proxyOf(consumer);
    const now = new Date();
    const [rows, count] = await Promise.all([
      mandates.mandatesHeldBy(this.citizen.db, proxy, { current: true, limit: page.pageSize, offset: (page.page - 1) * page.pageSize }),
      mandates.countHeldBy(this.citizen.db, proxy),
    ]);
    return {
      count,
      results: rows.map((m) => ({
        id: m.id,
        grantor: grantorLabel(m),
        scope: m.case_id ? ('case' as const) : ('all-cases' as const),
        // The id only: the case itself is read through the mandate, under the read rules (and logged).
        case: m.case_id ? { id: m.case_id } : null,
        validFrom: new Date(m.valid_from).toISOString(),
        validUntil: new Date(m.valid_until).toISOString(),
        state: mandates.mandateState(m, now),
      })),
    };
  }

  async cases(consumer: Consumer, mandateId: string, query: CaseListQuery) {
    const read = await this.scoped(consumer, mandateId, query);
    const { count, results } = await this.citizen.listCases(read, query, () => noMandate(mandateId));
    return { count, results };
  }

  async case(consumer: Consumer, mandateId: string, caseId: string, options: ReadOptions) {
    return this.citizen.readCase(await this.scoped(consumer, mandateId, options), caseId, options, () => noMandate(mandateId));
  }

  /** The customer's events after `after` (an opaque cursor), oldest first; `cursor` is where to ask next time. */
  async events(consumer: Consumer, mandateId: string, query: { after?: string; limit: number; lang: Lang } & Pick<ReadOptions, 'requestId' | 'traceId'>) {
    const after = query.after === undefined ? undefined : decodeCursor(query.after);
    if (query.after !== undefined && !after) {
      throw new ServiceError('invalid', 'after is not a cursor this API gave.', {
        invalidParams: [{ name: 'after', code: 'cursor', reason: 'must be a cursor from an earlier answer' }],
      });
    }
    const { scope, access } = await this.scoped(consumer, mandateId, query);
    const feed = await readFeed(this.citizen.db, { ...scope, proxy: scope.proxy!, mandateId }, after, query.limit + 1, access);
    if (feed.mandates === 0) throw noMandate(mandateId);
    const rows = feed.rows.slice(0, query.limit);
    const last = rows.at(-1);
    return {
      results: rows.map((r) => {
        const entry = this.present.timelineEntry(
          { ...r, at: new Date(r.at), organisation_id: r.organisation_id ?? this.present.selfId, refs: r.refs ?? [] },
          query.lang,
        );
        return {
          cursor: encodeCursor(r),
          type: r.source === 'n' ? 'notice' : r.kind,
          at: entry.at,
          case: { id: r.case_id, reference: r.reference },
          organisation: r.source === 'n' ? null : entry.organisation,
          partId: r.source === 'n' ? null : entry.partId,
          phase: entry.phase,
          text: entry.text,
        };
      }),
      cursor: last ? encodeCursor(last) : (query.after ?? null),
      more: feed.rows.length > query.limit,
    };
  }

  private async scoped(consumer: Consumer, mandateId: string, options: ReadOptions): Promise<ScopedRead> {
    const proxy = proxyOf(consumer);
    const held = UUID.test(mandateId) ? await mandates.heldMandate(this.citizen.db, mandateId, proxy) : undefined;
    if (!held) throw noMandate(mandateId);
    const access: Access = {
      role: 'organisation-proxy',
      actor: consumer.clientId,
      organisation: consumer.organisation.name,
      purpose: PURPOSES['organisation-proxy'],
      mandateId,
      requestId: options.requestId,
      traceId: options.traceId,
    };
    return { scope: { subject: grantorOfRow(held), levels: this.citizen.levels, proxy, mandateId }, access };
  }
}

const proxyOf = (consumer: Consumer): MandateHolder => ({ organisation: consumer.organisation });
