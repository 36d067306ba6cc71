// Templates of the citizen page. They render what CitizenService returns (already in the
// citizen's language, already filtered to what a citizen may see); they decide nothing.
import { html } from 'hono/html';
import type { CitizenService } from '../citizen/service.ts';
import type { Lang, Translate } from '../i18n/index.ts';
import { formatDateTime, formatDay } from './i18n.ts';
import type { Html } from './layout.ts';

export type CaseSummary = Awaited<ReturnType<CitizenService['listMyCases']>>['results'][number];
export type CaseDetail = Awaited<ReturnType<CitizenService['getMyCase']>>;
export type AccessEntry = Awaited<ReturnType<CitizenService['accessLog']>>['results'][number];
export type Mandates = Awaited<ReturnType<CitizenService['listMandates']>>;
type Part = CaseSummary['parts'][number];

export interface ViewContext {
  t: Translate;
  lang: Lang;
  /** Read by a proxy: "you" in the service's texts is the person who gave the mandate. */
  proxy?: boolean;
}

const time = (v: ViewContext, at: string, withTime = true) =>
  html`<time datetime="${at}">${withTime ? formatDateTime(v.lang, at) : formatDay(v.lang, at)}</time>`;

function partName(v: ViewContext, p: Part): string {
  return p.kind === 'supplier' ? v.t('cases.supplierPart') : (p.product?.name ?? v.t('cases.part'));
}

function facts(v: ViewContext, c: CaseSummary): Html {
  const s = c.combinedStatus;
  const ball = s.ballWith === 'citizen' ? v.t(v.proxy ? 'cases.ballWithGrantor' : 'cases.ballWithCitizen') : s.ballWith.name;
  const status = v.proxy && s.phase === 'actie_vereist' ? v.t('cases.actionGrantor') : s.text;
  return html`<dl class="facts">
<dt>${v.t('cases.reference')}</dt><dd>${c.reference}</dd>
<dt>${v.t('cases.status')}</dt><dd><span class="phase ${s.phase}">${status}</span></dd>
<dt>${v.t('cases.ballWith')}</dt><dd>${ball}</dd>
<dt>${v.t('cases.progress')}</dt><dd>${
    s.progress.total === 0
      ? v.t('cases.progressNone')
      : html`<progress value="${s.progress.done}" max="${s.progress.total}" aria-hidden="true"></progress>
${v.t('cases.progressText', { done: s.progress.done, total: s.progress.total })}`
  }</dd>
<dt>${v.t('cases.lastUpdated')}</dt><dd>${time(v, s.lastUpdatedAt)}</dd>
</dl>`;
}

/** Parts whose information may be incomplete, in plain language with the date since when. */
function gaps(v: ViewContext, c: CaseSummary, headingLevel: 3 | 2): Html | '' {
  const list = c.combinedStatus.gaps;
  if (list.length === 0) return '';
  const heading = headingLevel === 2 ? html`<h2>${v.t('cases.gapsTitle')}</h2>` : html`<h3>${v.t('cases.gapsTitle')}</h3>`;
  return html`<div class="gaps" role="note">${heading}<ul>${list.map((g) => html`<li>${g.text}</li>`)}</ul></div>`;
}

function partsTable(v: ViewContext, c: CaseSummary): Html {
  return html`<table>
<caption>${v.t('cases.parts')}</caption>
<thead><tr><th scope="col">${v.t('cases.part')}</th><th scope="col">${v.t('cases.organisation')}</th><th scope="col">${v.t('cases.partStatus')}</th><th scope="col">${v.t('cases.since')}</th></tr></thead>
<tbody>${c.parts.map(
    (p) => html`<tr>
<th scope="row">${partName(v, p)}</th><td>${p.organisation.name}</td>
<td>${p.text ?? v.t('cases.unknown')}</td><td>${p.since ? time(v, p.since, false) : '—'}</td></tr>`,
  )}</tbody>
</table>`;
}

/** One case in a list; `href` is where its details are (own case, or read on behalf). */
export function caseCard(v: ViewContext, c: CaseSummary, href: string): Html {
  return html`<article class="case${c.state === 'closed' ? ' closed' : ''}" aria-labelledby="case-${c.id}">
<h2 id="case-${c.id}"><a href="${href}">${c.title}</a>${c.state === 'closed' ? html` <span class="badge">${v.t('cases.closed')}</span>` : ''}</h2>
${facts(v, c)}
${gaps(v, c, 3)}
${partsTable(v, c)}
<p><a href="${href}" aria-label="${v.t('cases.open', { title: c.title })}">${v.t('cases.open', { title: c.title })}</a></p>
</article>`;
}

export function caseList(v: ViewContext, cases: CaseSummary[], hrefOf: (c: CaseSummary) => string, empty: string): Html {
  return cases.length === 0 ? html`<p>${empty}</p>` : html`${cases.map((c) => caseCard(v, c, hrefOf(c)))}`;
}

/** The case with each part's own timeline. */
export function caseDetail(v: ViewContext, c: CaseDetail, back: { href: string; label: string }): Html {
  return html`<p><a href="${back.href}">${back.label}</a></p>
<h1>${c.title}</h1>
${facts(v, c)}
${gaps(v, c, 2)}
<h2>${v.t('cases.parts')}</h2>
${c.parts.map((p) => {
  const entries = c.timeline.filter((e) => e.partId === p.id);
  return html`<section class="part" aria-labelledby="part-${p.id}">
<h3 id="part-${p.id}">${partName(v, p)} — ${p.organisation.name}</h3>
<p>${v.t('cases.partStatus')}: <strong>${p.text ?? v.t('cases.unknown')}</strong>${p.since ? html` (${v.t('cases.since').toLowerCase()} ${time(v, p.since, false)})` : ''}</p>
<h4 class="visually-hidden">${v.t('cases.timeline')}</h4>
${
  entries.length === 0
    ? html`<p class="muted">${v.t('cases.timelineEmpty')}</p>`
    : html`<ol class="timeline" aria-label="${v.t('cases.timeline')}: ${partName(v, p)}">
${[...entries].reverse().map((e) => html`<li>${time(v, e.at)}${e.text ?? ''}</li>`)}</ol>`
}
</section>`;
})}`;
}

export function accessTable(v: ViewContext, entries: AccessEntry[], caseHref: (id: string) => string | undefined): Html {
  if (entries.length === 0) return html`<p>${v.t('access.none')}</p>`;
  return html`<table>
<caption class="visually-hidden">${v.t('access.title')}</caption>
<thead><tr><th scope="col">${v.t('access.when')}</th><th scope="col">${v.t('access.who')}</th><th scope="col">${v.t('access.why')}</th><th scope="col">${v.t('access.case')}</th></tr></thead>
<tbody>${entries.map((e) => {
    const href = caseHref(e.case.id);
    const ref = e.case.reference ?? '—';
    return html`<tr><td class="nowrap">${time(v, e.at)}</td><td>${e.actor}${e.organisation && !e.actor.startsWith(e.organisation.name) ? html`<br><span class="muted">${e.organisation.name}</span>` : ''}</td>
<td>${e.purposeText}</td><td class="nowrap">${href ? html`<a href="${href}">${ref}</a>` : ref}</td></tr>`;
  })}</tbody></table>`;
}

export function pager(v: ViewContext, path: string, page: number, pageSize: number, count: number): Html | '' {
  const last = Math.max(1, Math.ceil(count / pageSize));
  if (last === 1) return '';
  return html`<nav aria-label="${v.t('access.pages')}"><ul class="pager">
${page > 1 ? html`<li><a href="${path}?page=${page - 1}" rel="prev">${v.t('access.previous')}</a></li>` : ''}
${page < last ? html`<li><a href="${path}?page=${page + 1}" rel="next">${v.t('access.next')}</a></li>` : ''}
</ul></nav>`;
}
