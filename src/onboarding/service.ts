// Joining the trust network (docs/onboarding.md): the operator invites a pending member; the member,
// holding the invitation's link, reads and accepts the agreement (src/agreements), gives its
// connection, tests it, and becomes active. The link's token is the credential: only its hash is kept.
import { randomBytes, randomUUID } from 'node:crypto';
import type { ConnectionTestStep } from '../../db/schema.ts';
import type { AgreementService, Signer } from '../agreements/service.ts';
import { type Database, type Trx, withTransaction } from '../db/database.ts';
import { dateText, type Lang, translate } from '../i18n/index.ts';
import { digestOf } from '../lib/digest.ts';
import { sameEmail } from '../lib/email.ts';
import { LETTER_TOKEN, letterToken } from '../lib/letter-token.ts';
import { ServiceError, notFound } from '../lib/service-error.ts';
import { CODE_RULES, codeHash, newCode, nextSend, sameHash } from '../lib/verification-code.ts';
import { queueMail } from '../mail/index.ts';
import type { NetworkService } from '../network/service.ts';
import { hasZaken, isPortal, type Organisation, type ZakenAuth, type ZakenOrganisation } from '../network/types.ts';
import { notificationStep, type Outbound, refusedDestination, zaaktypenStep, zakenListStep } from './connection-test.ts';
import * as repo from './repository.ts';

export const INVITATION_DAYS = 14;
const CODE_MINUTES = CODE_RULES.ttlSeconds / 60;

/** What onboarding needs of src/agreements: the current agreement, where a member stands, acceptance. */
export type AgreementPort = Pick<AgreementService, 'currentAgreement' | 'acceptanceState' | 'accept'>;

export interface OnboardingDeps {
  database: Database;
  network: NetworkService;
  agreements: AgreementPort;
  outbound: Outbound;
  /** SESSION_SECRET: keys the HMAC of the signer's codes. */
  secret: string;
  /** PUBLIC_BASE_URL: the invitation's link and where to send the test notification. */
  baseUrl: string;
  /** SMTP_URL is set: invitations are mailed and the signer confirms the address with a code. */
  mailOn: boolean;
  /** ONBOARDING_AUTO_ACTIVATE: accepted and tested → active without the operator. */
  autoActivate: boolean;
  /** ONBOARDING_TEST_WINDOW_SECONDS: how long the test waits for the member's test notification. */
  testWindowSeconds: number;
  /** OUTBOUND_ALLOW_PRIVATE: the member's destinations may be private addresses (never metadata). */
  allowPrivate: boolean;
}

/** Connection tests per invitation: one at a time, at most this many an hour. */
export const TEST_RULES = { perHour: 10, runningSeconds: 120 };

/** Another test runs, or the hour's tests are used (429 with Retry-After); nothing was started. */
export class ConnectionTestLimited extends Error {
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number) {
    super(message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The invitation's link is past its time (410). */
export class InvitationExpired extends Error {}

/** The signer's code is not the one sent (422); the tries left for the page's own wording. */
export class WrongCode extends ServiceError {
  readonly triesLeft: number;
  constructor(triesLeft: number) {
    super('unprocessable', `The code is not right (${triesLeft} ${triesLeft === 1 ? 'try' : 'tries'} left).`, {
      invalidParams: [{ name: 'code', code: 'wrong', reason: `${triesLeft} tries left` }],
    });
    this.triesLeft = triesLeft;
  }
}

export interface ZakenConnectionInput {
  zaken: { apiRoot: string; catalogiApiRoot?: string; auth: ZakenAuth };
  notifications: { mode: 'push' | 'poll' };
}

export class OnboardingService {
  private readonly deps: OnboardingDeps;
  /** Tests running in this process, woken when their notification arrives (other processes poll the row). */
  private readonly waiting = new Map<string, () => void>();

  constructor(deps: OnboardingDeps) {
    this.deps = deps;
  }

  /** Wired into NetworkService.activate: an invited member becomes active only accepted and tested. */
  readonly activationCheck = async (org: Organisation): Promise<void> => {
    if (!(await repo.hasOpenInvitation(this.deps.database.db, org.id))) return;
    const missing = await this.missing(org);
    if (missing.length > 0) {
      throw new ServiceError('unprocessable', `Organisation ${org.id} was invited and has not finished joining: ${missing.map((m) => m.reason).join('; ')}.`, {
        invalidParams: missing.map((m) => ({ name: m.item, code: 'not-done', reason: m.reason })),
      });
    }
  };

  /** Wired into NetworkService.activate, in its transaction: however the member became active, its invitations are used up. */
  readonly onActivation = async (trx: Trx, organisationId: string): Promise<void> => {
    await repo.completeInvitations(trx, organisationId);
  };

  /** The mail goes in `input.language` (Dutch when not given). */
  async invite(organisationId: string, input: { name: string; email: string; language?: Lang }, actor: string) {
    const org = this.deps.network.get(organisationId);
    if (!org) throw notFound(`organisation ${organisationId}`);
    if (isPortal(org)) throw new ServiceError('conflict', `Organisation ${organisationId} is a portal organisation; only a member is invited.`);
    // An active or suspended member is invited to re-accept the agreement only (its connection stands).
    const purpose = org.status === 'pending' ? ('join' as const) : ('reaccept' as const);
    const token = letterToken();
    const expiresAt = new Date(Date.now() + INVITATION_DAYS * 86_400_000);
    const url = `${this.deps.baseUrl}/join/${token}`;
    const row = await withTransaction(this.deps.database.db, async (trx) => {
      const row = await repo.insertInvitation(trx, {
        id: randomUUID(),
        organisation_id: organisationId,
        token_hash: digestOf(token),
        name: input.name,
        email: input.email,
        created_by: actor,
        expires_at: expiresAt,
        purpose,
      });
      if (this.deps.mailOn) {
        const lang = input.language ?? 'nl';
        const names = { self: this.deps.network.self.name, organisation: org.name };
        await queueMail(trx, {
          kind: 'onboarding.invitation',
          to: input.email,
          subject: translate(lang, 'mail.invitation.subject', names),
          text: invitationText(lang, input.name, names, url, expiresAt),
          sensitive: true,
        });
      }
      return row;
    });
    return { ...invitationView(row), url, mailed: this.deps.mailOn };
  }

  async invitations(organisationId: string) {
    if (!this.deps.network.get(organisationId)) throw notFound(`organisation ${organisationId}`);
    return (await repo.listInvitations(this.deps.database.db, organisationId)).map(invitationView);
  }

  async connectionTests(organisationId: string, limit: number, offset: number) {
    if (!this.deps.network.get(organisationId)) throw notFound(`organisation ${organisationId}`);
    const { rows, total } = await repo.listConnectionTests(this.deps.database.db, organisationId, limit, offset);
    return { rows: rows.map(testView), total };
  }

  /** For the operator's dashboard: each member still joining and its last finished connection test. */
  async joining() {
    const ids = await repo.joiningOrganisations(this.deps.database.db);
    const out = [];
    for (const id of ids) {
      const org = this.deps.network.get(id);
      if (org?.status !== 'pending') continue;
      const last = await repo.lastFinishedTest(this.deps.database.db, id);
      out.push({ id, name: org.name, lastTest: last ? testView(last) : null });
    }
    return out;
  }

  /** The journey as the member sees it: the organisation, the agreement's three layers, the checklist. */
  async join(token: string) {
    const { invitation, org } = await this.open(token, { allowDone: true });
    const done = isDone(invitation, org);
    const reaccept = invitation.purpose === 'reaccept';
    const agreement = await this.deps.agreements.currentAgreement();
    const lastTest = await repo.lastFinishedTest(this.deps.database.db, org.id);
    const missing = done ? [] : await this.missing(org, invitation.purpose);
    const open = new Set(missing.map((m) => m.item));
    return {
      state: done ? ('done' as const) : ('open' as const),
      purpose: invitation.purpose,
      organisation: publicOrganisation(org),
      invitation: { id: invitation.id, name: invitation.name, expiresAt: invitation.expires_at.toISOString() },
      agreement: agreement ?? null,
      signer: invitation.signer ? { ...invitation.signer, confirmed: invitation.signer_confirmed_at !== null } : null,
      signerConfirmationRequired: this.deps.mailOn,
      connection: hasZaken(org) ? connectionView(org) : null,
      lastTest: lastTest ? testView(lastTest) : null,
      notificationTest: this.notificationHelp(org),
      checklist: (reaccept ? (['agreement'] as const) : (['agreement', 'connection', 'connection-test', 'activation'] as const)).map((item) => ({
        item,
        done: done || (item === 'activation' ? false : !open.has(item)),
      })),
      autoActivate: this.deps.autoActivate,
    };
  }

  /**
   * Sends the signer a six-digit code (mail configured); without mail no code is needed. At most one
   * code per 30 s and 5 an hour per invitation: more is CodeRateLimited, and nothing changes. The
   * mail speaks the requester's language (the page's, or the API's Accept-Language).
   */
  async requestSignerCode(token: string, signer: Signer, lang: Lang = 'nl') {
    const { invitation } = await this.open(token);
    if (!this.deps.mailOn) {
      await repo.updateInvitation(this.deps.database.db, invitation.id, { signer, signer_confirmed_at: null, signer_code_hash: null });
      return { confirmationRequired: false as const };
    }
    const code = newCode();
    const now = new Date();
    const expiresAt = new Date(now.getTime() + CODE_RULES.ttlSeconds * 1000);
    await withTransaction(this.deps.database.db, async (trx) => {
      const current = await repo.lockInvitation(trx, invitation.id);
      const last = current.signer_code_sent_at
        ? {
            sentAt: current.signer_code_sent_at,
            windowStart: current.signer_code_window_start ?? current.signer_code_sent_at,
            sendsInWindow: current.signer_code_sends,
          }
        : undefined;
      const sends = nextSend(last, now);
      await repo.updateInvitation(trx, invitation.id, {
        signer,
        signer_code_hash: codeHash(this.deps.secret, `join-signer|${invitation.id}`, code),
        signer_code_expires_at: expiresAt,
        signer_code_tries: 0,
        signer_confirmed_at: null,
        signer_code_sent_at: sends.sentAt,
        signer_code_window_start: sends.windowStart,
        signer_code_sends: sends.sendsInWindow,
      });
      await queueMail(trx, {
        kind: 'onboarding.signer-code',
        to: signer.email,
        subject: translate(lang, 'mail.signerCode.subject', { code }),
        text: `${translate(lang, 'mail.signerCode.text', { code })}\n\n${translate(lang, 'mail.signerCode.valid', { minutes: CODE_MINUTES })}\n`,
        sensitive: true,
      });
    });
    return { confirmationRequired: true as const, expiresAt: expiresAt.toISOString() };
  }

  /** Checks the signer's code: right confirms the address; a wrong one takes a try (one check at a time). */
  async verifySignerCode(token: string, code: string) {
    const { invitation: opened } = await this.open(token);
    const result = await withTransaction(this.deps.database.db, async (trx) => {
      const invitation = await repo.lockInvitation(trx, opened.id);
      if (!invitation.signer || !invitation.signer_code_hash || !invitation.signer_code_expires_at) {
        if (invitation.signer_confirmed_at && invitation.signer) return { confirmed: true, signer: invitation.signer };
        throw new ServiceError('conflict', 'No code was sent: give the signer first (POST …/signer).', {
          invalidParams: [{ name: 'code', code: 'not-sent', reason: 'ask for a code first' }],
        });
      }
      if (invitation.signer_code_tries >= CODE_RULES.tries) {
        throw new ServiceError('unprocessable', 'Too many wrong codes: ask for a new one.', {
          invalidParams: [{ name: 'code', code: 'tries-exhausted', reason: 'ask for a new code' }],
        });
      }
      if (invitation.signer_code_expires_at.getTime() < Date.now()) {
        throw new ServiceError('unprocessable', 'The code has expired: ask for a new one.', {
          invalidParams: [{ name: 'code', code: 'expired', reason: 'ask for a new code' }],
        });
      }
      if (!sameHash(invitation.signer_code_hash, codeHash(this.deps.secret, `join-signer|${invitation.id}`, code))) {
        const left = CODE_RULES.tries - invitation.signer_code_tries - 1;
        await repo.updateInvitation(trx, invitation.id, { signer_code_tries: invitation.signer_code_tries + 1 });
        // Returned, not thrown: the used try must commit; the refusal follows below.
        return { wrong: new WrongCode(left) };
      }
      await repo.updateInvitation(trx, invitation.id, { signer_confirmed_at: new Date(), signer_code_hash: null });
      return { confirmed: true, signer: invitation.signer };
    });
    if ('wrong' in result) throw result.wrong;
    return result;
  }

  /** Electronic acceptance through src/agreements: a receipt signed with the gateway's key. */
  async accept(token: string, input: { signer: Signer; agreementVersion: string; agreementHash: string }) {
    const { invitation, org } = await this.open(token);
    let signer = input.signer;
    if (this.deps.mailOn) {
      const confirmed = invitation.signer_confirmed_at !== null && invitation.signer !== null && sameEmail(invitation.signer.email, input.signer.email);
      // The receipt names the signer whose address was confirmed, as given then: name and role too.
      if (confirmed && invitation.signer) signer = invitation.signer;
      if (!confirmed) {
        throw new ServiceError(
          'forbidden',
          "The signer's e-mail address is not confirmed: ask for a code (POST …/signer) and confirm it (POST …/signer/verify).",
          { invalidParams: [{ name: 'signer.email', code: 'not-confirmed', reason: 'confirm the address with a code first' }] },
        );
      }
    }
    // A re-acceptance is used up with its acceptance, in one transaction; a joining member goes on (and may activate now).
    const result = await this.deps.agreements.accept(
      {
        organisationId: org.id,
        signer,
        agreementVersion: input.agreementVersion,
        agreementHash: input.agreementHash,
        method: 'electronic',
        actor: `join:${invitation.id}`,
      },
      invitation.purpose === 'reaccept' ? (trx) => repo.completeInvitation(trx, invitation.id) : undefined,
    );
    const activated = invitation.purpose === 'join' && (await this.maybeActivate(org.id));
    return { ...result, jwksUrl: `${this.deps.baseUrl}/.well-known/jwks.json`, activated };
  }

  /**
   * The member's connection: its Zaken API and how it notifies. For push the gateway makes the
   * credentials the member signs its notifications with, shown once in the answer.
   */
  async connect(token: string, input: ZakenConnectionInput) {
    const { invitation, org } = await this.open(token);
    refuseReacceptance(invitation);
    await this.refuseDestinations(input.zaken);
    if (hasZaken(org)) keepSecretOnlyInPlace(org.zaken, input.zaken);
    const stored = hasZaken(org) ? org.notifications : undefined;
    let credentials: { clientId: string; secret: string } | undefined;
    let notifications: ZakenOrganisation['notifications'] = { mode: input.notifications.mode };
    if (input.notifications.mode === 'push') {
      if (stored?.clientId && stored.secret) notifications = { mode: 'push', clientId: stored.clientId, secret: stored.secret };
      else {
        credentials = { clientId: `${org.id}-notificaties`, secret: randomBytes(32).toString('base64url') };
        notifications = { mode: 'push', ...credentials };
      }
    }
    // The member cannot name a Notificaties API here: the operator's (src/subscriptions) stays.
    if (stored?.nrc) notifications.nrc = stored.nrc;
    const next = await this.deps.network.connect(org.id, { zaken: input.zaken, notifications }, `join:${invitation.id}`);
    return { connection: connectionView(next as ZakenOrganisation), ...(credentials ? { notificationCredentials: credentials } : {}) };
  }

  /** Runs the steps; each gets a verdict. Answers within the window plus the outbound timeouts. */
  async runConnectionTest(token: string) {
    const { invitation, org } = await this.open(token);
    refuseReacceptance(invitation);
    if (!hasZaken(org)) {
      throw new ServiceError('conflict', 'Give your connection first (PUT …/connection).', {
        invalidParams: [{ name: 'connection', code: 'no-connection', reason: 'give your connection first' }],
      });
    }
    // Checked again: a name may resolve elsewhere now than when the connection was given.
    await this.refuseDestinations(org.zaken);
    const db = this.deps.database.db;
    const id = randomUUID();
    await withTransaction(db, async (trx) => {
      // One check at a time per invitation: the lock orders concurrent starts.
      await repo.lockInvitation(trx, invitation.id);
      const now = Date.now();
      const recent = await repo.testsStartedSince(trx, org.id, new Date(now - 3600_000));
      const running = recent.find((t) => t.finished_at === null && t.started_at.getTime() > now - TEST_RULES.runningSeconds * 1000);
      if (running) {
        const wait = Math.ceil((running.started_at.getTime() + TEST_RULES.runningSeconds * 1000 - now) / 1000);
        throw new ConnectionTestLimited('A connection test is running: wait for its verdicts.', Math.max(1, wait));
      }
      if (recent.length >= TEST_RULES.perHour) {
        const oldest = Math.min(...recent.map((t) => t.started_at.getTime()));
        throw new ConnectionTestLimited(`At most ${TEST_RULES.perHour} connection tests an hour.`, Math.max(1, Math.ceil((oldest + 3600_000 - now) / 1000)));
      }
      await repo.insertConnectionTest(trx, id, org.id, connectionDigest(org));
    });
    const window = this.deps.testWindowSeconds;
    const [zaken, zaaktypen, arrivedAt] = await Promise.all([
      zakenListStep(this.deps.outbound, org),
      zaaktypenStep(this.deps.outbound, org),
      org.notifications.mode === 'push' ? this.awaitNotification(id, window * 1000) : Promise.resolve(null),
    ]);
    const steps: ConnectionTestStep[] = [zaken, zaaktypen, notificationStep(org.notifications.mode, arrivedAt, window)];
    const passed = steps.every((s) => s.verdict !== 'failed');
    const row = await repo.finishConnectionTest(db, id, steps, passed);
    const activated = passed ? await this.maybeActivate(org.id) : false;
    return { ...testView(row), activated };
  }

  /** The intake's callback: a pending member's `kanaal: test` notification. */
  readonly recordTestNotification = async (organisationId: string): Promise<void> => {
    if ((await repo.recordTestNotification(this.deps.database.db, organisationId)) > 0) for (const wake of this.waiting.values()) wake();
  };

  private async awaitNotification(testId: string, windowMs: number): Promise<Date | null> {
    const deadline = Date.now() + windowMs;
    for (;;) {
      const row = await repo.findConnectionTest(this.deps.database.db, testId);
      if (row?.notification_at) return row.notification_at;
      const left = deadline - Date.now();
      if (left <= 0) return null;
      // Woken at once by a notification taken in this process; another process's is seen within 500 ms.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(left, 500));
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.waiting.set(testId, done);
      });
      this.waiting.delete(testId);
    }
  }

  /** The member's own destinations: never a private, loopback, link-local or metadata address (422). */
  private async refuseDestinations(zaken: ZakenConnectionInput['zaken']): Promise<void> {
    const urls: [string, string][] = [['zaken.apiRoot', zaken.apiRoot]];
    if (zaken.catalogiApiRoot) urls.push(['zaken.catalogiApiRoot', zaken.catalogiApiRoot]);
    if (zaken.auth.type === 'oauth2') urls.push(['zaken.auth.issuer', zaken.auth.issuer]);
    const refused = (await Promise.all(urls.map(async ([name, url]) => ({ name, reason: await refusedDestination(url, this.deps.allowPrivate) })))).filter(
      (r): r is { name: string; reason: string } => r.reason !== undefined,
    );
    if (refused.length > 0) {
      throw new ServiceError('unprocessable', 'The gateway does not call private, loopback, link-local or metadata addresses.', {
        invalidParams: refused.map((r) => ({ name: r.name, code: 'forbidden-destination', reason: r.reason })),
      });
    }
  }

  /** Accepted and tested: active now with ONBOARDING_AUTO_ACTIVATE, else on the operator's confirm. */
  private async maybeActivate(organisationId: string): Promise<boolean> {
    const org = this.deps.network.get(organisationId);
    if (!this.deps.autoActivate || !org || org.status !== 'pending') return false;
    if ((await this.missing(org)).length > 0) return false;
    await this.deps.network.activate(organisationId, 'onboarding (ONBOARDING_AUTO_ACTIVATE)');
    return true;
  }

  /** What is still missing before activation, in the journey's order. */
  private async missing(
    org: Organisation,
    purpose: repo.InvitationRow['purpose'] = 'join',
  ): Promise<{ item: 'agreement' | 'connection' | 'connection-test'; reason: string }[]> {
    const out: { item: 'agreement' | 'connection' | 'connection-test'; reason: string }[] = [];
    const state = await this.deps.agreements.acceptanceState(org.id);
    if (!state.upToDate || state.accepted === null) out.push({ item: 'agreement', reason: 'the current agreement is not accepted' });
    if (purpose === 'reaccept') return out;
    if (!hasZaken(org)) out.push({ item: 'connection', reason: 'no connection (zaken, notifications) is set' });
    const last = await repo.lastFinishedTest(this.deps.database.db, org.id);
    if (!last) out.push({ item: 'connection-test', reason: 'no connection test has run' });
    else if (!hasZaken(org) || last.connection_digest !== connectionDigest(org))
      out.push({ item: 'connection-test', reason: 'the connection changed after the last connection test: test it again' });
    else if (!last.passed) out.push({ item: 'connection-test', reason: 'the last connection test did not pass' });
    return out;
  }

  private notificationHelp(org: Organisation) {
    if (!hasZaken(org) || org.notifications.mode !== 'push') return null;
    return {
      url: `${this.deps.baseUrl}/api/v1/notificaties`,
      authorization: `Bearer <a ZGW JWT (HS256) with client_id "${org.notifications.clientId ?? ''}" and iat, signed with the secret you were given>`,
      windowSeconds: this.deps.testWindowSeconds,
      sample: {
        kanaal: 'test',
        hoofdObject: `${org.zaken.apiRoot}zaken/test`,
        resource: 'zaak',
        resourceUrl: `${org.zaken.apiRoot}zaken/test`,
        actie: 'create',
        aanmaakdatum: '2026-01-01T00:00:00Z',
      },
    };
  }

  /** The invitation behind a token: unknown → 404, past its time → 410, used up → 409 (unless allowDone). */
  private async open(token: string, options: { allowDone?: boolean } = {}) {
    const invitation = LETTER_TOKEN.test(token) ? await repo.findInvitationByTokenHash(this.deps.database.db, digestOf(token)) : undefined;
    if (!invitation) throw notFound('invitation');
    const org = this.deps.network.get(invitation.organisation_id);
    if (!org) throw notFound('invitation');
    const done = isDone(invitation, org);
    if (!done && invitation.expires_at.getTime() < Date.now()) throw new InvitationExpired('The invitation has expired; ask the operator for a new one.');
    if (done && !options.allowDone) {
      throw new ServiceError('conflict', `${org.name} has joined: this invitation is used up.`, {
        invalidParams: [{ name: 'token', code: 'used-up', reason: 'the organisation has joined' }],
      });
    }
    return { invitation, org };
  }
}

/** A stored secret is kept ({ configured: true }) only for the destinations it was given for: else write it again (400). */
function keepSecretOnlyInPlace(stored: ZakenOrganisation['zaken'], next: ZakenConnectionInput['zaken']): void {
  const kept = next.auth.type === 'zgw-jwt' ? next.auth.secret : next.auth.clientSecret;
  if (typeof kept === 'string') return;
  const moved =
    stored.apiRoot !== next.apiRoot ||
    (stored.catalogiApiRoot ?? null) !== (next.catalogiApiRoot ?? null) ||
    stored.auth.type !== next.auth.type ||
    (next.auth.type === 'oauth2' && stored.auth.type === 'oauth2' && stored.auth.issuer !== next.auth.issuer);
  if (moved) {
    const name = next.auth.type === 'zgw-jwt' ? 'zaken.auth.secret' : 'zaken.auth.clientSecret';
    throw new ServiceError('invalid', 'The connection goes elsewhere now: write its secret again.', {
      invalidParams: [{ name, code: 'required', reason: 'the destination changed: the stored secret is not sent to another one' }],
    });
  }
}

/** What a test ran against (the connection and the zaaktypen it reads): a test counts only while this is unchanged. */
function connectionDigest(org: Organisation): string {
  if (!hasZaken(org)) return '';
  return digestOf(JSON.stringify({ zaken: org.zaken, notifications: org.notifications, zaaktypen: org.products.map((p) => p.zaaktype) }));
}

/** Used up: completed (the activation, or a re-acceptance accepted), or a joining member already active. */
function isDone(invitation: repo.InvitationRow, org: Organisation): boolean {
  return invitation.completed_at !== null || (invitation.purpose === 'join' && org.status === 'active');
}

/** A re-acceptance invitation opens the agreement steps only: the member's connection stands (409). */
function refuseReacceptance(invitation: repo.InvitationRow): void {
  if (invitation.purpose === 'reaccept') {
    throw new ServiceError('conflict', 'This invitation is to re-accept the agreement only; the connection is not changed through it.', {
      invalidParams: [{ name: 'token', code: 'reaccept-only', reason: 'accept the current agreement; the connection stands' }],
    });
  }
}

function invitationView(row: repo.InvitationRow) {
  return {
    id: row.id,
    organisation: row.organisation_id,
    name: row.name,
    email: row.email,
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
    expiresAt: row.expires_at.toISOString(),
    state: row.completed_at ? ('done' as const) : row.expires_at.getTime() < Date.now() ? ('expired' as const) : ('open' as const),
  };
}

export function testView(row: repo.ConnectionTestRow) {
  return {
    id: row.id,
    organisation: row.organisation_id,
    startedAt: row.started_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
    passed: row.passed,
    steps: row.steps,
  };
}

function publicOrganisation(org: Organisation) {
  return {
    id: org.id,
    name: org.name,
    oin: org.oin,
    rsin: org.rsin,
    status: org.status,
    products: isPortal(org) ? [] : org.products.map((p) => ({ code: p.code, name: p.name, zaaktype: p.zaaktype })),
    notifications: { mode: isPortal(org) ? ('poll' as const) : org.notifications.mode },
  };
}

/** Secrets are write-only: shown as { configured: true }. */
function connectionView(org: ZakenOrganisation) {
  const { auth } = org.zaken;
  return {
    zaken: {
      apiRoot: org.zaken.apiRoot,
      ...(org.zaken.catalogiApiRoot ? { catalogiApiRoot: org.zaken.catalogiApiRoot } : {}),
      auth:
        auth.type === 'zgw-jwt'
          ? { type: auth.type, clientId: auth.clientId, secret: { configured: true as const } }
          : {
              type: auth.type,
              issuer: auth.issuer,
              clientId: auth.clientId,
              clientSecret: { configured: true as const },
              ...(auth.scope ? { scope: auth.scope } : {}),
            },
    },
    notifications: {
      mode: org.notifications.mode,
      ...(org.notifications.clientId ? { clientId: org.notifications.clientId } : {}),
      ...(org.notifications.secret ? { secret: { configured: true as const } } : {}),
    },
  };
}

function invitationText(lang: Lang, name: string, names: { self: string; organisation: string }, url: string, expiresAt: Date): string {
  return [
    translate(lang, 'mail.invitation.greeting', { name }),
    '',
    translate(lang, 'mail.invitation.intro', names),
    '',
    url,
    '',
    translate(lang, 'mail.invitation.valid', { date: dateText(lang, expiresAt, { year: true }), organisation: names.organisation }),
    '',
  ].join('\n');
}
