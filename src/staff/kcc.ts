// The contact centre's lookup: a KCC employee names a customer (BSN or KvK number, in the body)
// and why; the answer is the customer's cases exactly as the customer sees them, with each part's
// state and every gap in staff words. Each case read writes an access-log row (role kcc: the
// member's name, the organisation, the purpose) that the customer sees in their own access log.
// The same member may read the answer again for 15 minutes; anyone else gets 404.
import { randomUUID } from 'node:crypto';
import { isKccPurpose, PURPOSES, type KccPurpose } from '../access-log/access-log.ts';
import { isUuid, maskBsn } from '../cases/identifiers.ts';
import { ordersOfCases } from '../cases/repository.ts';
import type { CitizenCase } from '../citizen/presenter.ts';
import type { CitizenService } from '../citizen/service.ts';
import type { Database } from '../db/database.ts';
import { type Lang, translate } from '../i18n/index.ts';
import type { StaffMember } from '../http/context.ts';
import { notFound, ServiceError } from '../lib/service-error.ts';
import type { NetworkService } from '../network/service.ts';
import type { Phase } from '../network/types.ts';
import { findLookup, insertLookup } from './repository.ts';
import { caseWords, gapWords, orderWords } from './words.ts';

export const LOOKUP_MINUTES = 15;
/** The cases one answer shows, newest first (a customer with more is told how many there are). */
export const LOOKUP_MAX_CASES = 100;

export type KccCustomer = { bsn: string } | { kvk: string };

export interface KccRead {
  lang: Lang;
  requestId?: string;
  traceId?: string;
}

export class KccService {
  private readonly deps: { database: Database; network: NetworkService; citizens: CitizenService; baseUrl: string; now?: () => Date };
  constructor(deps: KccService['deps']) {
    this.deps = deps;
  }

  private now() {
    return this.deps.now?.() ?? new Date();
  }

  /** A new lookup: stored for the member, then answered (the answer's reads are logged). */
  async lookup(member: StaffMember, input: KccCustomer & { purpose: KccPurpose }, read: KccRead) {
    const now = this.now();
    const row = await insertLookup(this.deps.database.db, {
      id: randomUUID(),
      staff_sub: member.sub,
      staff_name: member.name,
      subject_bsn: 'bsn' in input ? input.bsn : null,
      subject_kvk: 'kvk' in input ? input.kvk : null,
      purpose: input.purpose,
      expires_at: new Date(now.getTime() + LOOKUP_MINUTES * 60_000),
    });
    return this.answer(member, row, read);
  }

  /** The member's own lookup again, while it lasts; 404 for anyone else's, or once it has expired. */
  async read(member: StaffMember, id: string, read: KccRead) {
    const row = isUuid(id) ? await findLookup(this.deps.database.db, id, member.sub, this.now()) : undefined;
    if (!row) throw notFound(`lookup ${id} (a lookup lasts ${LOOKUP_MINUTES} minutes, for the member who made it)`);
    return this.answer(member, row, read);
  }

  private async answer(
    member: StaffMember,
    row: { id: string; subject_bsn: string | null; subject_kvk: string | null; purpose: string; created_at: Date | string; expires_at: Date | string },
    read: KccRead,
  ) {
    const { citizens, network } = this.deps;
    const customer: KccCustomer = row.subject_bsn ? { bsn: row.subject_bsn } : { kvk: row.subject_kvk as string };
    const purpose = row.purpose as KccPurpose;
    const listed = await citizens.listCases(
      {
        scope: { subject: customer, levels: citizens.levels },
        access: {
          role: 'kcc',
          actor: member.name,
          organisation: network.self.id,
          purpose: isKccPurpose(purpose) ? purpose : PURPOSES.kcc,
          requestId: read.requestId,
          traceId: read.traceId,
        },
      },
      { pageSize: LOOKUP_MAX_CASES, lang: read.lang },
      () => new ServiceError('forbidden', 'no mandate applies to a contact-centre lookup'),
    );
    const orders = await ordersOfCases(
      this.deps.database.db,
      listed.results.map((c) => c.id),
    );
    return {
      id: row.id,
      url: `${this.deps.baseUrl}/api/v1/kcc/lookups/${row.id}`,
      customer: ('bsn' in customer ? { bsn: maskBsn(customer.bsn) } : { kvk: customer.kvk }) as KccCustomer,
      purpose,
      purposeText: isKccPurpose(purpose) ? translate(read.lang, `reason.${purpose}`) : purpose,
      createdAt: new Date(row.created_at).toISOString(),
      expiresAt: new Date(row.expires_at).toISOString(),
      count: listed.count,
      cases: listed.results.map((c) => ({ ...c, staff: this.staffView(c, orders, read.lang) })),
    };
  }

  /** The case in words to read out: a summary, each part's state (order states included), each gap. */
  private staffView(c: CitizenCase, orders: Awaited<ReturnType<typeof ordersOfCases>>, lang: Lang) {
    const ballWith = c.combinedStatus.ballWith === 'citizen' ? ('citizen' as const) : c.combinedStatus.ballWith;
    return {
      summary: caseWords(
        { reference: c.reference, title: c.title, state: c.state, phase: c.combinedStatus.phase, ballWith, progress: c.combinedStatus.progress },
        lang,
      ),
      parts: c.parts
        .filter((p) => p.kind === 'order')
        .map((p) => {
          const order = orders.find((o) => o.id === p.id);
          const state = order?.state ?? 'placed';
          return {
            partId: p.id,
            organisation: p.organisation,
            product: p.product,
            state,
            phase: p.phase as Phase | null,
            text: orderWords({ organisation: p.organisation.name, state, phase: p.phase as Phase | null, since: p.since }, lang),
          };
        }),
      gaps: c.combinedStatus.gaps.map((g) => ({ partId: g.partId, kind: g.kind, text: gapWords(g.kind, g.organisation.name, g.since, lang) })),
    };
  }
}

export type KccAnswer = Awaited<ReturnType<KccService['lookup']>>;
