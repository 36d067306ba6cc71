// Verwerkingenlogging: every read of a case writes one row per case read, in the same
// transaction as the read, so a read that cannot be logged does not happen.
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/database.ts';
import { json } from '../db/json.ts';
import { purgeInBatches } from '../db/purge.ts';
import { Periodic } from '../lib/periodic.ts';

export type ActorRole = 'citizen' | 'proxy' | 'supplier' | 'operator' | 'representative' | 'organisation-proxy' | 'subcontractor' | 'kcc' | 'caseworker';

/**
 * Who reads and why. A proxy's `actor` is the masked BSN; a company representative's their name or
 * masked `sub`; an organisation proxy's its client id (with `organisation` its name). The mandate says on whose authority.
 */
export interface Access {
  role: ActorRole;
  actor: string;
  purpose: string;
  organisation?: string | null;
  mandateId?: string | null;
  requestId?: string;
  traceId?: string;
  /** Benchmarks only (BENCHMARK_NO_ACCESS_LOG, bench B5's baseline): the read writes no access-log row. */
  unlogged?: boolean;
}

export const PURPOSES = {
  citizen: 'citizen-view',
  proxy: 'proxy-view',
  supplier: 'case-handling',
  operator: 'operations',
  representative: 'company-view',
  'organisation-proxy': 'organisation-proxy-view',
  // A portal organisation's client (the partner API) reading an assignment that carries the customer's data.
  subcontractor: 'assignment-handling',
  // Staff (src/staff): a contact-centre employee answers the customer's question, naming one of KCC_PURPOSES; a caseworker's worklist.
  kcc: 'customer-contact',
  caseworker: 'case-handling',
} as const satisfies Record<ActorRole, string>;

/** Why a contact-centre employee looks a customer up: the purpose the lookup names (the customer reads it in their access log as i18n's `reason.<purpose>`). */
export const KCC_PURPOSES = ['application-question', 'status-question', 'document-question', 'appointment', 'complaint'] as const;
export type KccPurpose = (typeof KCC_PURPOSES)[number];
export const isKccPurpose = (purpose: string): purpose is KccPurpose => (KCC_PURPOSES as readonly string[]).includes(purpose);

/**
 * The one statement that writes access-log rows: one per row of `source`, a relation with the
 * columns case_id, subject_bsn, subject_kvk and mandate_id (null: the access's own mandateId). Usable as a CTE.
 */
export function insertAccessRows(access: Access, source: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`insert into access_log (actor_role, actor, mandate_id, organisation, purpose, case_id, subject_bsn, subject_kvk, request_id, trace_id)
    select ${access.role}::text, ${access.actor}::text, coalesce(s.mandate_id, ${access.mandateId ?? null}::uuid), ${access.organisation ?? null}::text,
           ${access.purpose}::text, s.case_id, s.subject_bsn, s.subject_kvk, ${access.requestId ?? null}::text, ${access.traceId ?? null}::text
    from ${source} s`;
}

/** One batched insert for all cases read; nothing for an empty read. */
export async function recordAccess(db: Db, access: Access, cases: { id: string; citizen_bsn: string | null; citizen_kvk: string | null }[]): Promise<void> {
  if (cases.length === 0 || access.unlogged) return;
  const rows = cases.map((c) => ({ case_id: c.id, subject_bsn: c.citizen_bsn, subject_kvk: c.citizen_kvk }));
  await insertAccessRows(
    access,
    sql`(select * from jsonb_to_recordset(${json(rows)}) as r(case_id uuid, subject_bsn text, subject_kvk text, mandate_id uuid))`,
  ).execute(db);
}

/** Whose access log: a person's, or a company's (a branch's representative sees the reads of the company-wide cases and its branch's). */
export type LogSubject = { bsn: string } | { kvk: string; vestiging?: string };

/** The rows about one customer's data, newest first, with the proxy's name the grantor gave. */
export async function accessLogOf(db: Db, subject: LogSubject, limit: number, offset: number) {
  let base = db.selectFrom('access_log as a').leftJoin('cases as c', 'c.id', 'a.case_id');
  base = 'bsn' in subject ? base.where('a.subject_bsn', '=', subject.bsn) : base.where('a.subject_kvk', '=', subject.kvk);
  if ('kvk' in subject && subject.vestiging) {
    const branch = subject.vestiging;
    base = base.where((eb) => eb.or([eb('c.citizen_vestiging', 'is', null), eb('c.citizen_vestiging', '=', branch)]));
  }
  const [rows, count] = await Promise.all([
    base
      .leftJoin('mandates as m', (j) =>
        j.onRef('m.id', '=', 'a.mandate_id').on('bsn' in subject ? 'm.grantor_bsn' : 'm.grantor_kvk', '=', 'bsn' in subject ? subject.bsn : subject.kvk),
      )
      .select([
        'a.id',
        'a.at',
        'a.actor_role',
        'a.actor',
        'a.organisation',
        'a.purpose',
        'a.case_id',
        'a.trace_id',
        'a.request_id',
        'c.reference',
        'm.proxy_name',
      ])
      .orderBy('a.at', 'desc')
      .orderBy('a.id', 'desc')
      .limit(limit)
      .offset(offset)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, count: Number(count.n) };
}

export type AccessLogRow = Awaited<ReturnType<typeof accessLogOf>>['rows'][number];

/** Deletes rows older than `before` in batches (short transactions); returns how many went. */
export function purgeAccessLog(db: Db, before: Date, batchSize = 5000): Promise<number> {
  return purgeInBatches(batchSize, async (limit) => {
    const result = await sql`delete from access_log where id in (
      select id from access_log where at < ${before} order by at limit ${limit} for update skip locked)`.execute(db);
    return Number(result.numAffectedRows ?? 0);
  });
}

/** Runs the retention purge every hour (and once soon after start). */
export class AccessLogRetention {
  private readonly periodic: Periodic<number>;

  constructor(options: { db: Db; retentionDays: number; intervalMs?: number; onError?: (error: unknown) => void }) {
    this.periodic = new Periodic((now) => purgeAccessLog(options.db, new Date(now.getTime() - options.retentionDays * 86_400_000)), {
      intervalMs: options.intervalMs ?? 3_600_000,
      onError: options.onError,
    });
  }

  start(): void {
    this.periodic.start();
  }

  runOnce(now = new Date()): Promise<number> {
    return this.periodic.runOnce(now);
  }

  stop(): Promise<void> {
    return this.periodic.stop();
  }
}
