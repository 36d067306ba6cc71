// State and behaviour of one simulated subcontractor, independent of HTTP wiring.
import { buildCatalogue } from './catalogi.ts';
import type { Catalogue } from './catalogi.ts';
import { Notifier } from './notifier.ts';
import { Store } from './store.ts';
import type { NewZaak, ZaakRecord } from './store.ts';
import type { Faults, RequestLogEntry, SimulatorOptions, Status, Zaak } from './types.ts';

export const DEFAULT_FAULTS: Readonly<Faults> = Object.freeze({
  latencyMs: 0,
  errorRate: 0,
  down: false,
  dropNotifications: 0,
  duplicateNotifications: 0,
  reorderNotifications: false,
  etags: 'content',
});

const REQUEST_LOG_LIMIT = 10_000;

/** Thrown by in-process operations that a caller got wrong (unknown zaak, no next status). */
export class SimulatorError extends Error {
  readonly status: 404 | 409 | 400;
  constructor(status: 404 | 409 | 400, message: string) {
    super(message);
    this.status = status;
  }
}

export class SimulatorCore {
  readonly options: SimulatorOptions;
  readonly baseUrl: string;
  readonly zakenApiRoot: string;
  readonly catalogiApiRoot: string;
  readonly catalogue: Catalogue;
  readonly store: Store;
  readonly notifier: Notifier;
  readonly pageSize: number;
  readonly requests: RequestLogEntry[] = [];
  faults: Faults;

  constructor(options: SimulatorOptions, baseUrl: string) {
    if (!/^\d{9}$/.test(options.rsin)) throw new Error(`rsin must be 9 digits, got ${options.rsin}`);
    this.options = options;
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.zakenApiRoot = `${this.baseUrl}/zaken/api/v1/`;
    this.catalogiApiRoot = `${this.baseUrl}/catalogi/api/v1/`;
    this.catalogue = buildCatalogue(options.name, options.rsin, this.catalogiApiRoot, options.zaaktypen);
    this.store = new Store(this.zakenApiRoot, this.catalogue);
    this.faults = { ...DEFAULT_FAULTS, ...options.faults };
    this.notifier = new Notifier(options.notifier, () => this.faults);
    this.pageSize = options.pageSize ?? 100;
  }

  setFaults(f: Partial<Faults>): Faults {
    this.faults = { ...this.faults, ...f };
    return this.faults;
  }

  logRequest(entry: RequestLogEntry): void {
    this.requests.push(entry);
    // Trim in batches: the array identity must stay (callers hold it) and shifting one by one is O(n).
    if (this.requests.length > REQUEST_LOG_LIMIT + 1000) this.requests.splice(0, this.requests.length - REQUEST_LOG_LIMIT);
  }

  createZaak(input: NewZaak): Zaak {
    const zaak = this.store.createZaak(input);
    this.notify(zaak, 'zaak', zaak.url);
    return zaak;
  }

  createStatus(zaak: ZaakRecord, statustype: string, time: number, opts: { toelichting?: string; gezetdoor?: string; notify?: boolean } = {}): Status {
    const status = this.store.createStatus(zaak.url, statustype, time, opts.toelichting, opts.gezetdoor);
    if (opts.notify !== false) this.notify(zaak, 'status', status.url);
    return status;
  }

  requireZaak(urlOrUuid: string): ZaakRecord {
    const zaak = this.store.findZaak(urlOrUuid);
    if (!zaak) throw new SimulatorError(404, `zaak ${urlOrUuid} is unknown to ${this.options.name}`);
    return zaak;
  }

  /** Index in the zaaktype's statustypen of the next status, or undefined when the zaak is finished. */
  nextStatusIndex(zaak: ZaakRecord): number | undefined {
    const entry = this.catalogue.zaaktypen.get(zaak.zaaktype)!;
    const current = this.store.currentStatus(zaak.url);
    if (!current) return 0;
    const index = entry.statustypen.findIndex((s) => s.url === current.statustype);
    return index + 1 < entry.statustypen.length ? index + 1 : undefined;
  }

  advance(zaakUrlOrUuid: string, opts: { toelichting?: string; notify?: boolean } = {}): Status {
    const zaak = this.requireZaak(zaakUrlOrUuid);
    const next = this.nextStatusIndex(zaak);
    if (next === undefined) throw new SimulatorError(409, `zaak ${zaak.identificatie} already has its eindstatus`);
    return this.setStatus(zaak.url, next, opts);
  }

  setStatus(zaakUrlOrUuid: string, index: number, opts: { datumStatusGezet?: string; toelichting?: string; notify?: boolean } = {}): Status {
    const zaak = this.requireZaak(zaakUrlOrUuid);
    const statustypen = this.catalogue.zaaktypen.get(zaak.zaaktype)!.statustypen;
    if (!Number.isInteger(index) || index < 0 || index >= statustypen.length) {
      throw new SimulatorError(400, `statustype index ${index} is out of range 0..${statustypen.length - 1}`);
    }
    let time: number;
    if (opts.datumStatusGezet !== undefined) {
      time = Date.parse(opts.datumStatusGezet);
      if (Number.isNaN(time)) throw new SimulatorError(400, `datumStatusGezet ${opts.datumStatusGezet} is not a datetime`);
    } else {
      // "Now", but never before the current status, so the new status always becomes the current one.
      const current = this.store.currentStatus(zaak.url);
      time = Math.max(Date.now(), current ? Date.parse(current.datumStatusGezet) + 1 : 0);
    }
    return this.createStatus(zaak, statustypen[index].url, time, { toelichting: opts.toelichting, notify: opts.notify });
  }

  /** Moves every unfinished zaak one status on (demo auto-advance). */
  advanceAll(): number {
    let moved = 0;
    for (const zaak of this.store.zaakRecords()) {
      if (this.nextStatusIndex(zaak) === undefined) continue;
      this.advance(zaak.uuid);
      moved++;
    }
    return moved;
  }

  private notify(zaak: Pick<Zaak, 'url' | 'bronorganisatie' | 'zaaktype' | 'vertrouwelijkheidaanduiding'>, resource: string, resourceUrl: string): void {
    this.notifier.publish({
      kanaal: 'zaken',
      hoofdObject: zaak.url,
      resource,
      resourceUrl,
      actie: 'create',
      aanmaakdatum: new Date().toISOString(),
      kenmerken: {
        bronorganisatie: zaak.bronorganisatie,
        zaaktype: zaak.zaaktype,
        vertrouwelijkheidaanduiding: zaak.vertrouwelijkheidaanduiding,
      },
    });
  }
}
