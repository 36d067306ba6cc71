// The contact centre's lookup: the customer's cases as the customer sees them, order states and
// gaps in staff words, an access-log row per case read that the customer sees in /me/access-log,
// the same answer again for the same member for 15 minutes, and the identifier never in a URL.
import { describe, expect, it } from 'vitest';
import { BSN, handMade, KVK, startStaffGateway } from './helpers.ts';

const { app, db, asStaff, asCitizen } = await startStaffGateway();
const karin = await asStaff(['kcc'], 'Karin Klant', 'kcc-karin');
const [anna, annaClosed] = await handMade(db, [
  {
    bsn: BSN.anna,
    reference: 'K-1',
    title: 'Woningaanpassing en traplift',
    orders: [
      {
        subcontractor: 'hulpmiddelen-bv',
        placedDaysAgo: 5,
        history: [{ phase: 'in_behandeling', at: new Date('2026-11-03T10:00:00Z') }],
        lastSyncedAt: new Date(Date.now() - 3_600_000),
      },
      { subcontractor: 'bouw-bv', product: 'aanpassing', state: 'failed' },
    ],
  },
  { bsn: BSN.anna, reference: 'K-2', closed: true },
  { bsn: BSN.bram, reference: 'K-OTHER' },
  { kvk: KVK, reference: 'K-COMPANY' },
  { bsn: BSN.anna, reference: 'K-SECRET', confidentiality: 'geheim' },
]);

const post = async (body: unknown, headers: Record<string, string> = karin) =>
  app.request('/api/v1/kcc/lookups', {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json', 'accept-language': 'nl' },
    body: JSON.stringify(body),
  });

interface Answer {
  id: string;
  url: string;
  customer: unknown;
  purpose: string;
  purposeText: string;
  count: number;
  expiresAt: string;
  cases: {
    id: string;
    reference: string;
    combinedStatus: { gaps: unknown[] };
    parts: unknown[];
    staff: { summary: string; parts: { state: string; text: string }[]; gaps: { kind: string; text: string }[] };
  }[];
}

describe('a lookup by BSN', () => {
  let answer: Answer;

  it('answers 201 with the customer’s cases as the customer sees them, nobody else’s, nothing above their confidentiality', async () => {
    const res = await post({ bsn: BSN.anna, purpose: 'application-question' });
    expect(res.status).toBe(201);
    answer = (await res.json()) as Answer;
    expect(res.headers.get('location')).toBe(answer.url);
    expect(answer.url).toMatch(/\/api\/v1\/kcc\/lookups\/[0-9a-f-]{36}$/);
    expect(answer.customer).toEqual({ bsn: '******333' });
    expect(answer.purposeText).toBe('vraag over aanvraag');
    expect(answer.cases.map((c) => c.reference).sort()).toEqual(['K-1', 'K-2']);
    expect(answer.count).toBe(2);
    // The same case shape as /me/cases.
    const mine = (await (await app.request('/api/v1/me/cases', { headers: { ...(await asCitizen(BSN.anna)), 'accept-language': 'nl' } })).json()) as {
      results: Record<string, unknown>[];
    };
    const strip = ({ staff: _, ...rest }: Record<string, unknown>) => rest;
    expect(answer.cases.map((c) => strip(c as never))).toEqual(mine.results);
  });

  it('puts each part’s state and each gap in words to read out', async () => {
    const k1 = answer.cases.find((c) => c.reference === 'K-1')!;
    expect(k1.staff.summary).toBe('Zaak K-1 "Woningaanpassing en traplift" is in behandeling. Hulpmiddelen B.V. is aan zet. 0 van 1 onderdelen klaar.');
    expect(k1.staff.parts.map((p) => [p.state, p.text])).toEqual([
      ['placed', 'Hulpmiddelen B.V.: in behandeling sinds 3 november 2026.'],
      ['failed', 'Doorsturen naar Bouw B.V. is mislukt; de behandelaar moet dit oppakken.'],
    ]);
    expect(k1.staff.gaps.map((g) => g.kind).sort()).toEqual(['not_connected', 'stale']);
    expect(k1.staff.gaps.find((g) => g.kind === 'stale')!.text).toMatch(
      /^Hulpmiddelen B\.V\. heeft sinds \d+ \w+ \d{4} niets laten weten; de stand van dit deel kan verouderd zijn\./,
    );
  });

  it('writes one access-log row per case read: role kcc, the member’s name, the organisation, the purpose', async () => {
    const rows = await db.selectFrom('access_log').selectAll().where('actor_role', '=', 'kcc').execute();
    expect(rows.map((r) => [r.case_id, r.actor, r.organisation, r.purpose, r.subject_bsn]).sort()).toEqual(
      [anna.id, annaClosed.id].map((id) => [id, 'Karin Klant', 'gemeente-test', 'application-question', BSN.anna]).sort(),
    );
  });

  it('the customer sees it in their access log: “Klantcontactcentrum Gemeente Test — vraag over aanvraag”', async () => {
    const res = await app.request('/api/v1/me/access-log', { headers: { ...(await asCitizen(BSN.anna)), 'accept-language': 'nl' } });
    const log = (await res.json()) as { results: { role: string; actor: string; purposeText: string; case: { reference: string } }[] };
    const kcc = log.results.filter((r) => r.role === 'kcc');
    expect(kcc.map((r) => r.case.reference).sort()).toEqual(['K-1', 'K-2']);
    for (const r of kcc) {
      expect(r.actor).toBe('Klantcontactcentrum Gemeente Test — vraag over aanvraag');
      expect(r.purposeText).toBe('vraag over aanvraag');
    }
    const en = (await (
      await app.request('/api/v1/me/access-log', { headers: { ...(await asCitizen(BSN.anna)), 'accept-language': 'en' } })
    ).json()) as typeof log;
    expect(en.results.find((r) => r.role === 'kcc')!.actor).toBe('Contact centre Gemeente Test — question about an application');
    // Not in anyone else's.
    const bram = (await (await app.request('/api/v1/me/access-log', { headers: await asCitizen(BSN.bram) })).json()) as typeof log;
    expect(bram.results.filter((r) => r.role === 'kcc')).toEqual([]);
  });

  it('the same member reads it again for 15 minutes (each read logged); another member, or later, 404', async () => {
    expect(new Date(answer.expiresAt).getTime() - Date.now()).toBeGreaterThan(14 * 60_000);
    expect(new Date(answer.expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(15 * 60_000);
    const before = (await db.selectFrom('access_log').select('id').where('actor_role', '=', 'kcc').execute()).length;
    const again = await app.request(`/api/v1/kcc/lookups/${answer.id}`, { headers: { ...karin, 'accept-language': 'nl' } });
    expect(again.status).toBe(200);
    const body = (await again.json()) as Answer;
    expect(body.cases.map((c) => c.reference).sort()).toEqual(['K-1', 'K-2']);
    expect((await db.selectFrom('access_log').select('id').where('actor_role', '=', 'kcc').execute()).length).toBe(before + 2);
    const colleague = await asStaff(['kcc'], 'Kees Collega', 'kcc-kees');
    expect((await app.request(`/api/v1/kcc/lookups/${answer.id}`, { headers: colleague })).status).toBe(404);
    expect((await app.request('/api/v1/kcc/lookups/not-a-uuid', { headers: karin })).status).toBe(404);
    await db
      .updateTable('kcc_lookups')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', answer.id)
      .execute();
    expect((await app.request(`/api/v1/kcc/lookups/${answer.id}`, { headers: karin })).status).toBe(404);
    // A new lookup sweeps expired ones away: the identifier is kept no longer than needed.
    await post({ bsn: BSN.bram, purpose: 'complaint' });
    expect(await db.selectFrom('kcc_lookups').select('id').where('id', '=', answer.id).executeTakeFirst()).toBeUndefined();
  });
});

describe('a lookup by KvK number', () => {
  it('finds the company’s cases and logs them against the company', async () => {
    const res = await post({ kvk: KVK, purpose: 'status-question' });
    expect(res.status).toBe(201);
    const answer = (await res.json()) as Answer;
    expect(answer.customer).toEqual({ kvk: KVK });
    expect(answer.cases.map((c) => c.reference)).toEqual(['K-COMPANY']);
    const row = await db.selectFrom('access_log').selectAll().where('actor_role', '=', 'kcc').where('subject_kvk', '=', KVK).executeTakeFirstOrThrow();
    expect(row.purpose).toBe('status-question');
  });

  it('a customer without cases: 201 with none, and nothing logged', async () => {
    const before = (await db.selectFrom('access_log').select('id').execute()).length;
    const answer = (await (await post({ bsn: '100000009', purpose: 'appointment' })).json()) as Answer;
    expect(answer.cases).toEqual([]);
    expect(answer.count).toBe(0);
    expect((await db.selectFrom('access_log').select('id').execute()).length).toBe(before);
  });
});

describe('the request', () => {
  it.each([
    [{ bsn: '123456789', purpose: 'application-question' }, 'bsn'],
    [{ kvk: '1234', purpose: 'application-question' }, 'kvk'],
    [{ bsn: BSN.anna }, 'purpose'],
    [{ bsn: BSN.anna, purpose: 'curiosity' }, 'purpose'],
    [{ bsn: BSN.anna, kvk: KVK, purpose: 'complaint' }, 'body'],
    [{ purpose: 'complaint' }, 'body'],
  ])('%j is a 400 naming %s', async (body, name) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { invalidParams: { name: string }[] };
    expect(problem.invalidParams.map((p) => p.name)).toContain(name);
  });

  it('takes JSON only (415) and never a BSN in the query', async () => {
    const res = await app.request('/api/v1/kcc/lookups', { method: 'POST', headers: { ...karin, 'content-type': 'text/plain' }, body: 'x' });
    expect(res.status).toBe(415);
    expect((await app.request(`/api/v1/kcc/lookups?bsn=${BSN.anna}`, { headers: karin })).status).toBe(405);
  });
});
