// The caseworker's pages: /work (the worklist: the cases that need someone, sortable, with each
// case's parts and who has the ball) and /work/analytics (the chain's lead times as tables and
// server-rendered SVG charts; /work/analytics.csv the same as CSV).
import { type Context, Hono } from 'hono';
import { html } from 'hono/html';
import { PURPOSES } from '../access-log/access-log.ts';
import { AGE_BUCKETS, LEAD_TIME_PHASES, type LeadTimeReport, leadTimesCsv, type LeadTimeService } from '../staff/lead-times.ts';
import { WORKLIST_REASONS, WORKLIST_SORTS, type WorklistReason, type WorklistSort } from '../staff/repository.ts';
import { leadTimesQuery } from '../staff/schemas.ts';
import type { WorklistItem, WorklistService } from '../staff/worklist.ts';
import { staffPhase } from '../staff/words.ts';
import { barChart } from './charts.ts';
import type { WebEnv } from './context.ts';
import { formatDay, formatShort, tOf } from './i18n.ts';
import { render } from './layout.ts';
import { LOCALES, type MessageKey } from '../i18n/index.ts';
import { requireStaff, type StaffAuthDeps } from './staff-auth.ts';
import { staffFrame } from './staff-pages.ts';

export interface WorkPageDeps extends Pick<StaffAuthDeps, 'sessions' | 'authenticator'> {
  worklist: WorklistService;
  leadTimes: LeadTimeService;
  demo: boolean;
  owner: string;
}

const PAGE_SIZE = 25;
const REASON_TEXT: Record<WorklistReason, MessageKey> = {
  'citizen-action': 'work.reason.citizen-action',
  stalled: 'work.reason.stalled',
  overdue: 'work.reason.overdue',
  'failed-order': 'work.reason.failed-order',
  gap: 'work.reason.gap',
};

export function workPages(deps: WorkPageDeps) {
  const app = new Hono<WebEnv>();

  app.get('/work', async (c) => {
    const staff = await requireStaff(c, deps, 'caseworker');
    const t = tOf(c);
    const lang = c.get('lang');
    // A page's query is forgiving: an unknown value is the default, never an error page.
    const reason = WORKLIST_REASONS.find((r) => r === c.req.query('reason'));
    const sort = WORKLIST_SORTS.find((s) => s === c.req.query('sort')) ?? 'updated';
    const page = Math.min(Math.max(1, Number.parseInt(c.req.query('page') ?? '1', 10) || 1), 10_000);
    const { count, results } = await deps.worklist.list(
      { reason, sort, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE, lang },
      { role: 'caseworker', actor: staff.member.name, purpose: PURPOSES.caseworker, requestId: c.get('requestId'), traceId: c.get('traceId') },
    );
    const link = (changes: Record<string, string | undefined>) => {
      const params = new URLSearchParams();
      const merged = { reason, sort: sort === 'updated' ? undefined : sort, page: undefined, ...changes } as Record<string, string | undefined>;
      for (const [k, v] of Object.entries(merged)) if (v) params.set(k, v);
      const q = params.toString();
      return `/work${q ? `?${q}` : ''}`;
    };
    const sortHeader = (key: WorklistSort, label: MessageKey, reverse?: WorklistSort) => {
      const active = sort === key || sort === reverse;
      const next = sort === key && reverse ? reverse : key;
      const ariaSort = sort === key ? (key.startsWith('-') ? 'descending' : 'ascending') : sort === reverse ? 'descending' : undefined;
      return html`<th scope="col"${ariaSort ? html` aria-sort="${ariaSort}"` : ''}><a href="${link({ sort: next === 'updated' ? undefined : next })}">${t(label)}${active ? html` <span aria-hidden="true">${ariaSort === 'descending' ? '▼' : '▲'}</span>` : ''}</a></th>`;
    };
    const reasonText = (r: WorklistItem['reasons'][number]) => {
      const base = t(REASON_TEXT[r.code]);
      if (r.code === 'stalled')
        return `${base}: ${r.organisation?.name} — ${t('work.stalledSince', { date: formatDay(lang, r.since!), days: r.expectedDays! })}`;
      if (r.code === 'overdue') return `${base}: ${formatDay(lang, `${r.date}T12:00:00Z`)}`;
      if (r.code === 'failed-order') return `${base}: ${r.organisation?.name}`;
      if (r.code === 'gap') return r.text ?? base;
      return base;
    };
    const pages = Math.max(1, Math.ceil(count / PAGE_SIZE));
    return render(c, {
      title: t('work.title'),
      ...staffFrame(c, staff, deps),
      body: html`<h1>${t('work.title')}</h1>
<p class="lead">${t('work.intro')}</p>
<form method="get" action="/work" class="filter">
<div class="field"><label for="reason">${t('work.filter')}</label>
<select id="reason" name="reason"><option value="">${t('work.allReasons')}</option>
${WORKLIST_REASONS.map((r) => html`<option value="${r}"${reason === r ? ' selected' : ''}>${t(REASON_TEXT[r])}</option>`)}
</select></div>
${sort !== 'updated' ? html`<input type="hidden" name="sort" value="${sort}">` : ''}
<button type="submit" class="secondary">${t('work.apply')}</button>
</form>
${
  results.length === 0
    ? html`<p>${t('work.none')}</p>`
    : html`<div class="table-scroll" role="region" aria-labelledby="worklist-caption" tabindex="0"><table>
<caption id="worklist-caption">${t('work.caption', { count })}</caption>
<thead><tr>${sortHeader('reference', 'work.case')}<th scope="col">${t('work.reasons')}</th><th scope="col">${t('work.parts')}</th>
<th scope="col">${t('work.ballWith')}</th>${sortHeader('deadline', 'work.deadline')}${sortHeader('updated', 'work.updated', '-updated')}</tr></thead>
<tbody>${results.map(
        (r) => html`<tr>
<th scope="row">${r.reference}<br><span class="muted">${r.title}</span><br><span class="phase ${r.phase}">${r.phaseText}</span></th>
<td><ul>${r.reasons.map((x) => html`<li>${reasonText(x)}</li>`)}</ul></td>
<td>${r.parts.length ? html`<ul>${r.parts.map((p) => html`<li><strong>${p.product.name}</strong> — ${p.text}</li>`)}</ul>` : t('work.noParts')}</td>
<td>${r.ballWith === 'citizen' ? t('work.ballWithCustomer') : r.ballWith.name}</td>
<td>${
          [r.plannedEndDate, r.deadline]
            .filter(Boolean)
            .map((d) => formatDay(lang, `${d}T12:00:00Z`))
            .join(' / ') || '—'
        }</td>
<td>${formatShort(lang, r.updatedAt)}</td>
</tr>`,
      )}</tbody></table></div>
${
  pages > 1
    ? html`<nav aria-label="${t('work.pages')}"><ul class="pager">
${page > 1 ? html`<li><a href="${link({ page: String(page - 1) })}" rel="prev">${t('work.previous')}</a></li>` : ''}
<li>${t('work.pageOf', { page, pages })}</li>
${page < pages ? html`<li><a href="${link({ page: String(page + 1) })}" rel="next">${t('work.next')}</a></li>` : ''}
</ul></nav>`
    : ''
}`
}`,
    });
  });

  app.get('/work/analytics', async (c) => {
    const staff = await requireStaff(c, deps, 'caseworker', 'operator');
    const t = tOf(c);
    const lang = c.get('lang');
    const parsed = leadTimesQuery.safeParse(pick(c, ['from', 'to', 'groupBy']));
    const query = parsed.success ? parsed.data : leadTimesQuery.parse({ groupBy: c.req.query('groupBy') === 'product' ? 'product' : undefined });
    const report = await deps.leadTimes.report({ ...query, lang });
    const given = { from: c.req.query('from') ?? report.from, to: c.req.query('to') ?? report.to };
    const csv = new URLSearchParams({ from: report.from, to: report.to, groupBy: report.groupBy });
    return render(c, {
      title: t('analytics.title'),
      status: parsed.success ? 200 : 400,
      ...staffFrame(c, staff, deps),
      body: html`<h1>${t('analytics.title')}</h1>
<p class="lead">${t('analytics.intro')}</p>
${parsed.success ? '' : html`<div class="error-summary" role="alert" tabindex="-1"><h2>${t('staff.errorSummary')}</h2><p>${t('analytics.invalid')}</p></div>`}
<form method="get" action="/work/analytics" class="filter">
<div class="field"><label for="from">${t('analytics.from')}</label><input type="date" id="from" name="from" value="${given.from}"></div>
<div class="field"><label for="to">${t('analytics.to')}</label><input type="date" id="to" name="to" value="${given.to}"></div>
<div class="field"><label for="groupBy">${t('analytics.groupBy')}</label><select id="groupBy" name="groupBy">
<option value="subcontractor"${report.groupBy === 'subcontractor' ? ' selected' : ''}>${t('analytics.bySubcontractor')}</option>
<option value="product"${report.groupBy === 'product' ? ' selected' : ''}>${t('analytics.byProduct')}</option></select></div>
<button type="submit" class="secondary">${t('work.apply')}</button>
</form>
<p>${t('analytics.period', { from: formatDay(lang, `${report.from}T12:00:00Z`), to: formatDay(lang, `${report.to}T12:00:00Z`) })} <a href="/work/analytics.csv?${csv.toString()}" download>${t('analytics.csv')}</a></p>
${report.results.length === 0 ? html`<p>${t('analytics.none')}</p>` : analyticsBody(c, report)}`,
    });
  });

  app.get('/work/analytics.csv', async (c) => {
    await requireStaff(c, deps, 'caseworker', 'operator');
    const parsed = leadTimesQuery.safeParse(pick(c, ['from', 'to', 'groupBy']));
    if (!parsed.success) return c.text('from, to or groupBy is not valid\n', 400);
    const report = await deps.leadTimes.report({ ...parsed.data, lang: c.get('lang') });
    return c.body(leadTimesCsv(report), 200, {
      'content-type': 'text/csv; charset=utf-8; header=present',
      'content-disposition': `attachment; filename="lead-times-${report.from}-${report.to}-${report.groupBy}.csv"`,
      'cache-control': 'no-store',
    });
  });

  return app;
}

/** "0–7", "8–30", "31–90", "> 90". */
const bucketLabel = (b: string) => (b === '90+' ? '> 90' : b.replace('-', '–'));

const pick = (c: Context<WebEnv>, keys: string[]) => Object.fromEntries(keys.flatMap((k) => (c.req.query(k) ? [[k, c.req.query(k)]] : [])));

function analyticsBody(c: Context<WebEnv>, report: LeadTimeReport) {
  const t = tOf(c);
  const lang = c.get('lang');
  const label = (r: LeadTimeReport['results'][number]) => (r.product ? `${r.subcontractor.name} — ${r.product.name}` : r.subcontractor.name);
  const days = (v: number | null) => (v === null ? '—' : t('analytics.days', { n: v.toLocaleString(LOCALES[lang]) }));
  const dayFormat = (v: number) => t('analytics.days', { n: v.toLocaleString(LOCALES[lang]) });
  const leadChart = barChart({
    id: 'chart-lead',
    kind: 'grouped',
    title: t('analytics.chartLead'),
    description: t('analytics.chartLeadDesc'),
    series: [
      { name: 'p50', fill: '#154273' },
      { name: 'p90', fill: '#8fcae7' },
    ],
    rows: report.results.map((r) => ({ label: label(r), values: [r.leadTimeDays.p50, r.leadTimeDays.p90] })),
    format: dayFormat,
  });
  const ageChart = barChart({
    id: 'chart-open',
    kind: 'stacked',
    title: t('analytics.chartOpen'),
    description: t('analytics.chartOpenDesc'),
    series: AGE_BUCKETS.map((b, i) => ({ name: t('analytics.age', { bucket: bucketLabel(b) }), fill: ['#39870c', '#ffb612', '#e17000', '#d52b1e'][i] })),
    rows: report.results.map((r) => ({ label: label(r), values: AGE_BUCKETS.map((b) => r.openByAge[b]) })),
    format: (v) => String(v),
  });
  return html`<h2 id="lead-heading">${t('analytics.leadHeading')}</h2>
<div class="table-scroll" role="region" aria-labelledby="lead-caption" tabindex="0"><table>
<caption id="lead-caption">${t('analytics.leadCaption')}</caption>
<thead><tr><th scope="col">${t('analytics.group')}</th><th scope="col">${t('analytics.finished')}</th><th scope="col">p50</th><th scope="col">p90</th>
${LEAD_TIME_PHASES.map((p) => html`<th scope="col">${t('analytics.inPhase', { phase: staffPhase(p, lang).toLowerCase() })}</th>`)}</tr></thead>
<tbody>${report.results.map(
    (r) => html`<tr><th scope="row">${label(r)}</th><td>${r.finished}</td><td>${days(r.leadTimeDays.p50)}</td><td>${days(r.leadTimeDays.p90)}</td>
${LEAD_TIME_PHASES.map((p) => html`<td>${days(r.phaseMedianDays[p])}</td>`)}</tr>`,
  )}</tbody></table></div>
<figure class="chart">${leadChart}<figcaption>${t('analytics.chartLeadDesc')}</figcaption></figure>
<h2 id="open-heading">${t('analytics.openHeading')}</h2>
<div class="table-scroll" role="region" aria-labelledby="open-caption" tabindex="0"><table>
<caption id="open-caption">${t('analytics.openCaption')}</caption>
<thead><tr><th scope="col">${t('analytics.group')}</th>${AGE_BUCKETS.map((b) => html`<th scope="col">${t('analytics.age', { bucket: bucketLabel(b) })}</th>`)}</tr></thead>
<tbody>${report.results.map((r) => html`<tr><th scope="row">${label(r)}</th>${AGE_BUCKETS.map((b) => html`<td>${r.openByAge[b]}</td>`)}</tr>`)}</tbody></table></div>
<figure class="chart">${ageChart}<figcaption>${t('analytics.chartOpenDesc')}</figcaption></figure>`;
}
