// Catalogi API 1.3.3 resources (ZaakType, StatusType, RolType) built from the simulator's zaaktypen.
// UUIDs are derived from name + key so catalogue URLs stay stable across restarts on the same port.
import { createHash } from 'node:crypto';
import type { SimulatorZaakType, Vertrouwelijkheidaanduiding } from './types.ts';

export interface ZaakTypeResource {
  url: string;
  identificatie: string;
  omschrijving: string;
  omschrijvingGeneriek: string;
  vertrouwelijkheidaanduiding: Vertrouwelijkheidaanduiding;
  doel: string;
  aanleiding: string;
  toelichting: string;
  indicatieInternOfExtern: 'extern';
  handelingInitiator: string;
  onderwerp: string;
  handelingBehandelaar: string;
  doorlooptijd: string;
  servicenorm: null;
  opschortingEnAanhoudingMogelijk: boolean;
  verlengingMogelijk: boolean;
  verlengingstermijn: null;
  trefwoorden: string[];
  publicatieIndicatie: boolean;
  publicatietekst: string;
  verantwoordingsrelatie: string[];
  productenOfDiensten: string[];
  referentieproces: { naam: string };
  verantwoordelijke: string;
  zaakobjecttypen: string[];
  catalogus: string;
  statustypen: string[];
  resultaattypen: string[];
  resultaattypeOmschrijving: string[];
  eigenschappen: string[];
  informatieobjecttypen: string[];
  informatieobjecttypeOmschrijving: string[];
  roltypen: string[];
  besluittypen: string[];
  besluittypeOmschrijving: string[];
  deelzaaktypen: string[];
  deelzaaktypeIdentificaties: string[];
  gerelateerdeZaaktypen: unknown[];
  beginGeldigheid: string;
  eindeGeldigheid: null;
  beginObject: null;
  eindeObject: null;
  versiedatum: string;
  concept: boolean;
}

export interface StatusTypeResource {
  url: string;
  omschrijving: string;
  omschrijvingGeneriek: string;
  statustekst: string;
  zaaktype: string;
  zaaktypeIdentificatie: string;
  catalogus: string;
  volgnummer: number;
  isEindstatus: boolean;
  informeren: boolean;
  doorlooptijd: null;
  toelichting: null;
  checklistitemStatustype: unknown[];
  eigenschappen: string[];
  beginGeldigheid: null;
  eindeGeldigheid: null;
  beginObject: null;
  eindeObject: null;
}

export interface RolTypeResource {
  url: string;
  zaaktype: string;
  zaaktypeIdentificatie: string;
  omschrijving: string;
  omschrijvingGeneriek: 'initiator';
  catalogus: string;
  beginGeldigheid: null;
  eindeGeldigheid: null;
  beginObject: null;
  eindeObject: null;
}

export interface CatalogueEntry {
  key: string;
  zaaktype: ZaakTypeResource;
  statustypen: StatusTypeResource[];
  roltype: RolTypeResource;
}

export interface CatalogusResource {
  url: string;
  domein: string;
  rsin: string;
  contactpersoonBeheerNaam: string;
  zaaktypen: string[];
  besluittypen: string[];
  besluittypeOmschrijving: string[];
  informatieobjecttypen: string[];
  informatieobjecttypeOmschrijving: string[];
  naam: string;
  versie: null;
  begindatumVersie: null;
}

export interface Catalogue {
  catalogusUrl: string;
  catalogus: CatalogusResource;
  entries: CatalogueEntry[];
  byKey: Map<string, CatalogueEntry>;
  zaaktypen: Map<string, CatalogueEntry>; // by url
  statustypen: Map<string, { entry: CatalogueEntry; statustype: StatusTypeResource }>; // by url
  roltypen: Map<string, CatalogueEntry>; // by url
}

/** A UUID (version 4 layout) derived from the seed: stable, but looks like any other UUID. */
export function deterministicUuid(seed: string): string {
  const b = createHash('sha256').update(seed).digest().subarray(0, 16);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const VALID_FROM = '2024-01-01';

export function buildCatalogue(name: string, rsin: string, catalogiApiRoot: string, zaaktypen: SimulatorZaakType[]): Catalogue {
  const catalogusUrl = `${catalogiApiRoot}catalogussen/${deterministicUuid(`${name}|catalogus`)}`;
  const keys = new Set<string>();
  const entries = zaaktypen.map((zt): CatalogueEntry => {
    if (keys.has(zt.key)) throw new Error(`duplicate zaaktype key ${zt.key}`);
    keys.add(zt.key);
    if (zt.statustypen.length === 0) throw new Error(`zaaktype ${zt.key} needs at least one statustype`);
    const identificatie = zt.identificatie ?? zt.key.toUpperCase();
    const zaaktypeUrl = `${catalogiApiRoot}zaaktypen/${deterministicUuid(`${name}|zaaktype|${zt.key}`)}`;
    const statustypen = zt.statustypen.map(
      (st, i): StatusTypeResource => ({
        url: `${catalogiApiRoot}statustypen/${deterministicUuid(`${name}|statustype|${zt.key}|${i}`)}`,
        omschrijving: st.omschrijving,
        omschrijvingGeneriek: '',
        statustekst: st.statustekst ?? '',
        zaaktype: zaaktypeUrl,
        zaaktypeIdentificatie: identificatie,
        catalogus: catalogusUrl,
        volgnummer: i + 1,
        isEindstatus: i === zt.statustypen.length - 1,
        informeren: st.informeren ?? false,
        doorlooptijd: null,
        toelichting: null,
        checklistitemStatustype: [],
        eigenschappen: [],
        beginGeldigheid: null,
        eindeGeldigheid: null,
        beginObject: null,
        eindeObject: null,
      }),
    );
    const roltype: RolTypeResource = {
      url: `${catalogiApiRoot}roltypen/${deterministicUuid(`${name}|roltype|${zt.key}|initiator`)}`,
      zaaktype: zaaktypeUrl,
      zaaktypeIdentificatie: identificatie,
      omschrijving: 'Aanvrager',
      omschrijvingGeneriek: 'initiator',
      catalogus: catalogusUrl,
      beginGeldigheid: null,
      eindeGeldigheid: null,
      beginObject: null,
      eindeObject: null,
    };
    const zaaktype: ZaakTypeResource = {
      url: zaaktypeUrl,
      identificatie,
      omschrijving: zt.omschrijving,
      omschrijvingGeneriek: '',
      vertrouwelijkheidaanduiding: zt.vertrouwelijkheidaanduiding ?? 'zaakvertrouwelijk',
      doel: zt.omschrijving,
      aanleiding: `Opdracht van een gemeente aan ${name}`,
      toelichting: '',
      indicatieInternOfExtern: 'extern',
      handelingInitiator: 'aanvragen',
      onderwerp: zt.omschrijving.slice(0, 80),
      handelingBehandelaar: 'uitvoeren',
      doorlooptijd: 'P56D',
      servicenorm: null,
      opschortingEnAanhoudingMogelijk: false,
      verlengingMogelijk: false,
      verlengingstermijn: null,
      trefwoorden: [],
      publicatieIndicatie: false,
      publicatietekst: '',
      verantwoordingsrelatie: [],
      productenOfDiensten: [],
      referentieproces: { naam: zt.omschrijving.slice(0, 80) },
      verantwoordelijke: name.slice(0, 50),
      zaakobjecttypen: [],
      catalogus: catalogusUrl,
      statustypen: statustypen.map((s) => s.url),
      resultaattypen: [],
      resultaattypeOmschrijving: [],
      eigenschappen: [],
      informatieobjecttypen: [],
      informatieobjecttypeOmschrijving: [],
      roltypen: [roltype.url],
      besluittypen: [],
      besluittypeOmschrijving: [],
      deelzaaktypen: [],
      deelzaaktypeIdentificaties: [],
      gerelateerdeZaaktypen: [],
      beginGeldigheid: VALID_FROM,
      eindeGeldigheid: null,
      beginObject: null,
      eindeObject: null,
      versiedatum: VALID_FROM,
      concept: false,
    };
    return { key: zt.key, zaaktype, statustypen, roltype };
  });
  const catalogus: CatalogusResource = {
    url: catalogusUrl,
    // domein is at most 5 characters; the initials of the name are recognisable enough.
    domein:
      name
        .split(/\s+/)
        .map((w) => w[0] ?? '')
        .join('')
        .replace(/[^A-Za-z]/g, '')
        .toUpperCase()
        .slice(0, 5) || 'SIM',
    rsin,
    contactpersoonBeheerNaam: name.slice(0, 40),
    zaaktypen: entries.map((e) => e.zaaktype.url),
    besluittypen: [],
    besluittypeOmschrijving: [],
    informatieobjecttypen: [],
    informatieobjecttypeOmschrijving: [],
    naam: name.slice(0, 200),
    versie: null,
    begindatumVersie: null,
  };
  return {
    catalogusUrl,
    catalogus,
    entries,
    byKey: new Map(entries.map((e) => [e.key, e])),
    zaaktypen: new Map(entries.map((e) => [e.zaaktype.url, e])),
    statustypen: new Map(entries.flatMap((e) => e.statustypen.map((s) => [s.url, { entry: e, statustype: s }] as const))),
    roltypen: new Map(entries.map((e) => [e.roltype.url, e])),
  };
}
