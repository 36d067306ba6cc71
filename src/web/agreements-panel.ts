// The /ops panel for re-acceptance: the members (active or suspended) that have not accepted the
// current agreement version, its deadline, and who is past it. Suspending stays the operator's
// call (POST /api/v1/organisations/{id}/suspend, reason agreement-overdue); nothing suspends by itself.
// Its few texts live here until they join the message catalogues (src/i18n).
import type { Context } from 'hono';
import { html } from 'hono/html';
import type { AgreementService } from '../agreements/service.ts';
import type { NetworkService } from '../network/service.ts';
import type { WebEnv } from './context.ts';
import { formatShort } from './i18n.ts';
import type { Html } from './layout.ts';
import type { OpsPanel } from './ops.ts';

const TEXTS = {
  nl: {
    title: 'Afspraak opnieuw accepteren',
    none: 'Er is nog geen afspraakversie gepubliceerd (POST /api/v1/agreements).',
    current: 'Huidige versie: {version}.',
    deadline: 'Uiterlijk {date} opnieuw accepteren.',
    allUpToDate: 'Alle deelnemers hebben de huidige versie geaccepteerd.',
    org: 'Organisatie',
    status: 'Status',
    accepted: 'Geaccepteerde versie',
    state: 'Stand',
    neverAccepted: 'nog geen',
    overdue: 'termijn verstreken',
    waiting: 'nog niet geaccepteerd',
    suspendHint: 'Na de termijn mag u een deelnemer schorsen (reden agreement-overdue); de gateway doet dat nooit zelf.',
  },
  en: {
    title: 'Agreement re-acceptance',
    none: 'No agreement version has been published yet (POST /api/v1/agreements).',
    current: 'Current version: {version}.',
    deadline: 'To be re-accepted by {date}.',
    allUpToDate: 'Every member has accepted the current version.',
    org: 'Organisation',
    status: 'Status',
    accepted: 'Accepted version',
    state: 'State',
    neverAccepted: 'none yet',
    overdue: 'overdue',
    waiting: 'not accepted yet',
    suspendHint: 'Past the deadline you may suspend a member (reason agreement-overdue); the gateway never does so by itself.',
  },
} as const;

export function agreementsPanel(agreements: AgreementService, network: NetworkService): OpsPanel {
  return {
    async render(c: Context<WebEnv>): Promise<Html> {
      const lang = c.get('lang');
      const t = TEXTS[lang === 'en' ? 'en' : 'nl'];
      const fill = (text: string, params: Record<string, string>) => text.replace(/\{(\w+)\}/g, (_, k: string) => params[k] ?? '');
      const [current, stateOf] = await Promise.all([agreements.currentAgreement(), agreements.states()]);
      if (!current) return html`<h2 id="reacceptance">${t.title}</h2><p>${t.none}</p>`;
      const flagged = network
        .list()
        .filter((o) => o.status !== 'pending')
        .map((o) => ({ org: o, state: stateOf(o) }))
        .filter((f) => !f.state.upToDate);
      return html`<h2 id="reacceptance">${t.title}</h2>
<p>${fill(t.current, { version: current.version })}${current.reacceptBy ? html` ${fill(t.deadline, { date: formatShort(lang, current.reacceptBy) })}` : ''}</p>
${
  flagged.length === 0
    ? html`<p>${t.allUpToDate}</p>`
    : html`<div class="table-scroll" role="region" aria-labelledby="reacceptance" tabindex="0"><table aria-labelledby="reacceptance">
<thead><tr><th scope="col">${t.org}</th><th scope="col">${t.status}</th><th scope="col">${t.accepted}</th><th scope="col">${t.state}</th></tr></thead>
<tbody>${flagged.map(
        ({ org, state }) => html`<tr data-organisation="${org.id}"><th scope="row">${org.name}<br><code>${org.id}</code></th><td>${org.status}</td>
<td>${state.accepted ?? t.neverAccepted}</td>
<td>${state.overdue ? html`<span class="badge open">${t.overdue}</span>` : t.waiting}</td></tr>`,
      )}</tbody></table></div>
<p class="muted">${t.suspendHint}</p>`
}`;
    },
  };
}
