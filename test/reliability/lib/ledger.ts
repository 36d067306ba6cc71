// The ledger: what the senders were told against what the gateway stored and shows.
import { sql } from 'kysely';
import type { ReliabilityChain } from './chain.ts';
import { identityOf, type Sender } from './sender.ts';

export interface Ledger {
  sent: number;
  acknowledged: number;
  stored: number;
  /** Acknowledged but not stored: must be 0. */
  lostAcknowledged: number;
  synced: number;
  deadLettered: number;
  /** Stored but still pending after the queue went quiet: must be 0. */
  pending: number;
  orders: number;
  /** Orders whose status differs from the simulator's current status: must be 0. */
  ordersDiffering: number;
  /** (case, remote status) pairs in the timeline more than once: must be 0. */
  duplicateTimelineEntries: number;
  /** Remote statuses missing from an order's timeline: must be 0. */
  missingTimelineEntries: number;
  examples: string[];
}

export async function ledgerOf(chain: ReliabilityChain, senders: Record<string, Sender>): Promise<Ledger> {
  const examples: string[] = [];
  return chain.query(async (db) => {
    const inbox = await db.selectFrom('inbox').select(['organisation_id', 'kanaal', 'resource_url', 'actie', 'aanmaakdatum', 'state']).execute();
    const stored = new Set(
      inbox.map((r) => identityOf(r.organisation_id, { kanaal: r.kanaal, resourceUrl: r.resource_url, actie: r.actie, aanmaakdatum: r.aanmaakdatum })),
    );
    let sent = 0;
    let acknowledged = 0;
    let lostAcknowledged = 0;
    for (const [org, sender] of Object.entries(senders)) {
      for (const e of sender.ledger) {
        sent++;
        if (!e.acked) continue;
        acknowledged++;
        if (!stored.has(identityOf(org, e.n))) {
          lostAcknowledged++;
          if (examples.length < 5) {
            const history = e.answers.map((a, i) => `${new Date(e.startedAt[i]).toISOString().slice(11, 23)}+${Math.round(e.latencies[i])}ms:${a}`).join(' ');
            examples.push(`acknowledged, not stored: ${e.n.resourceUrl} (${e.n.aanmaakdatum}) attempts ${history}`);
          }
        }
      }
    }
    const orders = await db
      .selectFrom('orders')
      .select(['id', 'remote_zaak_url', 'subcontractor', 'case_id', sql<string | null>`status->>'url'`.as('status_url')])
      .execute();
    let ordersDiffering = 0;
    let missingTimelineEntries = 0;
    const timeline = await db
      .selectFrom('timeline_entries')
      .select(['order_id', 'dedupe_key'])
      .where('kind', '=', 'status')
      .where('order_id', 'is not', null)
      .execute();
    const keysByOrder = new Map<string, string[]>();
    for (const t of timeline) keysByOrder.set(t.order_id!, [...(keysByOrder.get(t.order_id!) ?? []), t.dedupe_key ?? '(none)']);
    for (const o of orders) {
      const sim = chain.orgs[o.subcontractor]?.sim;
      if (!sim) continue;
      const zaak = sim.zaken().find((z) => z.url === o.remote_zaak_url);
      const truth = zaak?.status ?? null;
      if (truth !== o.status_url) {
        ordersDiffering++;
        if (examples.length < 10) examples.push(`order ${o.id}: gateway shows ${o.status_url}, simulator has ${truth}`);
      }
      const keys = new Set(keysByOrder.get(o.id) ?? []);
      for (const s of sim.statussen(o.remote_zaak_url!)) {
        if (!keys.has(s.url)) {
          missingTimelineEntries++;
          if (examples.length < 10) examples.push(`order ${o.id}: status ${s.url} not in the timeline`);
        }
      }
    }
    const { rows: dup } = await sql<{ n: number }>`
      select count(*)::int as n from (select case_id, dedupe_key from timeline_entries where dedupe_key is not null
      group by case_id, dedupe_key having count(*) > 1) d`.execute(db);
    return {
      sent,
      acknowledged,
      stored: inbox.length,
      lostAcknowledged,
      synced: inbox.filter((r) => r.state === 'synced').length,
      deadLettered: inbox.filter((r) => r.state === 'dead').length,
      pending: inbox.filter((r) => r.state === 'pending').length,
      orders: orders.length,
      ordersDiffering,
      duplicateTimelineEntries: Number(dup[0]?.n ?? 0),
      missingTimelineEntries,
      examples,
    };
  });
}

export function printLedger(title: string, ledger: Ledger, extra: Record<string, unknown> = {}): void {
  const rows: [string, unknown][] = [
    ['notifications sent', ledger.sent],
    ['acknowledged (204)', ledger.acknowledged],
    ['stored in the inbox', ledger.stored],
    ['acknowledged but not stored', ledger.lostAcknowledged],
    ['stored → synced', ledger.synced],
    ['stored → dead-lettered', ledger.deadLettered],
    ['stored → still pending', ledger.pending],
    ['orders', ledger.orders],
    ['orders differing from the simulator', ledger.ordersDiffering],
    ['duplicate timeline entries', ledger.duplicateTimelineEntries],
    ['remote statuses missing from the timeline', ledger.missingTimelineEntries],
    ...Object.entries(extra),
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = [`\n── ledger: ${title} ──`, ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${typeof v === 'object' ? JSON.stringify(v) : v}`)];
  if (ledger.examples.length) lines.push('  examples:', ...ledger.examples.map((e) => `    ${e}`));
  process.stdout.write(`${lines.join('\n')}\n`);
}
