// With shareCitizen, the citizen is registered at the subcontractor's zaak as initiator (a
// natuurlijk_persoon rol with inpBsn). The only path by which personal data leaves the gateway.
import type { Database } from '../db/database.ts';
import { backoffMs, PermanentJobError, RetryJobError } from '../jobs/errors.ts';
import type { Job } from '../jobs/queue.ts';
import type { NetworkService } from '../network/service.ts';
import { OutboundError, retryAfterMs, type OutboundClients } from '../outbound/index.ts';
import * as repo from './repository.ts';

export function shareCitizenHandler(deps: { database: Database; network: NetworkService; outbound: OutboundClients }) {
  return async (job: Job) => {
    const order = await repo.findOrder(deps.database.db, String(job.payload.orderId));
    if (!order?.remote_zaak_url || !order.share_citizen) return;
    const c = await repo.findCase(deps.database.db, order.case_id);
    const org = deps.network.zakenOrganisation(order.subcontractor);
    const roltype = org?.products.find((p) => p.code === order.product)?.initiatorRoltype;
    if (!c?.citizen_bsn || !org || !roltype)
      throw new PermanentJobError('no BSN, organisation with a Zaken API or initiator roltype to share the citizen with');
    const rollen = `${org.zaken.apiRoot}rollen`;
    try {
      if (job.attempts > 1) {
        const existing = await deps.outbound.request(org.id, { method: 'GET', url: `${rollen}?zaak=${encodeURIComponent(order.remote_zaak_url)}` });
        const results = (existing.body as { results?: { betrokkeneIdentificatie?: { inpBsn?: string } }[] })?.results ?? [];
        if (existing.status === 200 && results.some((r) => r.betrokkeneIdentificatie?.inpBsn === c.citizen_bsn)) return;
      }
      const res = await deps.outbound.request(org.id, {
        method: 'POST',
        url: rollen,
        body: {
          zaak: order.remote_zaak_url,
          betrokkeneType: 'natuurlijk_persoon',
          roltype,
          roltoelichting: 'Aanvrager',
          betrokkeneIdentificatie: { inpBsn: c.citizen_bsn },
        },
      });
      if (res.status === 201) return;
      if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
        throw new PermanentJobError(`subcontractor refused the rol: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
      }
      throw new RetryJobError(`subcontractor answered ${res.status}`, retryAfterMs(res.headers) ?? backoffMs(job.attempts, 2000));
    } catch (error) {
      if (error instanceof OutboundError && !error.retryable) throw new PermanentJobError(error.message);
      throw error;
    }
  };
}
