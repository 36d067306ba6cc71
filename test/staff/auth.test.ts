// Staff sign-on on the API: staff access tokens beside ZGW JWTs, roles from the roles claim, and
// each role admitted only to its own endpoints (403 for every other role on every endpoint).
import { describe, expect, it } from 'vitest';
import { StaffAuthenticator } from '../../src/http/staff-auth.ts';
import { parseConfig } from '../../src/config.ts';
import { startTestIssuer } from '../citizen/helpers/issuer.ts';
import { authHeader } from '../helpers/gateway.ts';
import { BSN, handMade, startStaffGateway } from './helpers.ts';

const { app, db, asStaff, staffIssuer } = await startStaffGateway();
await handMade(db, [{ bsn: BSN.anna, orders: [{ subcontractor: 'hulpmiddelen-bv', state: 'failed' }] }]);

type Who = 'kcc' | 'caseworker' | 'operator' | 'supplier' | 'zgw-operator' | 'no-role';
const headers = async (who: Who): Promise<Record<string, string>> => {
  if (who === 'supplier') return authHeader('zac');
  if (who === 'zgw-operator') return authHeader('beheer');
  return asStaff(who === 'no-role' ? ['visitor'] : [who], `Member ${who}`);
};

const lookup = async (h: Record<string, string>) =>
  app.request('/api/v1/kcc/lookups', {
    method: 'POST',
    headers: { ...h, 'content-type': 'application/json' },
    body: JSON.stringify({ bsn: BSN.anna, purpose: 'application-question' }),
  });

// One lookup of the KCC member's own, for the GET.
const made = await lookup(await headers('kcc'));
const lookupId = ((await made.json()) as { id: string }).id;

const ENDPOINTS: { name: string; call: (h: Record<string, string>) => Response | Promise<Response>; admits: Who[] }[] = [
  { name: 'POST /api/v1/kcc/lookups', call: lookup, admits: ['kcc'] },
  { name: 'GET /api/v1/kcc/lookups/{id}', call: (h) => app.request(`/api/v1/kcc/lookups/${lookupId}`, { headers: h }), admits: ['kcc'] },
  { name: 'GET /api/v1/cases?attention=true', call: (h) => app.request('/api/v1/cases?attention=true', { headers: h }), admits: ['supplier', 'caseworker'] },
  {
    name: 'GET /api/v1/analytics/lead-times',
    call: (h) => app.request('/api/v1/analytics/lead-times', { headers: h }),
    admits: ['supplier', 'caseworker', 'operator', 'zgw-operator'],
  },
  { name: 'GET /api/v1/ops/overview', call: (h) => app.request('/api/v1/ops/overview', { headers: h }), admits: ['operator', 'zgw-operator'] },
];
const EVERYONE: Who[] = ['kcc', 'caseworker', 'operator', 'supplier', 'zgw-operator', 'no-role'];

describe('each role on each endpoint', () => {
  for (const endpoint of ENDPOINTS) {
    for (const who of EVERYONE) {
      const admitted = endpoint.admits.includes(who);
      it(`${endpoint.name} as ${who}: ${admitted ? 'admitted' : '403'}`, async () => {
        const res = await endpoint.call(await headers(who));
        if (admitted) expect(res.status).toBeLessThan(300);
        else {
          expect(res.status).toBe(403);
          expect(res.headers.get('content-type')).toContain('application/problem+json');
          expect(((await res.json()) as { detail: string }).detail).toMatch(/needs role/);
        }
      });
    }
    it(`${endpoint.name} without a token: 401`, async () => {
      expect((await endpoint.call({})).status).toBe(401);
    });
  }
});

describe('staff access tokens', () => {
  it('a member holding several roles uses the one the endpoint needs', async () => {
    const both = await asStaff(['kcc', 'caseworker'], 'Two Hats');
    expect((await app.request('/api/v1/cases?attention=true', { headers: both })).status).toBe(200);
    expect((await lookup(both)).status).toBe(201);
  });

  it('refuses a token for another audience, an expired one and one signed with an unpublished key (401)', async () => {
    const wrongAudience = await staffIssuer.token(undefined, { claims: { sub: 'x', roles: ['kcc'], aud: 'ketenstatus' } });
    const expired = await staffIssuer.token(undefined, { claims: { sub: 'x', roles: ['kcc'], exp: Math.floor(Date.now() / 1000) - 3600 } });
    const kid = await staffIssuer.addKey('ES256', false);
    const unpublished = await staffIssuer.token(undefined, { kid, claims: { sub: 'x', roles: ['kcc'] } });
    for (const token of [wrongAudience, expired, unpublished]) {
      const res = await lookup({ authorization: `Bearer ${token}` });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { detail: string }).detail).toMatch(/staff access token is not accepted/);
    }
  });

  it('a ZGW client cannot make a lookup even if it could hold the role: the access log names a person', async () => {
    expect((await lookup(authHeader('zac'))).status).toBe(403);
  });

  it('without STAFF_OIDC_ISSUER a staff token is no ZGW JWT (401)', async () => {
    const { app: plain } = await startStaffGateway({ STAFF_OIDC_ISSUER: '' });
    const res = await plain.request('/api/v1/analytics/lead-times', { headers: await asStaff(['operator']) });
    expect(res.status).toBe(401);
  });
});

describe('roles from the claim', () => {
  it('maps the provider’s role names (STAFF_ROLE_MAP), reads a nested claim, and ignores names it does not know', async () => {
    const issuer = await startTestIssuer('ketenstatus-staff');
    const config = parseConfig({
      STAFF_OIDC_ISSUER: issuer.url,
      STAFF_ROLES_CLAIM: 'realm_access.roles',
      STAFF_ROLE_MAP: 'KCC-medewerker=kcc, Zaakbehandelaar=caseworker',
      NETWORK_FILE: 'x.json',
      SESSION_SECRET: 'x'.repeat(32),
    });
    const auth = new StaffAuthenticator({ ...config.staff, issuer: config.staff.issuer });
    const token = await issuer.token(undefined, {
      claims: { sub: 'emp-1', preferred_username: 'k.klant', realm_access: { roles: ['KCC-medewerker', 'operator', 'offline_access'] } },
    });
    expect(await auth.verify(token)).toEqual({ sub: 'emp-1', name: 'k.klant', roles: ['kcc', 'operator'] });
    const spaced = await issuer.token(undefined, { claims: { sub: 'emp-2', name: 'Z. Behandelaar', realm_access: { roles: 'Zaakbehandelaar Beheerder' } } });
    expect((await auth.verify(spaced)).roles).toEqual(['caseworker']);
  });

  it('stops start-up on a mapping to a role that is not a staff role', () => {
    expect(() => parseConfig({ STAFF_ROLE_MAP: 'Admin=supplier' })).toThrow(/STAFF_ROLE_MAP: "Admin=supplier" is not NAME=ROLE/);
  });
});
