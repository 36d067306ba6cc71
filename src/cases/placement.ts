// Placing an order: create a linked zaak in the subcontractor's Zaken API (the "deelzaak bij de
// ketenpartner" pattern). A durable job; a retried placement never creates a second zaak because
// the gateway chooses the identificatie and looks it up before trying again.
import type { Database } from '../db/database.ts';
import { enqueue } from '../jobs/queue.ts';
import { backoffMs, PermanentJobError, RetryJobError } from '../jobs/errors.ts';
import type { Job } from '../jobs/queue.ts';
import type { Logger } from '../log.ts';
import type { NetworkService } from '../network/service.ts';
import { hasZaken, type Product, type ZakenOrganisation } from '../network/types.ts';
import { OutboundError, retryAfterMs, type OutboundClients, type OutboundResponse } from '../outbound/index.ts';
import * as repo from './repository.ts';
import { enqueueSync, firstPollAt } from './sync-job.ts';
import { inCaseTransaction, refreshCombinedStatus } from './status-refresh.ts';

export const SHARE_CITIZEN_JOB = 'order.share-citizen';

export interface PlacementDeps {
  database: Database;
  network: NetworkService;
  outbound: OutboundClients;
  logger: Logger;
  /** After this long without success the order is `failed` (about a day, as Open Notificaties retries). */
  giveUpMs: number;
}

const amsterdamDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam', year: 'numeric', month: '2-digit', day: '2-digit' });

export function zaakBody(order: repo.OrderRow, c: repo.CaseRow, org: ZakenOrganisation, product: Product, selfOin: string, now = new Date()) {
  // Only what the subcontractor needs: no title (it may name the citizen), no BSN.
  const omschrijving = `${product.name.nl} (${c.reference})`.slice(0, 80);
  return {
    identificatie: order.planned_identificatie,
    bronorganisatie: org.rsin,
    verantwoordelijkeOrganisatie: org.rsin,
    omschrijving,
    ...(order.description ? { toelichting: order.description.slice(0, 1000) } : {}),
    zaaktype: product.zaaktype,
    startdatum: amsterdamDate.format(now),
    ...(c.planned_end_date ? { einddatumGepland: c.planned_end_date } : {}),
    ...(c.deadline ? { uiterlijkeEinddatumAfdoening: c.deadline } : {}),
    vertrouwelijkheidaanduiding: c.confidentiality,
    kenmerken: [{ kenmerk: order.id, bron: selfOin }],
  };
}

export function placementHandler(deps: PlacementDeps) {
  const { database, network, outbound } = deps;
  return async (job: Job) => {
    const orderId = String(job.payload.orderId);
    const order = await repo.findOrder(database.db, orderId);
    if (order?.state !== 'placing') return;
    const c = (await repo.findCase(database.db, order.case_id))!;
    const member = network.get(order.subcontractor);
    // One that became a portal organisation while this waited has no Zaken API to place it at.
    const org = member && hasZaken(member) ? member : undefined;
    const product = org?.products.find((p) => p.code === order.product);
    if (org?.status !== 'active' || !product) {
      await markFailed(deps, order, {
        title: 'Subcontractor cannot take orders',
        detail: !member
          ? 'organisation left the network'
          : !org
            ? 'organisation has no Zaken API any more (it works through the partner API); place the order again'
            : !product
              ? `product ${order.product} is no longer offered`
              : `organisation is ${org.status}`,
      });
      return;
    }
    const zaken = `${org.zaken.apiRoot}zaken`;
    try {
      // A previous attempt may have created the zaak without us hearing the answer.
      if (job.attempts > 1) {
        const existing = await findPlaced(outbound, org, zaken, order.planned_identificatie);
        if (existing) return markPlaced(deps, order, org, existing);
      }
      const res = await outbound.request(org.id, { method: 'POST', url: zaken, body: zaakBody(order, c, org, product, network.self.oin) });
      if (res.status === 201) return markPlaced(deps, order, org, res.body as RemoteZaak);
      if (isDuplicateIdentificatie(res)) {
        const existing = await findPlaced(outbound, org, zaken, order.planned_identificatie);
        if (existing) return markPlaced(deps, order, org, existing);
      }
      if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
        await markFailed(deps, order, { status: res.status, ...asProblem(res.body) });
        return;
      }
      throw new RetryJobError(`subcontractor answered ${res.status}`, retryAfterMs(res.headers) ?? backoffMs(job.attempts, 2000));
    } catch (error) {
      if (error instanceof OutboundError && !error.retryable) {
        await markFailed(deps, order, { title: 'Order could not be sent', detail: error.message });
        return;
      }
      if (Date.now() - order.created_at.getTime() > deps.giveUpMs) {
        await markFailed(deps, order, { title: 'Subcontractor did not accept the order in time', detail: (error as Error).message });
        throw new PermanentJobError('gave up placing the order');
      }
      if (error instanceof RetryJobError) throw error;
      throw new RetryJobError((error as Error).message, backoffMs(job.attempts, 2000));
    }
  };
}

interface RemoteZaak {
  url: string;
  identificatie: string;
}

async function findPlaced(outbound: OutboundClients, org: ZakenOrganisation, zaken: string, identificatie: string): Promise<RemoteZaak | undefined> {
  const url = `${zaken}?identificatie=${encodeURIComponent(identificatie)}&bronorganisatie=${org.rsin}`;
  const res = await outbound.request(org.id, { method: 'GET', url });
  if (res.status !== 200) throw new RetryJobError(`lookup by identificatie answered ${res.status}`, retryAfterMs(res.headers) ?? 5000);
  const results = (res.body as { results?: RemoteZaak[] }).results ?? [];
  return results.find((z) => z.identificatie === identificatie);
}

function isDuplicateIdentificatie(res: OutboundResponse): boolean {
  const params = (res.body as { invalidParams?: { name?: string; code?: string }[] } | null)?.invalidParams ?? [];
  return res.status === 400 && params.some((p) => p.code === 'identificatie-niet-uniek');
}

function asProblem(body: unknown) {
  if (typeof body !== 'object' || body === null) return { title: 'Subcontractor refused the order', detail: String(body ?? '').slice(0, 500) };
  const b = body as Record<string, unknown>;
  return {
    title: typeof b.title === 'string' ? b.title : 'Subcontractor refused the order',
    detail: typeof b.detail === 'string' ? b.detail : undefined,
    code: typeof b.code === 'string' ? b.code : undefined,
    invalidParams: Array.isArray(b.invalidParams) ? b.invalidParams.slice(0, 20) : undefined,
  };
}

async function markPlaced(deps: PlacementDeps, order: repo.OrderRow, org: ZakenOrganisation, zaak: RemoteZaak) {
  await inCaseTransaction(deps.database.db, order.case_id, async (trx) => {
    const current = await repo.findOrderForUpdate(trx, order.id);
    if (current?.state !== 'placing') return;
    await repo.updateOrder(trx, order.id, {
      state: 'placed',
      remote_zaak_url: zaak.url,
      remote_identificatie: zaak.identificatie,
      failure: null,
      next_poll_at: firstPollAt(org),
    });
    await repo.addTimelineEntry(trx, {
      case_id: order.case_id,
      order_id: order.id,
      at: new Date(),
      organisation_id: org.id,
      kind: 'order-placed',
      phase: null,
      text: null,
      dedupe_key: `order-placed:${order.id}`,
    });
    await enqueueSync(trx, { id: order.id, subcontractor: org.id }, 'placed');
    if (order.share_citizen) await enqueue(trx, SHARE_CITIZEN_JOB, { orderId: order.id }, { groupKey: org.id, maxAttempts: 50 });
    await refreshCombinedStatus(trx, deps.network, order.case_id, 'order-placed');
  });
  deps.logger.info({ order_id: order.id, organisation: org.id }, 'order placed');
}

async function markFailed(deps: PlacementDeps, order: repo.OrderRow, failure: Record<string, unknown>) {
  await inCaseTransaction(deps.database.db, order.case_id, async (trx) => {
    await repo.updateOrder(trx, order.id, { state: 'failed', failure });
    await refreshCombinedStatus(trx, deps.network, order.case_id, 'order-failed');
  });
  deps.logger.warn({ order_id: order.id, organisation: order.subcontractor, failure_title: failure.title }, 'order placement failed');
}
