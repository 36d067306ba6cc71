// Frozen: never edit a migration that has shipped; add a new one.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // The notice outbox: one row per `case.citizen-notice` event, written by the statement that
  // writes the event (src/cases/outbox.ts), so a notice exists if and only if its event committed.
  // `planned_at` is set when the notices feature has turned it into messages (or found no channel).
  await db.schema
    .createTable('notice_outbox')
    .addColumn('event_id', 'bigint', (c) => c.primaryKey().references('case_events.id').onDelete('cascade'))
    .addColumn('case_id', 'uuid', (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('phase', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('planned_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('notice_outbox_unplanned').on('notice_outbox').column('event_id').where(sql<boolean>`planned_at is null`).execute();

  // Every message to a customer (a case notice, a verification code), sent by a `notice.send` job
  // at send_at. `sending`: handed to the Notify API, outcome not recorded yet; `dead`: refused for
  // good or retries used up, with last_error for the operator; `cancelled`: before it went, the
  // customer switched the channel off or changed the address.
  await db.schema
    .createTable('notice_messages')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('verification-code', 'case-notice')`))
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('email', 'sms')`))
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('params', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('unsubscribe_url', 'text')
    .addColumn('case_id', 'uuid', (c) => c.references('cases.id').onDelete('cascade'))
    // How many notices were folded into this message.
    .addColumn('notices', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('send_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('pending').check(sql`state in ('pending', 'sending', 'sent', 'dead', 'cancelled')`))
    .addColumn('transport', 'text')
    .addColumn('provider_id', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('sent_at', 'timestamptz')
    .execute();
  // The folding rule's question: this case's latest message on this channel.
  await db.schema
    .createIndex('notice_messages_case')
    .on('notice_messages')
    .columns(['case_id', 'channel', 'send_at'])
    .where(sql<boolean>`case_id is not null`)
    .execute();
  // What operators ask: the messages not sent, newest first.
  await db.schema.createIndex('notice_messages_unsent').on('notice_messages').columns(['state', 'created_at']).where(sql<boolean>`state <> 'sent'`).execute();

  // A notice reaches a channel once: the key that keeps a retried or repeated planning from doubling it.
  await db.schema
    .createTable('notice_message_events')
    .addColumn('event_id', 'bigint', (c) => c.notNull().references('case_events.id').onDelete('cascade'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('message_id', 'uuid', (c) => c.notNull().references('notice_messages.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('notice_message_events_pk', ['event_id', 'channel'])
    .execute();
  await db.schema.createIndex('notice_message_events_message').on('notice_message_events').column('message_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('notice_message_events').execute();
  await db.schema.dropTable('notice_messages').execute();
  await db.schema.dropTable('notice_outbox').execute();
}
