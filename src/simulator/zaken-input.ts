// Validation of POST bodies for zaken, statussen and rollen against the simulator's own catalogue.
import type { Catalogue, CatalogueEntry } from './catalogi.ts';
import type { InvalidParam } from './http-util.ts';
import { dutchDate } from './store.ts';
import type { NewZaak, Store, ZaakRecord } from './store.ts';
import type { Rol } from './types.ts';
import { Checker, VERTROUWELIJKHEID } from './validation.ts';

type Body = Record<string, unknown>;
type Result<T> = { ok: T } | { errors: InvalidParam[] };

export interface InputContext {
  catalogue: Catalogue;
  store: Store;
  strictRsin: boolean;
}

// Clocks of client and simulator may differ slightly even on one host (rounding, separate processes).
const FUTURE_LEEWAY_MS = 5_000;

export function validateZaak(body: Body, ctx: InputContext): Result<NewZaak> {
  const c = new Checker(body);
  const identificatie = c.str('identificatie', { max: 40 });
  const bronorganisatie = c.rsin('bronorganisatie', ctx.strictRsin);
  const verantwoordelijkeOrganisatie = c.rsin('verantwoordelijkeOrganisatie', ctx.strictRsin);
  const zaaktype = c.url('zaaktype', true);
  if (zaaktype && !ctx.catalogue.zaaktypen.has(zaaktype)) c.fail('zaaktype', 'bad-url', `De URL ${zaaktype} is geen zaaktype van deze catalogus.`);
  const startdatum = c.date('startdatum', true);
  const registratiedatum = c.date('registratiedatum', false, false);
  if (registratiedatum && registratiedatum > dutchDate()) {
    c.fail('registratiedatum', 'date-in-future', 'Deze datum mag niet in de toekomst zijn');
  }
  const kenmerken = c.objectList('kenmerken')?.map((k, i) => {
    const kc = c.nested(`kenmerken.${i}`, k);
    return { kenmerk: kc.str('kenmerk', { required: true, max: 40 }) ?? '', bron: kc.str('bron', { required: true, max: 40 }) ?? '' };
  });
  const zaak: NewZaak = {
    identificatie: identificatie === '' ? undefined : identificatie,
    bronorganisatie: bronorganisatie ?? '',
    omschrijving: c.str('omschrijving', { max: 80 }),
    toelichting: c.str('toelichting', { max: 1000 }),
    zaaktype: zaaktype ?? '',
    registratiedatum,
    verantwoordelijkeOrganisatie: verantwoordelijkeOrganisatie ?? '',
    startdatum: startdatum ?? '',
    einddatumGepland: c.date('einddatumGepland'),
    uiterlijkeEinddatumAfdoening: c.date('uiterlijkeEinddatumAfdoening'),
    publicatiedatum: c.date('publicatiedatum'),
    vertrouwelijkheidaanduiding: c.choice('vertrouwelijkheidaanduiding', VERTROUWELIJKHEID),
    kenmerken,
    opdrachtgevendeOrganisatie: c.str('opdrachtgevendeOrganisatie', { max: 9 }),
  };
  if (c.errors.length === 0 && zaak.identificatie && ctx.store.identificatieTaken(zaak.bronorganisatie, zaak.identificatie)) {
    c.fail('identificatie', 'identificatie-niet-uniek', 'Deze identificatie bestaat al voor deze bronorganisatie');
  }
  return c.errors.length ? { errors: c.errors } : { ok: zaak };
}

/** Resolves a zaak reference; reports `does_not_exist` like DRF's hyperlinked fields. */
function zaakRef(c: Checker, ctx: InputContext): ZaakRecord | undefined {
  const url = c.url('zaak', true);
  if (url === undefined) return undefined;
  const zaak = ctx.store.findZaak(url);
  if (!zaak || zaak.url !== url) return c.fail('zaak', 'does_not_exist', 'Ongeldige hyperlink - Object bestaat niet.');
  return zaak;
}

function sameZaaktype(c: Checker, zaak: ZaakRecord | undefined, entry: CatalogueEntry | undefined): void {
  if (zaak && entry && zaak.zaaktype !== entry.zaaktype.url) {
    c.fail('nonFieldErrors', 'zaaktype-mismatch', 'De referentie hoort niet bij het zaaktype van de zaak.');
  }
}

export interface NewStatus {
  zaak: ZaakRecord;
  statustype: string;
  time: number;
  statustoelichting?: string;
  gezetdoor?: string;
}

export function validateStatus(body: Body, ctx: InputContext): Result<NewStatus> {
  const c = new Checker(body);
  const zaak = zaakRef(c, ctx);
  const statustype = c.url('statustype', true);
  const known = statustype ? ctx.catalogue.statustypen.get(statustype) : undefined;
  if (statustype && !known) c.fail('statustype', 'bad-url', `De URL ${statustype} is geen statustype van deze catalogus.`);
  const time = c.dateTime('datumStatusGezet', true);
  if (time !== undefined && time > Date.now() + FUTURE_LEEWAY_MS) {
    c.fail('datumStatusGezet', 'date-in-future', 'Deze datum mag niet in de toekomst zijn');
  }
  const statustoelichting = c.str('statustoelichting', { max: 1000 });
  const gezetdoor = c.url('gezetdoor');
  sameZaaktype(c, zaak, known?.entry);
  if (c.errors.length || !zaak || !statustype || time === undefined) return { errors: c.errors };
  return { ok: { zaak, statustype, time, statustoelichting, gezetdoor: gezetdoor || undefined } };
}

const BETROKKENE_TYPES = ['natuurlijk_persoon', 'niet_natuurlijk_persoon', 'vestiging', 'organisatorische_eenheid', 'medewerker'] as const;

const NATUURLIJK_PERSOON_DEFAULTS = {
  // inpA_nummer has a pattern that '' fails, so it only appears when given.
  inpBsn: '',
  anpIdentificatie: '',
  geslachtsnaam: '',
  voorvoegselGeslachtsnaam: '',
  voorletters: '',
  voornamen: '',
  geslachtsaanduiding: '',
  geboortedatum: '',
  verblijfsadres: null,
  subVerblijfBuitenland: null,
};

export type NewRol = Omit<Rol, 'url' | 'uuid' | 'registratiedatum' | 'statussen'>;

export function validateRol(body: Body, ctx: InputContext): Result<NewRol> {
  const c = new Checker(body);
  const zaak = zaakRef(c, ctx);
  const betrokkene = c.url('betrokkene');
  const betrokkeneType = c.choice('betrokkeneType', BETROKKENE_TYPES, true);
  const roltype = c.url('roltype', true);
  const entry = roltype ? ctx.catalogue.roltypen.get(roltype) : undefined;
  if (roltype && !entry) c.fail('roltype', 'bad-url', `De URL ${roltype} is geen roltype van deze catalogus.`);
  sameZaaktype(c, zaak, entry);
  const roltoelichting = c.str('roltoelichting', { required: true, max: 1000 });
  const afwijkendeNaamBetrokkene = c.str('afwijkendeNaamBetrokkene', { max: 625 }) ?? '';
  const indicatieMachtiging = c.choice('indicatieMachtiging', ['', 'gemachtigde', 'machtiginggever']) ?? '';
  const identificatie = c.object('betrokkeneIdentificatie');
  if (identificatie && betrokkeneType === 'natuurlijk_persoon') {
    const ic = c.nested('betrokkeneIdentificatie', identificatie);
    const bsn = ic.str('inpBsn', { max: 9 });
    if (bsn && !/^\d{9}$/.test(bsn)) ic.fail('inpBsn', 'invalid-length', 'Waarde moet 9 tekens lang zijn');
  }
  if (!betrokkene && !identificatie) {
    c.fail('nonFieldErrors', 'invalid-betrokkene', 'betrokkene of betrokkeneIdentificatie moet opgegeven worden.');
  }
  if (c.errors.length || !zaak || !entry || !betrokkeneType || roltoelichting === undefined) return { errors: c.errors };
  return {
    ok: {
      zaak: zaak.url,
      ...(betrokkene ? { betrokkene } : {}),
      betrokkeneType,
      afwijkendeNaamBetrokkene,
      roltype: entry.roltype.url,
      omschrijving: entry.roltype.omschrijving,
      omschrijvingGeneriek: entry.roltype.omschrijvingGeneriek,
      roltoelichting,
      indicatieMachtiging,
      contactpersoonRol: null,
      betrokkeneIdentificatie: identificatie
        ? betrokkeneType === 'natuurlijk_persoon'
          ? { ...NATUURLIJK_PERSOON_DEFAULTS, ...identificatie }
          : identificatie
        : null,
    },
  };
}
