// Demo catalogues of the two subcontractors in the demo chain. Data only, so the demo and the
// CLI share one source. The RSINs pass the 11-proef, as Open Zaak demands.
import type { SimulatorZaakType } from './types.ts';

export interface DemoSubcontractor {
  name: string;
  rsin: string;
  clientId: string;
  zaaktypen: SimulatorZaakType[];
}

export const demoCatalogues = {
  'hulpmiddelen-bv': [
    {
      key: 'traplift',
      identificatie: 'HMB-TRAPLIFT',
      omschrijving: 'Levering traplift',
      omschrijvingEn: 'Stairlift delivery',
      vertrouwelijkheidaanduiding: 'zaakvertrouwelijk',
      statustypen: [
        { omschrijving: 'Ontvangen', statustekst: 'Wij hebben de opdracht voor uw traplift ontvangen.', informeren: true },
        { omschrijving: 'In behandeling', statustekst: 'Wij zijn bezig met uw traplift.', informeren: false },
        {
          omschrijving: 'Aanvullende informatie nodig',
          statustekst: 'Wij hebben meer informatie van u nodig. Wij nemen contact met u op.',
          informeren: true,
        },
        { omschrijving: 'Geleverd', statustekst: 'Uw traplift is geleverd en geïnstalleerd.', informeren: true },
      ],
    },
    {
      key: 'scootmobiel',
      identificatie: 'HMB-SCOOTMOBIEL',
      omschrijving: 'Levering scootmobiel',
      omschrijvingEn: 'Mobility scooter delivery',
      vertrouwelijkheidaanduiding: 'zaakvertrouwelijk',
      statustypen: [
        { omschrijving: 'Ontvangen', statustekst: 'Wij hebben de opdracht voor uw scootmobiel ontvangen.', informeren: true },
        { omschrijving: 'Proefrit gepland', statustekst: 'Wij hebben een proefrit met u ingepland.', informeren: true },
        { omschrijving: 'In bestelling', statustekst: 'Uw scootmobiel is besteld.', informeren: false },
        { omschrijving: 'Geleverd', statustekst: 'Uw scootmobiel is geleverd.', informeren: true },
      ],
    },
  ],
  'bouwbedrijf-de-steiger': [
    {
      key: 'woningaanpassing',
      identificatie: 'BWB-WONINGAANPASSING',
      omschrijving: 'Woningaanpassing',
      omschrijvingEn: 'Home adaptation',
      vertrouwelijkheidaanduiding: 'zaakvertrouwelijk',
      statustypen: [
        { omschrijving: 'Ontvangen', statustekst: 'Wij hebben de opdracht voor uw woningaanpassing ontvangen.', informeren: true },
        { omschrijving: 'Opname gepland', statustekst: 'Wij komen bij u langs om de situatie op te nemen.', informeren: true },
        { omschrijving: 'Offerte opgesteld', statustekst: 'De offerte is opgesteld en ligt bij de gemeente.', informeren: false },
        { omschrijving: 'Werkzaamheden gestart', statustekst: 'De werkzaamheden in uw woning zijn gestart.', informeren: true },
        { omschrijving: 'Opgeleverd', statustekst: 'De aanpassing van uw woning is klaar.', informeren: true },
      ],
    },
    {
      key: 'drempelhulp',
      identificatie: 'BWB-DREMPELHULP',
      omschrijving: 'Plaatsen drempelhulpen',
      omschrijvingEn: 'Threshold ramps installation',
      vertrouwelijkheidaanduiding: 'zaakvertrouwelijk',
      statustypen: [
        { omschrijving: 'Ontvangen', statustekst: 'Wij hebben de opdracht ontvangen.', informeren: true },
        { omschrijving: 'Ingepland', statustekst: 'Wij hebben een datum met u afgesproken.', informeren: true },
        { omschrijving: 'Geplaatst', statustekst: 'De drempelhulpen zijn geplaatst.', informeren: true },
      ],
    },
  ],
  werkbedrijf: [
    {
      key: 'personeel-werven',
      identificatie: 'WBR-WERVING',
      omschrijving: 'Werving van personeel',
      omschrijvingEn: 'Staff recruitment',
      vertrouwelijkheidaanduiding: 'zaakvertrouwelijk',
      statustypen: [
        { omschrijving: 'Ontvangen', statustekst: 'Wij hebben uw vacature ontvangen.', informeren: true },
        { omschrijving: 'Vacature gepubliceerd', statustekst: 'Uw vacature staat op werk.nl.', informeren: true },
        { omschrijving: 'Kandidaten voorgesteld', statustekst: 'Wij hebben u kandidaten voorgesteld.', informeren: true },
        { omschrijving: 'Afgerond', statustekst: 'De werving is afgerond.', informeren: true },
      ],
    },
  ],
} satisfies Record<string, SimulatorZaakType[]>;

export type DemoCatalogueKey = keyof typeof demoCatalogues;

export const demoSubcontractors: Record<DemoCatalogueKey, DemoSubcontractor> = {
  'hulpmiddelen-bv': {
    name: 'Hulpmiddelen B.V.',
    rsin: '012345672',
    clientId: 'hulpmiddelen-bv',
    zaaktypen: demoCatalogues['hulpmiddelen-bv'],
  },
  'bouwbedrijf-de-steiger': {
    name: 'Bouwbedrijf De Steiger',
    rsin: '087654325',
    clientId: 'bouwbedrijf-de-steiger',
    zaaktypen: demoCatalogues['bouwbedrijf-de-steiger'],
  },
  werkbedrijf: {
    name: 'Werkbedrijf Regio Voorbeeld',
    rsin: '066666612',
    clientId: 'werkbedrijf',
    zaaktypen: demoCatalogues.werkbedrijf,
  },
};
