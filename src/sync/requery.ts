// The re-query: a notification only says "look again". We GET the zaak, all its statussen and
// their statustypen, then write order status, timeline and combined status in one
// transaction. Order of arrival never matters: the subcontractor's current state is the truth.
import { backoffMs, DeferJobError, RetryJobError } from '../jobs/errors.ts';
import type { Job } from '../jobs/queue.ts';
import type { JobContext } from '../jobs/worker.ts';
import type { ZakenOrganisation } from '../network/types.ts';
import { OutboundError, retryAfterMs } from '../outbound/index.ts';
import * as repo from '../cases/repository.ts';
import { RemoteError } from './catalog.ts';
import type { SyncDeps } from './deps.ts';
import { applyFacts, markGone, recordFailure, type Facts, type RemoteStatus } from './apply.ts';

const MAX_STATUS_PAGES = 100;

export function syncHandler(deps: SyncDeps) {
  return async (job: Job, context: JobContext) => {
    const started = new Date();
    const order = await repo.findOrder(deps.database.db, String(job.payload.orderId));
    if (order?.state !== 'placed' || !order.remote_zaak_url) return;
    const org = deps.network.zakenOrganisation(order.subcontractor);
    // No calls to non-members (the combined status shows the gap), nor to a portal organisation: it has no API.
    if (org?.status !== 'active') return;
    const wait = deps.breakers.blockedFor(org.id);
    // Not attempted: wait for the circuit without using up an attempt, however long the outage.
    if (wait !== undefined) throw new DeferJobError(`circuit open for ${org.id}`, wait + Math.random() * 1000);
    try {
      const facts = await fetchFacts(deps, org, order);
      deps.breakers.success(org.id);
      await applyFacts(deps, order, org, facts, started, context.completeWithin);
    } catch (error) {
      if (error instanceof RemoteError && (error.status === 404 || error.status === 410)) {
        deps.breakers.success(org.id);
        await markGone(deps, order, org, started, context.completeWithin);
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      const countsAgainstOrg = !(error instanceof OutboundError && error.kind === 'forbidden-destination');
      if (countsAgainstOrg) deps.breakers.failure(org.id);
      await recordFailure(deps, order, org, message, job.attempts >= job.maxAttempts);
      const retryAfter = error instanceof RemoteError ? retryAfterMs(error.headers) : undefined;
      // With the circuit open the organisation is down, not this order: come back when the circuit
      // lets a trial through (it gates the calls anyway), so the order catches up soon after recovery.
      const open = deps.breakers.openFor(org.id);
      const backoff = backoffMs(job.attempts, 1000, 15 * 60_000);
      throw new RetryJobError(message, retryAfter ?? (open > 0 ? Math.min(backoff, open + Math.random() * 1000) : backoff));
    }
  };
}

/**
 * The zaak and its statussen, read at once and unconditionally. A zaak's ETag does not say whether
 * a status was added: Open Zaak 1.25.0 keeps it, answering 304 while `status` names the new one,
 * so a 304 can never stand for "no new status". Either order of the two reads is handled: a status
 * set in between is fetched on its own or, when the list is the later read, taken from it.
 */
async function fetchFacts(deps: SyncDeps, org: ZakenOrganisation, order: repo.OrderRow): Promise<Facts> {
  const { outbound } = deps;
  const statussenOf = (zaakUrl: string) => `${org.zaken.apiRoot}statussen?zaak=${encodeURIComponent(zaakUrl)}`;
  const early = outbound.request(org.id, { method: 'GET', url: statussenOf(order.remote_zaak_url!) });
  early.catch(() => undefined); // awaited below, unless the zaak's answer makes it moot
  const zaakRes = await outbound.request(org.id, { method: 'GET', url: order.remote_zaak_url! });
  if (zaakRes.status !== 200) throw new RemoteError(`zaak answered ${zaakRes.status}`, zaakRes.status, zaakRes.headers);
  const zaak = zaakRes.body as { url?: string; status?: string | null };
  const zaakUrl = zaak.url ?? order.remote_zaak_url!;

  const raw: { url: string; statustype: string; datumStatusGezet: string; statustoelichting?: string }[] = [];
  let next: string | null = statussenOf(zaakUrl);
  let first = zaakUrl === order.remote_zaak_url ? early : undefined;
  for (let page = 0; next && page < MAX_STATUS_PAGES; page++) {
    const res = await (first ?? outbound.request(org.id, { method: 'GET', url: next }));
    first = undefined;
    if (res.status !== 200) throw new RemoteError(`statussen answered ${res.status}`, res.status, res.headers);
    const body = res.body as { results?: typeof raw; next?: string | null } | typeof raw;
    const results = Array.isArray(body) ? body : (body.results ?? []);
    raw.push(...results);
    next = Array.isArray(body) ? null : (body.next ?? null);
  }
  if (zaak.status && !raw.some((s) => s.url === zaak.status)) {
    // Set between our two reads: fetch it rather than show an older status as current.
    const res = await outbound.request(org.id, { method: 'GET', url: zaak.status });
    if (res.status !== 200) throw new RemoteError(`status answered ${res.status}`, res.status, res.headers);
    raw.push(res.body as (typeof raw)[number]);
  }
  const statussen: RemoteStatus[] = [];
  const seen = new Set<string>(); // a status added while we paged can show up on two pages
  for (const s of raw) {
    if (
      typeof s?.url !== 'string' ||
      typeof s.statustype !== 'string' ||
      typeof s.datumStatusGezet !== 'string' ||
      Number.isNaN(Date.parse(s.datumStatusGezet))
    )
      continue;
    if (seen.has(s.url)) continue;
    seen.add(s.url);
    const statustype = await deps.statustypes.get(outbound, org.id, s.statustype);
    statussen.push({ url: s.url, datumStatusGezet: s.datumStatusGezet, toelichting: s.statustoelichting || undefined, statustype });
  }
  statussen.sort((a, b) => Date.parse(a.datumStatusGezet) - Date.parse(b.datumStatusGezet));
  return { currentStatusUrl: zaak.status ?? null, statussen };
}
