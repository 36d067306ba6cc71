// The operator's view of outbound delivery: subscription health, dead letters (with every attempt),
// re-sending, re-enabling. Read by the /ops dashboard; the JSON shapes are in contracts/openapi.yaml.
import { sql } from 'kysely';
import type { DeliveryState } from '../../db/schema.ts';
import type { Database } from '../db/database.ts';
import { ServiceError, notFound } from '../lib/service-error.ts';
import type { Logger } from '../log.ts';
import { notifyWorkers } from '../cases/outbox.ts';
import { UUID, type SubscriptionRow } from './subscriptions.ts';

export class DeliveryOps {
  private readonly deps: { database: Database; logger: Logger };
  constructor(deps: { database: Database; logger: Logger }) {
    this.deps = deps;
  }

  private get db() {
    return this.deps.database.db;
  }

  /** Counts for the overview: how many subscriptions, how many disabled or failing, how much is stuck. */
  async summary() {
    const [subs, deliveries] = await Promise.all([
      sql<{ total: number; active: number; disabled: number; failing: number }>`
        select count(*)::int as total, count(*) filter (where state = 'active')::int as active,
               count(*) filter (where state = 'disabled')::int as disabled,
               count(*) filter (where state = 'active' and failing_since is not null)::int as failing
        from subscriptions`.execute(this.db),
      sql<{ pending: number; dead: number }>`
        select count(*) filter (where state in ('waiting', 'pending', 'delivering'))::int as pending, count(*) filter (where state = 'dead')::int as dead
        from deliveries where state <> 'delivered'`.execute(this.db),
    ]);
    const s = subs.rows[0];
    const d = deliveries.rows[0];
    return {
      total: Number(s.total),
      active: Number(s.active),
      disabled: Number(s.disabled),
      failing: Number(s.failing),
      pendingDeliveries: Number(d.pending),
      deadDeliveries: Number(d.dead),
    };
  }

  async subscriptions(limit: number, offset: number) {
    const [rows, count, counts] = await Promise.all([
      this.db.selectFrom('subscriptions').selectAll().orderBy('created_at').orderBy('id').limit(limit).offset(offset).execute(),
      this.db
        .selectFrom('subscriptions')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
      sql<{ subscription_id: string; state: DeliveryState; n: number; oldest: Date | null }>`
        select subscription_id, state, count(*)::int as n, min(created_at) as oldest from deliveries group by subscription_id, state`.execute(this.db),
    ]);
    return {
      count: Number(count.n),
      results: rows.map((r) =>
        subscriptionHealth(
          r,
          counts.rows.filter((c) => c.subscription_id === r.id),
        ),
      ),
    };
  }

  async enable(id: string) {
    const row = UUID.test(id)
      ? await this.db
          .updateTable('subscriptions')
          .set({ state: 'active', disabled_reason: null, disabled_at: null, failing_since: null, consecutive_failures: 0, updated_at: new Date() })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirst()
      : undefined;
    if (!row) throw notFound(`subscription ${id}`);
    this.deps.logger.info({ subscription_id: id }, 'subscription enabled by an operator');
    await notifyWorkers(this.db);
    return subscriptionHealth(row, []);
  }

  async deliveries(filter: { state: DeliveryState; subscription?: string }, limit: number, offset: number) {
    let base = this.db
      .selectFrom('deliveries')
      .innerJoin('subscriptions', 'subscriptions.id', 'deliveries.subscription_id')
      .where('deliveries.state', '=', filter.state);
    if (filter.subscription) base = base.where('deliveries.subscription_id', '=', filter.subscription);
    const [rows, count] = await Promise.all([
      base
        .selectAll('deliveries')
        .select(['subscriptions.client_id', 'subscriptions.callback_url'])
        .orderBy('deliveries.updated_at', 'desc')
        .orderBy('deliveries.id', 'desc')
        .limit(limit)
        .offset(offset)
        .execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    const attempts = await this.attemptsOf(rows.map((r) => r.id));
    return { count: Number(count.n), results: rows.map((r) => deliveryView(r, attempts.get(r.id) ?? [])) };
  }

  async delivery(id: number) {
    const row = await this.db
      .selectFrom('deliveries')
      .innerJoin('subscriptions', 'subscriptions.id', 'deliveries.subscription_id')
      .selectAll('deliveries')
      .select(['subscriptions.client_id', 'subscriptions.callback_url'])
      .where('deliveries.id', '=', id)
      .executeTakeFirst();
    if (!row) throw notFound(`delivery ${id}`);
    return deliveryView(row, (await this.attemptsOf([id])).get(id) ?? []);
  }

  /** A dead letter goes round again: a fresh set of attempts, the same webhook-id (receivers deduplicate on it). */
  async resend(id: number) {
    const row = await this.db
      .selectFrom('deliveries')
      .innerJoin('subscriptions', 'subscriptions.id', 'deliveries.subscription_id')
      .select(['deliveries.state', 'subscriptions.state as subscription_state'])
      .where('deliveries.id', '=', id)
      .executeTakeFirst();
    if (row?.state !== 'dead') throw notFound(`dead delivery ${id}`);
    if (row.subscription_state !== 'active') throw new ServiceError('conflict', 'The subscription is disabled; enable it first.');
    const updated = await this.db
      .updateTable('deliveries')
      .set({ state: 'pending', attempts: 0, next_attempt_at: new Date(), updated_at: new Date() })
      .where('id', '=', id)
      .where('state', '=', 'dead')
      .returning(['id', 'webhook_id'])
      .executeTakeFirst();
    if (!updated) throw notFound(`dead delivery ${id}`);
    await notifyWorkers(this.db);
    this.deps.logger.info({ delivery_id: id }, 'dead delivery re-sent by an operator');
    return { id, state: 'pending' as const, webhookId: updated.webhook_id };
  }

  private async attemptsOf(ids: number[]) {
    const byDelivery = new Map<number, { attempt: number; at: string; durationMs: number | null; status: number | null; error: string | null }[]>();
    if (ids.length === 0) return byDelivery;
    const rows = await this.db.selectFrom('delivery_attempts').selectAll().where('delivery_id', 'in', ids).orderBy('id').execute();
    for (const a of rows) {
      const list = byDelivery.get(Number(a.delivery_id)) ?? [];
      list.push({ attempt: a.attempt, at: new Date(a.at).toISOString(), durationMs: a.duration_ms, status: a.status, error: a.error });
      byDelivery.set(Number(a.delivery_id), list);
    }
    return byDelivery;
  }
}

function subscriptionHealth(s: SubscriptionRow, counts: { state: DeliveryState; n: number; oldest: Date | null }[]) {
  const n = (state: DeliveryState) => Number(counts.find((c) => c.state === state)?.n ?? 0);
  const oldestOpen = counts
    .filter((c) => c.state !== 'delivered' && c.state !== 'dead')
    .map((c) => c.oldest)
    .filter((d): d is Date => !!d)
    .sort((a, b) => +a - +b)[0];
  return {
    id: s.id,
    clientId: s.client_id,
    callbackUrl: s.callback_url,
    format: s.format,
    events: s.events,
    filters: s.filters,
    state: s.state,
    disabledReason: s.disabled_reason,
    disabledAt: s.disabled_at?.toISOString() ?? null,
    failingSince: s.failing_since?.toISOString() ?? null,
    consecutiveFailures: s.consecutive_failures,
    lastSuccessAt: s.last_success_at?.toISOString() ?? null,
    lastFailureAt: s.last_failure_at?.toISOString() ?? null,
    lastError: s.last_error,
    deliveries: { waiting: n('waiting'), pending: n('pending'), delivering: n('delivering'), delivered: n('delivered'), dead: n('dead') },
    oldestOpenDeliveryAt: oldestOpen ? new Date(oldestOpen).toISOString() : null,
    createdAt: s.created_at.toISOString(),
  };
}

interface DeliveryRowView {
  id: number;
  subscription_id: string;
  client_id: string;
  callback_url: string;
  webhook_id: string;
  event_id: number;
  event_type: string;
  case_id: string;
  state: string;
  attempts: number;
  next_attempt_at: Date;
  last_status: number | null;
  last_error: string | null;
  delivered_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

function deliveryView(d: DeliveryRowView, attempts: unknown[]) {
  return {
    id: Number(d.id),
    subscriptionId: d.subscription_id,
    clientId: d.client_id,
    callbackUrl: d.callback_url,
    webhookId: d.webhook_id,
    eventId: Number(d.event_id),
    eventType: d.event_type,
    caseId: d.case_id,
    state: d.state,
    attempts: d.attempts,
    nextAttemptAt: d.state === 'pending' ? new Date(d.next_attempt_at).toISOString() : null,
    lastStatus: d.last_status,
    lastError: d.last_error,
    createdAt: new Date(d.created_at).toISOString(),
    updatedAt: new Date(d.updated_at).toISOString(),
    deliveredAt: d.delivered_at ? new Date(d.delivered_at).toISOString() : null,
    attemptLog: attempts,
  };
}
