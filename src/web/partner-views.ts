// Templates of the partner page: sign-in (link or OIDC), the organisation's assignments, one
// assignment with its messages and the forms to set its status, write and show a mailed reply to
// the customer. They render what PartnerService returns; they decide nothing.
import { html } from 'hono/html';
import { localName } from '../i18n/index.ts';
import type { Assignment, AssignmentDetail, Message } from '../partner/presenter.ts';
import type { ViewContext } from './citizen-views.ts';
import { formatDateTime, formatDay } from './i18n.ts';
import type { Html } from './layout.ts';

export type PartnerField = 'email' | 'status' | 'statusText' | 'text';
export interface PartnerForm {
  values: Partial<Record<PartnerField | 'visibleToCitizen', string>>;
  errors: Partial<Record<PartnerField | 'form', string>>;
}
export const emptyForm = (): PartnerForm => ({ values: {}, errors: {} });

/** A name in the reader's language (Dutch when it has none in theirs). */
const named = (v: ViewContext, name: Parameters<typeof localName>[0]) => localName(name, v.lang);
const day = (v: ViewContext, date: string | null) => (date ? html`<time datetime="${date}">${formatDay(v.lang, date)}</time>` : '—');
const time = (v: ViewContext, at: string) => html`<time datetime="${at}">${formatDateTime(v.lang, at)}</time>`;

function errorSummary(v: ViewContext, form: PartnerForm, fields: PartnerField[]): Html | '' {
  const listed = fields.filter((f) => form.errors[f]);
  if (listed.length === 0 && !form.errors.form) return '';
  return html`<div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1">
<h2 id="error-summary-title">${v.t('mandates.errorSummary')}</h2><ul>
${form.errors.form ? html`<li>${form.errors.form}</li>` : ''}
${listed.map((f) => html`<li><a href="#${f}">${form.errors[f]}</a></li>`)}</ul></div>`;
}

const fieldError = (form: PartnerForm, field: PartnerField) =>
  form.errors[field] ? html`<span class="field-error" id="${field}-error">${form.errors[field]}</span>` : '';
const describedBy = (form: PartnerForm, field: PartnerField, hint: boolean) =>
  [hint ? `${field}-hint` : '', form.errors[field] ? `${field}-error` : ''].filter(Boolean).join(' ');
const invalid = (form: PartnerForm, field: PartnerField) => (form.errors[field] ? html` aria-invalid="true"` : '');

export function signIn(v: ViewContext, input: { csrf: string; form: PartnerForm; linkOn: boolean; oidcOn: boolean; notice: Html | '' }): Html {
  const { form } = input;
  return html`<h1>${v.t('partner.signIn.title')}</h1>
${input.notice}
<p class="lead">${v.t('partner.signIn.intro')}</p>
${errorSummary(v, form, ['email'])}
${
  input.linkOn
    ? html`<form method="post" action="/partner/login" novalidate>
<input type="hidden" name="_csrf" value="${input.csrf}">
<div class="field"><label for="email">${v.t('partner.signIn.email')}</label>
<span class="hint" id="email-hint">${v.t('partner.signIn.emailHint')}</span>${fieldError(form, 'email')}
<input type="email" id="email" name="email" autocomplete="email" spellcheck="false" maxlength="254" value="${form.values.email ?? ''}"
 aria-describedby="${describedBy(form, 'email', true)}"${invalid(form, 'email')}></div>
<button type="submit">${v.t('partner.signIn.send')}</button>
</form>`
    : ''
}
${
  input.oidcOn
    ? html`${input.linkOn ? html`<h2>${v.t('partner.signIn.otherTitle')}</h2>` : ''}
<p><a class="button${input.linkOn ? ' secondary' : ''}" href="/auth/partner/login">${v.t('partner.signIn.oidc')}</a></p>`
    : ''
}
${input.linkOn || input.oidcOn ? '' : html`<p class="notice">${v.t('partner.signIn.off')}</p>`}`;
}

export function linkSent(v: ViewContext, demo: boolean): Html {
  return html`<h1>${v.t('partner.sent.title')}</h1>
<p class="lead" role="status">${v.t('partner.sent.text')}</p>
<p>${v.t('partner.sent.more')}</p>
${demo ? html`<p class="notice">${v.t('partner.sent.demo')} <a href="/_demo/mail">/_demo/mail</a></p>` : ''}
<p><a href="/partner">${v.t('partner.sent.again')}</a></p>`;
}

/** The link's page: a button signs in (a mail scanner that opens the link uses nothing up). */
export function confirmLink(v: ViewContext, input: { csrf: string; token: string; email: string }): Html {
  return html`<h1>${v.t('partner.confirm.title')}</h1>
<p class="lead">${v.t('partner.confirm.text', { email: input.email })}</p>
<form method="post" action="/partner/login/${input.token}">
<input type="hidden" name="_csrf" value="${input.csrf}">
<button type="submit">${v.t('partner.confirm.button')}</button>
</form>`;
}

export function linkGone(v: ViewContext): Html {
  return html`<h1>${v.t('partner.gone.title')}</h1>
<p class="lead">${v.t('partner.gone.text')}</p>
<p><a class="button" href="/partner">${v.t('partner.gone.again')}</a></p>`;
}

export function chooseOrganisation(v: ViewContext, csrf: string, organisations: { id: string; name: string }[]): Html {
  return html`<h1>${v.t('partner.choose.title')}</h1>
<p class="lead">${v.t('partner.choose.intro')}</p>
<ul>${organisations.map(
    (o) => html`<li><form method="post" action="/partner/organisation"><input type="hidden" name="_csrf" value="${csrf}">
<input type="hidden" name="organisation" value="${o.id}"><button type="submit" class="secondary">${o.name}</button></form></li>`,
  )}</ul>`;
}

function statusText(v: ViewContext, a: Assignment): string {
  return a.status ? named(v, a.status.name) : v.t('partner.status.none');
}

export function assignmentsTable(v: ViewContext, state: 'open' | 'closed', results: Assignment[]): Html {
  if (results.length === 0) return html`<p>${v.t(state === 'open' ? 'partner.list.noneOpen' : 'partner.list.noneClosed')}</p>`;
  return html`<div class="table-scroll"><table>
<caption>${v.t(state === 'open' ? 'partner.list.open' : 'partner.list.closed')}</caption>
<thead><tr><th scope="col">${v.t('partner.reference')}</th><th scope="col">${v.t('partner.product')}</th><th scope="col">${v.t('partner.description')}</th>
<th scope="col">${v.t('partner.status')}</th><th scope="col">${v.t('partner.plannedEnd')}</th><th scope="col">${v.t('partner.deadline')}</th></tr></thead>
<tbody>${results.map(
    (a) => html`<tr><th scope="row"><a href="/partner/assignments/${a.id}">${a.case.reference}</a></th><td>${named(v, a.product.name)}</td>
<td>${a.description ?? '—'}</td><td>${statusText(v, a)}</td><td class="nowrap">${day(v, a.case.plannedEndDate)}</td><td class="nowrap">${day(v, a.case.deadline)}</td></tr>`,
  )}</tbody></table></div>`;
}

export function pager(v: ViewContext, state: 'open' | 'closed', page: number, pageSize: number, count: number): Html | '' {
  const last = Math.max(1, Math.ceil(count / pageSize));
  if (last === 1) return '';
  const href = (n: number) => `/partner?${state === 'closed' ? 'state=closed&' : ''}page=${n}`;
  return html`<nav aria-label="${v.t('access.pages')}"><ul class="pager">
${page > 1 ? html`<li><a href="${href(page - 1)}" rel="prev">${v.t('partner.list.previous')}</a></li>` : ''}
${page < last ? html`<li><a href="${href(page + 1)}" rel="next">${v.t('partner.list.next')}</a></li>` : ''}
</ul></nav>`;
}

function channelText(v: ViewContext, m: Message): string {
  return v.t(m.channel === 'mail' ? 'partner.channel.mail' : m.channel === 'portal' ? 'partner.channel.portal' : 'partner.channel.api');
}

function messageItem(v: ViewContext, a: AssignmentDetail, m: Message, csrf: string): Html {
  const mailedReply = m.direction === 'from-subcontractor' && m.channel === 'mail';
  return html`<li id="message-${m.id}"><article aria-labelledby="message-${m.id}-from">
<h3 id="message-${m.id}-from">${v.t(m.direction === 'to-subcontractor' ? 'partner.message.toUs' : 'partner.message.fromUs', { organisation: m.organisation.name })}</h3>
<p class="muted">${time(v, m.createdAt)} · ${channelText(v, m)} · ${m.author}</p>
<p class="pre">${m.text}</p>
${m.attachments.length ? html`<p class="muted">${v.t('partner.message.attachments', { names: m.attachments.join(', ') })}</p>` : ''}
<p>${v.t(m.visibleToCitizen ? 'partner.message.visible' : 'partner.message.hidden')}</p>
${
  mailedReply
    ? html`<form method="post" action="/partner/assignments/${a.id}/messages/${m.id}/visibility">
<input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="visible" value="${m.visibleToCitizen ? 'false' : 'true'}">
<button type="submit" class="secondary">${v.t(m.visibleToCitizen ? 'partner.message.hide' : 'partner.message.show')}</button></form>`
    : ''
}
</article></li>`;
}

export interface DetailForms {
  status: PartnerForm;
  message: PartnerForm;
}

export function assignmentDetail(v: ViewContext, a: AssignmentDetail, csrf: string, forms: DetailForms, notice: Html | ''): Html {
  const { status: sf, message: mf } = forms;
  const open = a.state === 'open';
  return html`<p><a href="/partner${open ? '' : '?state=closed'}">${v.t('partner.back')}</a></p>
<h1>${named(v, a.product.name)} — ${a.case.reference}</h1>
${notice}
${errorSummary(v, { values: {}, errors: { ...sf.errors, ...mf.errors } }, ['status', 'statusText', 'text'])}
<dl class="facts">
<dt>${v.t('partner.reference')}</dt><dd>${a.case.reference}</dd>
<dt>${v.t('partner.product')}</dt><dd>${named(v, a.product.name)}</dd>
<dt>${v.t('partner.description')}</dt><dd class="pre">${a.description ?? '—'}</dd>
<dt>${v.t('partner.plannedEnd')}</dt><dd>${day(v, a.case.plannedEndDate)}</dd>
<dt>${v.t('partner.deadline')}</dt><dd>${day(v, a.case.deadline)}</dd>
<dt>${v.t('partner.status')}</dt><dd>${statusText(v, a)}${a.status?.text ? html` — ${a.status.text}` : ''}${
    a.status ? html` <span class="muted">(${time(v, a.status.setAt)})</span>` : ''
  }</dd>
<dt>${v.t('partner.state')}</dt><dd>${v.t(open ? 'partner.state.open' : 'partner.state.closed')}</dd>
${a.customer ? html`<dt>${v.t('partner.customer')}</dt><dd>${a.customer.title}${a.customer.kvk ? html` (KvK ${a.customer.kvk}${a.customer.vestiging ? `, ${a.customer.vestiging}` : ''})` : ''}</dd>` : ''}
</dl>
<h2 id="status-title">${v.t('partner.setStatus.title')}</h2>
${
  open
    ? html`<form method="post" action="/partner/assignments/${a.id}/status" aria-labelledby="status-title" novalidate>
<input type="hidden" name="_csrf" value="${csrf}">
<div class="field"><label for="status">${v.t('partner.setStatus.status')}</label>
<span class="hint" id="status-hint">${v.t('partner.setStatus.statusHint')}</span>${fieldError(sf, 'status')}
<select id="status" name="status" aria-describedby="${describedBy(sf, 'status', true)}"${invalid(sf, 'status')}>
<option value="">${v.t('partner.setStatus.choose')}</option>
${a.allowedStatuses.map(
  (s) =>
    html`<option value="${s.code}"${sf.values.status === s.code ? html` selected` : ''}>${named(v, s.name)} (${v.t('partner.setStatus.customerSees', {
      phase: v.t(`phase.${s.phase}`),
    })}${s.final ? `; ${v.t('partner.setStatus.final')}` : ''})</option>`,
)}
</select></div>
<div class="field"><label for="statusText">${v.t('partner.setStatus.text')}</label>
<span class="hint" id="statusText-hint">${v.t('partner.setStatus.textHint')}</span>${fieldError(sf, 'statusText')}
<textarea id="statusText" name="text" rows="3" maxlength="1000" aria-describedby="${describedBy(sf, 'statusText', true)}"${invalid(sf, 'statusText')}>${
        sf.values.statusText ?? ''
      }</textarea></div>
<button type="submit">${v.t('partner.setStatus.submit')}</button>
</form>`
    : html`<p class="notice">${v.t('partner.setStatus.closed')}</p>`
}
<h2 id="messages-title">${v.t('partner.messages.title')}</h2>
${
  a.messages.length === 0
    ? html`<p>${v.t('partner.messages.none')}</p>`
    : html`<ol class="messages" aria-labelledby="messages-title">${a.messages.map((m) => messageItem(v, a, m, csrf))}</ol>`
}
<h2 id="write-title">${v.t('partner.write.title')}</h2>
<form method="post" action="/partner/assignments/${a.id}/messages" aria-labelledby="write-title" novalidate>
<input type="hidden" name="_csrf" value="${csrf}">
<div class="field"><label for="text">${v.t('partner.write.text')}</label>
<span class="hint" id="text-hint">${v.t('partner.write.textHint')}</span>${fieldError(mf, 'text')}
<textarea id="text" name="text" rows="5" maxlength="4000" aria-describedby="${describedBy(mf, 'text', true)}"${invalid(mf, 'text')}>${mf.values.text ?? ''}</textarea></div>
<div class="field"><div class="choice"><input type="checkbox" id="visibleToCitizen" name="visibleToCitizen" value="yes"${
    mf.values.visibleToCitizen === 'yes' ? html` checked` : ''
  }>
<label for="visibleToCitizen">${v.t('partner.write.visible')}</label></div></div>
<button type="submit">${v.t('partner.write.submit')}</button>
</form>`;
}
