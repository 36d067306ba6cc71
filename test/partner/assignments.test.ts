// Subcontractors without a case system, through the HTTP surface: an order at a portal
// organisation is an assignment at once (no outbound call), its organisation reads it and reports
// on it through the partner API, and what it reports reaches the supplier, the citizen and webhooks
// exactly as a zaak's status does.
import { describe, expect, it } from 'vitest';
import { caseSettled } from '../helpers/settled.ts';
import { startSubscriber } from '../helpers/subscriber.ts';
import { waitFor } from '../helpers/wait.ts';
import { type MessageKey, translate } from '../../src/i18n/index.ts';
import type { PortalOrganisation } from '../../src/network/types.ts';
import { ANDER, BOUWER, REPLY_DOMAIN, startPartnerGateway, ZGW } from './helpers.ts';

const { call, order, db, sim, issuer, gateway } = await startPartnerGateway();
const CITIZEN = '111222333';

const json = async (res: Response) => (await res.json()) as any;

describe('an order at a portal organisation', () => {
  it('is placed at once, in the same answer, without any outbound request or job', async () => {
    // The control: an order at the organisation with a Zaken API is placed at its simulator.
    const zgw = await order(ZGW);
    await waitFor(async () => (await db.selectFrom('orders').select('state').where('id', '=', zgw.orderId).executeTakeFirstOrThrow()).state === 'placed');
    await caseSettled(db, zgw.caseId);
    const before = sim.requests.length;
    expect(before).toBeGreaterThan(0);

    const { caseId, orderId, placed } = await order(BOUWER, { description: 'Drempel bij de voordeur' });
    expect(placed).toMatchObject({ state: 'placed', remoteZaak: null, status: null, subcontractor: BOUWER });
    await caseSettled(db, caseId);
    expect(sim.requests.length).toBe(before);
    const jobs = await db.selectFrom('jobs').select('kind').where('group_key', '=', BOUWER).execute();
    expect(jobs).toEqual([]);
    const assignment = await db.selectFrom('assignments').selectAll().where('order_id', '=', orderId).executeTakeFirstOrThrow();
    expect(assignment.reply_token).toMatch(/^[a-z2-7]{26}$/);
    const row = await db.selectFrom('orders').select(['next_poll_at', 'state']).where('id', '=', orderId).executeTakeFirstOrThrow();
    expect(row).toEqual({ next_poll_at: null, state: 'placed' });

    // The supplier's case: the part is passed on to the organisation and waits for its first status.
    const c = await json(await call('zac', `/api/v1/cases/${caseId}`));
    expect(c.combinedStatus).toMatchObject({ phase: 'ontvangen', ballWith: { id: BOUWER, name: 'Bouwbedrijf De Steiger' }, gaps: [] });
    expect(c.timeline.map((t: any) => t.kind)).toEqual(['status', 'order-placed']);
    // A sync has nothing to re-query.
    expect((await call('zac', `/api/v1/orders/${orderId}/sync`, {})).status).toBe(409);
  });

  it('mails its contacts with the order’s reply address, never the case title or a BSN', async () => {
    const { orderId } = await order(BOUWER, { description: 'Graag in de ochtend' });
    const { reply_token } = await db.selectFrom('assignments').select('reply_token').where('order_id', '=', orderId).executeTakeFirstOrThrow();
    const mails = await db.selectFrom('mail_outbox').selectAll().where('kind', '=', 'partner.assignment').execute();
    const mail = mails.find((m) => m.text.includes(orderId))!;
    expect(mail.recipients).toEqual([`planning@${BOUWER}.example`]);
    expect(mail.headers['Reply-To']).toBe(`${reply_token}@${REPLY_DOMAIN}`);
    expect(mail.subject).toContain('Drempelhulp');
    expect(mail.text).toContain('Graag in de ochtend');
    expect(`${mail.subject}${mail.text}`).not.toContain('De Vries');
    expect(`${mail.subject}${mail.text}`).not.toContain(CITIZEN);
  });

  it('mails each contact in its own language: Swedish to a contact with language sv, Dutch to one without', async () => {
    const ander = gateway.network.get(ANDER) as PortalOrganisation;
    const contacts = [...ander.portal.contacts, { name: 'Planering', email: `planering@${ANDER}.example`, language: 'sv' as const }];
    await gateway.network.put(ANDER, { ...ander, portal: { contacts } }, 'beheer');
    const { orderId } = await order(ANDER, { description: 'Ring på' });
    const mails = (await db.selectFrom('mail_outbox').selectAll().where('kind', '=', 'partner.assignment').execute()).filter((m) => m.text.includes(orderId));
    const swedish = mails.find((m) => m.recipients.includes(`planering@${ANDER}.example`))!;
    const dutch = mails.find((m) => m.recipients.includes(`planning@${ANDER}.example`))!;
    expect(mails).toHaveLength(2);
    expect(swedish.recipients).toEqual([`planering@${ANDER}.example`]);
    const sv = (key: MessageKey, params?: Record<string, string>) => translate('sv', key, params);
    const nl = (key: MessageKey, params?: Record<string, string>) => translate('nl', key, params);
    const reference = swedish.subject.match(/\(([^)]+)\)$/)![1];
    expect(swedish.subject).toBe(sv('mail.partner.assignment.subject', { product: 'Drempelhulp', reference }));
    expect(swedish.text).toContain(sv('mail.partner.assignment.intro', { supplier: gateway.network.self.name, product: 'Drempelhulp' }));
    expect(swedish.text).toContain(sv('mail.partner.plannedEnd', { date: '31 januari 2027' }));
    expect(swedish.text).toContain(sv('mail.partner.reply'));
    expect(swedish.text).not.toContain(nl('mail.partner.reply'));
    expect(dutch.subject).toBe(nl('mail.partner.assignment.subject', { product: 'Drempelhulp', reference }));
    expect(dutch.text).toContain(nl('mail.partner.plannedEnd', { date: '31 januari 2027' }));
    expect(swedish.headers['Reply-To']).toBe(dutch.headers['Reply-To']);
  });

  it('is refused with 422 when its description would e-mail a BSN', async () => {
    const res = await order(BOUWER, { description: `Klant 123456782 bellen` }).catch((e: Error) => e.message);
    expect(res).toMatch(/^order: 422 .*"name":"description","code":"bsn"/);
  });
});

describe('the partner API', () => {
  it('lists the organisation’s assignments, open or closed, a page at a time', async () => {
    const first = await order(BOUWER);
    const second = await order(BOUWER);
    const page = await json(await call('bouwer', '/api/v1/partner/assignments?state=open&pageSize=1'));
    expect(page.results).toHaveLength(1);
    expect(page.results[0].id).toBe(second.orderId); // newest first
    expect(page.next).toContain('page=2');
    expect(page.next).toContain('state=open');
    const all = await json(await call('bouwer', '/api/v1/partner/assignments?pageSize=100'));
    expect(all.results.map((a: any) => a.id)).toEqual(expect.arrayContaining([first.orderId, second.orderId]));
    expect(all.results.every((a: any) => a.url.endsWith(`/api/v1/partner/assignments/${a.id}`))).toBe(true);
    expect(all.results[0]).not.toHaveProperty('customer');
    expect((await call('bouwer', '/api/v1/partner/assignments?state=bogus')).status).toBe(400);
    // The client of an organisation with a Zaken API has no assignments.
    expect(await json(await call('zgw-partner', '/api/v1/partner/assignments'))).toMatchObject({ count: 0, results: [] });
  });

  it('shows one with what the job needs; the customer only with shareCitizen, and that read is access-logged', async () => {
    const plain = await order(BOUWER, { description: 'Drempel voordeur' });
    const a = await json(await call('bouwer', `/api/v1/partner/assignments/${plain.orderId}`));
    const c = await json(await call('zac', `/api/v1/cases/${plain.caseId}`));
    expect(a).toMatchObject({
      id: plain.orderId,
      state: 'open',
      product: { code: 'drempelhulp', name: { nl: 'Drempelhulp', en: 'Threshold ramp' } },
      description: 'Drempel voordeur',
      case: { reference: c.reference, plannedEndDate: '2027-01-31', deadline: '2027-02-28', closed: false },
      status: null,
      customer: null,
      messages: [],
    });
    expect(a.allowedStatuses.map((s: any) => [s.code, s.phase, s.final])).toEqual([
      ['ingepland', 'ontvangen', false],
      ['bezig', 'in_behandeling', false],
      ['klaar', 'afgerond', true],
    ]);
    expect(JSON.stringify(a)).not.toContain(CITIZEN);
    const logged = () => db.selectFrom('access_log').selectAll().where('actor_role', '=', 'subcontractor').execute();
    expect(await logged()).toEqual([]);

    const shared = await order(BOUWER, { shareCitizen: true });
    const b = await json(await call('bouwer', `/api/v1/partner/assignments/${shared.orderId}`));
    expect(b.customer).toEqual({ title: 'Woningaanpassing mevrouw De Vries', kvk: null, vestiging: null });
    expect(JSON.stringify(b)).not.toContain(CITIZEN);
    expect(await logged()).toMatchObject([
      { case_id: shared.caseId, actor: 'bouwer', organisation: BOUWER, purpose: 'assignment-handling', subject_bsn: CITIZEN },
    ]);
    // The citizen sees who read it, and why.
    const citizen = { authorization: `Bearer ${await issuer.token(CITIZEN)}`, 'accept-language': 'en' };
    const log = await json(await gateway.app.request('/api/v1/me/access-log', { headers: citizen }));
    expect(log.results.find((r: any) => r.role === 'subcontractor')).toMatchObject({
      organisation: { id: BOUWER, name: 'Bouwbedrijf De Steiger' },
      purposeText: 'Carrying out an assignment for your case',
    });
  });

  it('takes one of the product’s statuses, 422 naming the allowed ones otherwise', async () => {
    const { orderId } = await order(BOUWER);
    const res = await call('bouwer', `/api/v1/partner/assignments/${orderId}/status`, { status: 'gesloopt' });
    expect(res.status).toBe(422);
    expect((await json(res)).invalidParams).toEqual([{ name: 'status', code: 'unknown', reason: 'allowed: ingepland, bezig, klaar' }]);
    expect((await call('bouwer', `/api/v1/partner/assignments/${orderId}/status`, { status: '' })).status).toBe(400);
    expect((await call('bouwer', `/api/v1/partner/assignments/${orderId}/status`, { status: 'bezig', extra: 1 })).status).toBe(400);
  });

  it('answers 404 for another organisation’s assignment and for an order that is no assignment, 403 for other roles', async () => {
    const mine = await order(BOUWER);
    const zgw = await order(ZGW);
    for (const id of [mine.orderId, zgw.orderId, '00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      expect((await call('ander', `/api/v1/partner/assignments/${id}`)).status).toBe(404);
      expect((await call('ander', `/api/v1/partner/assignments/${id}/status`, { status: 'bezig' })).status).toBe(404);
      expect((await call('ander', `/api/v1/partner/assignments/${id}/messages`, { text: 'Hallo' })).status).toBe(404);
    }
    expect((await call('bouwer', `/api/v1/partner/assignments/${zgw.orderId}`)).status).toBe(404);
    expect((await call('zac', '/api/v1/partner/assignments')).status).toBe(403);
    expect((await call('bouwer', `/api/v1/orders/${mine.orderId}`)).status).toBe(403);
    expect((await call('bouwer', `/api/v1/orders/${mine.orderId}/messages`, { text: 'Hallo' })).status).toBe(403);
    // Nothing of it was changed by the refused writes.
    const a = await json(await call('bouwer', `/api/v1/partner/assignments/${mine.orderId}`));
    expect(a).toMatchObject({ status: null, messages: [] });
  });
});

describe('a status set through the partner API', () => {
  it('reaches the supplier, the citizen and webhooks as a zaak’s status does; a final one closes the assignment', async () => {
    const sub = await startSubscriber();
    const subscribed = await call('portaal', '/api/v1/subscriptions', { callbackUrl: sub.url, events: ['case.status-changed'], format: 'cloudevents' });
    expect(subscribed.status).toBe(201);
    const { caseId, orderId } = await order(BOUWER);
    const phases = () =>
      sub
        .events()
        .filter((e) => e.json.subject === caseId)
        .map((e) => e.json.data.phase);

    const res = await call('bouwer', `/api/v1/partner/assignments/${orderId}/status`, { status: 'bezig', text: 'Start maandag' });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ state: 'open', status: { code: 'bezig', phase: 'in_behandeling', final: false, text: 'Start maandag' } });
    await waitFor(() => phases().includes('in_behandeling'), 15_000, 'webhook with phase in_behandeling');

    const supplierView = await json(await call('zac', `/api/v1/cases/${caseId}`));
    expect(supplierView.combinedStatus).toMatchObject({ phase: 'in_behandeling', ballWith: { id: BOUWER } });
    expect(supplierView.orders[0]).toMatchObject({ status: { code: 'bezig', phase: 'in_behandeling', isEindstatus: false }, sync: { state: 'fresh' } });
    expect(supplierView.timeline.at(-1)).toMatchObject({
      kind: 'status',
      organisation: { id: BOUWER },
      phase: 'in_behandeling',
      text: 'Wordt geplaatst — Start maandag',
    });

    const citizen = { authorization: `Bearer ${await issuer.token(CITIZEN)}` };
    const mine = await json(await gateway.app.request(`/api/v1/me/cases/${caseId}`, { headers: citizen }));
    const part = mine.parts.find((p: any) => p.id === orderId);
    expect(part).toMatchObject({ organisation: { id: BOUWER, name: 'Bouwbedrijf De Steiger' }, phase: 'in_behandeling', sync: { state: 'fresh' } });
    expect(part.text).toContain('Wordt geplaatst');
    expect(mine.timeline.map((t: any) => t.text)).toContain('Wordt geplaatst — Start maandag');
    const inEnglish = await json(await gateway.app.request(`/api/v1/me/cases/${caseId}`, { headers: { ...citizen, 'accept-language': 'en' } }));
    expect(inEnglish.parts.find((p: any) => p.id === orderId).text).toBe('Being installed — Start maandag');

    const closed = await json(await call('bouwer', `/api/v1/partner/assignments/${orderId}/status`, { status: 'klaar' }));
    expect(closed).toMatchObject({ state: 'closed', status: { code: 'klaar', final: true } });
    expect((await call('bouwer', `/api/v1/partner/assignments/${orderId}/status`, { status: 'bezig' })).status).toBe(409);
    const closedList = await json(await call('bouwer', '/api/v1/partner/assignments?state=closed&pageSize=100'));
    expect(closedList.results.map((a: any) => a.id)).toContain(orderId);
    const openList = await json(await call('bouwer', '/api/v1/partner/assignments?state=open&pageSize=100'));
    expect(openList.results.map((a: any) => a.id)).not.toContain(orderId);
    const progress = (await json(await call('zac', `/api/v1/cases/${caseId}`))).combinedStatus.progress;
    expect(progress).toEqual({ done: 1, total: 1 });
  }, 30_000);
});

describe('messages about an order', () => {
  it('go both ways, land on the case timeline, and reach the citizen only when marked so', async () => {
    const { caseId, orderId } = await order(BOUWER);
    const fromSupplier = await call('zac', `/api/v1/orders/${orderId}/messages`, { text: 'Sleutel ligt bij de buren.' });
    expect(fromSupplier.status).toBe(201);
    expect(await json(fromSupplier)).toMatchObject({
      direction: 'to-subcontractor',
      organisation: { id: 'gemeente-test', name: 'Gemeente Test' },
      author: 'zac',
      channel: 'api',
      visibleToCitizen: false,
    });
    const fromPartner = await call('bouwer', `/api/v1/partner/assignments/${orderId}/messages`, { text: 'We komen dinsdag om 9 uur.', visibleToCitizen: true });
    expect(fromPartner.status).toBe(201);
    expect(await json(fromPartner)).toMatchObject({ direction: 'from-subcontractor', organisation: { id: BOUWER }, author: 'bouwer', visibleToCitizen: true });

    const a = await json(await call('bouwer', `/api/v1/partner/assignments/${orderId}`));
    expect(a.messages.map((m: any) => [m.direction, m.text])).toEqual([
      ['to-subcontractor', 'Sleutel ligt bij de buren.'],
      ['from-subcontractor', 'We komen dinsdag om 9 uur.'],
    ]);
    const timeline = (await json(await call('zac', `/api/v1/cases/${caseId}`))).timeline.filter((t: any) => t.kind === 'message');
    expect(timeline.map((t: any) => [t.organisation.id, t.text])).toEqual([
      ['gemeente-test', 'Sleutel ligt bij de buren.'],
      [BOUWER, 'We komen dinsdag om 9 uur.'],
    ]);
    const citizen = { authorization: `Bearer ${await issuer.token(CITIZEN)}` };
    const seen = (await json(await gateway.app.request(`/api/v1/me/cases/${caseId}`, { headers: citizen }))).timeline.filter((t: any) => t.kind === 'message');
    expect(seen.map((t: any) => [t.organisation.id, t.text])).toEqual([[BOUWER, 'We komen dinsdag om 9 uur.']]);

    // The supplier's message was mailed to the contacts, with the order's reply address.
    const { reply_token } = await db.selectFrom('assignments').select('reply_token').where('order_id', '=', orderId).executeTakeFirstOrThrow();
    const mail = await db
      .selectFrom('mail_outbox')
      .selectAll()
      .where('kind', '=', 'partner.message')
      .where('text', 'like', '%Sleutel ligt%')
      .executeTakeFirstOrThrow();
    expect(mail.headers['Reply-To']).toBe(`${reply_token}@${REPLY_DOMAIN}`);
    expect(mail.recipients).toEqual([`planning@${BOUWER}.example`]);
  });

  it('from the supplier are taken for an order at a Zaken API too, landing only on the timeline', async () => {
    const { caseId, orderId } = await order(ZGW);
    const before = await db
      .selectFrom('mail_outbox')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect((await call('zac', `/api/v1/orders/${orderId}/messages`, { text: 'Graag bellen voor levering.', visibleToCitizen: true })).status).toBe(201);
    const after = await db
      .selectFrom('mail_outbox')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    const timeline = (await json(await call('zac', `/api/v1/cases/${caseId}`))).timeline.filter((t: any) => t.kind === 'message');
    expect(timeline).toMatchObject([{ organisation: { id: 'gemeente-test' }, text: 'Graag bellen voor levering.', orderId }]);
  });

  it('are refused when empty, too long or for an unknown order', async () => {
    const { orderId } = await order(BOUWER);
    expect((await call('zac', `/api/v1/orders/${orderId}/messages`, { text: '   ' })).status).toBe(400);
    expect((await call('zac', `/api/v1/orders/${orderId}/messages`, { text: 'x'.repeat(4001) })).status).toBe(400);
    expect((await call('bouwer', `/api/v1/partner/assignments/${orderId}/messages`, { text: 'x'.repeat(4000) })).status).toBe(201);
    expect((await call('zac', '/api/v1/orders/00000000-0000-4000-8000-000000000000/messages', { text: 'Hallo' })).status).toBe(404);
    const bsn = await call('zac', `/api/v1/orders/${orderId}/messages`, { text: 'BSN 123456782' });
    expect(bsn.status).toBe(422);
    expect((await json(bsn)).invalidParams).toMatchObject([{ name: 'text', code: 'bsn' }]);
  });
});
