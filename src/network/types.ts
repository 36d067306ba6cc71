import type { ClientOrganisation, Role } from '../http/context.ts';

export type SecretRef = string | { env: string } | { configured: true };
export type OrganisationStatus = 'pending' | 'active' | 'suspended';
export type Phase = 'ontvangen' | 'in_behandeling' | 'actie_vereist' | 'afgerond' | 'geannuleerd';

export interface Agreement {
  version: string;
  acceptedAt: string;
  acceptedBy: string;
}

/** A product of an organisation with a Zaken API: placed as a zaak of `zaaktype`. */
export interface Product {
  code: string;
  name: ProductName;
  zaaktype: string;
  initiatorRoltype?: string;
  phases?: Record<string, Phase>;
}

export interface ProductName {
  nl: string;
  en?: string;
  sv?: string;
  fi?: string;
}

/** A status a portal organisation reports for an assignment (it has no Catalogi API to name them). */
export interface PortalStatus {
  code: string;
  /** Dutch and English always; Swedish and Finnish where given (else the Dutch name is shown). */
  name: { nl: string; en: string; sv?: string; fi?: string };
  phase: Phase;
  /** Closes the assignment (the eindstatus). */
  final?: boolean;
}

/** A product of a portal organisation: the statuses it may report, in their order. */
export interface PortalProduct {
  code: string;
  name: ProductName;
  statuses: PortalStatus[];
}

export interface PortalContact {
  name: string;
  email: string;
  /** The language of the mail to this contact; Dutch when not given. */
  language?: 'nl' | 'en' | 'sv' | 'fi';
}

export type ZakenAuth =
  | { type: 'zgw-jwt'; clientId: string; secret: SecretRef }
  | { type: 'oauth2'; issuer: string; clientId: string; clientSecret: SecretRef; scope?: string };

export interface NotificatiesApi {
  apiRoot: string;
  auth: ZakenAuth;
}

interface OrganisationBase {
  id: string;
  name: string;
  oin: string;
  rsin: string;
  status: OrganisationStatus;
  agreement?: Agreement;
}

/** A subcontractor with its own ZGW Zaken API: orders become zaken there, statuses are re-queried. */
export interface ZakenOrganisation extends OrganisationBase {
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

/**
 * A subcontractor without a case system: its orders are assignments it picks up through the
 * partner API (src/partner), reporting its own statuses; nothing is ever called or polled.
 */
export interface PortalOrganisation extends OrganisationBase {
  portal: { contacts: PortalContact[] };
  products: PortalProduct[];
}

/**
 * An invited member that has not given its connection yet (src/onboarding): pending (or suspended),
 * never active, called, polled or notified from; it gives `zaken` (and push credentials) while joining.
 */
export interface UnconnectedOrganisation extends OrganisationBase {
  status: 'pending' | 'suspended';
  notifications: { mode: 'push' | 'poll' };
  products: Product[];
}

/** One of three kinds; reach `zaken` or `portal` only after hasZaken/isPortal. */
export type Organisation = ZakenOrganisation | PortalOrganisation | UnconnectedOrganisation;

export const isPortal = (org: Organisation): org is PortalOrganisation => 'portal' in org;
export const hasZaken = (org: Organisation): org is ZakenOrganisation => 'zaken' in org;
/** Invited, no connection yet: neither a Zaken API nor a portal. */
export const isUnconnected = (org: Organisation): org is UnconnectedOrganisation => !hasZaken(org) && !isPortal(org);

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

export function pollIntervalOf(org: { pollIntervalSeconds?: number; notifications: { mode: 'push' | 'poll' } }): number {
  return org.pollIntervalSeconds ?? DEFAULT_POLL_SECONDS[org.notifications.mode];
}
