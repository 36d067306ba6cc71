// Issue 22 points 1, 3 (receipt, paper) and 5 (re-acceptance): agreement versions, the gateway's
// receipts verified against its published JWKS over loopback, and the flag a new version raises.
import { createHash } from 'node:crypto';
import { compactVerify, createRemoteJWKSet, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/agreements/canonical-json.ts';
import { createLogger } from '../../src/log.ts';
import { NetworkService } from '../../src/network/service.ts';
import { organisation } from '../helpers/fixtures.ts';
import { authHeader, opsPage, startTestGateway, testNetwork } from '../helpers/gateway.ts';

const gateway = await startTestGateway({
  listen: true,
  network: testNetwork([
    organisation('lid-bv'),
    organisation('ander-bv'),
    organisation('papier-bv'),
    organisation('nieuw-bv', { status: 'pending', agreement: undefined }),
    organisation('dubbel-bv'),
    organisation('put-bv'),
    organisation('wacht-bv', { status: 'pending', agreement: undefined }),
    organisation('activeer-bv', { status: 'pending', agreement: undefined }),
    organisation('haak-bv', { status: 'pending', agreement: undefined }),
  ]),
});
const jwks = createRemoteJWKSet(new URL(`${gateway.url}/.well-known/jwks.json`));

type Json = Record<string, any>;
const call = async (path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) => {
  const res = await fetch(`${gateway.url}${path}`, {
    method: init.method ?? 'GET',
    headers: { ...(init.headers ?? {}), ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as Json };
};
const operator = (path: string, init: { method?: string; body?: unknown } = {}) => call(path, { ...init, headers: authHeader('beheer') });

const terms = {
  purposes: ['Status van deelproducten delen met de burger'],
  dataCategories: ['zaakstatus', 'contactgegevens medewerker'],
  retentionDays: 400,
  securityLevel: 'BIO-BBN2',
  contact: { name: 'Ketenbeheer', email: 'beheer@gemeente.example' },
};
const version = (v: string, extra: Json = {}) => ({
  version: v,
  summary: { nl: `Samenvatting ${v}`, en: `Summary ${v}` },
  legalText: { nl: `# Overeenkomst ${v}\n\nArtikel 1 …`, en: `# Agreement ${v}\n\nArticle 1 …` },
  terms,
  ...extra,
});
const signer = { name: 'A. de Vries', email: 'a.devries@lid.example', role: 'directeur' };

describe('agreement versions', () => {
  it('are posted by an operator only', async () => {
    expect((await call('/api/v1/agreements', { method: 'POST', body: version('2026-1') })).status).toBe(401);
    expect((await call('/api/v1/agreements', { method: 'POST', body: version('2026-1'), headers: authHeader('zac') })).status).toBe(403);
    const created = await operator('/api/v1/agreements', { method: 'POST', body: version('2026-1') });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(created.body.url);
    // The hash covers version, summary, legal text and terms, in RFC 8785 canonical JSON.
    const { version: v, summary, legalText } = version('2026-1');
    expect(created.body.hash).toBe(
      createHash('sha256')
        .update(canonicalJson({ version: v, summary, legalText, terms }))
        .digest('hex'),
    );
    expect(created.body).toMatchObject({ version: '2026-1', current: true, terms, reacceptBy: null });
  });

  it('are read by anyone, newest first, the current one marked', async () => {
    await operator('/api/v1/agreements', { method: 'POST', body: version('2026-lees') });
    const list = await call('/api/v1/agreements');
    expect(list.status).toBe(200);
    expect(list.headers.get('cache-control')).toContain('public');
    expect(list.body.results[0]).toMatchObject({ version: '2026-lees', current: true });
    expect(list.body.results.filter((a: Json) => a.current)).toHaveLength(1);
    expect(list.body.results[0].legalText).toBeUndefined();
    const one = await call('/api/v1/agreements/2026-1');
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ version: '2026-1', current: false, legalText: version('2026-1').legalText });
    expect((await call('/api/v1/agreements/bestaat-niet')).status).toBe(404);
  });

  it('are immutable: the same version again is 409, PUT and DELETE are 405, and the database refuses changes', async () => {
    const again = await operator('/api/v1/agreements', { method: 'POST', body: version('2026-1') });
    expect(again.status).toBe(409);
    expect((await operator('/api/v1/agreements', { method: 'POST', body: version('2026-1', { summary: { nl: 'Anders', en: 'Other' } }) })).status).toBe(409);
    expect((await operator('/api/v1/agreements/2026-1', { method: 'PUT', body: version('2026-1') })).status).toBe(405);
    expect((await operator('/api/v1/agreements/2026-1', { method: 'DELETE' })).status).toBe(405);
    await expect(gateway.database.db.updateTable('agreements').set({ hash: 'x' }).where('version', '=', '2026-1').execute()).rejects.toThrow(/immutable/);
    await expect(gateway.database.db.deleteFrom('agreements').where('version', '=', '2026-1').execute()).rejects.toThrow(/immutable/);
  });

  it('refuses what the contract refuses, saying where', async () => {
    const bad = await operator('/api/v1/agreements', {
      method: 'POST',
      body: version('2026/x', { terms: { ...terms, securityLevel: 'hoog', retentionDays: 0 }, extra: true }),
    });
    expect(bad.status).toBe(400);
    expect(bad.body.invalidParams.map((p: Json) => p.name).sort()).toEqual(['body', 'terms.retentionDays', 'terms.securityLevel', 'version'].sort());
  });
});

describe('electronic acceptance and its receipt', () => {
  const current = async () => (await call('/api/v1/agreements')).body.results[0] as Json;

  it('is signed with the key /.well-known/jwks.json publishes; a tampered receipt does not verify', async () => {
    const agreement = await current();
    const { receipt, acceptance } = await gateway.agreements.accept({
      organisationId: 'lid-bv',
      signer,
      agreementVersion: agreement.version,
      agreementHash: agreement.hash,
      method: 'electronic',
      actor: 'join:lid-bv',
    });
    expect(receipt).toBeDefined();
    const { payload, protectedHeader } = await compactVerify(receipt!, jwks);
    expect(protectedHeader).toMatchObject({ alg: 'ES256', typ: 'ketenstatus-receipt+jwt', kid: acceptance.kid });
    const claims = JSON.parse(new TextDecoder().decode(payload));
    expect(claims).toMatchObject({
      organisation: { id: 'lid-bv', name: 'Organisatie lid-bv', oin: '00000003012345678000' },
      agreementVersion: agreement.version,
      agreementHash: agreement.hash,
      signer,
      acceptedAt: acceptance.acceptedAt,
      method: 'electronic',
      jti: acceptance.id,
    });

    const published = await call('/.well-known/jwks.json');
    expect(published.headers.get('cache-control')).toContain('public');
    expect(published.body.keys).toEqual([expect.objectContaining({ kty: 'EC', crv: 'P-256', kid: acceptance.kid, alg: 'ES256', use: 'sig' })]);
    expect(published.body.keys[0].d).toBeUndefined();

    // One byte of the payload changed: the signature no longer matches.
    const [header, body, signature] = receipt!.split('.');
    const changed = Buffer.from(body, 'base64url').toString('utf8').replace('A. de Vries', 'B. de Vries');
    await expect(compactVerify(`${header}.${Buffer.from(changed).toString('base64url')}.${signature}`, jwks)).rejects.toThrow();
    // Another receipt's signature on this one.
    const other = await gateway.agreements.accept({
      organisationId: 'ander-bv',
      signer: { ...signer, email: 'x@ander.example' },
      agreementVersion: agreement.version,
      agreementHash: agreement.hash,
      method: 'electronic',
      actor: 'join:ander-bv',
    });
    await expect(compactVerify(`${header}.${body}.${other.receipt!.split('.')[2]}`, jwks)).rejects.toThrow();
    expect(decodeProtectedHeader(other.receipt!).kid).toBe(acceptance.kid);
  });

  it('is recorded on the organisation: its agreement, its change record with the receipt, its acceptances', async () => {
    const org = (await operator('/api/v1/organisations/lid-bv')).body;
    const agreement = await current();
    expect(org.agreement).toMatchObject({ version: agreement.version, acceptedBy: signer.name });
    const changes = (await operator('/api/v1/organisations/lid-bv/changes')).body.results as Json[];
    const accepted = changes.find((c) => c.action === 'accept-agreement');
    expect(accepted).toMatchObject({
      actor: 'join:lid-bv',
      changes: { method: 'electronic', agreementHash: agreement.hash, fields: ['agreement.version', 'agreement.acceptedAt', 'agreement.acceptedBy'] },
    });
    const acceptances = (await operator('/api/v1/organisations/lid-bv/acceptances')).body;
    expect(acceptances.count).toBe(1);
    expect(acceptances.results[0]).toMatchObject({ method: 'electronic', signer, receipt: accepted!.changes.receipt, paper: null });
  });

  it('of a version or hash that is not the current one is 409', async () => {
    const agreement = await current();
    const accept = (agreementVersion: string, agreementHash: string) =>
      gateway.agreements.accept({ organisationId: 'ander-bv', signer, agreementVersion, agreementHash, method: 'electronic', actor: 'join:ander-bv' });
    await expect(accept(agreement.version, '0'.repeat(64))).rejects.toMatchObject({ kind: 'conflict' });
    const older = (await call('/api/v1/agreements/2026-1')).body;
    await expect(accept(older.version, older.hash)).rejects.toMatchObject({ kind: 'conflict' });
    await expect(
      gateway.agreements.accept({
        organisationId: 'bestaat-niet',
        signer,
        agreementVersion: agreement.version,
        agreementHash: agreement.hash,
        method: 'electronic',
        actor: 'x',
      }),
    ).rejects.toMatchObject({ kind: 'not_found' });
  });
});

describe('paper acceptance (operator)', () => {
  const paper = async (extra: Json = {}) => {
    const agreement = (await call('/api/v1/agreements')).body.results[0] as Json;
    return {
      method: 'paper',
      agreementVersion: agreement.version,
      agreementHash: agreement.hash,
      signer: { name: 'P. Papier', email: 'p.papier@papier.example', role: 'bestuurder' },
      signedAt: '2026-12-01T10:00:00+01:00',
      scanSha256: 'a'.repeat(64),
      ...extra,
    };
  };

  it('is recorded with who recorded it, when it was signed and the scan, with a receipt too', async () => {
    expect((await call('/api/v1/organisations/papier-bv/acceptances', { method: 'POST', body: await paper() })).status).toBe(401);
    expect((await call('/api/v1/organisations/papier-bv/acceptances', { method: 'POST', body: await paper(), headers: authHeader('zac') })).status).toBe(403);
    const res = await operator('/api/v1/organisations/papier-bv/acceptances', { method: 'POST', body: await paper() });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      method: 'paper',
      acceptedAt: '2026-12-01T09:00:00.000Z',
      actor: 'beheer',
      paper: { recordedBy: 'beheer', signedAt: '2026-12-01T10:00:00+01:00', scanSha256: 'a'.repeat(64) },
    });
    const claims = JSON.parse(new TextDecoder().decode((await compactVerify(res.body.receipt, jwks)).payload));
    expect(claims).toMatchObject({ method: 'paper', paper: { scanSha256: 'a'.repeat(64) } });
    expect((await operator('/api/v1/organisations/papier-bv')).body.agreement).toEqual({
      version: res.body.agreementVersion,
      acceptedAt: '2026-12-01T09:00:00.000Z',
      acceptedBy: 'P. Papier',
    });
    const list = await operator('/api/v1/organisations/papier-bv/acceptances');
    expect(list.body.results[0]).toMatchObject({ id: res.body.id, receipt: res.body.receipt });
  });

  it('of a hash that is not the current one is 409; of an unknown organisation 404; a scan hash that is no SHA-256 400', async () => {
    expect(
      (await operator('/api/v1/organisations/papier-bv/acceptances', { method: 'POST', body: await paper({ agreementHash: 'b'.repeat(64) }) })).status,
    ).toBe(409);
    expect((await operator('/api/v1/organisations/bestaat-niet/acceptances', { method: 'POST', body: await paper() })).status).toBe(404);
    const bad = await operator('/api/v1/organisations/papier-bv/acceptances', { method: 'POST', body: await paper({ scanSha256: 'xyz' }) });
    expect(bad.status).toBe(400);
    expect(bad.body.invalidParams[0].name).toBe('scanSha256');
    expect(
      (await operator('/api/v1/organisations/papier-bv/acceptances', { method: 'POST', body: await paper({ signedAt: '2099-01-01T00:00:00Z' }) })).status,
    ).toBe(422);
  });
});

describe('one acceptance per version', () => {
  it('a double submit records one acceptance: both answers carry the same receipt', async () => {
    const agreement = (await call('/api/v1/agreements')).body.results[0] as Json;
    const body = {
      method: 'paper',
      agreementVersion: agreement.version,
      agreementHash: agreement.hash,
      signer: { name: 'D. Dubbel', email: 'd@dubbel.example', role: 'bestuurder' },
      signedAt: '2026-12-01T10:00:00Z',
      scanSha256: 'c'.repeat(64),
    };
    const submit = () => operator('/api/v1/organisations/dubbel-bv/acceptances', { method: 'POST', body });
    const [one, two] = await Promise.all([submit(), submit()]);
    expect([one.status, two.status]).toEqual([201, 201]);
    expect(two.body.id).toBe(one.body.id);
    expect(two.body.receipt).toBe(one.body.receipt);
    // And electronically afterwards: the acceptance on record, not a second one.
    const again = await gateway.agreements.accept({
      organisationId: 'dubbel-bv',
      signer,
      agreementVersion: agreement.version,
      agreementHash: agreement.hash,
      method: 'electronic',
      actor: 'join:dubbel-bv',
    });
    expect(again.receipt).toBe(one.body.receipt);
    expect((await operator('/api/v1/organisations/dubbel-bv/acceptances')).body.count).toBe(1);
    const changes = (await operator('/api/v1/organisations/dubbel-bv/changes')).body.results as Json[];
    expect(changes.filter((c) => c.action === 'accept-agreement')).toHaveLength(1);
  });
});

describe('an acceptance and what commits with it', () => {
  it('are one transaction: a failure in what goes with it records no acceptance', async () => {
    const current = (await call('/api/v1/agreements')).body.results[0] as Json;
    const input = {
      organisationId: 'haak-bv',
      signer,
      agreementVersion: current.version,
      agreementHash: current.hash,
      method: 'electronic' as const,
      actor: 'join:haak-bv',
    };
    await expect(
      gateway.agreements.accept(input, async () => {
        throw new Error('the invitation could not be used up');
      }),
    ).rejects.toThrow('could not be used up');
    expect((await operator('/api/v1/organisations/haak-bv/acceptances')).body.count).toBe(0);
    expect(await gateway.agreements.acceptanceState('haak-bv')).toMatchObject({ accepted: null });
    let ran = 0;
    await gateway.agreements.accept(input, async () => void ran++);
    // Accepting the same version again answers the acceptance on record, and runs it again.
    await gateway.agreements.accept(input, async () => void ran++);
    expect(ran).toBe(2);
    expect((await operator('/api/v1/organisations/haak-bv/acceptances')).body.count).toBe(1);
  });
});

describe("the organisation's agreement belongs to its acceptances", () => {
  const put = (id: string, body: unknown) => operator(`/api/v1/organisations/${id}`, { method: 'PUT', body });
  const shown = async (id: string) => {
    const { notificationSubscription: _subscription, ...org } = (await operator(`/api/v1/organisations/${id}`)).body;
    return org as Json;
  };

  it('a PUT cannot set it: a pending member stays unaccepted', async () => {
    const org = await shown('wacht-bv');
    const res = await put('wacht-bv', { ...org, agreement: { version: '2026-1', acceptedAt: '2026-11-01T10:00:00Z', acceptedBy: 'Beheer' } });
    expect(res.status).toBe(422);
    expect(res.body.invalidParams).toEqual([expect.objectContaining({ name: 'agreement', code: 'read-only' })]);
    expect(res.body.invalidParams[0].reason).toContain('/api/v1/organisations/wacht-bv/acceptances');
    expect((await shown('wacht-bv')).agreement).toBeUndefined();
    expect(await gateway.agreements.acceptanceState('wacht-bv')).toMatchObject({ accepted: null, upToDate: false });
  });

  it('a PUT cannot change or wipe it; what GET showed, or a PUT without it, keeps it', async () => {
    const org = await shown('put-bv');
    const stored = org.agreement;
    expect(stored).toMatchObject({ version: '2026-1' });
    const changed = await put('put-bv', { ...org, agreement: { ...stored, version: '2099-1' } });
    expect(changed.status).toBe(422);
    expect(changed.body.invalidParams[0]).toMatchObject({ name: 'agreement', code: 'read-only' });

    const { agreement: _agreement, ...without } = org;
    const kept = await put('put-bv', { ...without, name: 'Put B.V.' });
    expect(kept.status).toBe(200);
    expect(kept.body).toMatchObject({ name: 'Put B.V.', status: 'active', agreement: stored });
    expect((await put('put-bv', await shown('put-bv'))).status).toBe(200);
    expect((await shown('put-bv')).agreement).toEqual(stored);
    const changes = (await operator('/api/v1/organisations/put-bv/changes')).body.results as Json[];
    expect(changes.filter((c) => c.action === 'replace').flatMap((c) => c.changes.fields)).toEqual(['name']);
  });

  it('an activation cannot set it: the member activates once an acceptance recorded one', async () => {
    const activate = (body?: unknown) => operator('/api/v1/organisations/activeer-bv/activate', { method: 'POST', body });
    const refused = await activate({ agreement: { version: '2026-1', acceptedAt: '2026-11-01T10:00:00Z', acceptedBy: 'Beheer' } });
    expect(refused.status).toBe(422);
    expect(refused.body.invalidParams).toEqual([expect.objectContaining({ name: 'agreement', code: 'read-only' })]);
    expect(refused.body.invalidParams[0].reason).toContain('/api/v1/organisations/activeer-bv/acceptances');
    expect(await shown('activeer-bv')).toMatchObject({ status: 'pending' });
    expect((await shown('activeer-bv')).agreement).toBeUndefined();

    const current = (await call('/api/v1/agreements')).body.results[0] as Json;
    const paper = await operator('/api/v1/organisations/activeer-bv/acceptances', {
      method: 'POST',
      body: {
        method: 'paper',
        agreementVersion: current.version,
        agreementHash: current.hash,
        signer: { name: 'A. Activeer', email: 'a@activeer.example', role: 'bestuurder' },
        signedAt: '2026-12-01T10:00:00Z',
        scanSha256: 'd'.repeat(64),
      },
    });
    expect(paper.status).toBe(201);
    const stored = (await shown('activeer-bv')).agreement;
    expect(stored).toMatchObject({ version: current.version, acceptedBy: 'A. Activeer' });
    expect((await activate({ agreement: { ...stored, acceptedBy: 'Beheer' } })).status).toBe(422);
    const active = await activate({ agreement: stored });
    expect(active.status).toBe(200);
    expect(active.body).toMatchObject({ status: 'active', agreement: stored });
  });

  it('a changed network file keeps the agreement on record', async () => {
    const stored = (await shown('activeer-bv')).agreement;
    expect(stored).toMatchObject({ acceptedBy: 'A. Activeer' });
    // Another start on the same database with the file changed: a new name and an older agreement.
    const declared = {
      ...organisation('activeer-bv'),
      name: 'Activeer (bestand)',
      agreement: { version: '2020-1', acceptedAt: '2020-01-01T00:00:00Z', acceptedBy: 'Oud' },
    };
    const restarted = new NetworkService({ database: gateway.database, definition: testNetwork([declared]), env: {}, logger: createLogger('silent') });
    await restarted.start();
    await restarted.stop();
    await gateway.network.refresh();
    expect(await shown('activeer-bv')).toMatchObject({ name: 'Activeer (bestand)', agreement: stored });
  });
});

describe('re-acceptance', () => {
  const stateOf = async (id: string) => ((await operator('/api/v1/organisations')).body.results as Json[]).find((o) => o.id === id)!.agreementState;

  it('a new version flags every member until it accepts it; past the deadline the flag says overdue', async () => {
    const before = (await call('/api/v1/agreements')).body.results[0] as Json;
    expect(await stateOf('lid-bv')).toEqual({ current: before.version, accepted: before.version, upToDate: true, overdue: false });

    const next = (await operator('/api/v1/agreements', { method: 'POST', body: version('2027-1', { reacceptBy: '2026-01-01T00:00:00Z' }) })).body;
    expect(await stateOf('lid-bv')).toEqual({
      current: '2027-1',
      accepted: before.version,
      upToDate: false,
      reacceptBy: '2026-01-01T00:00:00.000Z',
      overdue: true,
    });
    // A member that never accepted has nothing to re-accept: flagged, without a deadline.
    expect(await stateOf('nieuw-bv')).toEqual({ current: '2027-1', accepted: null, upToDate: false, overdue: false });
    expect(await gateway.agreements.acceptanceState('lid-bv')).toMatchObject({ upToDate: false, overdue: true, currentHash: next.hash });

    await gateway.agreements.accept({
      organisationId: 'lid-bv',
      signer,
      agreementVersion: '2027-1',
      agreementHash: next.hash,
      method: 'electronic',
      actor: 'join:lid-bv',
    });
    expect(await stateOf('lid-bv')).toEqual({ current: '2027-1', accepted: '2027-1', upToDate: true, overdue: false });
    expect((await stateOf('ander-bv')).upToDate).toBe(false);
    // Nothing suspends by itself.
    expect((await operator('/api/v1/organisations/ander-bv')).body.status).toBe('active');
  });
});

describe('the operator dashboard', () => {
  it('lists the members yet to accept the current version, the overdue ones marked', async () => {
    const page = await opsPage(gateway.app);
    const panel = page.slice(page.indexOf('id="reacceptance"'));
    expect(panel).toContain('Current version: 2027-1.');
    // ander-bv and papier-bv accepted an older version, past 2027-1's deadline; lid-bv accepted 2027-1; nieuw-bv is still joining.
    expect(panel).toMatch(/data-organisation="ander-bv">[\s\S]*?overdue/);
    expect(panel).toContain('data-organisation="papier-bv"');
    expect(panel).not.toContain('data-organisation="lid-bv"');
    expect(panel).not.toContain('data-organisation="nieuw-bv"');
  });
});
