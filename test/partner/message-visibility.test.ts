// PATCH /api/v1/partner/assignments/{id}/messages/{messageId}: the organisation shows a message (a
// contact's reply by e-mail, say) to the customer, or stops showing it. Only its own assignment's
// messages: everything else answers the 404 of an id that does not exist.
import { describe, expect, it } from 'vitest';
import { BOUWER, startPartnerGateway } from './helpers.ts';

const { gateway, order, db, headers, issuer } = await startPartnerGateway();
const { partner } = gateway;
const CONTACT = `planning@${BOUWER}.example`;
const citizen = { authorization: `Bearer ${await issuer.token('111222333')}` };

const patch = (as: keyof typeof headers, path: string, body: unknown, contentType = 'application/json') =>
  gateway.app.request(path, { method: 'PATCH', headers: { ...headers[as], 'content-type': contentType }, body: JSON.stringify(body) });

/** An assignment with a reply from its contact by e-mail (not citizen-visible), as the listener stores one. */
async function withReply() {
  const { caseId, orderId } = await order(BOUWER);
  const { reply_token } = await db.selectFrom('assignments').select('reply_token').where('order_id', '=', orderId).executeTakeFirstOrThrow();
  const outcome = await partner.receiveReply(reply_token, CONTACT, 'Wij komen donderdag om 8 uur.');
  if (!outcome.stored) throw new Error(`reply not stored: ${outcome.reason}`);
  return { caseId, orderId, messageId: outcome.messageId, path: `/api/v1/partner/assignments/${orderId}/messages/${outcome.messageId}` };
}

const citizenMessages = async (caseId: string) =>
  ((await (await gateway.app.request(`/api/v1/me/cases/${caseId}`, { headers: citizen })).json()) as any).timeline.filter((t: any) => t.kind === 'message');

describe('showing a message to the customer', () => {
  it('shows a mailed reply on the citizen timeline and hides it again, answering the message', async () => {
    const { caseId, orderId, messageId, path } = await withReply();
    expect(await citizenMessages(caseId)).toEqual([]);

    const shown = await patch('bouwer', path, { visibleToCitizen: true });
    expect(shown.status).toBe(200);
    expect(await shown.json()).toMatchObject({
      id: messageId,
      orderId,
      direction: 'from-subcontractor',
      channel: 'mail',
      author: CONTACT,
      organisation: { id: BOUWER },
      visibleToCitizen: true,
    });
    expect(await citizenMessages(caseId)).toMatchObject([{ organisation: { id: BOUWER }, text: 'Wij komen donderdag om 8 uur.' }]);

    const hidden = await patch('bouwer', path, { visibleToCitizen: false });
    expect(((await hidden.json()) as any).visibleToCitizen).toBe(false);
    expect(await citizenMessages(caseId)).toEqual([]);
  });

  it("is 404 for another organisation's assignment, another assignment's message and ids that name nothing", async () => {
    const { orderId, messageId, path } = await withReply();
    const other = await order(BOUWER);
    const notFound = [
      await patch('ander', path, { visibleToCitizen: true }),
      await patch('bouwer', `/api/v1/partner/assignments/${other.orderId}/messages/${messageId}`, { visibleToCitizen: true }),
      ...(await Promise.all(
        ['0', '-1', 'abc', '1.5', '99999999999999999999', String(messageId + 1000)].map((id) =>
          patch('bouwer', `/api/v1/partner/assignments/${orderId}/messages/${id}`, { visibleToCitizen: true }),
        ),
      )),
    ];
    expect(notFound.map((r) => r.status)).toEqual(notFound.map(() => 404));
    const row = await db.selectFrom('order_messages').select('citizen_visible').where('id', '=', messageId).executeTakeFirstOrThrow();
    expect(row.citizen_visible).toBe(false);
  });

  it('refuses a body that is not { visibleToCitizen: boolean }, and clients that are no subcontractor', async () => {
    const { path } = await withReply();
    for (const body of [{}, { visibleToCitizen: 'true' }, { visibleToCitizen: true, text: 'x' }, [true]]) {
      expect((await patch('bouwer', path, body)).status, JSON.stringify(body)).toBe(400);
    }
    expect((await patch('bouwer', path, { visibleToCitizen: true }, 'text/plain')).status).toBe(415);
    expect((await patch('zac', path, { visibleToCitizen: true })).status).toBe(403);
    expect((await gateway.app.request(path, { method: 'PATCH', body: '{}' })).status).toBe(401);
  });
});
