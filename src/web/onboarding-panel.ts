// The /ops panel for joining members: each pending member with an open invitation and the verdicts
// of its last connection test, so the operator sees why a member is not ready to activate.
import type { Context } from 'hono';
import { html } from 'hono/html';
import type { OnboardingService } from '../onboarding/service.ts';
import type { WebEnv } from './context.ts';
import { formatShort, tOf } from './i18n.ts';
import type { Html } from './layout.ts';
import type { OpsPanel } from './ops.ts';

export function onboardingPanel(onboarding: Pick<OnboardingService, 'joining'>): OpsPanel {
  return {
    async render(c: Context<WebEnv>): Promise<Html> {
      const t = tOf(c);
      const lang = c.get('lang');
      const joining = await onboarding.joining();
      return html`<h2 id="joining">${t('ops.joining.title')}</h2>
${
  joining.length === 0
    ? html`<p>${t('ops.joining.none')}</p>`
    : html`<div class="table-scroll" role="region" aria-labelledby="joining" tabindex="0"><table aria-labelledby="joining">
<thead><tr><th scope="col">${t('ops.org')}</th><th scope="col">${t('ops.joining.lastTest')}</th><th scope="col">${t('ops.joining.steps')}</th></tr></thead>
<tbody>${joining.map(
        (m) => html`<tr data-organisation="${m.id}"><th scope="row">${m.name}<br><code>${m.id}</code></th>
<td>${
          m.lastTest
            ? html`<span class="badge ${m.lastTest.passed ? 'ok' : 'open'}">${m.lastTest.passed ? t('ops.joining.passed') : t('ops.joining.failed')}</span><br><span class="muted">${formatShort(lang, m.lastTest.finishedAt ?? m.lastTest.startedAt)}</span>`
            : t('ops.joining.noTest')
        }</td>
<td>${m.lastTest ? html`<ul>${m.lastTest.steps.map((s) => html`<li data-step="${s.step}" data-verdict="${s.verdict}"><code>${s.step}</code> ${s.verdict}: ${s.reason}</li>`)}</ul>` : ''}</td></tr>`,
      )}</tbody></table></div>`
}`;
    },
  };
}
