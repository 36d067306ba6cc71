// Templates of "Mijn overzichten": the list of the customer's groups, a group with its cases, and
// the forms to make, rename, fill and delete one (plain HTML forms, errors next to the fields).
import { html } from 'hono/html';
import type { CaseGroup } from '../citizen/group-service.ts';
import { caseList, type CaseSummary, type ViewContext } from './citizen-views.ts';
import { formatDateTime } from './i18n.ts';
import type { Html } from './layout.ts';

export type GroupField = 'name' | 'cases';
export interface GroupForm {
  values: { name?: string; caseIds?: string[] };
  errors: Partial<Record<GroupField | 'form', string>>;
}
export const emptyGroupForm = (): GroupForm => ({ values: {}, errors: {} });

function progress(v: ViewContext, p: CaseGroup['progress']): Html | string {
  if (p.total === 0) return v.t('cases.progressNone');
  return html`<progress value="${p.done}" max="${p.total}" aria-hidden="true"></progress> ${v.t('cases.progressText', { done: p.done, total: p.total })}`;
}

function latest(v: ViewContext, g: CaseGroup): Html | string {
  const e = g.latestEvent;
  if (!e) return v.t('groups.latestNone');
  return html`<time datetime="${e.at}">${formatDateTime(v.lang, e.at)}</time>: ${e.text ?? e.kind} <span class="muted">(${e.case.reference})</span>`;
}

export function groupsTable(v: ViewContext, groups: CaseGroup[]): Html {
  if (groups.length === 0) return html`<p>${v.t('groups.none')}</p>`;
  return html`<table><caption class="visually-hidden">${v.t('groups.title')}</caption>
<thead><tr><th scope="col">${v.t('groups.name')}</th><th scope="col">${v.t('groups.cases')}</th><th scope="col">${v.t('groups.progress')}</th>
<th scope="col">${v.t('groups.latest')}</th></tr></thead>
<tbody>${groups.map(
    (g) => html`<tr><th scope="row"><a href="/groups/${g.id}">${g.name}</a></th><td>${g.cases.length}</td>
<td>${progress(v, g.progress)}</td><td>${latest(v, g)}</td></tr>`,
  )}</tbody></table>`;
}

/** A group with its cases (each linking to the case page). */
export function groupDetail(v: ViewContext, g: CaseGroup): Html {
  return html`<dl class="facts">
<dt>${v.t('groups.cases')}</dt><dd>${g.cases.length}</dd>
<dt>${v.t('groups.progress')}</dt><dd>${progress(v, g.progress)}</dd>
<dt>${v.t('groups.latest')}</dt><dd>${latest(v, g)}</dd>
</dl>
${caseList(v, g.cases, (c) => `/cases/${c.id}`, v.t('groups.casesNone'))}`;
}

function errorSummary(v: ViewContext, form: GroupForm): Html | '' {
  const fields = (['name', 'cases'] as const).filter((f) => form.errors[f]);
  if (fields.length === 0 && !form.errors.form) return '';
  return html`<div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1">
<h2 id="error-summary-title">${v.t('mandates.errorSummary')}</h2><ul>
${form.errors.form ? html`<li>${form.errors.form}</li>` : ''}
${fields.map((f) => html`<li><a href="#${f}">${form.errors[f]}</a></li>`)}</ul></div>`;
}

const fieldError = (form: GroupForm, field: GroupField) =>
  form.errors[field] ? html`<span class="field-error" id="${field}-error">${form.errors[field]}</span>` : '';

function nameField(v: ViewContext, form: GroupForm, value: string): Html {
  const invalid = form.errors.name ? html` aria-invalid="true"` : '';
  const describedBy = ['name-hint', form.errors.name ? 'name-error' : ''].filter(Boolean).join(' ');
  return html`<div class="field"><label for="name">${v.t('groups.nameLabel')}</label>
<span class="hint" id="name-hint">${v.t('groups.nameHint')}</span>${fieldError(form, 'name')}
<input type="text" id="name" name="name" maxlength="100" required autocomplete="off" value="${value}" aria-describedby="${describedBy}"${invalid}></div>`;
}

/** Checkboxes named case.<id>, in the order of `cases`; a form without JavaScript posts the checked ones. */
function casesField(v: ViewContext, form: GroupForm, cases: CaseSummary[], checked: Set<string>): Html {
  if (cases.length === 0) return html`<p id="cases">${v.t('groups.pickNone')}</p>`;
  return html`<fieldset class="field" id="cases"${form.errors.cases ? html` aria-describedby="cases-error"` : ''}><legend>${v.t('groups.pick')}</legend>
${fieldError(form, 'cases')}
${cases.map(
  (c) => html`<div class="choice"><input type="checkbox" id="case-${c.id}" name="case.${c.id}" value="on"${checked.has(c.id) ? html` checked` : ''}>
<label for="case-${c.id}">${c.reference} — ${c.title}</label></div>`,
)}</fieldset>`;
}

const hiddenCsrf = (csrf: string) => html`<input type="hidden" name="_csrf" value="${csrf}">`;

/** The form to make a group: a name and some of the customer's cases. */
export function createForm(v: ViewContext, csrf: string, cases: CaseSummary[], form: GroupForm): Html {
  return html`<h2 id="new">${v.t('groups.newTitle')}</h2>
${errorSummary(v, form)}
<form method="post" action="/groups" novalidate>${hiddenCsrf(csrf)}
${nameField(v, form, form.values.name ?? '')}
${casesField(v, form, cases, new Set(form.values.caseIds ?? []))}
<button type="submit">${v.t('groups.create')}</button>
</form>`;
}

/** The forms on a group's page: rename, choose its cases, delete. */
export function editForms(v: ViewContext, csrf: string, g: CaseGroup, cases: CaseSummary[], forms: { name: GroupForm; cases: GroupForm }): Html {
  const members = new Set(forms.cases.values.caseIds ?? g.cases.map((c) => c.id));
  return html`<h2>${v.t('groups.renameTitle')}</h2>
${errorSummary(v, forms.name)}
<form method="post" action="/groups/${g.id}/name" novalidate>${hiddenCsrf(csrf)}
${nameField(v, forms.name, forms.name.values.name ?? g.name)}
<button type="submit">${v.t('groups.rename')}</button>
</form>
<h2>${v.t('groups.casesTitle')}</h2>
${errorSummary(v, forms.cases)}
<form method="post" action="/groups/${g.id}/cases" novalidate>${hiddenCsrf(csrf)}
${casesField(v, forms.cases, cases, members)}
<button type="submit">${v.t('groups.saveCases')}</button>
</form>
<h2>${v.t('groups.deleteTitle')}</h2>
<p>${v.t('groups.deleteIntro')}</p>
<form method="post" action="/groups/${g.id}/delete">${hiddenCsrf(csrf)}
<button type="submit" class="secondary" aria-label="${v.t('groups.deleteLabel', { name: g.name })}">${v.t('groups.delete')}</button>
</form>`;
}

/** The case ids a posted form checked (fields case.<id>), in the form's order. */
export const checkedCases = (form: Record<string, string>): string[] =>
  Object.keys(form)
    .filter((k) => k.startsWith('case.'))
    .map((k) => k.slice(5));
