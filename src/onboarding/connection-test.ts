// The steps of a joining member's connection test, each with a verdict and a plain reason. The member
// chooses these destinations, so connect() and each test first refuse a private, loopback,
// link-local or metadata address (refusedDestination, the subscriber callbacks' guard); a failed
// call is reported by its category only, never the transport's own text.
import net from 'node:net';
import type { ConnectionTestStep } from '../../db/schema.ts';
import { ForbiddenDestinationError, forbiddenAddress, guardedLookup } from '../delivery/destination.ts';
import type { ZakenOrganisation } from '../network/types.ts';
import { OutboundError, type OutboundClients } from '../outbound/index.ts';

export type Outbound = Pick<OutboundClients, 'request'>;

const passed = (step: ConnectionTestStep['step'], reason: string): ConnectionTestStep => ({ step, verdict: 'passed', reason });
const failed = (step: ConnectionTestStep['step'], reason: string): ConnectionTestStep => ({ step, verdict: 'failed', reason });

function refusal(status: number): string {
  if (status === 401 || status === 403)
    return `answered ${status}: it did not accept our credentials; check the client id and secret (or the OAuth2 client) you gave for the Zaken API`;
  if (status === 404) return 'answered 404: nothing there; check the address';
  return `answered ${status}`;
}

function unreachable(error: unknown): string {
  if (error instanceof OutboundError) {
    if (error.kind === 'forbidden-destination') return 'is not a destination the gateway calls (only the registered Zaken and Catalogi origins)';
    if (error.kind === 'timeout') return 'did not answer in time';
    if (error.kind === 'auth') return 'gave no token: check the OAuth2 issuer, client id and secret';
  }
  return 'could not be reached';
}

/**
 * Why a member-given URL may not be called — its host is, or resolves to, a private, loopback,
 * link-local or cloud metadata address (unless OUTBOUND_ALLOW_PRIVATE; metadata never) — or undefined.
 * A name that does not resolve now is let through: the test then reports it unreachable.
 */
export async function refusedDestination(url: string, allowPrivate: boolean): Promise<string | undefined> {
  const host = new URL(url).hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (net.isIP(host)) return forbiddenAddress(host, allowPrivate);
  return new Promise((resolve) =>
    guardedLookup(allowPrivate)(host, { all: true }, (error) => resolve(error instanceof ForbiddenDestinationError ? error.message : undefined)),
  );
}

/** Step 1: the Zaken API answers a ZGW list request with the given auth. */
export async function zakenListStep(outbound: Outbound, org: ZakenOrganisation): Promise<ConnectionTestStep> {
  const url = `${org.zaken.apiRoot}zaken?bronorganisatie=${encodeURIComponent(org.rsin)}`;
  try {
    const res = await outbound.request(org.id, { method: 'GET', url });
    if (res.status !== 200) return failed('zaken-api', `GET ${url} ${refusal(res.status)}.`);
    const body = res.body as { results?: unknown } | null;
    if (!body || !Array.isArray(body.results)) return failed('zaken-api', `GET ${url} answered 200 without a ZGW list (no "results" array).`);
    return passed('zaken-api', `GET ${url} answered 200 with a list.`);
  } catch (error) {
    return failed('zaken-api', `The Zaken API at ${org.zaken.apiRoot} ${unreachable(error)}.`);
  }
}

/** Step 2: every product's zaaktype is readable (Catalogi: catalogiApiRoot or the Zaken origin). */
export async function zaaktypenStep(outbound: Outbound, org: ZakenOrganisation): Promise<ConnectionTestStep> {
  // Side by side: the test answers within the outbound timeout however many products there are.
  const answers = await Promise.all(
    org.products.map(async (product) => {
      try {
        const res = await outbound.request(org.id, { method: 'GET', url: product.zaaktype });
        return res.status === 200 ? undefined : `the zaaktype of product ${product.code} (${product.zaaktype}) ${refusal(res.status)}`;
      } catch (error) {
        return `the zaaktype of product ${product.code} (${product.zaaktype}) ${unreachable(error)}`;
      }
    }),
  );
  const problems = answers.filter((p): p is string => p !== undefined);
  if (org.products.length === 0) return failed('zaaktypen', 'No products are registered for you; ask the operator.');
  if (problems.length > 0) return failed('zaaktypen', `${problems.join('; ')}.`);
  return passed('zaaktypen', `Every product's zaaktype is readable (${org.products.map((p) => p.code).join(', ')}).`);
}

/** Step 3 (push only): a `kanaal: test` notification from the member arrived while the test ran. */
export function notificationStep(mode: 'push' | 'poll', arrivedAt: Date | null, windowSeconds: number): ConnectionTestStep {
  if (mode === 'poll') return { step: 'notification', verdict: 'skipped', reason: 'Poll mode: you do not notify us; the gateway asks your Zaken API.' };
  return arrivedAt
    ? passed('notification', `Your test notification arrived at ${arrivedAt.toISOString()}.`)
    : failed(
        'notification',
        `No notification with kanaal "test" from you arrived at /api/v1/notificaties within ${windowSeconds} seconds of the test's start.`,
      );
}
