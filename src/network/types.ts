import type { ClientOrganisation, Role } from '../http/context.ts';

export type SecretRef = string | { env: string } | { configured: true };
export type OrganisationStatus = 'pending' | 'active' | 'suspended';
export type Phase = 'ontvangen' | 'in_behandeling' | 'actie_vereist' | 'afgerond' | 'geannuleerd';

export interface Agreement {
  version: string;
  acceptedAt: string;
  acceptedBy: string;
}

export interface Product {
  code: string;
  name: { nl: string; en?: string; sv?: string; fi?: string };
  zaaktype: string;
  initiatorRoltype?: string;
  phases?: Record<string, Phase>;
}

export type ZakenAuth =
  | { type: 'zgw-jwt'; clientId: string; secret: SecretRef }
  | { type: 'oauth2'; issuer: string; clientId: string; clientSecret: SecretRef; scope?: string };

export interface NotificatiesApi {
  apiRoot: string;
  auth: ZakenAuth;
}

export interface Organisation {
  id: string;
  name: string;
  oin: string;
  rsin: string;
  status: OrganisationStatus;
  agreement?: Agreement;
  zaken: {
    apiRoot: string;
    /** Where Catalogi lives when not on the Zaken origin; outbound calls may go to both origins. */
    catalogiApiRoot?: string;
    auth: ZakenAuth;
    tls?: { cert?: string; key?: SecretRef; ca?: string };
  };
  notifications: {
    mode: 'push' | 'poll';
    clientId?: string;
    secret?: SecretRef;
    authorization?: SecretRef;
    /** The organisation's Notificaties API: the gateway keeps its own abonnement there (src/subscriptions). */
    nrc?: NotificatiesApi;
  };
  pollIntervalSeconds?: number;
  maxConcurrency?: number;
  products: Product[];
}

export interface SelfOrganisation {
  id: string;
  name: string;
  oin: string;
  rsin: string;
}

export interface Client {
  clientId: string;
  name?: string;
  secret: SecretRef;
  role: Role;
  /** portal: the organisation it reads for; subcontractor: its organisation's id (the schema ties the shape to the role). */
  organisation?: ClientOrganisation | string;
}

export interface NetworkDefinition {
  self: SelfOrganisation;
  clients: Client[];
  organisations: Organisation[];
}

export const DEFAULT_POLL_SECONDS = { push: 3600, poll: 300 } as const;

export function pollIntervalOf(org: Organisation): number {
  return org.pollIntervalSeconds ?? DEFAULT_POLL_SECONDS[org.notifications.mode];
}
