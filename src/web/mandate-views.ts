// The mandates page: grant form (with an error summary that links to the fields), the mandates
// the citizen gave (revoke buttons) and the ones they hold (read on behalf).
import { html } from 'hono/html';
import type { CaseSummary, Mandates, ViewContext } from './citizen-views.ts';
import { dateInputValue, formatDay } from './i18n.ts';
import type { Html } from './layout.ts';

export type GrantField = 'proxyKind' | 'proxyBsn' | 'proxyOrganisation' | 'proxyName' | 'caseId' | 'validUntil';
export interface GrantForm {
  values: Partial<Record<GrantField, string>>;
  errors: Partial<Record<GrantField | 'form', string>>;
}

const FIELD_ORDER: GrantField[] = ['proxyBsn', 'proxyOrganisation', 'proxyName', 'caseId', 'validUntil'];

/** An organisation that reads for customers, as the grant form offers it: "oin:…" or "kvk:…". */
export interface ReadProxyOption {
  value: string;
  name: string;
}

function fieldError(form: GrantForm, field: GrantField): Html | '' {
  const message = form.errors[field];
  return message ? html`<span class="field-error" id="${field}-error">${message}</span>` : '';
}

const describedBy = (form: GrantForm, field: GrantField, hint: boolean) =>
  [hint ? `${field}-hint` : '', form.errors[field] ? `${field}-error` : ''].filter(Boolean).join(' ');

const invalid = (form: GrantForm, field: GrantField) => (form.errors[field] ? html` aria-invalid="true"` : '');

export function grantForm(v: ViewContext, csrf: string, cases: CaseSummary[], form: GrantForm, organisations: ReadProxyOption[] = [], now = new Date()): Html {
  const tomorrow = new Date(now.getTime() + 86_400_000);
  const yearAhead = new Date(now);
  yearAhead.setUTCFullYear(yearAhead.getUTCFullYear() + 1);
  const errors = FIELD_ORDER.filter((f) => form.errors[f]);
  return html`<h2 id="grant">${v.t('mandates.grantTitle')}</h2>
${
  errors.length || form.errors.form
    ? html`<div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1">
<h2 id="error-summary-title">${v.t('mandates.errorSummary')}</h2><ul>
${form.errors.form ? html`<li>${form.errors.form}</li>` : ''}
${errors.map((f) => html`<li><a href="#${f}">${form.errors[f]}</a></li>`)}</ul></div>`
    : ''
}
<form method="post" action="/mandates" novalidate>
<input type="hidden" name="_csrf" value="${csrf}">
${
  organisations.length
    ? html`<fieldset class="field"><legend>${v.t('mandates.proxyKind')}</legend>
<div class="choice"><input type="radio" id="proxyKind-person" name="proxyKind" value="person"${form.values.proxyKind !== 'organisation' ? html` checked` : ''}>
<label for="proxyKind-person">${v.t('mandates.proxyKind.person')}</label></div>
<div class="choice"><input type="radio" id="proxyKind-organisation" name="proxyKind" value="organisation"${form.values.proxyKind === 'organisation' ? html` checked` : ''}>
<label for="proxyKind-organisation">${v.t('mandates.proxyKind.organisation')}</label></div></fieldset>
<div class="field"><label for="proxyOrganisation">${v.t('mandates.proxyOrganisation')}</label>
<span class="hint" id="proxyOrganisation-hint">${v.t('mandates.proxyOrganisationHint')}</span>${fieldError(form, 'proxyOrganisation')}
<select id="proxyOrganisation" name="proxyOrganisation" aria-describedby="${describedBy(form, 'proxyOrganisation', true)}"${invalid(form, 'proxyOrganisation')}>
${organisations.map((o) => html`<option value="${o.value}"${form.values.proxyOrganisation === o.value ? html` selected` : ''}>${o.name}</option>`)}
</select></div>`
    : ''
}
<div class="field"><label for="proxyBsn">${v.t('mandates.proxyBsn')}</label>
<span class="hint" id="proxyBsn-hint">${v.t('mandates.proxyBsnHint')}</span>${fieldError(form, 'proxyBsn')}
<input class="bsn" type="text" id="proxyBsn" name="proxyBsn" inputmode="numeric" autocomplete="off" maxlength="11"
 value="${form.values.proxyBsn ?? ''}" aria-describedby="${describedBy(form, 'proxyBsn', true)}"${invalid(form, 'proxyBsn')}></div>
<div class="field"><label for="proxyName">${v.t('mandates.proxyName')}</label>
<span class="hint" id="proxyName-hint">${v.t('mandates.proxyNameHint')}</span>${fieldError(form, 'proxyName')}
<input type="text" id="proxyName" name="proxyName" autocomplete="off" maxlength="100" value="${form.values.proxyName ?? ''}"
 aria-describedby="${describedBy(form, 'proxyName', true)}"${invalid(form, 'proxyName')}></div>
<div class="field"><label for="caseId">${v.t('mandates.case')}</label>${fieldError(form, 'caseId')}
<select id="caseId" name="caseId"${form.errors.caseId ? html` aria-describedby="caseId-error"` : ''}${invalid(form, 'caseId')}>
<option value="">${v.t('mandates.allCases')}</option>
${cases.map((c) => html`<option value="${c.id}"${form.values.caseId === c.id ? html` selected` : ''}>${c.reference} — ${c.title}</option>`)}
</select></div>
<div class="field"><label for="validUntil">${v.t('mandates.validUntil')}</label>
<span class="hint" id="validUntil-hint">${v.t('mandates.validUntilHint')}</span>${fieldError(form, 'validUntil')}
<input type="date" id="validUntil" name="validUntil" min="${dateInputValue(tomorrow)}" max="${dateInputValue(yearAhead)}" value="${form.values.validUntil ?? ''}"
 aria-describedby="${describedBy(form, 'validUntil', true)}"${invalid(form, 'validUntil')}></div>
<button type="submit">${v.t('mandates.grant')}</button>
</form>`;
}

export function grantedTable(v: ViewContext, csrf: string, granted: Mandates['granted']): Html {
  if (granted.length === 0) return html`<p>${v.t('mandates.givenNone')}</p>`;
  return html`<table><caption class="visually-hidden">${v.t('mandates.givenTitle')}</caption>
<thead><tr><th scope="col">${v.t('mandates.proxy')}</th><th scope="col">${v.t('mandates.scope')}</th><th scope="col">${v.t('mandates.until')}</th>
<th scope="col">${v.t('mandates.state')}</th><th scope="col">${v.t('mandates.action')}</th></tr></thead>
<tbody>${granted.map((m) => {
    const who = proxyLabel(m.proxy);
    return html`<tr><th scope="row">${who}</th><td>${m.case ? (m.case.reference ?? '—') : v.t('mandates.allCases')}</td>
<td>${formatDay(v.lang, m.validUntil)}</td><td>${v.t(`mandates.state.${m.state}`)}</td>
<td>${
      m.state === 'active' || m.state === 'scheduled'
        ? html`<form method="post" action="/mandates/${m.id}/revoke">
<input type="hidden" name="_csrf" value="${csrf}"><button type="submit" class="secondary" aria-label="${v.t('mandates.revokeLabel', { name: who })}">${v.t('mandates.revoke')}</button></form>`
        : '—'
    }</td></tr>`;
  })}</tbody></table>`;
}

export function receivedTable(v: ViewContext, received: Mandates['received']): Html {
  if (received.length === 0) return html`<p>${v.t('mandates.receivedNone')}</p>`;
  return html`<table><caption class="visually-hidden">${v.t('mandates.receivedTitle')}</caption>
<thead><tr><th scope="col">${v.t('mandates.grantor')}</th><th scope="col">${v.t('mandates.scope')}</th><th scope="col">${v.t('mandates.until')}</th>
<th scope="col">${v.t('mandates.state')}</th><th scope="col">${v.t('mandates.action')}</th></tr></thead>
<tbody>${received.map(
    (m) => html`<tr><th scope="row">${grantorText(m.grantor)}</th>
<td>${m.case ? (m.case.reference ?? '—') : v.t('mandates.allCases')}</td><td>${formatDay(v.lang, m.validUntil)}</td>
<td>${v.t(`mandates.state.${m.state}`)}</td>
<td>${m.state === 'active' ? html`<a href="/on-behalf/${m.id}" aria-label="${v.t('mandates.readLabel', { grantor: grantorText(m.grantor) })}">${v.t('mandates.read')}</a>` : '—'}</td></tr>`,
  )}
</tbody></table>`;
}

/** A person proxy by the name given and masked BSN; an organisation by its name and number. */
function proxyLabel(proxy: Mandates['granted'][number]['proxy']): string {
  if ('bsn' in proxy) return proxy.name ? `${proxy.name} (${proxy.bsn})` : proxy.bsn;
  const number = proxy.organisation.oin ? `OIN ${proxy.organisation.oin}` : `KvK ${proxy.organisation.kvk}`;
  return proxy.name ? `${proxy.name} (${number})` : number;
}

export const grantorText = (grantor: Mandates['received'][number]['grantor']) => ('bsn' in grantor ? grantor.bsn : `KvK ${grantor.kvk}`);
