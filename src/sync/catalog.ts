// Statustypen, fetched once per URL and kept (catalogue entries do not change once published),
// and the mapping from a remote status to a citizen-facing phase (ARCHITECTURE.md).
import { withToelichting } from '../cases/order-status.ts';
import type { OutboundClients } from '../outbound/index.ts';
import type { Phase, Product } from '../network/types.ts';

export interface StatusType {
  url: string;
  omschrijving: string;
  statustekst?: string;
  volgnummer: number;
  isEindstatus: boolean;
  informeren?: boolean;
  zaaktype?: string;
}

export class StatusTypeCache {
  private readonly entries = new Map<string, StatusType>();
  private readonly inFlight = new Map<string, Promise<StatusType>>();
  private readonly maxEntries: number;
  constructor(maxEntries = 10_000) {
    this.maxEntries = maxEntries;
  }

  async get(outbound: OutboundClients, orgId: string, url: string): Promise<StatusType> {
    const hit = this.entries.get(url);
    if (hit) return hit;
    let pending = this.inFlight.get(url);
    if (!pending) {
      pending = this.fetch(outbound, orgId, url).finally(() => this.inFlight.delete(url));
      this.inFlight.set(url, pending);
    }
    return pending;
  }

  private async fetch(outbound: OutboundClients, orgId: string, url: string): Promise<StatusType> {
    const res = await outbound.request(orgId, { method: 'GET', url });
    if (res.status !== 200) throw new RemoteError(`statustype ${url} answered ${res.status}`, res.status, res.headers);
    const body = res.body as Partial<StatusType>;
    if (typeof body?.omschrijving !== 'string' || typeof body.volgnummer !== 'number') throw new RemoteError(`statustype ${url} is not a StatusType`, 502, {});
    const statustype: StatusType = {
      url,
      omschrijving: body.omschrijving,
      statustekst: body.statustekst || undefined,
      volgnummer: body.volgnummer,
      isEindstatus: body.isEindstatus === true,
      informeren: body.informeren === true,
      zaaktype: body.zaaktype,
    };
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(url, statustype);
    return statustype;
  }
}

export class RemoteError extends Error {
  readonly status: number;
  readonly headers: Record<string, string>;
  constructor(message: string, status: number, headers: Record<string, string>) {
    super(message);
    this.status = status;
    this.headers = headers;
  }
}

/** Product override (by statustype URL, then omschrijving), else eindstatus → afgerond, first → ontvangen. */
export function phaseOf(statustype: StatusType, product: Product | undefined): Phase {
  const override = product?.phases?.[statustype.url] ?? product?.phases?.[statustype.omschrijving];
  if (override) return override;
  if (statustype.isEindstatus) return 'afgerond';
  if (statustype.volgnummer <= 1) return 'ontvangen';
  return 'in_behandeling';
}

/** The citizen's text: statustekst (fallback omschrijving), with the status's toelichting when it says more. */
export function citizenText(statustype: StatusType, toelichting: string | undefined): string {
  return withToelichting(statustype.statustekst || statustype.omschrijving, toelichting, [statustype.statustekst, statustype.omschrijving], ' ');
}
