// In-memory Zaken registry. Derived fields (zaak.status, einddatum, rollen,
// indicatieLaatstGezetteStatus) are computed on read so they can never go stale.
import { randomUUID } from 'node:crypto';
import type { Catalogue } from './catalogi.ts';
import type { Rol, Status, Zaak } from './types.ts';

export type ZaakRecord = Omit<Zaak, 'status' | 'einddatum' | 'rollen'>;
type StatusRecord = Omit<Status, 'indicatieLaatstGezetteStatus'> & { seq: number; time: number };

const amsterdamDate = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Amsterdam', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The calendar date in the Netherlands, as Open Zaak derives dates from datetimes. */
export function dutchDate(d: Date = new Date()): string {
  return amsterdamDate.format(d);
}

export interface NewZaak {
  identificatie?: string;
  bronorganisatie: string;
  omschrijving?: string;
  toelichting?: string;
  zaaktype: string;
  registratiedatum?: string;
  verantwoordelijkeOrganisatie: string;
  startdatum: string;
  einddatumGepland?: string | null;
  uiterlijkeEinddatumAfdoening?: string | null;
  publicatiedatum?: string | null;
  vertrouwelijkheidaanduiding?: Zaak['vertrouwelijkheidaanduiding'];
  kenmerken?: Zaak['kenmerken'];
  opdrachtgevendeOrganisatie?: string;
}

export class Store {
  private readonly zakenById = new Map<string, ZaakRecord>();
  private readonly statussenById = new Map<string, StatusRecord>();
  private readonly statussenByZaak = new Map<string, StatusRecord[]>();
  private readonly rollenById = new Map<string, Rol>();
  private readonly rollenByZaak = new Map<string, Rol[]>();
  private readonly identificaties = new Set<string>();
  private readonly byIdentificatie = new Map<string, Set<string>>(); // identificatie -> zaak uuids
  private seq = 0;
  private zaakNummer = 0;
  private readonly zakenApiRoot: string;
  private readonly catalogue: Catalogue;

  constructor(zakenApiRoot: string, catalogue: Catalogue) {
    this.zakenApiRoot = zakenApiRoot;
    this.catalogue = catalogue;
  }

  identificatieTaken(bronorganisatie: string, identificatie: string): boolean {
    return this.identificaties.has(`${bronorganisatie}|${identificatie}`);
  }

  createZaak(input: NewZaak): Zaak {
    const uuid = randomUUID();
    const registratiedatum = input.registratiedatum ?? dutchDate();
    let identificatie = input.identificatie;
    if (identificatie === undefined) {
      do identificatie = `ZAAK-${registratiedatum.slice(0, 4)}-${String(++this.zaakNummer).padStart(10, '0')}`;
      while (this.identificatieTaken(input.bronorganisatie, identificatie));
    }
    const zaaktype = this.catalogue.zaaktypen.get(input.zaaktype)!.zaaktype;
    const record: ZaakRecord = {
      url: `${this.zakenApiRoot}zaken/${uuid}`,
      uuid,
      identificatie,
      bronorganisatie: input.bronorganisatie,
      omschrijving: input.omschrijving ?? '',
      toelichting: input.toelichting ?? '',
      zaaktype: input.zaaktype,
      registratiedatum,
      verantwoordelijkeOrganisatie: input.verantwoordelijkeOrganisatie,
      startdatum: input.startdatum,
      einddatumGepland: input.einddatumGepland ?? null,
      uiterlijkeEinddatumAfdoening: input.uiterlijkeEinddatumAfdoening ?? null,
      publicatiedatum: input.publicatiedatum ?? null,
      productenOfDiensten: [],
      vertrouwelijkheidaanduiding: input.vertrouwelijkheidaanduiding ?? zaaktype.vertrouwelijkheidaanduiding,
      betalingsindicatie: '',
      betalingsindicatieWeergave: '',
      laatsteBetaaldatum: null,
      zaakgeometrie: null,
      verlenging: null,
      opschorting: { indicatie: false, reden: '' },
      hoofdzaak: null,
      deelzaken: [],
      relevanteAndereZaken: [],
      eigenschappen: [],
      zaakinformatieobjecten: [],
      zaakobjecten: [],
      kenmerken: input.kenmerken ?? [],
      archiefnominatie: null,
      archiefstatus: 'nog_te_archiveren',
      archiefactiedatum: null,
      resultaat: null,
      opdrachtgevendeOrganisatie: input.opdrachtgevendeOrganisatie ?? '',
      processobjectaard: '',
      startdatumBewaartermijn: null,
      processobject: null,
    };
    this.zakenById.set(uuid, record);
    this.identificaties.add(`${record.bronorganisatie}|${identificatie}`);
    const sameId = this.byIdentificatie.get(identificatie) ?? new Set<string>();
    this.byIdentificatie.set(identificatie, sameId.add(uuid));
    this.statussenByZaak.set(record.url, []);
    this.rollenByZaak.set(record.url, []);
    return this.renderZaak(record);
  }

  /** Accepts a zaak URL or bare UUID. */
  findZaak(urlOrUuid: string): ZaakRecord | undefined {
    const uuid = urlOrUuid.startsWith(this.zakenApiRoot) ? urlOrUuid.slice(`${this.zakenApiRoot}zaken/`.length) : urlOrUuid;
    return this.zakenById.get(uuid);
  }

  getZaak(uuid: string): Zaak | undefined {
    const record = this.zakenById.get(uuid);
    return record && this.renderZaak(record);
  }

  /** All zaak records, or only those with this identificatie (indexed: clients look zaken up this way a lot). */
  zaakRecords(identificatie?: string): ZaakRecord[] {
    if (identificatie === undefined) return [...this.zakenById.values()];
    return [...(this.byIdentificatie.get(identificatie) ?? [])].map((uuid) => this.zakenById.get(uuid)!);
  }

  allZaken(): Zaak[] {
    return [...this.zakenById.values()].map((r) => this.renderZaak(r));
  }

  deleteZaak(urlOrUuid: string): boolean {
    const record = this.findZaak(urlOrUuid);
    if (!record) return false;
    this.zakenById.delete(record.uuid);
    this.identificaties.delete(`${record.bronorganisatie}|${record.identificatie}`);
    this.byIdentificatie.get(record.identificatie)?.delete(record.uuid);
    for (const s of this.statussenByZaak.get(record.url) ?? []) this.statussenById.delete(s.uuid);
    this.statussenByZaak.delete(record.url);
    for (const rol of this.rollenByZaak.get(record.url) ?? []) this.rollenById.delete(rol.uuid);
    this.rollenByZaak.delete(record.url);
    return true;
  }

  createStatus(zaakUrl: string, statustype: string, time: number, statustoelichting = '', gezetdoor?: string): Status {
    const uuid = randomUUID();
    const record: StatusRecord = {
      url: `${this.zakenApiRoot}statussen/${uuid}`,
      uuid,
      zaak: zaakUrl,
      statustype,
      datumStatusGezet: new Date(time).toISOString(),
      statustoelichting,
      ...(gezetdoor ? { gezetdoor } : {}),
      zaakinformatieobjecten: [],
      seq: ++this.seq,
      time,
    };
    this.statussenById.set(uuid, record);
    const list = this.statussenByZaak.get(zaakUrl)!;
    list.push(record);
    list.sort((a, b) => a.time - b.time || a.seq - b.seq);
    return this.renderStatus(record);
  }

  getStatus(uuid: string): Status | undefined {
    const record = this.statussenById.get(uuid);
    return record && this.renderStatus(record);
  }

  /** Statussen ordered by datumStatusGezet (then creation order), optionally for one zaak. */
  statussen(zaakUrl?: string): Status[] {
    if (zaakUrl !== undefined) return (this.statussenByZaak.get(zaakUrl) ?? []).map((s) => this.renderStatus(s));
    const all = [...this.statussenByZaak.values()].flat().sort((a, b) => a.time - b.time || a.seq - b.seq);
    return all.map((s) => this.renderStatus(s));
  }

  currentStatus(zaakUrl: string): Status | undefined {
    const list = this.statussenByZaak.get(zaakUrl);
    const last = list?.[list.length - 1];
    return last && this.renderStatus(last);
  }

  addRol(rol: Omit<Rol, 'url' | 'uuid' | 'registratiedatum' | 'statussen'>): Rol {
    const uuid = randomUUID();
    const stored: Rol = {
      url: `${this.zakenApiRoot}rollen/${uuid}`,
      uuid,
      ...rol,
      registratiedatum: new Date().toISOString(),
      statussen: [],
    };
    this.rollenById.set(uuid, stored);
    this.rollenByZaak.get(rol.zaak)!.push(stored);
    return structuredClone(stored);
  }

  getRol(uuid: string): Rol | undefined {
    const rol = this.rollenById.get(uuid);
    return rol && structuredClone(rol);
  }

  rollen(zaakUrl?: string): Rol[] {
    const list = zaakUrl === undefined ? [...this.rollenById.values()] : (this.rollenByZaak.get(zaakUrl) ?? []);
    return list.map((r) => structuredClone(r));
  }

  private renderZaak(record: ZaakRecord): Zaak {
    const current = this.currentStatus(record.url);
    const eind = current ? this.catalogue.statustypen.get(current.statustype)?.statustype.isEindstatus : false;
    return {
      ...structuredClone(record),
      einddatum: current && eind ? dutchDate(new Date(current.datumStatusGezet)) : null,
      rollen: (this.rollenByZaak.get(record.url) ?? []).map((r) => r.url),
      status: current?.url ?? null,
    };
  }

  private renderStatus(record: StatusRecord): Status {
    const { seq: _seq, time: _time, ...status } = record;
    const list = this.statussenByZaak.get(record.zaak) ?? [];
    return { ...structuredClone(status), indicatieLaatstGezetteStatus: list[list.length - 1] === record };
  }
}
