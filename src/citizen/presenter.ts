// The citizen-safe view of a case: only what the citizen may see, in their language. No
// caseworker names, internal notes, remote zaak URLs, failure details or anyone's BSN.
import type { CombinedStatus } from '../cases/combined-status.ts';
import { maskBsn } from '../cases/identifiers.ts';
import { PHASES } from '../cases/phases.ts';
import { withToelichting } from '../cases/order-status.ts';
import { computeCombined } from '../cases/status-refresh.ts';
import { effectiveSyncState } from '../cases/sync-state.ts';
import type { NetworkService } from '../network/service.ts';
import { isPortal, type Phase } from '../network/types.ts';
import { isKccPurpose, PURPOSES, type AccessLogRow } from '../access-log/access-log.ts';
import { dateText, type Lang, localName, translate } from '../i18n/index.ts';
import { grantorLabel } from './customer.ts';
import { mandateState, type MandateWithCase } from './mandates.ts';
import type { CitizenCaseRow, CitizenTimelineRow } from './repository.ts';

type Named = { id: string; name: string };

const phaseText = (phase: Phase, lang: Lang) => translate(lang, `phase.${phase}`);
const isPhase = (phase: string | null): phase is Phase => phase !== null && (PHASES as string[]).includes(phase);

/** The access log's own purposes, which the customer reads as i18n `accessPurpose.<purpose>`. */
const ACCESS_PURPOSES = new Set<string>(Object.values(PURPOSES));
const isAccessPurpose = (purpose: string): purpose is (typeof PURPOSES)[keyof typeof PURPOSES] => ACCESS_PURPOSES.has(purpose);

/** A person by the name the grantor gave and a masked BSN, or an organisation by its name and number. */
export type MandateProxy = { name: string | null; bsn: string } | { name: string | null; organisation: { oin?: string; kvk?: string } };

export class CitizenPresenter {
  private readonly network: NetworkService;
  constructor(network: NetworkService) {
    this.network = network;
  }

  caseSummary(c: CitizenCaseRow, lang: Lang, now = new Date()) {
    const combined = computeCombined(this.network, c, c.orders, now);
    return {
      id: c.id,
      reference: c.reference,
      title: c.title,
      state: c.closed_at ? ('closed' as const) : ('open' as const),
      combinedStatus: this.combined(combined, lang),
      parts: [this.supplierPart(c, lang), ...c.orders.map((o) => this.orderPart(o, c, lang, now))],
      createdAt: c.created_at.toISOString(),
      updatedAt: c.updated_at.toISOString(),
    };
  }

  caseDetail(c: CitizenCaseRow & { timeline: CitizenTimelineRow[] }, lang: Lang, now = new Date()) {
    return { ...this.caseSummary(c, lang, now), timeline: c.timeline.map((t) => this.timelineEntry(t, lang)) };
  }

  get selfId(): string {
    return this.network.self.id;
  }

  organisation(id: string): Named {
    if (id === this.network.self.id) return { id, name: this.network.self.name };
    return { id, name: this.network.get(id)?.name ?? id };
  }

  productName(orgId: string, code: string, lang: Lang): string {
    const name = this.network.get(orgId)?.products.find((p) => p.code === code)?.name;
    return name ? localName(name, lang) : code;
  }

  private combined(s: CombinedStatus, lang: Lang) {
    return {
      phase: s.phase,
      text: phaseText(s.phase, lang),
      ballWith: s.ballWith === 'citizen' ? ('citizen' as const) : { id: s.ballWith.id, name: s.ballWith.name },
      progress: s.progress,
      lastUpdatedAt: s.lastUpdatedAt,
      gaps: s.gaps.map((g) => ({
        partId: g.orderId,
        organisation: { id: g.organisation.id, name: g.organisation.name },
        kind: g.kind,
        since: g.since,
        text: translate(lang, `gap.${g.kind}`, { organisation: g.organisation.name, date: dateText(lang, g.since) }),
      })),
    };
  }

  private supplierPart(c: CitizenCaseRow, lang: Lang) {
    const phase = c.phase as Phase;
    return {
      id: 'supplier',
      kind: 'supplier' as const,
      organisation: this.organisation(this.network.self.id),
      product: c.product ? { code: c.product, name: c.product } : null,
      phase,
      text: c.phase_text ?? (isPhase(phase) ? phaseText(phase, lang) : null),
      since: (c.supplier_since ?? c.created_at).toISOString(),
      sync: { state: 'fresh' as const, lastSyncedAt: null },
    };
  }

  private orderPart(o: CitizenCaseRow['orders'][number], c: CitizenCaseRow, lang: Lang, now: Date) {
    const org = this.network.get(o.subcontractor);
    const status = o.status as {
      phase?: Phase;
      code?: string;
      statustekst?: string | null;
      omschrijving?: string;
      toelichting?: string | null;
      datumStatusGezet?: string;
    } | null;
    // A portal organisation's status (code) has its own name in the citizen's language.
    const portalStatus =
      status?.code && org && isPortal(org) ? org.products.find((p) => p.code === o.product)?.statuses.find((s) => s.code === status.code) : undefined;
    const named = portalStatus ? localName(portalStatus.name, lang) : undefined;
    const own = [status?.statustekst, status?.omschrijving, ...(portalStatus ? Object.values(portalStatus.name) : [])];
    const base = named ?? status?.statustekst ?? status?.omschrijving;
    const remoteText = base ? withToelichting(base, status?.toelichting, own, ' — ') : (status?.toelichting?.trim() ?? '');
    return {
      id: o.id,
      kind: 'order' as const,
      organisation: this.organisation(o.subcontractor),
      product: { code: o.product, name: this.productName(o.subcontractor, o.product, lang) },
      phase: status?.phase ?? null,
      text: remoteText || (status?.phase ? phaseText(status.phase, lang) : null),
      since: status?.datumStatusGezet ?? null,
      sync: { state: effectiveSyncState(o, c, org, now), lastSyncedAt: o.last_synced_at?.toISOString() ?? null },
    };
  }

  timelineEntry(t: CitizenTimelineRow, lang: Lang) {
    const organisation = this.organisation(t.organisation_id);
    const phase = t.phase as Phase | null;
    const generated = t.kind === 'order-placed' ? translate(lang, 'event.order-placed', { organisation: organisation.name }) : undefined;
    return {
      at: t.at.toISOString(),
      organisation,
      partId: t.order_id ?? 'supplier',
      kind: t.kind,
      phase,
      text: t.text ?? generated ?? (isPhase(phase) ? phaseText(phase, lang) : null),
      references: t.refs.flatMap((r) => {
        const ref = r as { type?: unknown; id?: unknown };
        return typeof ref?.type === 'string' && typeof ref.id === 'string' ? [{ type: ref.type, id: ref.id }] : [];
      }),
    };
  }

  accessEntry(r: AccessLogRow, lang: Lang) {
    return {
      at: new Date(r.at).toISOString(),
      role: r.actor_role,
      actor: this.actorText(r, lang),
      organisation: r.organisation ? this.organisation(r.organisation) : null,
      purpose: r.purpose,
      purposeText: this.purposeText(r.purpose, lang),
      case: { id: r.case_id, reference: r.reference },
      traceId: r.trace_id ?? r.request_id,
    };
  }

  private purposeText(purpose: string, lang: Lang): string {
    if (isAccessPurpose(purpose)) return translate(lang, `accessPurpose.${purpose}`);
    return isKccPurpose(purpose) ? translate(lang, `reason.${purpose}`) : purpose;
  }

  private actorText(r: AccessLogRow, lang: Lang): string {
    const org = () => this.organisation(r.organisation ?? this.network.self.id).name;
    switch (r.actor_role) {
      // Staff by their organisation, not by name (the name stays in the log for audit).
      case 'kcc':
        return translate(lang, 'accessRole.kcc', { organisation: org(), purpose: this.purposeText(r.purpose, lang) });
      case 'caseworker':
        return translate(lang, 'accessRole.caseworker', { organisation: org() });
      case 'citizen':
        return translate(lang, 'accessRole.self');
      case 'proxy':
        return r.proxy_name ? `${r.proxy_name} (${r.actor})` : r.actor;
      case 'representative':
        return translate(lang, 'accessRole.representative', { name: r.actor });
      case 'organisation-proxy':
        return `${r.organisation ?? r.proxy_name ?? r.actor} (${this.network.client(r.actor)?.name ?? r.actor})`;
      case 'supplier':
      case 'operator':
        return translate(lang, `accessRole.${r.actor_role}`, { name: this.network.client(r.actor)?.name ?? r.actor });
      default:
        return r.organisation ? `${this.organisation(r.organisation).name}: ${r.actor}` : r.actor;
    }
  }

  grantedMandate(m: MandateWithCase, now: Date) {
    const proxy: MandateProxy = m.proxy_bsn
      ? { name: m.proxy_name, bsn: maskBsn(m.proxy_bsn) }
      : { name: m.proxy_name, organisation: { ...(m.proxy_oin ? { oin: m.proxy_oin } : {}), ...(m.proxy_kvk ? { kvk: m.proxy_kvk } : {}) } };
    return {
      id: m.id,
      proxy,
      case: m.case_id ? { id: m.case_id, reference: m.case_reference } : null,
      ...this.validity(m, now),
    };
  }

  receivedMandate(m: MandateWithCase, now: Date) {
    const validity = this.validity(m, now);
    return {
      id: m.id,
      grantor: grantorLabel(m),
      // The case's reference only while the mandate lets the proxy read it.
      case: m.case_id ? { id: m.case_id, reference: validity.state === 'active' ? m.case_reference : null } : null,
      ...validity,
    };
  }

  private validity(m: MandateWithCase, now: Date) {
    return {
      validFrom: new Date(m.valid_from).toISOString(),
      validUntil: new Date(m.valid_until).toISOString(),
      revokedAt: m.revoked_at ? new Date(m.revoked_at).toISOString() : null,
      state: mandateState(m, now),
      createdAt: new Date(m.created_at).toISOString(),
    };
  }
}

export type CitizenCase = ReturnType<CitizenPresenter['caseSummary']>;
export type CitizenCaseDetail = ReturnType<CitizenPresenter['caseDetail']>;
export type AccessLogEntry = ReturnType<CitizenPresenter['accessEntry']>;
export type GrantedMandate = ReturnType<CitizenPresenter['grantedMandate']>;
export type ReceivedMandate = ReturnType<CitizenPresenter['receivedMandate']>;
