// The bundled demo network: used when NETWORK_FILE is unset. Secrets here are public demo
// values; the log says so at start-up.
import type { NetworkDefinition, Organisation, PortalOrganisation, Product } from '../network/types.ts';

export const DEMO_SELF = { id: 'gemeente-voorbeeld', name: 'Gemeente Voorbeeld', oin: '00000001001234567000', rsin: '001234560' };

export const DEMO_CLIENTS: NetworkDefinition['clients'] = [
  { clientId: 'zac', name: 'Zaaksysteem Gemeente Voorbeeld', secret: 'demo-secret-zac-0123456789', role: 'supplier' },
  { clientId: 'beheer', name: 'Functioneel beheer', secret: 'demo-secret-beheer-0123456789', role: 'operator' },
  { clientId: 'portaal', name: 'MijnGemeente portaal', secret: 'demo-secret-portaal-0123456789', role: 'portal' },
  // An organisation that reads for companies that give it a mandate (the consumer API).
  {
    clientId: 'ondernemersportaal',
    name: 'Ondernemersportaal',
    secret: 'demo-secret-ondernemersportaal-0123',
    role: 'portal',
    organisation: { name: 'Ondernemersplein Voorbeeld', kvk: '87654321' },
  },
  // The builder without a case system: its partner API client (its people use the partner page /partner).
  {
    clientId: 'timmerman',
    name: 'Klusbedrijf Timmerman',
    secret: 'demo-secret-timmerman-0123456789',
    role: 'subcontractor',
    organisation: 'klusbedrijf-timmerman',
  },
];

/** A small builder without a case system (a portal organisation): its planner signs in at /partner with a mailed link. */
export const DEMO_PORTAL: PortalOrganisation = {
  id: 'klusbedrijf-timmerman',
  name: 'Klusbedrijf Timmerman',
  oin: '00000003055555512000',
  rsin: '055555512',
  status: 'active',
  agreement: { version: 'demo-2026', acceptedAt: '2026-01-10T09:00:00Z', acceptedBy: 'Demo' },
  portal: { contacts: [{ name: 'Planning Klusbedrijf Timmerman', email: 'planning@klusbedrijf-timmerman.example' }] },
  products: [
    {
      code: 'drempels',
      name: { nl: 'Drempels weghalen', en: 'Removing thresholds', sv: 'Ta bort trösklar', fi: 'Kynnysten poisto' },
      statuses: [
        { code: 'ingepland', name: { nl: 'Ingepland', en: 'Scheduled', sv: 'Inplanerat', fi: 'Aikataulutettu' }, phase: 'ontvangen' },
        { code: 'bezig', name: { nl: 'Bezig met de klus', en: 'Work in progress', sv: 'Arbetet pågår', fi: 'Työ käynnissä' }, phase: 'in_behandeling' },
        {
          code: 'klaar',
          name: { nl: 'Drempels weggehaald', en: 'Thresholds removed', sv: 'Trösklarna borttagna', fi: 'Kynnykset poistettu' },
          phase: 'afgerond',
          final: true,
        },
      ],
    },
  ],
};

/** Secrets the demo subcontractors use towards the gateway and the gateway towards them. */
export const DEMO_SECRETS = {
  outbound: 'demo-secret-outbound-0123456789',
  notify: {
    'hulpmiddelen-bv': 'demo-secret-notify-hulpmiddelen',
    'bouwbedrijf-de-steiger': 'demo-secret-notify-steiger',
    werkbedrijf: 'demo-secret-notify-werkbedrijf',
  },
} as const;

export interface DemoSubcontractor {
  id: 'hulpmiddelen-bv' | 'bouwbedrijf-de-steiger' | 'werkbedrijf';
  name: string;
  oin: string;
  rsin: string;
  zakenApiRoot: string;
  products: Product[];
}

export function demoNetwork(subcontractors: DemoSubcontractor[]): NetworkDefinition {
  return {
    self: DEMO_SELF,
    clients: DEMO_CLIENTS,
    organisations: [
      ...subcontractors.map(
        (s): Organisation => ({
          id: s.id,
          name: s.name,
          oin: s.oin,
          rsin: s.rsin,
          status: 'active',
          agreement: { version: 'demo-2026', acceptedAt: '2026-01-10T09:00:00Z', acceptedBy: 'Demo' },
          zaken: { apiRoot: s.zakenApiRoot, auth: { type: 'zgw-jwt', clientId: DEMO_SELF.id, secret: DEMO_SECRETS.outbound } },
          notifications: { mode: 'push', clientId: s.id, secret: DEMO_SECRETS.notify[s.id] },
          pollIntervalSeconds: 60,
          products: s.products,
        }),
      ),
      // An order with it is an assignment: nothing to simulate, the builder answers at /partner or by e-mail.
      DEMO_PORTAL,
    ],
  };
}
