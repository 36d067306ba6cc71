// The shared Open Zaak rig as the interop tests see it: where it is, what it provisioned, and the
// few calls a test makes to it directly (as the subcontractor's own case system would).
import { Agent, fetch as undiciFetch } from 'undici';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { signZgwJwt } from '../../../src/lib/zgw-jwt.ts';
import { authHeader } from '../../helpers/gateway.ts';

export interface RigAuth {
  type: 'zgw-jwt';
  clientId: string;
  secret: string;
}

export interface RigProvision {
  zakenApiRoot: string;
  catalogiApiRoot: string;
  rsin: string;
  gatewayAuth: RigAuth;
  testClientAuth: RigAuth;
  notificationAuthorization: string;
  zaaktype: string;
  statustypen: string[];
  statustypeOmschrijvingen: string[];
  roltypeInitiator: string;
  resultaattype: string;
  notificatiesApiRoot: string;
  gatewayNrcAuth: RigAuth;
}

/** Where the rig is installed (its setup.sh's RIG_DIR) and where its scripts are (a copy of shared/ beside the repo). */
export const RIG_DIR = process.env.KS_RIG_DIR ?? join(process.env.TMPDIR ?? tmpdir(), 'ks-openzaak-rig');
export const RIG_SCRIPTS = resolve(process.env.KS_RIG_SCRIPTS ?? join(import.meta.dirname, '../../../../shared/interop/openzaak'));

export type RigState = { ok: true; provision: RigProvision } | { ok: false; reason: string };

export function rigState(): RigState {
  const file = join(RIG_DIR, 'openzaak.json');
  if (!existsSync(file))
    return { ok: false, reason: `no Open Zaak rig at ${file}: run setup.sh of the shared rig (test/interop/README.md), or set KS_RIG_DIR` };
  const provision = JSON.parse(readFileSync(file, 'utf8')) as RigProvision;
  if (!provision.notificatiesApiRoot) return { ok: false, reason: `${file} has no notificatiesApiRoot: rerun the rig's setup.sh` };
  return { ok: true, provision };
}

/**
 * The provision for the body of a `describe.skipIf(!rig.ok)`: vitest runs that body to collect its
 * tests even when it skips them, so without a rig it gets an empty one (and no test runs).
 */
export const provisionOf = (rig: RigState): RigProvision => (rig.ok ? rig.provision : ({} as RigProvision));

const run = promisify(execFile);

/** Runs one of the rig's scripts (start.sh, stop.sh) with its arguments. */
export async function rigScript(script: 'start.sh' | 'stop.sh', ...args: string[]): Promise<void> {
  await run('bash', [join(RIG_SCRIPTS, script), ...args], { env: { ...process.env, RIG_DIR }, timeout: 120_000 });
}

export async function isUp(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    await res.body?.cancel();
    return res.status < 500;
  } catch {
    return false;
  }
}

/** A ZGW client of the rig: JSON in and out, CRS headers always sent (Open Zaak's geo endpoints need them). */
// A fresh connection per request: the rig's servers close idle keep-alive sockets, and a request
// sent on one just as it closes fails with "other side closed" (seen in CI after start.sh).
const freshConnections = new Agent({ pipelining: 0 });

export function zgwClient(auth: RigAuth) {
  return async (method: string, url: string, body?: unknown) => {
    const res = await undiciFetch(url, {
      dispatcher: freshConnections,
      method,
      headers: {
        authorization: `Bearer ${signZgwJwt({ client_id: auth.clientId, user_id: 'interop', user_representation: 'interop test' }, auth.secret)}`,
        accept: 'application/json',
        'accept-crs': 'EPSG:4326',
        'content-crs': 'EPSG:4326',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
}

/** A gateway API client for one of the test network's clients: JSON in, status and JSON out. */
export function gatewayClient(gateway: { app: { request: (path: string, init: RequestInit) => Response | Promise<Response> } }, client: 'zac' | 'beheer') {
  return async (path: string, body?: unknown) => {
    const res = await gateway.app.request(path, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { ...authHeader(client), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };
}
