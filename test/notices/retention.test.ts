// MESSAGE_RETENTION_DAYS: mails and notices that are done with are deleted after the retention;
// newer ones, and any still waiting to go, stay whatever their age.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { json } from '../../src/db/json.ts';
import { purgeMail } from '../../src/mail/index.ts';
import { purgeNotices } from '../../src/notices/retention.ts';
import { testDatabase } from '../helpers/db.ts';
import { insertBareCase } from '../helpers/fixtures.ts';

const { db } = await testDatabase();
const DAY = 86_400_000;
const now = new Date('2026-12-05T12:00:00Z');
const ago = (days: number) => new Date(now.getTime() - days * DAY);
const before = ago(90);

describe('message retention', () => {
  it('deletes done mails older than the retention in batches, keeps newer ones and queued ones', async () => {
    const mails: [state: 'queued' | 'sent' | 'dead' | 'unconfigured', days: number][] = [
      ['sent', 100],
      ['dead', 200],
      ['unconfigured', 91],
      ['queued', 300],
      ['sent', 89],
      ['sent', 1],
    ];
    await db
      .insertInto('mail_outbox')
      .values(
        mails.map(([state, days]) => ({
          id: randomUUID(),
          kind: `test-${state}-${days}`,
          recipients: json(['a@example.org']),
          subject: 's',
          text: 't',
          headers: json({}),
          state,
          created_at: ago(days),
        })),
      )
      .execute();
    expect(await purgeMail(db, before, 2)).toBe(3);
    const left = await db.selectFrom('mail_outbox').select('kind').orderBy('kind').execute();
    expect(left.map((r) => r.kind)).toEqual(['test-queued-300', 'test-sent-1', 'test-sent-89']);
  });

  it('deletes done notice messages with their events and planned outbox rows, keeps pending and unplanned ones', async () => {
    const caseId = randomUUID();
    await insertBareCase(db, caseId, 'ZK-RET-1');
    const events = [];
    for (let i = 0; i < 3; i++) {
      const { id } = await db
        .insertInto('case_events')
        .values({ type: 'case.citizen-notice', case_id: caseId, payload: json({}) })
        .returning('id')
        .executeTakeFirstOrThrow();
      events.push(Number(id));
    }
    // Outbox: planned long ago (goes), planned lately (stays), never planned (stays).
    await db
      .insertInto('notice_outbox')
      .values([
        { event_id: events[0], case_id: caseId, created_at: ago(120), planned_at: ago(120) },
        { event_id: events[1], case_id: caseId, created_at: ago(10), planned_at: ago(10) },
        { event_id: events[2], case_id: caseId, created_at: ago(120), planned_at: null },
      ])
      .execute();
    const message = (state: 'pending' | 'sending' | 'sent' | 'dead' | 'cancelled', days: number) => ({
      id: randomUUID(),
      kind: 'case-notice' as const,
      channel: 'email' as const,
      recipient: `${state}-${days}@example.org`,
      language: 'nl',
      params: json({}),
      case_id: caseId,
      state,
      created_at: ago(days),
    });
    const messages = [
      message('sent', 100),
      message('dead', 95),
      message('cancelled', 91),
      message('pending', 150),
      message('sending', 150),
      message('sent', 30),
    ];
    await db.insertInto('notice_messages').values(messages).execute();
    await db.insertInto('notice_message_events').values({ event_id: events[0], channel: 'email', message_id: messages[0].id }).execute();

    expect(await purgeNotices(db, before, 2)).toBe(4);
    const left = await db.selectFrom('notice_messages').select('recipient').orderBy('recipient').execute();
    expect(left.map((r) => r.recipient)).toEqual(['pending-150@example.org', 'sending-150@example.org', 'sent-30@example.org']);
    expect(Number((await sql<{ n: number }>`select count(*)::int as n from notice_message_events`.execute(db)).rows[0].n)).toBe(0);
    const outbox = await db.selectFrom('notice_outbox').select('event_id').orderBy('event_id').execute();
    expect(outbox.map((r) => Number(r.event_id))).toEqual([events[1], events[2]]);
  });
});
