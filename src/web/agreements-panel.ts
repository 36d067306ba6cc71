// The /ops panel for re-acceptance: the members (active or suspended) that have not accepted the
// current agreement version, its deadline, and who is past it. Suspending stays the operator's
// call (POST /api/v1/organisations/{id}/suspend, reason agreement-overdue); nothing suspends by itself.
import type { Context } from 'hono';
import { html } from 'hono/html';
import type { AgreementService } from '../agreements/service.ts';
import type { NetworkService } from '../network/service.ts';
import type { WebEnv } from './context.ts';
import { formatShort, tOf } from './i18n.ts';
import type { Html } from './layout.ts';
import type { OpsPanel } from './ops.ts';

export function agreementsPanel(agreements: AgreementService, network: NetworkService): OpsPanel {
  return {
    async render(c: Context<WebEnv>): Promise<Html> {
      const t = tOf(c);
      const lang = c.get('lang');
      const [current, stateOf] = await Promise.all([agreements.currentAgreement(), agreements.states()]);
      if (!current) return html`<h2 id="reacceptance">${t('ops.reaccept.title')}</h2><p>${t('ops.reaccept.none')}</p>`;
      const flagged = network
        .list()
        .filter((o) => o.status !== 'pending')
        .map((o) => ({ org: o, state: stateOf(o) }))
        .filter((f) => !f.state.upToDate);
      return html`<h2 id="reacceptance">${t('ops.reaccept.title')}</h2>
<p>${t('ops.reaccept.current', { version: current.version })}${current.reacceptBy ? html` ${t('ops.reaccept.deadline', { date: formatShort(lang, current.reacceptBy) })}` : ''}</p>
${
  flagged.length === 0
    ? html`<p>${t('ops.reaccept.allUpToDate')}</p>`
    : html`<div class="table-scroll" role="region" aria-labelledby="reacceptance" tabindex="0"><table aria-labelledby="reacceptance">
<thead><tr><th scope="col">${t('ops.org')}</th><th scope="col">${t('ops.status')}</th><th scope="col">${t('ops.reaccept.accepted')}</th><th scope="col">${t('ops.reaccept.state')}</th></tr></thead>
<tbody>${flagged.map(
        ({ org, state }) => html`<tr data-organisation="${org.id}"><th scope="row">${org.name}<br><code>${org.id}</code></th><td>${org.status}</td>
<td>${state.accepted ?? t('ops.reaccept.neverAccepted')}</td>
<td>${state.overdue ? html`<span class="badge open">${t('ops.reaccept.overdue')}</span>` : t('ops.reaccept.waiting')}</td></tr>`,
      )}</tbody></table></div>
<p class="muted">${t('ops.reaccept.suspendHint')}</p>`
}`;
    },
  };
}
