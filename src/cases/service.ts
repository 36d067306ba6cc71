import { randomUUID } from 'node:crypto';
import { type Database, type Trx, withTransaction } from '../db/database.ts';
import { enqueue } from '../jobs/queue.ts';
import { ServiceError, notFound } from '../lib/service-error.ts';
import type { NetworkService } from '../network/service.ts';
import { isPortal, type Phase } from '../network/types.ts';
import { type AssignmentHook, placeAssignment } from './assignment.ts';
import { isClosedPhase } from './phases.ts';
import { generateReference, isUuid } from './identifiers.ts';
import { claimIdempotencyKey, requestHash, storeIdempotentResponse } from './idempotency.ts';
import { caseResource, orderResource, timelineResource } from './presenter.ts';
import * as repo from './repository.ts';
import { enqueueSync } from './sync-job.ts';
import type { CreateCaseInput } from './schemas.ts';
import { computeCombined, refreshCombinedStatus } from './status-refresh.ts';
import { recordAccess, type Access } from '../access-log/access-log.ts';

export interface CaseServiceDeps {
  database: Database;
  network: NetworkService;
  baseUrl: string;
  /** The partner feature's part of placing an assignment (src/partner: its row, reply token, mail). */
  onAssignment: AssignmentHook;
}

export const PLACE_ORDER_JOB = 'order.place';

export class CaseService {
  private readonly deps: CaseServiceDeps;
  constructor(deps: CaseServiceDeps) {
    this.deps = deps;
  }

  private get db() {
    return this.deps.database.db;
  }

  async create(clientId: string, input: CreateCaseInput, idempotencyKey?: string): Promise<{ status: number; body: ReturnType<CaseService['present']> }> {
    return withTransaction(this.db, async (trx) => {
      if (idempotencyKey) {
        const previous = await claimIdempotencyKey(trx, clientId, idempotencyKey, requestHash(input));
        if (previous) return previous as { status: number; body: ReturnType<CaseService['present']> };
      }
      const reference = input.reference ?? generateReference();
      if (input.reference && (await trx.selectFrom('cases').select('id').where('reference', '=', reference).executeTakeFirst())) {
        throw new ServiceError('unprocessable', `A case with reference ${reference} exists.`, {
          invalidParams: [{ name: 'reference', code: 'unique', reason: 'must be unique' }],
        });
      }
      const draft: Omit<repo.CaseRow, 'combined_status'> = {
        id: randomUUID(),
        reference,
        title: input.title,
        citizen_bsn: 'bsn' in input.citizen ? input.citizen.bsn : null,
        citizen_kvk: 'kvk' in input.citizen ? input.citizen.kvk : null,
        citizen_vestiging: 'kvk' in input.citizen ? (input.citizen.vestiging ?? null) : null,
        confidentiality: input.confidentiality,
        product: input.product ?? null,
        planned_end_date: input.plannedEndDate ?? null,
        deadline: input.deadline ?? null,
        phase: 'ontvangen',
        phase_text: null,
        closed_at: null,
        created_by: clientId,
        created_at: new Date(),
        updated_at: new Date(),
      };
      const row = await repo.insertCase(trx, { ...draft, combined_status: computeCombined(this.deps.network, draft, []) });
      await repo.addTimelineEntry(trx, {
        case_id: row.id,
        at: row.created_at,
        organisation_id: this.deps.network.self.id,
        kind: 'status',
        phase: 'ontvangen',
        text: null,
        dedupe_key: 'case-created',
      });
      const response = { status: 201, body: this.present(row, []) };
      if (idempotencyKey) await storeIdempotentResponse(trx, clientId, idempotencyKey, response);
      return response;
    });
  }

  /** Every case returned is a read of a citizen's data: one access-log row each, in the same transaction. */
  async list(filters: repo.CaseFilters, limit: number, offset: number, access: Access) {
    return withTransaction(this.db, async (trx) => {
      const { rows, count } = await repo.listCases(trx, filters, limit, offset);
      const orders = await repo.ordersOfCases(
        trx,
        rows.map((r) => r.id),
      );
      await recordAccess(trx, this.withSelf(access), rows);
      return {
        count,
        results: rows.map((r) =>
          this.present(
            r,
            orders.filter((o) => o.case_id === r.id),
          ),
        ),
      };
    });
  }

  async get(id: string, access: Access) {
    return withTransaction(this.db, (trx) => this.readCase(trx, id, access));
  }

  private async readCase(trx: Trx, id: string, access: Access) {
    const c = await this.findCaseOr404(trx, id);
    const orders = await repo.ordersOfCase(trx, id);
    const timeline = await repo.timelineOfCase(trx, id);
    await recordAccess(trx, this.withSelf(access), [c]);
    return { ...this.present(c, orders), timeline: timeline.map((t) => timelineResource(t, (org) => this.orgName(org))) };
  }

  /** Supplier and operator clients read on behalf of the organisation running the gateway. */
  private withSelf(access: Access): Access {
    return { organisation: this.deps.network.self.id, ...access };
  }

  async setPhase(id: string, phase: Phase, text: string | undefined, access: Access) {
    return withTransaction(this.db, async (trx) => {
      const c = await this.findCaseOr404(trx, id, true);
      if (c.closed_at) throw new ServiceError('conflict', 'The case is closed.');
      const closes = isClosedPhase(phase);
      await repo.updateCase(trx, id, { phase, phase_text: text ?? null, ...(closes ? { closed_at: new Date() } : {}) });
      await repo.addTimelineEntry(trx, { case_id: id, at: new Date(), organisation_id: this.deps.network.self.id, kind: 'status', phase, text: text ?? null });
      await refreshCombinedStatus(trx, this.deps.network, id, 'supplier-status');
      return this.readCase(trx, id, access);
    });
  }

  async addEvent(id: string, input: { kind: string; text?: string; references: unknown[]; at?: string; citizenVisible?: boolean }, access: Access) {
    return withTransaction(this.db, async (trx) => {
      await this.findCaseOr404(trx, id, true);
      await repo.addTimelineEntry(trx, {
        case_id: id,
        at: input.at ? new Date(input.at) : new Date(),
        organisation_id: this.deps.network.self.id,
        kind: input.kind,
        text: input.text ?? null,
        refs: input.references,
        citizen_visible: input.citizenVisible ?? input.kind !== 'note',
      });
      await repo.updateCase(trx, id, {});
      return this.readCase(trx, id, access);
    });
  }

  async placeOrder(caseId: string, input: { subcontractor: string; product: string; description?: string; shareCitizen: boolean }) {
    const org = this.deps.network.get(input.subcontractor);
    if (org?.status !== 'active') {
      const reason = !org ? 'is not a member of the trust network' : `is ${org.status}; only active organisations receive orders`;
      throw new ServiceError('unprocessable', `Organisation ${input.subcontractor} ${reason}.`, {
        invalidParams: [{ name: 'subcontractor', code: org ? org.status : 'unknown', reason }],
      });
    }
    const product = org.products.find((p) => p.code === input.product);
    if (!product) {
      throw new ServiceError('unprocessable', `${org.name} does not offer product ${input.product}.`, {
        invalidParams: [{ name: 'product', code: 'unknown', reason: `offered: ${org.products.map((p) => p.code).join(', ') || 'none'}` }],
      });
    }
    // A portal organisation's assignment shares what the case holds through the partner API instead.
    if (input.shareCitizen && !isPortal(org) && !org.products.find((p) => p.code === input.product)?.initiatorRoltype) {
      throw new ServiceError('unprocessable', `Product ${product.code} has no initiator roltype configured, so the citizen cannot be shared.`, {
        invalidParams: [{ name: 'shareCitizen', code: 'no-roltype', reason: 'configure products[].initiatorRoltype for this organisation' }],
      });
    }
    const created = await withTransaction(this.db, async (trx) => {
      const c = await this.findCaseOr404(trx, caseId, true);
      if (c.closed_at) throw new ServiceError('conflict', 'The case is closed; it takes no new orders.');
      if (input.shareCitizen && !isPortal(org) && !c.citizen_bsn) {
        throw new ServiceError('unprocessable', 'Only a citizen identified by BSN can be shared.', {
          invalidParams: [{ name: 'shareCitizen', code: 'no-bsn', reason: 'the case has no BSN' }],
        });
      }
      const id = randomUUID();
      const row = await repo.insertOrder(trx, {
        id,
        case_id: caseId,
        subcontractor: org.id,
        product: input.product,
        description: input.description ?? null,
        share_citizen: input.shareCitizen,
        planned_identificatie: `KS-${id.replaceAll('-', '').toUpperCase()}`,
      });
      if (isPortal(org)) {
        const placed = await placeAssignment(trx, row, org, this.deps.onAssignment);
        await refreshCombinedStatus(trx, this.deps.network, caseId, 'order-placed');
        return { order: placed, c };
      }
      await enqueue(trx, PLACE_ORDER_JOB, { orderId: id }, { groupKey: org.id, maxAttempts: 1000 });
      await refreshCombinedStatus(trx, this.deps.network, caseId, 'order-created');
      return { order: row, c };
    });
    return this.presentOrder(created.order, created.c);
  }

  /** An order's status is part of the citizen's case: reading it is logged like reading the case. */
  async listOrders(caseId: string, access: Access) {
    return withTransaction(this.db, async (trx) => {
      const c = await this.findCaseOr404(trx, caseId);
      const orders = await repo.ordersOfCase(trx, caseId);
      await recordAccess(trx, this.withSelf(access), [c]);
      return orders.map((o) => this.presentOrder(o, c));
    });
  }

  async getOrder(id: string, access: Access) {
    return withTransaction(this.db, async (trx) => {
      const order = isUuid(id) ? await repo.findOrder(trx, id) : undefined;
      if (!order) throw notFound(`order ${id}`);
      const c = (await repo.findCase(trx, order.case_id))!;
      await recordAccess(trx, this.withSelf(access), [c]);
      return this.presentOrder(order, c);
    });
  }

  async requestSync(id: string) {
    const order = isUuid(id) ? await repo.findOrder(this.db, id) : undefined;
    if (!order) throw notFound(`order ${id}`);
    if (order.state !== 'placed') throw new ServiceError('conflict', `The order is ${order.state}; only a placed order can be synchronised.`);
    if (!order.remote_zaak_url) {
      throw new ServiceError('conflict', 'The order is an assignment of a portal organisation: no zaak to re-query; it reports through the partner API.');
    }
    await enqueueSync(this.db, order, 'requested');
    return this.presentOrder(order, (await repo.findCase(this.db, order.case_id))!);
  }

  private present(c: repo.CaseRow, orders: repo.OrderRow[]) {
    const now = new Date();
    return caseResource(
      c,
      this.deps.baseUrl,
      computeCombined(this.deps.network, c, orders, now),
      orders.map((o) => this.presentOrder(o, c, now)),
    );
  }

  private presentOrder(o: repo.OrderRow, c: Pick<repo.CaseRow, 'phase'>, now = new Date()) {
    return orderResource(o, c, this.deps.baseUrl, this.deps.network.get(o.subcontractor), now);
  }

  private orgName(id: string) {
    return id === this.deps.network.self.id ? this.deps.network.self.name : (this.deps.network.get(id)?.name ?? id);
  }

  private async findCaseOr404(trx: Trx, id: string, forUpdate = false) {
    if (!isUuid(id)) throw notFound(`case ${id}`);
    const c = await (forUpdate ? repo.findCaseForUpdate(trx, id) : repo.findCase(trx, id));
    if (!c) throw notFound(`case ${id}`);
    return c;
  }
}
