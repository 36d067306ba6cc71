// Public types of the ZGW subcontractor simulator. Resource shapes follow Zaken API 1.5.1 and
// Catalogi API 1.3.3 (contracts/zgw); only the fields this simulator fills are typed precisely.

export interface SimulatorStatusType {
  omschrijving: string;
  statustekst?: string;
  informeren?: boolean;
  // volgnummer is the position in SimulatorZaakType.statustypen + 1; the last one is the eindstatus
}

export interface SimulatorZaakType {
  key: string;
  omschrijving: string;
  /** English label for bilingual UIs; not part of any ZGW resource. */
  omschrijvingEn?: string;
  identificatie?: string;
  vertrouwelijkheidaanduiding?: Vertrouwelijkheidaanduiding;
  statustypen: SimulatorStatusType[];
}

export type NotifierConfig = { callbackUrl: string; clientId: string; secret: string } | { callbackUrl: string; authorization: string };

export interface Faults {
  latencyMs: number;
  errorRate: number;
  down: boolean;
  dropNotifications: number;
  duplicateNotifications: number;
  reorderNotifications: boolean;
  /**
   * The zaak's ETag: `content` changes with every change of the zaak (as a cache would expect);
   * `stale` is fixed at creation and ignores statuses, as Open Zaak 1.25.0's does (it answers 304
   * to it while `status` names a new status); `flapping` answers the stale or the content tag at
   * random; `missing` sends none and never answers 304.
   */
  etags: EtagMode;
  hangNotifications?: never;
}

export type EtagMode = 'content' | 'stale' | 'flapping' | 'missing';
export const ETAG_MODES: readonly EtagMode[] = ['content', 'stale', 'flapping', 'missing'];

export interface SimulatorOptions {
  name: string;
  rsin: string;
  host?: string;
  port?: number;
  /** Origin used in every `url` field; default derived from host and the bound port. */
  publicUrl?: string;
  clients: Record<string, string>;
  zaaktypen: SimulatorZaakType[];
  notifier?: NotifierConfig;
  pageSize?: number;
  faults?: Partial<Faults>;
  /** Every N seconds move each unfinished zaak one status on (demo). */
  autoAdvanceSeconds?: number;
  /** Apply the 11-proef to bronorganisatie/verantwoordelijkeOrganisatie, as Open Zaak does. Default false. */
  strictRsin?: boolean;
  /** Also demand Accept-Crs on GET zaken (the OAS marks it required there too). Default false. */
  strictCrs?: boolean;
}

export type Vertrouwelijkheidaanduiding =
  | 'openbaar'
  | 'beperkt_openbaar'
  | 'intern'
  | 'zaakvertrouwelijk'
  | 'vertrouwelijk'
  | 'confidentieel'
  | 'geheim'
  | 'zeer_geheim';

export interface ZaakKenmerk {
  kenmerk: string;
  bron: string;
}

export interface Zaak {
  url: string;
  uuid: string;
  identificatie: string;
  bronorganisatie: string;
  omschrijving: string;
  toelichting: string;
  zaaktype: string;
  registratiedatum: string;
  verantwoordelijkeOrganisatie: string;
  startdatum: string;
  einddatum: string | null;
  einddatumGepland: string | null;
  uiterlijkeEinddatumAfdoening: string | null;
  publicatiedatum: string | null;
  productenOfDiensten: string[];
  vertrouwelijkheidaanduiding: Vertrouwelijkheidaanduiding;
  betalingsindicatie: string;
  betalingsindicatieWeergave: string;
  laatsteBetaaldatum: string | null;
  zaakgeometrie: null;
  verlenging: null;
  opschorting: { indicatie: boolean; reden: string };
  hoofdzaak: string | null;
  deelzaken: string[];
  relevanteAndereZaken: { url: string; aardRelatie: string }[];
  eigenschappen: string[];
  rollen: string[];
  status: string | null;
  zaakinformatieobjecten: string[];
  zaakobjecten: string[];
  kenmerken: ZaakKenmerk[];
  archiefnominatie: string | null;
  archiefstatus: string;
  archiefactiedatum: string | null;
  resultaat: string | null;
  opdrachtgevendeOrganisatie: string;
  processobjectaard: string;
  startdatumBewaartermijn: string | null;
  processobject: null;
}

export interface Status {
  url: string;
  uuid: string;
  zaak: string;
  statustype: string;
  datumStatusGezet: string;
  statustoelichting: string;
  indicatieLaatstGezetteStatus: boolean;
  gezetdoor?: string;
  zaakinformatieobjecten: string[];
}

export interface Rol {
  url: string;
  uuid: string;
  zaak: string;
  /** Omitted when not given: the OAS types it as a uri, so '' would not validate. */
  betrokkene?: string;
  betrokkeneType: string;
  afwijkendeNaamBetrokkene: string;
  roltype: string;
  omschrijving: string;
  omschrijvingGeneriek: string;
  roltoelichting: string;
  registratiedatum: string;
  indicatieMachtiging: string;
  contactpersoonRol: null;
  statussen: string[];
  betrokkeneIdentificatie: Record<string, unknown> | null;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
  /** When the request arrived (ms since the epoch), before any injected latency. */
  receivedAt: number;
}

export interface NotificationStats {
  sent: number;
  failed: number;
  dropped: number;
  held: number;
  inFlight: number;
  lastError?: string;
}

export interface Simulator {
  url: string;
  zakenApiRoot: string;
  catalogiApiRoot: string;
  zaaktypeUrl(key: string): string;
  roltypeUrl(zaaktypeKey: string, omschrijvingGeneriek?: 'initiator'): string;
  statustypeUrls(zaaktypeKey: string): string[];
  setFaults(f: Partial<Faults>): void;
  faults(): Faults;
  setNotifier(n: NotifierConfig | undefined): void;
  advance(zaakUrlOrUuid: string, opts?: { toelichting?: string; notify?: boolean }): Promise<Status>;
  setStatus(zaakUrlOrUuid: string, statustypeIndex: number, opts?: { datumStatusGezet?: string; toelichting?: string; notify?: boolean }): Promise<Status>;
  flushNotifications(): Promise<void>;
  /** Number of notifications delivered (2xx) so far; duplicates count twice. */
  readonly notificationsSent: number;
  notificationStats(): NotificationStats;
  zaken(): Zaak[];
  statussen(zaakUrl?: string): Status[];
  rollen(): Rol[];
  requests: RequestLogEntry[];
  deleteZaak(zaakUrl: string): void;
  close(): Promise<void>;
}
