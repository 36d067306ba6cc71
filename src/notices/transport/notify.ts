// E-mail and SMS through a Notify API (NOTICE_TRANSPORT=notify). Its answers are judged as the
// webhooks' are (src/delivery/schedule.ts): 429 and 5xx are retried with backoff (Retry-After
// believed), while 400 and 403 — a bad template, recipient or API key — are dead at once with
// Notify's error kept for the operator, as is any other refusal.
import type { NotifyTemplates } from '../../config.ts';
import { decide, describe } from '../../delivery/schedule.ts';
import { containsBsn } from '../../mail/index.ts';
import type { RenderedMessage } from '../render.ts';
import { NotifyClient } from './notify-client.ts';
import type { Outcome } from './outcome.ts';

export interface NotifyOptions {
  apiUrl: string;
  apiKey: string;
  templates: NotifyTemplates;
  timeoutMs: number;
  retryBaseMs: number;
}

export class NotifyTransport {
  private readonly client: NotifyClient;
  private readonly options: NotifyOptions;
  constructor(options: NotifyOptions) {
    this.options = options;
    this.client = new NotifyClient(options);
  }

  /** One attempt (`attempt` counts from 1). */
  async send(m: RenderedMessage, attempt: number): Promise<Outcome> {
    // The same rule as the mail outbox's: nothing that may be a BSN leaves the gateway.
    if (Object.values(m.personalisation).some(containsBsn)) {
      return { kind: 'dead', error: `notice '${m.kind}' refused: a value holds a number that may be a BSN; no BSN is ever sent` };
    }
    const perLanguage = this.options.templates[m.kind][m.channel];
    const template = perLanguage[m.language] ?? perLanguage.nl;
    const result =
      m.channel === 'email'
        ? await this.client.sendEmail({
            email_address: m.to,
            template_id: template,
            personalisation: m.personalisation,
            reference: m.id,
            ...(m.unsubscribeUrl ? { one_click_unsubscribe_url: m.unsubscribeUrl } : {}),
          })
        : await this.client.sendSms({ phone_number: m.to, template_id: template, personalisation: m.personalisation, reference: m.id });
    const status = result.status;
    if (status !== undefined && status >= 200 && status < 300) return { kind: 'sent', providerId: result.id };
    const error = describe(result) ?? `HTTP ${status}`;
    const retryable = status === undefined || status === 429 || status >= 500;
    if (!retryable) return { kind: 'dead', error };
    const decision = decide(result, attempt, this.options.retryBaseMs);
    if (decision.kind === 'retry') return { kind: 'retry', delayMs: decision.delayMs, error };
    return { kind: 'dead', error: `${error} (attempts used up)` };
  }
}
