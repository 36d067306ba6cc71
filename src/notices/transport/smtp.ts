// E-mail through the mail component (src/mail): the message becomes a mail in the mail outbox in
// the same transaction that marks it handed over, so it is queued exactly once; the mail outbox
// retries the SMTP server. SMS is not available with this transport.
import type { Trx } from '../../db/database.ts';
import { InvalidMailError, queueMail } from '../../mail/index.ts';
import { isSensitive } from '../outbound.ts';
import type { RenderedMessage } from '../render.ts';
import type { Outcome } from './outcome.ts';

export async function sendBySmtp(trx: Trx, m: RenderedMessage): Promise<Outcome> {
  if (m.channel === 'sms') return { kind: 'dead', error: 'SMS is not available with NOTICE_TRANSPORT=smtp' };
  try {
    const { id } = await queueMail(trx, {
      kind: `notice.${m.kind}`,
      to: m.to,
      subject: m.subject,
      text: m.text,
      sensitive: isSensitive(m.kind),
      // RFC 8058: a mail client's one-click unsubscribe POSTs `List-Unsubscribe=One-Click` to the URL.
      ...(m.unsubscribeUrl ? { headers: { 'List-Unsubscribe': `<${m.unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } } : {}),
    });
    return { kind: 'sent', providerId: id };
  } catch (error) {
    if (error instanceof InvalidMailError) return { kind: 'dead', error: error.message };
    throw error;
  }
}
