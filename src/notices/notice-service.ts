// The notices feature (docs/notices.md): turns each `case.citizen-notice` in the notice outbox into
// messages on the customer's verified, switched-on channels — folded per case and channel, SMS held
// at night — and sends every message once through the configured transport.
import { type Selectable, sql } from 'kysely';
import type { CasesTable, NoticeOutboxTable } from '../../db/schema.ts';
import { NOTICE_PLAN_JOB } from '../cases/outbox.ts';
import type { Customer } from '../citizen/customer.ts';
import type { Config } from '../config.ts';
import { type Database, type Trx, withTransaction } from '../db/database.ts';
import { json } from '../db/json.ts';
import type { Lang } from '../i18n/index.ts';
import { sameEmail } from '../lib/email.ts';
import { DeferJobError, PermanentJobError, RetryJobError } from '../jobs/errors.ts';
import type { JobHandler } from '../jobs/worker.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { planNotice } from './folding.ts';
import { isSensitive, NOTICE_SEND_JOB, type NoticeChannel, queueMessage, smsAvailable } from './outbound.ts';
import { findPreferences, reachableChannels, unsubscribeUrl } from './preferences.ts';
import { renderMessage } from './render.ts';
import type { Outcome } from './transport/outcome.ts';
import { NotifyTransport } from './transport/notify.ts';
import { sendBySmtp } from './transport/smtp.ts';

export { NOTICE_PLAN_JOB, NOTICE_SEND_JOB };

/** Notice outbox rows planned per transaction. */
const PLAN_BATCH = 50;

export interface NoticeServiceOptions {
  database: Database;
  logger: Logger;
  metrics?: Metrics;
  config: Config['notices'];
  /** PUBLIC_BASE_URL: the case page link and the unsubscribe link. */
  publicBaseUrl: string;
  /** Derives the unsubscribe tokens (SESSION_SECRET). */
  secret: string;
  /** Timeout of one call to the Notify API. */
  timeoutMs: number;
  /** The planner's clock (tests fix it). */
  now?: () => Date;
}

/** A notice to plan: its outbox row, its case's reference and customer, and the language its event was written in. */
type OutboxRow = Pick<Selectable<NoticeOutboxTable>, 'event_id' | 'case_id' | 'phase'> &
  Pick<Selectable<CasesTable>, 'reference' | 'citizen_bsn' | 'citizen_kvk'> & { language: string | null };

export class NoticeService {
  private readonly options: NoticeServiceOptions;
  private readonly notify?: NotifyTransport;
  private readonly now: () => Date;

  constructor(options: NoticeServiceOptions) {
    this.options = options;
    this.now = options.now ?? (() => new Date());
    const n = options.config.notify;
    if (options.config.transport === 'notify' && n) {
      this.notify = new NotifyTransport({ ...n, timeoutMs: options.timeoutMs, retryBaseMs: options.config.retryBaseMs });
    }
  }

  /** Whether this installation can send SMS (NOTICE_TRANSPORT=notify). */
  smsAvailable(): boolean {
    return smsAvailable(this.options.config.transport);
  }

  /** The job handlers to register with the worker. */
  handlers(): Record<string, JobHandler> {
    return {
      [NOTICE_PLAN_JOB]: async () => {
        let planned: number;
        do planned = await this.planPending();
        while (planned === PLAN_BATCH);
      },
      [NOTICE_SEND_JOB]: (job, context) => this.send(String(job.payload.id), job.attempts, context),
    };
  }

  /**
   * Plans up to a batch of unplanned notices in one transaction; returns how many. Each notice is
   * marked planned in the transaction that creates or folds its messages, and each (notice, channel)
   * pair is a primary key, so a crash or a second planner never sends a notice twice.
   */
  async planPending(): Promise<number> {
    const { database, logger } = this.options;
    return withTransaction(database.db, async (trx) => {
      const { rows } = await sql<OutboxRow>`
        select o.event_id, o.case_id, o.phase, e.payload ->> 'language' as language, c.reference, c.citizen_bsn, c.citizen_kvk
        from notice_outbox o join case_events e on e.id = o.event_id join cases c on c.id = o.case_id
        where o.planned_at is null
        order by o.event_id
        limit ${PLAN_BATCH}
        for update of o skip locked`.execute(trx);
      // Case by case (each case's notices in order): planners lock cases in one order, never in a cycle.
      rows.sort((a, b) => a.case_id.localeCompare(b.case_id) || Number(a.event_id) - Number(b.event_id));
      for (const row of rows) {
        const messages = await this.plan(trx, row);
        await trx.updateTable('notice_outbox').set({ planned_at: new Date() }).where('event_id', '=', row.event_id).execute();
        logger.debug({ case_id: row.case_id, event_id: Number(row.event_id), messages }, 'citizen notice planned');
      }
      return rows.length;
    });
  }

  private async plan(trx: Trx, row: OutboxRow): Promise<number> {
    const customer: Customer | undefined = row.citizen_bsn ? { bsn: row.citizen_bsn } : row.citizen_kvk ? { kvk: row.citizen_kvk } : undefined;
    const preferences = customer && (await findPreferences(trx, customer));
    if (!customer || !preferences) return 0;
    // The outbox writes each citizen notice with the customer's language (src/cases/outbox.ts);
    // render.ts reads an unknown one as Dutch.
    const language = row.language as Lang;
    const targets = reachableChannels(preferences);
    const params = { reference: row.reference, phase: row.phase ?? '', url: `${this.options.publicBaseUrl}/cases/${encodeURIComponent(row.case_id)}` };
    const unsubscribe = unsubscribeUrl({ secret: this.options.secret, publicBaseUrl: this.options.publicBaseUrl }, customer);
    const eventId = Number(row.event_id);
    // Two planners (a running job and the next one) may hold notices of one case: one at a time
    // decides its window, or both would send "the first message" at once.
    if (targets.length > 0) await sql`select pg_advisory_xact_lock(hashtextextended(${`notice:${row.case_id}`}, 0))`.execute(trx);
    for (const { channel, to } of targets) {
      const done = await trx
        .selectFrom('notice_message_events')
        .select('message_id')
        .where('event_id', '=', eventId)
        .where('channel', '=', channel)
        .executeTakeFirst();
      if (done) continue;
      const previous = await trx
        .selectFrom('notice_messages')
        .select(['id', 'send_at', 'state', 'recipient'])
        .where('case_id', '=', row.case_id)
        .where('channel', '=', channel)
        .where('kind', '=', 'case-notice')
        .orderBy('send_at', 'desc')
        .limit(1)
        .forUpdate()
        .executeTakeFirst();
      // A waiting message to another address (the customer changed it) is not joined.
      const pending = previous?.state === 'pending' && previous.recipient === to;
      const decision = planNotice(this.now(), channel, previous && { sendAt: previous.send_at, pending }, this.options.config.foldWindowMs);
      let messageId: string;
      if (decision.kind === 'fold' && previous) {
        // One message naming the latest phase (docs/notices.md).
        await trx
          .updateTable('notice_messages')
          .set({ params: sql`params || ${json(params)}`, language, notices: sql`notices + 1` })
          .where('id', '=', previous.id)
          .execute();
        messageId = previous.id;
      } else {
        const sendAt = decision.kind === 'new' ? decision.sendAt : this.now();
        ({ id: messageId } = await queueMessage(
          trx,
          { channel, to, kind: 'case-notice', language, params, ...(channel === 'email' ? { unsubscribeUrl: unsubscribe } : {}) },
          { caseId: row.case_id, sendAt, notices: 1 },
        ));
      }
      await trx.insertInto('notice_message_events').values({ event_id: eventId, channel, message_id: messageId }).execute();
    }
    return targets.length;
  }

  /** The `notice.send` job: one message through the transport, once. */
  private async send(id: string, attempt: number, context: Parameters<JobHandler>[1]): Promise<void> {
    const { database, logger } = this.options;
    const transport = this.options.config.transport;
    // Handed over (or cancelled) already: nothing to do. A dead message goes again only when an operator retries its job.
    const claim = await withTransaction(database.db, async (trx) => {
      const row = await trx.selectFrom('notice_messages').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
      if (!row || row.state === 'sent' || row.state === 'cancelled') return { done: true as const };
      // A dead code message an operator retries: its code was erased, there is nothing left to send.
      if (isSensitive(row.kind) && row.params.code === undefined) return { done: true as const };
      const waitMs = new Date(row.send_at).getTime() - Date.now();
      if (waitMs > 1000) return { done: false as const, waitMs };
      // Also between retries (`sending`): an unsubscribe while Notify was down stops the next attempt.
      if (row.kind === 'case-notice' && (row.state === 'pending' || row.state === 'sending') && !(await stillWanted(trx, row))) {
        await trx
          .updateTable('notice_messages')
          .set({ state: 'cancelled', last_error: 'before it was sent, the customer switched this channel off or changed the address' })
          .where('id', '=', id)
          .execute();
        await context.completeWithin(trx);
        return { done: true as const, channel: row.channel, outcome: { kind: 'cancelled' as const } };
      }
      const rendered = renderMessage(row);
      if (transport === 'smtp' || !this.notify) {
        const outcome = await sendBySmtp(trx, rendered);
        await record(trx, id, outcome, 'smtp');
        if (outcome.kind === 'sent') await context.completeWithin(trx);
        return { done: true as const, channel: row.channel, outcome };
      }
      // Marked as handed to Notify before the call: a folding planner no longer joins it.
      await trx.updateTable('notice_messages').set({ state: 'sending', attempts: sql`attempts + 1`, transport }).where('id', '=', id).execute();
      return { done: false as const, channel: row.channel, rendered };
    });
    if ('waitMs' in claim && claim.waitMs !== undefined) throw new DeferJobError(`notice ${id} is due later`, claim.waitMs);
    let outcome: Outcome | { kind: 'cancelled' } | undefined = claim.outcome;
    if (!claim.done && 'rendered' in claim && claim.rendered && this.notify) {
      outcome = await this.notify.send(claim.rendered, attempt);
      await withTransaction(database.db, async (trx) => {
        await record(trx, id, outcome as Outcome, 'notify');
        if (outcome?.kind === 'sent') await context.completeWithin(trx);
      });
    }
    if (outcome) this.options.metrics?.noticeOutbound.inc({ channel: 'channel' in claim ? claim.channel : 'email', outcome: outcome.kind });
    if (!outcome || outcome.kind === 'sent' || outcome.kind === 'cancelled') return;
    if (outcome.kind === 'retry') throw new RetryJobError(`notice ${id}: ${outcome.error}`, outcome.delayMs);
    logger.warn({ notice_id: id, transport, err: outcome.error }, 'notice not sent: refused for good');
    throw new PermanentJobError(`notice ${id}: ${outcome.error}`);
  }
}

/** A waiting case notice still goes where the customer wants it: the channel on, the same address, verified (an unsubscribe stops it). */
async function stillWanted(trx: Trx, m: { case_id: string | null; channel: NoticeChannel; recipient: string }): Promise<boolean> {
  if (!m.case_id) return true;
  const c = await trx.selectFrom('cases').select(['citizen_bsn', 'citizen_kvk']).where('id', '=', m.case_id).executeTakeFirst();
  const customer: Customer | undefined = c?.citizen_bsn ? { bsn: c.citizen_bsn } : c?.citizen_kvk ? { kvk: c.citizen_kvk } : undefined;
  const p = customer && (await findPreferences(trx, customer));
  if (!p) return false;
  if (m.channel === 'email') return p.channels.email && p.email?.verified === true && sameEmail(p.email.address, m.recipient);
  return p.channels.sms && p.phone?.verified === true && p.phone.number === m.recipient;
}

async function record(trx: Trx, id: string, outcome: Outcome, transport: 'smtp' | 'notify'): Promise<void> {
  const attempts = transport === 'smtp' ? sql<number>`attempts + 1` : sql<number>`attempts`;
  // A verification code is kept only until it went (or was given up): the row keeps no usable credential.
  const erased = sql<Record<string, string>>`case when kind = 'verification-code' then params - 'code' else params end`;
  if (outcome.kind === 'sent') {
    await trx
      .updateTable('notice_messages')
      .set({ state: 'sent', transport, provider_id: outcome.providerId ?? null, sent_at: new Date(), last_error: null, attempts, params: erased })
      .where('id', '=', id)
      .execute();
  } else {
    await trx
      .updateTable('notice_messages')
      .set({
        state: outcome.kind === 'dead' ? 'dead' : 'sending',
        transport,
        last_error: outcome.error,
        attempts,
        ...(outcome.kind === 'dead' ? { params: erased } : {}),
      })
      .where('id', '=', id)
      .execute();
  }
}
