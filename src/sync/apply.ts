// Writing what a re-query learnt, each in one short transaction (no network I/O inside).
import { sql } from 'kysely';
import { cachePlans, type Db, type Trx } from '../db/database.ts';
import type { ZakenOrganisation } from '../network/types.ts';
import { applyOrderStatus, type OrderStatus } from '../cases/order-status.ts';
import * as repo from '../cases/repository.ts';
import { inCaseTransaction, refreshCombinedStatus } from '../cases/status-refresh.ts';
import { firstPollAt } from '../cases/sync-job.ts';
import { citizenText, phaseOf, type StatusType } from './catalog.ts';
import { settleInbox, settledUpTo } from './repository.ts';
import type { SyncDeps } from './deps.ts';

export interface RemoteStatus {
  url: string;
  datumStatusGezet: string;
  toelichting?: string;
  statustype: StatusType;
}

export interface Facts {
  currentStatusUrl: string | null;
  statussen: RemoteStatus[];
}

type Deps = Pick<SyncDeps, 'database' | 'network' | 'logger'>;

/** `completeJob`: the sync job's completion, written in the same transaction (see JobContext). */
type CompleteJob = (trx: Trx) => Promise<void>;

/** The zaak's statussen as the order's status and timeline (cases/order-status.ts applies them), and its inbox settled. */
export async function applyFacts(deps: Deps, order: repo.OrderRow, org: ZakenOrganisation, facts: Facts, started: Date, completeJob?: CompleteJob) {
  const product = org.products.find((p) => p.code === order.product);
  await inCaseTransaction(deps.database.db, order.case_id, async (trx, lockedCase) => {
    await cachePlans(trx);
    const current = currentOf(facts);
    await applyOrderStatus(
      trx,
      deps.network,
      {
        orderId: order.id,
        caseId: order.case_id,
        organisationId: org.id,
        observedAt: started,
        status: current ? statusOf(current, product) : null,
        currentKey: current?.url,
        entries: facts.statussen.map((s) => ({
          at: new Date(s.datumStatusGezet),
          phase: phaseOf(s.statustype, product),
          text: citizenText(s.statustype, s.toelichting),
          dedupeKey: s.url,
          informeren: s.statustype.informeren === true,
        })),
        reason: 'sync',
        repollAt: firstPollAt(org),
      },
      // The order's pending notifications received up to the fetch are settled in the same statement.
      { lockedCase, alongside: settledUpTo(order.id, started, new Date()) },
    );
    await completeJob?.(trx);
  });
  // Outside the transaction: the organisation's row is shared by all its orders' syncs.
  await recordHealth(deps.database.db, org.id, undefined);
}

export async function markGone(deps: Deps, order: repo.OrderRow, org: ZakenOrganisation, started: Date, completeJob?: CompleteJob) {
  await inCaseTransaction(deps.database.db, order.case_id, async (trx) => {
    await repo.updateOrder(trx, order.id, { sync_state: 'gone', sync_error: 'the zaak no longer exists at the subcontractor', last_sync_attempt_at: started });
    await settleInbox(trx, order.id, started, 'synced');
    await refreshCombinedStatus(trx, deps.network, order.case_id, 'zaak-gone');
    await completeJob?.(trx);
  });
  deps.logger.warn({ order_id: order.id, organisation: org.id }, 'remote zaak is gone (404/410); shown as a gap');
}

export async function recordFailure(deps: Deps, order: repo.OrderRow, org: ZakenOrganisation, error: string, final: boolean) {
  await inCaseTransaction(deps.database.db, order.case_id, async (trx) => {
    await repo.updateOrder(trx, order.id, { sync_state: 'unreachable', sync_error: error.slice(0, 500), last_sync_attempt_at: new Date() });
    // Polled until a sync succeeds (pollingDone), also an order the poller had left: what failed may be a new status.
    await sql`update orders set next_poll_at = ${firstPollAt(org)} where id = ${order.id} and next_poll_at is null`.execute(trx);
    if (final) await settleInbox(trx, order.id, new Date(), 'dead');
    await refreshCombinedStatus(trx, deps.network, order.case_id, 'sync-failed');
  });
  await recordHealth(deps.database.db, org.id, error);
}

/**
 * The zaak's current status. A status in the list set later than the one the zaak named means the
 * list was read after the zaak (a status came in between the two reads): the later one is current.
 */
function currentOf(facts: Facts): RemoteStatus | undefined {
  const named = facts.statussen.find((s) => s.url === facts.currentStatusUrl);
  const latest = facts.statussen.reduce<RemoteStatus | undefined>(
    (a, s) => (!a || Date.parse(s.datumStatusGezet) > Date.parse(a.datumStatusGezet) ? s : a),
    undefined,
  );
  if (!named) return latest;
  return latest && Date.parse(latest.datumStatusGezet) > Date.parse(named.datumStatusGezet) ? latest : named;
}

function statusOf(s: RemoteStatus, product: Parameters<typeof phaseOf>[1]): OrderStatus {
  return {
    phase: phaseOf(s.statustype, product),
    url: s.url,
    statustype: s.statustype.url,
    omschrijving: s.statustype.omschrijving,
    statustekst: s.statustype.statustekst ?? null,
    toelichting: s.toelichting ?? null,
    volgnummer: s.statustype.volgnummer,
    isEindstatus: s.statustype.isEindstatus,
    datumStatusGezet: s.datumStatusGezet,
  };
}

/** Per process: when a success was last written for an organisation (none written since a failure). */
const successWritten = new Map<string, number>();
/** Every sync of an organisation updates its one health row: at a few hundred syncs a second those
 * updates queue behind each other's commits. A success is written at most once a second per process. */
const SUCCESS_WRITE_INTERVAL_MS = 1000;

async function recordHealth(db: Db, orgId: string, error: string | undefined) {
  if (error === undefined) {
    const last = successWritten.get(orgId);
    if (last !== undefined && Date.now() - last < SUCCESS_WRITE_INTERVAL_MS) return;
    successWritten.set(orgId, Date.now());
    await sql`insert into organisation_health (organisation_id, consecutive_failures, last_success_at) values (${orgId}, 0, now())
      on conflict (organisation_id) do update set consecutive_failures = 0, last_success_at = now()`.execute(db);
  } else {
    successWritten.delete(orgId);
    await sql`insert into organisation_health (organisation_id, consecutive_failures, last_error, last_failure_at) values (${orgId}, 1, ${error.slice(0, 500)}, now())
      on conflict (organisation_id) do update set consecutive_failures = organisation_health.consecutive_failures + 1,
        last_error = excluded.last_error, last_failure_at = now()`.execute(db);
  }
}
