// Subscriptions as their owners (clients with role portal or supplier) see them: create (with a
// signed test delivery that must be answered 2xx), list, read, delete, rotate the signing secret.
// A client sees only its own subscriptions; another's answers 404. The secret is returned once.
import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { SubscriptionsTable } from '../../db/schema.ts';
import type { Database } from '../db/database.ts';
import { json } from '../db/json.ts';
import { ServiceError, notFound } from '../lib/service-error.ts';
import type { Logger } from '../log.ts';
import { ForbiddenDestinationError } from './destination.ts';
import { renderTest, type Origin } from './messages.ts';
import { describe } from './schedule.ts';
import type { WebhookSender } from './sender.ts';
import { generateSecret, webhookHeaders } from './signing.ts';
import type { CreateSubscriptionInput } from './schemas.ts';

export type SubscriptionRow = Selectable<SubscriptionsTable>;

/** How long the old secret keeps signing after a rotation. */
export const ROTATION_GRACE_MS = 24 * 3_600_000;

export interface SubscriptionDeps {
  database: Database;
  sender: WebhookSender;
  origin: Origin;
  logger: Logger;
}

export class SubscriptionService {
  private readonly deps: SubscriptionDeps;
  constructor(deps: SubscriptionDeps) {
    this.deps = deps;
  }

  private get db() {
    return this.deps.database.db;
  }

  async create(clientId: string, input: CreateSubscriptionInput) {
    try {
      this.deps.sender.checkUrl(input.callbackUrl);
    } catch (error) {
      if (!(error instanceof ForbiddenDestinationError)) throw error;
      throw new ServiceError('invalid', 'The callbackUrl is not allowed.', {
        invalidParams: [{ name: 'callbackUrl', code: 'invalid', reason: error.message }],
      });
    }
    const id = randomUUID();
    const secret = generateSecret();
    // Outside any transaction: the subscriber's answer may take up to the attempt timeout.
    const test = renderTest(input.format, this.urlOf(id), this.deps.origin);
    const webhookId = `msg_test_${randomUUID().replaceAll('-', '')}`;
    const result = await this.deps.sender.send(input.callbackUrl, test.body, {
      'content-type': test.contentType,
      ...webhookHeaders([secret], webhookId, test.body),
    });
    if (result.status === undefined || result.status < 200 || result.status >= 300) {
      const reason = `the test delivery was not answered with 2xx: ${describe(result)}`;
      this.deps.logger.info({ client_id: clientId, reason }, 'subscription refused: test delivery failed');
      throw new ServiceError('unprocessable', `The callbackUrl did not accept the test delivery (${describe(result)}).`, {
        invalidParams: [{ name: 'callbackUrl', code: 'test-delivery-failed', reason }],
      });
    }
    const row = await this.db
      .insertInto('subscriptions')
      .values({
        id,
        client_id: clientId,
        callback_url: input.callbackUrl,
        events: json(input.events),
        format: input.format,
        filters: json(input.filters ?? {}),
        secret,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    this.deps.logger.info({ client_id: clientId, subscription_id: id, events: input.events, format: input.format }, 'subscription created');
    return { ...this.present(row), secret };
  }

  async list(clientId: string, limit: number, offset: number) {
    const base = this.db.selectFrom('subscriptions').where('client_id', '=', clientId);
    const [rows, count] = await Promise.all([
      base.selectAll().orderBy('created_at').orderBy('id').limit(limit).offset(offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { count: Number(count.n), results: rows.map((r) => this.present(r)) };
  }

  async get(clientId: string, id: string) {
    return this.present(await this.own(clientId, id));
  }

  async delete(clientId: string, id: string): Promise<void> {
    await this.own(clientId, id);
    await this.db.deleteFrom('subscriptions').where('id', '=', id).where('client_id', '=', clientId).execute();
    this.deps.logger.info({ client_id: clientId, subscription_id: id }, 'subscription deleted');
  }

  /** A new secret, returned once; the one it replaces keeps signing (a second signature) for 24 hours. */
  async rotateSecret(clientId: string, id: string) {
    await this.own(clientId, id);
    const secret = generateSecret();
    const validUntil = new Date(Date.now() + ROTATION_GRACE_MS);
    const row = await this.db
      .updateTable('subscriptions')
      .set((eb) => ({ previous_secret: eb.ref('secret'), previous_secret_expires_at: validUntil, secret, updated_at: new Date() }))
      .where('id', '=', id)
      .where('client_id', '=', clientId)
      .returningAll()
      .executeTakeFirstOrThrow();
    this.deps.logger.info({ client_id: clientId, subscription_id: id }, 'subscription secret rotated');
    return { ...this.present(row), secret };
  }

  present(s: SubscriptionRow) {
    const rotationActive = s.previous_secret_expires_at && s.previous_secret_expires_at > new Date();
    return {
      id: s.id,
      url: this.urlOf(s.id),
      callbackUrl: s.callback_url,
      events: s.events,
      format: s.format,
      filters: s.filters,
      state: s.state,
      disabledReason: s.disabled_reason,
      disabledAt: s.disabled_at?.toISOString() ?? null,
      previousSecretValidUntil: rotationActive ? s.previous_secret_expires_at!.toISOString() : null,
      health: {
        lastSuccessAt: s.last_success_at?.toISOString() ?? null,
        lastFailureAt: s.last_failure_at?.toISOString() ?? null,
        failingSince: s.failing_since?.toISOString() ?? null,
        consecutiveFailures: s.consecutive_failures,
        lastError: s.last_error,
      },
      createdAt: s.created_at.toISOString(),
    };
  }

  private urlOf(id: string) {
    return `${this.deps.origin.baseUrl}/api/v1/subscriptions/${id}`;
  }

  private async own(clientId: string, id: string): Promise<SubscriptionRow> {
    const row = UUID.test(id)
      ? await this.db.selectFrom('subscriptions').selectAll().where('id', '=', id).where('client_id', '=', clientId).executeTakeFirst()
      : undefined;
    if (!row) throw notFound(`subscription ${id}`);
    return row;
  }
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
