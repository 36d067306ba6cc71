// Agreement versions (immutable, public), acceptances of them (electronic by the signer, or paper
// recorded by an operator) and the receipts the gateway signs for them. An acceptance is one
// transaction: its row, the organisation's `agreement` and a change record (network.recordAgreement).
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { type Database, type Trx, withTransaction } from '../db/database.ts';
import { json } from '../db/json.ts';
import { ServiceError, notFound } from '../lib/service-error.ts';
import { findOrganisationForUpdate } from '../network/repository.ts';
import type { NetworkService } from '../network/service.ts';
import type { Agreement, Organisation } from '../network/types.ts';
import { canonicalJson } from './canonical-json.ts';
import {
  type AcceptanceRow,
  type AgreementRow,
  findAgreement,
  findCurrentAgreement,
  findLatestAcceptance,
  insertAcceptance,
  insertAgreement,
  listAcceptances,
  listAgreements,
} from './repository.ts';
import { type AgreementCreate, sha256Hex, signerSchema, versionSchema } from './schemas.ts';
import type { ReceiptKeys } from './signing-key.ts';

export interface AgreementView {
  version: string;
  hash: string;
  summary: { nl: string; en: string };
  legalText: { nl: string; en: string };
  terms: Record<string, unknown>;
  reacceptBy: string | null;
  publishedAt: string;
  current: boolean;
}

export interface Signer {
  name: string;
  email: string;
  role: string;
}

export interface PaperRecord {
  recordedBy: string;
  signedAt: string;
  scanSha256: string;
}

export interface AcceptanceView {
  id: string;
  organisation: string;
  agreementVersion: string;
  agreementHash: string;
  method: 'electronic' | 'paper';
  signer: Signer;
  acceptedAt: string;
  recordedAt: string;
  actor: string;
  paper: PaperRecord | null;
  receipt: string;
  kid: string;
}

/** Where a member stands with the current agreement (GET /api/v1/organisations, the dashboard). */
export interface AgreementState {
  /** The current (latest posted) version; null while none was posted through the API. */
  current: string | null;
  /** The version the organisation accepted last; null when none. */
  accepted: string | null;
  /** True when accepted is current, or no version was posted. */
  upToDate: boolean;
  /** The current version's deadline for re-accepting, when it has one and this member must re-accept. */
  reacceptBy?: string;
  /** Past reacceptBy and not re-accepted: the operator may suspend (nothing suspends by itself). */
  overdue: boolean;
}

export interface AcceptInput {
  organisationId: string;
  signer: Signer;
  agreementVersion: string;
  agreementHash: string;
  method: 'electronic' | 'paper';
  actor: string;
  paper?: PaperRecord;
}

export interface AgreementServiceDeps {
  database: Database;
  network: NetworkService;
  keys: ReceiptKeys;
  /** The receipts' `iss`: PUBLIC_BASE_URL (its /.well-known/jwks.json verifies them). */
  issuer: string;
  now?: () => Date;
}

const acceptInputSchema = z.object({
  organisationId: z.string().min(1).max(63),
  signer: signerSchema,
  agreementVersion: versionSchema,
  agreementHash: sha256Hex,
  method: z.enum(['electronic', 'paper']),
  actor: z.string().min(1).max(200),
  paper: z.strictObject({ recordedBy: z.string().min(1).max(200), signedAt: z.iso.datetime({ offset: true }), scanSha256: sha256Hex }).optional(),
});

/** SHA-256 (hex) of the RFC 8785 canonical JSON of what a member signs: version, summary, legal text, terms. */
export function agreementHash(agreement: Pick<AgreementCreate, 'version' | 'summary' | 'legalText' | 'terms'>): string {
  const { version, summary, legalText, terms } = agreement;
  return createHash('sha256').update(canonicalJson({ version, summary, legalText, terms }), 'utf8').digest('hex');
}

export class AgreementService {
  private readonly deps: AgreementServiceDeps;
  private readonly now: () => Date;

  constructor(deps: AgreementServiceDeps) {
    this.deps = deps;
    this.now = deps.now ?? (() => new Date());
  }

  /** Posts a new version; it becomes the current one. A version that exists is a conflict, whatever its content. */
  async publish(input: AgreementCreate, actor: string): Promise<AgreementView> {
    const hash = agreementHash(input);
    const inserted = await insertAgreement(this.deps.database.db, {
      version: input.version,
      summary: json(input.summary),
      legal_text: json(input.legalText),
      terms: json(input.terms),
      hash,
      reaccept_by: input.reacceptBy ? new Date(input.reacceptBy) : null,
      published_by: actor,
    });
    if (!inserted) throw new ServiceError('conflict', `Agreement version ${input.version} exists; a version is never changed: post a new version.`);
    // As stored, without reading it back: posted last, it is the current one.
    return agreementView(inserted, inserted.version);
  }

  async get(version: string): Promise<AgreementView> {
    const [row, current] = await Promise.all([findAgreement(this.deps.database.db, version), findCurrentAgreement(this.deps.database.db)]);
    if (!row) throw notFound(`agreement version ${version}`);
    return agreementView(row, current?.version);
  }

  /** Newest first; the first of page 1 is the current one. */
  async list(limit: number, offset: number): Promise<{ results: AgreementView[]; total: number }> {
    const [{ rows, total }, current] = await Promise.all([listAgreements(this.deps.database.db, limit, offset), findCurrentAgreement(this.deps.database.db)]);
    return { results: rows.map((r) => agreementView(r, current?.version)), total };
  }

  /** The agreement a joining or re-accepting member signs now; undefined while none was posted. */
  async currentAgreement(): Promise<AgreementView | undefined> {
    const row = await findCurrentAgreement(this.deps.database.db);
    return row ? agreementView(row, row.version) : undefined;
  }

  /**
   * Records an acceptance of the current version and answers with its receipt (a compact JWS, ES256).
   * When the organisation's last acceptance is already of this version and hash, that one is the
   * answer (the same receipt): a double submit records no second acceptance. `within` runs in the
   * acceptance's transaction, in either case (src/onboarding: a re-acceptance's invitation is used up with it).
   */
  async accept(input: AcceptInput, within?: (trx: Trx) => Promise<void>): Promise<{ receipt?: string; acceptance: AcceptanceView }> {
    const parsed = acceptInputSchema.safeParse(input);
    if (!parsed.success) {
      throw new ServiceError('invalid', 'The acceptance is not valid.', {
        invalidParams: parsed.error.issues.map((i) => ({ name: i.path.map(String).join('.') || 'acceptance', code: i.code, reason: i.message })),
      });
    }
    const { organisationId, signer, agreementVersion, agreementHash: hash, method, actor, paper } = parsed.data;
    if ((method === 'paper') !== (paper !== undefined)) {
      throw new ServiceError('invalid', 'A paper acceptance names who recorded it, when it was signed and the scan; an electronic one does not.', {
        invalidParams: [{ name: 'paper', code: method === 'paper' ? 'required' : 'not_allowed', reason: `method ${method}` }],
      });
    }
    const now = this.now();
    if (paper && new Date(paper.signedAt).getTime() > now.getTime() + 5 * 60_000) {
      throw new ServiceError('unprocessable', 'A paper acceptance cannot be signed in the future.', {
        invalidParams: [{ name: 'signedAt', code: 'future', reason: 'the date the paper was signed, not later than now' }],
      });
    }
    // The organisation's row is locked first: a double submit (or a signer and an operator at
    // once) waits here, then finds the first acceptance and answers with it rather than a second.
    const outcome = await withTransaction(this.deps.database.db, async (trx) => {
      const locked = await findOrganisationForUpdate(trx, organisationId);
      if (!locked) throw notFound(`organisation ${organisationId}`);
      const organisation = locked.config;
      const current = await findCurrentAgreement(trx);
      if (!current) throw new ServiceError('conflict', 'No agreement version has been published yet.');
      if (agreementVersion !== current.version || hash !== current.hash) {
        throw new ServiceError('conflict', `Only the current agreement can be accepted: version ${current.version} with hash ${current.hash}.`, {
          invalidParams: [
            ...(agreementVersion !== current.version
              ? [{ name: 'agreementVersion', code: 'not-current', reason: `the current version is ${current.version}` }]
              : []),
            ...(hash !== current.hash ? [{ name: 'agreementHash', code: 'mismatch', reason: `the current version's hash is ${current.hash}` }] : []),
          ],
        });
      }
      const last = await findLatestAcceptance(trx, organisationId);
      if (last && organisation.agreement?.version === agreementVersion && last.agreement_version === agreementVersion && last.agreement_hash === hash) {
        await within?.(trx);
        return { row: last, created: false };
      }
      const id = randomUUID();
      const acceptedAt = (paper ? new Date(paper.signedAt) : now).toISOString();
      const { jws: receipt, kid } = await this.deps.keys.sign({
        iss: this.deps.issuer,
        iat: Math.floor(now.getTime() / 1000),
        jti: id,
        organisation: { id: organisation.id, name: organisation.name, oin: organisation.oin },
        agreementVersion,
        agreementHash: hash,
        signer,
        acceptedAt,
        method,
        ...(paper ? { paper } : {}),
      });
      const agreement: Agreement = { version: agreementVersion, acceptedAt, acceptedBy: signer.name };
      await insertAcceptance(trx, {
        id,
        organisation_id: organisationId,
        agreement_version: agreementVersion,
        agreement_hash: hash,
        method,
        signer: json(signer),
        paper: json(paper ?? null),
        accepted_at: acceptedAt,
        actor,
        receipt,
        kid,
        recorded_at: now,
      });
      await this.deps.network.recordAgreement(trx, organisationId, agreement, actor, { acceptance: id, method, agreementHash: hash, receipt });
      await within?.(trx);
      const row: AcceptanceRow = {
        id,
        organisation_id: organisationId,
        agreement_version: agreementVersion,
        agreement_hash: hash,
        method,
        signer,
        paper: paper ?? null,
        accepted_at: new Date(acceptedAt),
        actor,
        receipt,
        kid,
        recorded_at: now,
      };
      return { row, created: true };
    });
    if (outcome.created) await this.deps.network.refresh();
    return { receipt: outcome.row.receipt, acceptance: acceptanceView(outcome.row) };
  }

  /** The public keys receipts are verified with (GET /.well-known/jwks.json). */
  jwks() {
    return this.deps.keys.jwks();
  }

  async acceptances(organisationId: string, limit: number, offset: number): Promise<{ results: AcceptanceView[]; total: number }> {
    await this.organisation(organisationId);
    const { rows, total } = await listAcceptances(this.deps.database.db, organisationId, limit, offset);
    return { results: rows.map(acceptanceView), total };
  }

  /** Where the organisation stands: its accepted version against the current one. */
  async acceptanceState(organisationId: string): Promise<AgreementState & { agreement: Agreement | null; currentHash: string | null }> {
    const organisation = await this.organisation(organisationId);
    const current = await findCurrentAgreement(this.deps.database.db);
    return { ...stateOf(organisation, current, this.now()), agreement: organisation.agreement ?? null, currentHash: current?.hash ?? null };
  }

  /** One read of the current version, then the state of any number of organisations (lists). */
  async states(): Promise<(organisation: Organisation) => AgreementState> {
    const current = await findCurrentAgreement(this.deps.database.db);
    const now = this.now();
    return (organisation) => stateOf(organisation, current, now);
  }

  private async organisation(id: string): Promise<Organisation> {
    // The in-memory network may lag a write by another process by a moment: ask the database then.
    const known = this.deps.network.get(id);
    if (known) return known;
    await this.deps.network.refresh();
    const organisation = this.deps.network.get(id);
    if (!organisation) throw notFound(`organisation ${id}`);
    return organisation;
  }
}

function stateOf(organisation: Organisation, current: AgreementRow | undefined, now: Date): AgreementState {
  const accepted = organisation.agreement?.version ?? null;
  if (!current) return { current: null, accepted, upToDate: true, overdue: false };
  const upToDate = accepted === current.version;
  // A deadline concerns re-accepting: a member that accepted an older version.
  const deadline = !upToDate && accepted !== null && current.reaccept_by ? new Date(current.reaccept_by) : undefined;
  return {
    current: current.version,
    accepted,
    upToDate,
    ...(deadline ? { reacceptBy: deadline.toISOString() } : {}),
    overdue: deadline !== undefined && now.getTime() > deadline.getTime(),
  };
}

function agreementView(row: AgreementRow, currentVersion: string | undefined): AgreementView {
  return {
    version: row.version,
    hash: row.hash,
    summary: row.summary,
    legalText: row.legal_text,
    terms: row.terms,
    reacceptBy: row.reaccept_by ? new Date(row.reaccept_by).toISOString() : null,
    publishedAt: new Date(row.published_at).toISOString(),
    current: row.version === currentVersion,
  };
}

function acceptanceView(row: AcceptanceRow): AcceptanceView {
  return {
    id: row.id,
    organisation: row.organisation_id,
    agreementVersion: row.agreement_version,
    agreementHash: row.agreement_hash,
    method: row.method,
    signer: row.signer,
    acceptedAt: new Date(row.accepted_at).toISOString(),
    recordedAt: new Date(row.recorded_at).toISOString(),
    actor: row.actor,
    paper: row.paper,
    receipt: row.receipt,
    kid: row.kid,
  };
}
