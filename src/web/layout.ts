// The frame every page shares: language, skip link, header with the language switch and logout,
// the section menu, one <main>. Everything is escaped by hono/html; raw() is never given user data.
import type { Context } from 'hono';
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { ContentfulStatusCode as StatusCode } from 'hono/utils/http-status';
import { ServiceError } from '../lib/service-error.ts';
import { STYLESHEET_PATH } from './assets.ts';
import type { WebEnv } from './context.ts';
import { LANGS, LANGUAGE_NAMES, type MessageKey, type Translate } from '../i18n/index.ts';
import { tOf } from './i18n.ts';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export interface NavItem {
  href: string;
  label: string;
  current: boolean;
}

export interface PageInput {
  title: string;
  body: Html;
  nav?: NavItem[];
  /** Shown in the header with a logout button (a POST form with the session's CSRF token). */
  user?: { label: string; logoutAction: string; csrf: string; logoutLabel: string };
  demo?: boolean;
  status?: StatusCode;
  /** Sub-title under the site name (the organisation running the gateway). */
  owner?: string;
  /** A wider page (the operator dashboard's tables). */
  wide?: boolean;
  /** Where the site name in the header leads (default `/`, the citizen page). */
  home?: string;
}

/** Security headers for every page: no framing, no inline script, forms only to ourselves. */
const PAGE_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

export function render(c: Context<WebEnv>, page: PageInput) {
  const t = tOf(c);
  const lang = c.get('lang');
  // Each language named in itself and linked to this page in it; ?lang= is remembered in a cookie.
  const switchTo = (to: string) => {
    const url = new URL(c.req.url);
    url.searchParams.set('lang', to);
    return `${url.pathname}${url.search}`;
  };
  const body = html`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${page.title} — ${t('site.name')}</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
</head>
<body${page.wide ? html` class="wide"` : ''}>
<a class="skip" href="#main">${t('site.skip')}</a>
<header class="site"><div class="wrap">
<a class="brand" href="${page.home ?? '/'}">${t('site.name')}${page.owner ? html`<small>${page.owner}</small>` : ''}</a>
<nav class="langs" aria-label="${t('site.langNav')}"><ul>
${LANGS.map((l) => html`<li><a href="${switchTo(l)}" lang="${l}" hreflang="${l}"${l === lang ? html` aria-current="true"` : ''}>${LANGUAGE_NAMES[l]}</a></li>`)}
</ul></nav>
${
  page.user
    ? html`<span class="who">${page.user.label}</span>
<form method="post" action="${page.user.logoutAction}"><input type="hidden" name="_csrf" value="${page.user.csrf}"><button type="submit">${page.user.logoutLabel}</button></form>`
    : ''
}
</div></header>
${
  page.nav?.length
    ? html`<nav class="main" aria-label="${t('site.mainNav')}"><div class="wrap"><ul>
${page.nav.map((item) => html`<li><a href="${item.href}"${item.current ? html` aria-current="page"` : ''}>${item.label}</a></li>`)}
</ul></div></nav>`
    : ''
}
<main id="main" tabindex="-1"><div class="wrap">
${page.body}
</div></main>
<footer><div class="wrap"><p>${t('site.footer')}${page.demo ? html` ${t('site.demo')}` : ''}</p></div></footer>
</body>
</html>`;
  return c.html(body, page.status ?? 200, PAGE_HEADERS);
}

/** Thrown by page handlers: rendered as an HTML error page with this status and message. */
export class PageError extends Error {
  readonly status: StatusCode;
  readonly key: MessageKey;
  readonly params: Record<string, string | number>;
  readonly headers: Record<string, string>;
  constructor(status: StatusCode, key: MessageKey, params: Record<string, string | number> = {}, headers: Record<string, string> = {}) {
    super(key);
    this.status = status;
    this.key = key;
    this.params = params;
    this.headers = headers;
  }
}

/** Which page answers a service's refusal: not found (404) and forbidden (403) by message. */
export type Refusals = { not_found?: MessageKey; forbidden?: MessageKey };

/** A service's refusal as the page error named for it; anything else unchanged. */
export function refusalAsPage(error: unknown, refusals: Refusals): unknown {
  if (error instanceof ServiceError && error.kind === 'not_found' && refusals.not_found) return new PageError(404, refusals.not_found);
  if (error instanceof ServiceError && error.kind === 'forbidden' && refusals.forbidden) return new PageError(403, refusals.forbidden);
  return error;
}

/** Runs a service call for a page, answering its refusals with the page errors named. */
export async function asPage<T>(call: () => Promise<T>, refusals: Refusals): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw refusalAsPage(error, refusals);
  }
}

/** Thrown when a page needs a login: the browser is sent to `to`. */
export class LoginRequired extends Error {
  readonly to: string;
  constructor(to: string) {
    super('login required');
    this.to = to;
  }
}

export function errorPage(
  c: Context<WebEnv>,
  status: StatusCode,
  message: string,
  extra: { demo?: boolean; owner?: string; headers?: Record<string, string> } = {},
) {
  const t: Translate = tOf(c);
  for (const [k, v] of Object.entries(extra.headers ?? {})) c.header(k, v);
  return render(c, {
    title: t('error.title'),
    status,
    demo: extra.demo,
    owner: extra.owner,
    body: html`<h1>${t('error.title')}</h1><p class="lead">${message}</p><p><a href="/">${t('error.home')}</a></p>`,
  });
}

/** A flash message carried in the redirect's query (?done=granted): fixed keys only, never free text. */
export function flash(c: Context<WebEnv>, allowed: Partial<Record<string, MessageKey>>, params: Record<string, string> = {}): Html | '' {
  const key = allowed[c.req.query('done') ?? ''];
  if (!key) return '';
  return html`<p class="notice ok" role="status">${tOf(c)(key, params)}</p>`;
}
