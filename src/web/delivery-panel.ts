// The /ops panel for outbound webhooks: dead letters with a re-send button and disabled
// subscriptions with an enable button. It talks to src/delivery's DeliveryOps through the few
// verbs below (typed structurally, so the pages do not reach into the delivery module's tables).
import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import { ServiceError } from '../lib/service-error.ts';
import type { WebEnv } from './context.ts';
import { readSessionForm } from './forms.ts';
import { formatShort, tOf } from './i18n.ts';
import { flash, type Html } from './layout.ts';
import type { OpsPanel } from './ops.ts';
import type { Session } from './session.ts';

export interface DeliveryOpsVerbs {
  deliveries(filter: { state: 'dead' }, limit: number, offset: number): Promise<{ count: number; results: DeadDelivery[] }>;
  subscriptions(limit: number, offset: number): Promise<{ count: number; results: SubscriptionHealth[] }>;
  resend(id: number): Promise<unknown>;
  enable(id: string): Promise<unknown>;
}

interface DeadDelivery {
  id: number;
  clientId: string;
  callbackUrl: string;
  eventType: string;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  updatedAt: string;
}

interface SubscriptionHealth {
  id: string;
  clientId: string;
  callbackUrl: string;
  state: string;
  disabledReason: string | null;
  disabledAt: string | null;
}

const SHOWN = 50;

export function deliveryPanel(ops: DeliveryOpsVerbs, publicOrigin: string): OpsPanel {
  return {
    async render(c: Context<WebEnv>, csrf: string): Promise<Html> {
      const t = tOf(c);
      const lang = c.get('lang');
      const [dead, subscriptions] = await Promise.all([ops.deliveries({ state: 'dead' }, SHOWN, 0), ops.subscriptions(200, 0)]);
      const disabled = subscriptions.results.filter((s) => s.state === 'disabled');
      const id = /^[\w-]{1,64}$/.test(c.req.query('item') ?? '') ? c.req.query('item')! : '';
      return html`<h2 id="dead-deliveries">${t('ops.deliveries')}</h2>
${flash(c, { resent: 'ops.resent', 'resend-failed': 'ops.resendFailed', enabled: 'ops.enabled', 'enable-failed': 'ops.enableFailed' }, { id })}
${
  dead.results.length === 0
    ? html`<p>${t('ops.deliveriesNone')}</p>`
    : html`<div class="table-scroll" role="region" aria-labelledby="dead-deliveries" tabindex="0"><table>
<thead><tr><th scope="col">#</th><th scope="col">${t('ops.subscription')}</th><th scope="col">${t('ops.event')}</th><th scope="col">${t('ops.attempts')}</th>
<th scope="col">${t('ops.lastError')}</th><th scope="col">${t('ops.updated')}</th><th scope="col"><span class="visually-hidden">${t('ops.resend')}</span></th></tr></thead>
<tbody>${dead.results.map(
        (d) => html`<tr><th scope="row">${d.id}</th><td>${d.clientId}<br><code>${d.callbackUrl}</code></td><td><code>${d.eventType}</code></td>
<td>${d.attempts}</td><td>${d.lastStatus ?? ''} ${d.lastError ?? ''}</td><td>${formatShort(lang, d.updatedAt)}</td>
<td><form method="post" action="/ops/deliveries/${d.id}/resend"><input type="hidden" name="_csrf" value="${csrf}">
<button type="submit" class="secondary" aria-label="${t('ops.resendLabel', { id: d.id })}">${t('ops.resend')}</button></form></td></tr>`,
      )}
</tbody></table></div>`
}
<h2 id="disabled-subscriptions">${t('ops.disabledSubscriptions')}</h2>
${
  disabled.length === 0
    ? html`<p>${t('ops.disabledSubscriptionsNone')}</p>`
    : html`<div class="table-scroll" role="region" aria-labelledby="disabled-subscriptions" tabindex="0"><table>
<thead><tr><th scope="col">${t('ops.subscription')}</th><th scope="col">${t('ops.callback')}</th><th scope="col">${t('ops.reason')}</th><th scope="col">${t('ops.updated')}</th>
<th scope="col"><span class="visually-hidden">${t('ops.enable')}</span></th></tr></thead>
<tbody>${disabled.map(
        (s) => html`<tr><th scope="row">${s.clientId}<br><code>${s.id}</code></th><td><code>${s.callbackUrl}</code></td><td>${s.disabledReason ?? ''}</td>
<td>${s.disabledAt ? formatShort(lang, s.disabledAt) : ''}</td>
<td><form method="post" action="/ops/subscriptions/${s.id}/enable"><input type="hidden" name="_csrf" value="${csrf}">
<button type="submit" class="secondary" aria-label="${t('ops.enableLabel', { id: s.clientId })}">${t('ops.enable')}</button></form></td></tr>`,
      )}
</tbody></table></div>`
}`;
    },

    routes(app: Hono<WebEnv>, guard: (c: Context<WebEnv>) => Promise<Pick<Session, 'csrf'>>) {
      app.post('/ops/deliveries/:id/resend', async (c) => {
        await readSessionForm(c, publicOrigin, await guard(c));
        const id = Number(c.req.param('id'));
        const done = Number.isSafeInteger(id) && id > 0 && (await succeeded(() => ops.resend(id)));
        return c.redirect(`/ops?done=${done ? 'resent' : 'resend-failed'}&item=${Number.isSafeInteger(id) ? id : 0}#dead-deliveries`, 303);
      });
      app.post('/ops/subscriptions/:id/enable', async (c) => {
        await readSessionForm(c, publicOrigin, await guard(c));
        const id = c.req.param('id');
        const done = await succeeded(() => ops.enable(id));
        return c.redirect(`/ops?done=${done ? 'enabled' : 'enable-failed'}&item=${encodeURIComponent(id)}#disabled-subscriptions`, 303);
      });
    },
  };
}

/** What the delivery module refuses (not dead, subscription disabled, unknown) is reported, not thrown. */
async function succeeded(run: () => Promise<unknown>): Promise<boolean> {
  try {
    await run();
    return true;
  } catch (error) {
    if (error instanceof ServiceError && (error.kind === 'not_found' || error.kind === 'conflict')) return false;
    throw error;
  }
}
