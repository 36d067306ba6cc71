// Table types for Kysely. Keep in step with db/migrations.
import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { CombinedStatus } from '../src/cases/combined-status.ts';
import type { NotificatiesApi, Organisation } from '../src/network/types.ts';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T = unknown> = ColumnType<T, T, T>;

/** A web session's data, encrypted (AES-GCM) with a key derived from the session token. */
export interface SealedData {
  v: 1;
  iv: string;
  ct: string;
  tag: string;
}

export interface OrganisationsTable {
  id: string;
  name: string;
  status: 'pending' | 'active' | 'suspended';
  /** The organisation as the trust network defines it (contracts/network.schema.json). */
  config: Json<Organisation>;
  source: 'file' | 'api';
  source_hash: string | null;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface OrganisationChangesTable {
  id: Generated<number>;
  organisation_id: string;
  action: string;
  actor: string;
  at: Timestamp;
  changes: Json<Record<string, unknown>>;
}

export interface JobsTable {
  id: Generated<number>;
  kind: string;
  payload: Json<Record<string, unknown>>;
  state: ColumnType<'queued' | 'running' | 'dead', 'queued' | 'running' | 'dead' | undefined>;
  run_at: Timestamp;
  attempts: Generated<number>;
  max_attempts: Generated<number>;
  lease_until: Date | null;
  locked_by: string | null;
  dedupe_key: string | null;
  group_key: string | null;
  errors: ColumnType<JobError[], JobError[] | undefined, JobError[]>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface NrcSubscriptionsTable {
  organisation_id: string;
  state: 'pending' | 'active' | 'failed' | 'removed';
  /** The Authorization value the NRC sends us: a secret, never shown or logged. */
  auth: string;
  /** The Notificaties API the abonnement was made at (its root and credentials then). */
  nrc: Json<NotificatiesApi | null>;
  abonnement_url: string | null;
  callback_url: string | null;
  filters: Json<Record<string, unknown> | null>;
  last_checked_at: Date | null;
  last_error: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type MailState = 'queued' | 'sent' | 'dead' | 'unconfigured';

/** One e-mail in the outbox (src/mail): written with the change it is about, sent by a `mail.send` job. */
export interface MailOutboxTable {
  id: string;
  /** What the mail is about, e.g. 'partner.assignment'. */
  kind: string;
  recipients: Json<string[]>;
  subject: string;
  text: string;
  html: string | null;
  /** Extra headers: Reply-To, List-Unsubscribe, List-Unsubscribe-Post, In-Reply-To, References. */
  headers: Json<Record<string, string>>;
  state: ColumnType<MailState, MailState | undefined, MailState>;
  /** The Message-ID the SMTP server accepted (derived from the id: a resend is the same message). */
  message_id: string | null;
  attempts: Generated<number>;
  last_error: string | null;
  created_at: Timestamp;
  sent_at: Date | null;
}

export interface JobError {
  at: string;
  attempt: number;
  error: string;
}

export interface CasesTable {
  id: string;
  reference: string;
  title: string;
  citizen_bsn: string | null;
  citizen_kvk: string | null;
  citizen_vestiging: Generated<string | null>;
  confidentiality: string;
  product: string | null;
  planned_end_date: string | null;
  deadline: string | null;
  phase: string;
  phase_text: string | null;
  closed_at: Date | null;
  combined_status: Json<CombinedStatus>;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface OrdersTable {
  id: string;
  case_id: string;
  subcontractor: string;
  product: string;
  description: string | null;
  share_citizen: Generated<boolean>;
  state: 'placing' | 'placed' | 'failed';
  failure: Json<Record<string, unknown> | null>;
  planned_identificatie: string;
  remote_zaak_url: string | null;
  remote_identificatie: string | null;
  status: Json<Record<string, unknown> | null>;
  sync_state: ColumnType<string, string | undefined, string>;
  sync_error: string | null;
  last_synced_at: Date | null;
  last_sync_attempt_at: Date | null;
  last_notification_at: Date | null;
  next_poll_at: Date | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  // Also finished_at (generated from status) and phase_seconds (kept by triggers for finished orders):
  // written by the database only and read in SQL by src/staff/repository.ts, so not typed here.
}

export interface TimelineEntriesTable {
  id: Generated<number>;
  case_id: string;
  order_id: string | null;
  at: Timestamp;
  organisation_id: string;
  kind: string;
  phase: string | null;
  text: string | null;
  refs: ColumnType<unknown[], unknown[] | undefined, unknown[]>;
  citizen_visible: Generated<boolean>;
  dedupe_key: string | null;
  /** The writing transaction (consumer feed order); set by the database. */
  tx: Generated<string>;
  created_at: Timestamp;
}

/** An order placed with a portal organisation (src/partner); `reply_token` names it in reply addresses. */
export interface AssignmentsTable {
  order_id: string;
  organisation_id: string;
  reply_token: string;
  closed_at: Date | null;
  created_at: Timestamp;
}

/** A message about an order between the supplier and the subcontractor (also a timeline entry of kind 'message'). */
export interface OrderMessagesTable {
  id: Generated<number>;
  order_id: string;
  case_id: string;
  /** The writer's organisation (the gateway's own id for the supplier's). */
  organisation_id: string;
  direction: 'to-subcontractor' | 'from-subcontractor';
  channel: 'api' | 'mail' | 'portal';
  /** The API client, or the contact's address a mailed reply came from. */
  author: string;
  text: string;
  citizen_visible: Generated<boolean>;
  /** The names of a mailed reply's attachments (the files are not kept). */
  attachments: ColumnType<string[], string[] | undefined, string[]>;
  created_at: Timestamp;
}

export interface IdempotencyKeysTable {
  client_id: string;
  key: string;
  request_hash: string;
  response_status: number | null;
  response_body: Json<unknown>;
  created_at: Timestamp;
}

export interface CaseEventsTable {
  id: Generated<number>;
  type: string;
  case_id: string;
  payload: Json<Record<string, unknown>>;
  dedupe_key: string | null;
  /** The writing transaction (consumer feed order); set by the database. */
  tx: Generated<string>;
  created_at: Timestamp;
}

export interface InboxTable {
  id: Generated<number>;
  organisation_id: string;
  kanaal: string;
  resource_url: string;
  actie: string;
  aanmaakdatum: string;
  order_id: string;
  state: ColumnType<'pending' | 'synced' | 'dead', 'pending' | 'synced' | 'dead' | undefined>;
  received_at: Timestamp;
  processed_at: Date | null;
}

export interface OrganisationHealthTable {
  organisation_id: string;
  consecutive_failures: Generated<number>;
  last_error: string | null;
  last_failure_at: Date | null;
  last_success_at: Date | null;
}

export interface AccessLogTable {
  id: Generated<number>;
  at: Timestamp;
  actor_role: 'citizen' | 'proxy' | 'supplier' | 'operator' | 'representative' | 'organisation-proxy' | 'subcontractor' | 'kcc' | 'caseworker';
  actor: string;
  mandate_id: string | null;
  organisation: string | null;
  purpose: string;
  case_id: string;
  subject_bsn: string | null;
  subject_kvk: string | null;
  request_id: string | null;
  trace_id: string | null;
}

export interface MandatesTable {
  id: string;
  grantor_bsn: string | null;
  grantor_kvk: string | null;
  proxy_bsn: string | null;
  proxy_oin: string | null;
  proxy_kvk: string | null;
  proxy_name: string | null;
  case_id: string | null;
  valid_from: Timestamp;
  valid_until: Timestamp;
  revoked_at: Date | null;
  created_at: Timestamp;
}

/** A customer's own named overview of cases (src/citizen/groups.ts): a person's (BSN) or a company's (KvK). */
export interface CaseGroupsTable {
  id: string;
  owner_bsn: string | null;
  owner_kvk: string | null;
  name: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CaseGroupCasesTable {
  group_id: string;
  case_id: string;
  /** The case's place in the group (as the customer ordered them). */
  position: number;
}

/** A contact-centre (KCC) lookup of one customer (src/staff): readable again by the same member until `expires_at`. */
export interface KccLookupsTable {
  id: string;
  staff_sub: string;
  staff_name: string;
  subject_bsn: string | null;
  subject_kvk: string | null;
  purpose: string;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface WebSessionsTable {
  id_hash: string;
  kind: 'login' | 'citizen' | 'operator' | 'staff-login' | 'staff' | 'partner-login' | 'partner';
  data: Json<SealedData>;
  csrf: string;
  created_at: Timestamp;
  expires_at: Timestamp;
}

/** A one-time sign-in link of the partner page (src/web/partner-login.ts): only its token's hash. */
export interface PartnerLoginLinksTable {
  token_hash: string;
  address_hash: string;
  /** The registered contact's address; null for a request from an address that is no contact (never sent). */
  email: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Date | null;
}

/** An invitation to join (src/onboarding): only its token's hash; the signer's e-mail confirmation. */
export interface OnboardingInvitationsTable {
  id: string;
  organisation_id: string;
  token_hash: string;
  name: string;
  email: string;
  created_by: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  /** The member became active: the invitation is used up. */
  completed_at: Date | null;
  signer: Json<{ name: string; email: string; role: string }> | null;
  signer_code_hash: string | null;
  signer_code_expires_at: Date | null;
  signer_code_tries: Generated<number>;
  signer_confirmed_at: Date | null;
  /** The signer's codes sent: the last, and how many in the hour from window_start (the rate limit). */
  signer_code_sent_at: Date | null;
  signer_code_window_start: Date | null;
  signer_code_sends: Generated<number>;
  /** join: a pending member's whole journey; reaccept: an active or suspended member re-accepts the agreement only. */
  purpose: Generated<'join' | 'reaccept'>;
}

export interface ConnectionTestStep {
  step: 'zaken-api' | 'zaaktypen' | 'notification';
  verdict: 'passed' | 'failed' | 'skipped';
  reason: string;
}

/** A joining member's connection test and each step's verdict (src/onboarding). */
export interface OnboardingConnectionTestsTable {
  id: string;
  organisation_id: string;
  started_at: Timestamp;
  finished_at: Date | null;
  passed: boolean | null;
  steps: ColumnType<ConnectionTestStep[], ConnectionTestStep[] | undefined, ConnectionTestStep[]>;
  notification_at: Date | null;
  /** The digest of the connection the test ran against: it counts only while that is still the connection. */
  connection_digest: string | null;
}

export interface SubscriptionsTable {
  id: string;
  client_id: string;
  callback_url: string;
  events: Json<string[]>;
  format: 'zgw' | 'cloudevents';
  filters: ColumnType<SubscriptionFilters, SubscriptionFilters | undefined, SubscriptionFilters>;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
  state: ColumnType<'active' | 'disabled', 'active' | 'disabled' | undefined>;
  disabled_reason: string | null;
  disabled_at: Date | null;
  consecutive_failures: Generated<number>;
  failing_since: Date | null;
  last_success_at: Date | null;
  last_failure_at: Date | null;
  last_error: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SubscriptionFilters {
  caseIds?: string[];
  phases?: string[];
}

export interface DeliveriesTable {
  id: Generated<number>;
  subscription_id: string;
  event_id: number;
  case_id: string;
  event_type: string;
  webhook_id: string;
  state: ColumnType<DeliveryState, DeliveryState | undefined>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  lease_until: Date | null;
  locked_by: string | null;
  last_status: number | null;
  last_error: string | null;
  delivered_at: Date | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type DeliveryState = 'waiting' | 'pending' | 'delivering' | 'delivered' | 'dead';

export interface DeliveryAttemptsTable {
  id: Generated<number>;
  delivery_id: number;
  attempt: number;
  at: Timestamp;
  duration_ms: number | null;
  status: number | null;
  error: string | null;
}

export interface NoticePreferencesTable {
  customer_kind: 'bsn' | 'kvk';
  /** The BSN or the KvK number. */
  customer_id: string;
  language: 'nl' | 'en' | 'sv' | 'fi';
  email: string | null;
  email_verified_at: Date | null;
  /** E.164, e.g. +31612345678. */
  phone: string | null;
  phone_verified_at: Date | null;
  email_on: Generated<boolean>;
  sms_on: Generated<boolean>;
  unsubscribe_token_hash: string | null;
  updated_at: Timestamp;
}

export interface NoticeVerificationCodesTable {
  customer_kind: 'bsn' | 'kvk';
  customer_id: string;
  channel: 'email' | 'sms';
  address: string;
  code_hash: string;
  tries_left: number;
  expires_at: Timestamp;
  sent_at: Timestamp;
  sends_window_start: Timestamp;
  sends_in_window: Generated<number>;
}

/** A `case.citizen-notice` waiting to be turned into messages (src/notices): written with its event. */
export interface NoticeOutboxTable {
  event_id: number;
  case_id: string;
  phase: string | null;
  created_at: Timestamp;
  planned_at: Date | null;
}

export type NoticeMessageState = 'pending' | 'sending' | 'sent' | 'dead' | 'cancelled';

/** One message to a customer (src/notices): a case notice (perhaps several folded) or a verification code. */
export interface NoticeMessagesTable {
  id: string;
  kind: 'verification-code' | 'case-notice';
  channel: 'email' | 'sms';
  /** The e-mail address or E.164 phone number. */
  recipient: string;
  language: string;
  params: Json<Record<string, string>>;
  unsubscribe_url: string | null;
  case_id: string | null;
  notices: Generated<number>;
  send_at: Timestamp;
  state: ColumnType<NoticeMessageState, NoticeMessageState | undefined, NoticeMessageState>;
  /** 'smtp' or 'notify', once sent (or refused). */
  transport: string | null;
  /** The mail outbox id (smtp) or the Notify notification id. */
  provider_id: string | null;
  attempts: Generated<number>;
  last_error: string | null;
  created_at: Timestamp;
  sent_at: Date | null;
}

/** Which message carried a notice on a channel: the key that keeps a notice from going twice. */
export interface NoticeMessageEventsTable {
  event_id: number;
  channel: 'email' | 'sms';
  message_id: string;
}

/** One version of the agreement members sign (src/agreements): immutable once posted. */
export interface AgreementsTable {
  version: string;
  seq: Generated<number>;
  summary: Json<{ nl: string; en: string }>;
  legal_text: Json<{ nl: string; en: string }>;
  terms: Json<Record<string, unknown>>;
  /** SHA-256 (hex) of the canonical JSON (RFC 8785) of { version, summary, legalText, terms }. */
  hash: string;
  reaccept_by: Date | null;
  published_by: string;
  published_at: Timestamp;
}

export interface AgreementAcceptancesTable {
  id: string;
  organisation_id: string;
  agreement_version: string;
  agreement_hash: string;
  method: 'electronic' | 'paper';
  signer: Json<{ name: string; email: string; role: string }>;
  paper: Json<{ recordedBy: string; signedAt: string; scanSha256: string } | null>;
  accepted_at: Timestamp;
  actor: string;
  /** The compact JWS (ES256) the gateway signed over the acceptance. */
  receipt: string;
  kid: string;
  recorded_at: Timestamp;
}

export interface ReceiptSigningKeysTable {
  kid: string;
  public_jwk: Json<Record<string, unknown>>;
  /** The private JWK sealed with a key derived from SESSION_SECRET; null for a configured key (RECEIPT_SIGNING_KEY). */
  private_key: Json<SealedData | null>;
  source: 'generated' | 'configured';
  created_at: Timestamp;
}

export interface DB {
  inbox: InboxTable;
  organisation_health: OrganisationHealthTable;
  organisations: OrganisationsTable;
  organisation_changes: OrganisationChangesTable;
  jobs: JobsTable;
  cases: CasesTable;
  orders: OrdersTable;
  timeline_entries: TimelineEntriesTable;
  assignments: AssignmentsTable;
  order_messages: OrderMessagesTable;
  idempotency_keys: IdempotencyKeysTable;
  case_events: CaseEventsTable;
  access_log: AccessLogTable;
  mandates: MandatesTable;
  case_groups: CaseGroupsTable;
  case_group_cases: CaseGroupCasesTable;
  web_sessions: WebSessionsTable;
  kcc_lookups: KccLookupsTable;
  partner_login_links: PartnerLoginLinksTable;
  onboarding_invitations: OnboardingInvitationsTable;
  onboarding_connection_tests: OnboardingConnectionTestsTable;
  subscriptions: SubscriptionsTable;
  deliveries: DeliveriesTable;
  delivery_attempts: DeliveryAttemptsTable;
  nrc_subscriptions: NrcSubscriptionsTable;
  mail_outbox: MailOutboxTable;
  agreements: AgreementsTable;
  agreement_acceptances: AgreementAcceptancesTable;
  receipt_signing_keys: ReceiptSigningKeysTable;
  notice_preferences: NoticePreferencesTable;
  notice_verification_codes: NoticeVerificationCodesTable;
  notice_outbox: NoticeOutboxTable;
  notice_messages: NoticeMessagesTable;
  notice_message_events: NoticeMessageEventsTable;
}

export type { JSONColumnType };
