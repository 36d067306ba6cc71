// A small browser stand-in for the page tests without Chromium: a cookie jar (host + path, like
// a browser; cookies do not care about ports) and manual redirects, so every hop can be checked.
export interface Cookie {
  name: string;
  value: string;
  host: string;
  path: string;
  attributes: string;
}

export interface Hop {
  url: string;
  status: number;
  location: string | null;
}

export class WebClient {
  readonly cookies: Cookie[] = [];
  readonly hops: Hop[] = [];
  private readonly headers: Record<string, string>;

  constructor(headers: Record<string, string> = {}) {
    this.headers = headers;
  }

  cookie(name: string): Cookie | undefined {
    return this.cookies.find((c) => c.name === name);
  }

  /** One request, no redirect following; stores Set-Cookie like a browser would. */
  async request(url: string, init: RequestInit & { headers?: Record<string, string> } = {}): Promise<Response> {
    const target = new URL(url);
    const cookie = this.cookies
      .filter((c) => c.host === target.hostname && (target.pathname === c.path || target.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`)))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...this.headers, ...(cookie ? { cookie } : {}), ...init.headers } });
    for (const line of res.headers.getSetCookie()) this.store(target, line);
    this.hops.push({ url, status: res.status, location: res.headers.get('location') });
    return res;
  }

  /** Follows redirects (GET after 302/303) up to 15 hops; returns the last response and its URL. */
  async follow(url: string, init: RequestInit & { headers?: Record<string, string> } = {}): Promise<{ res: Response; url: string }> {
    let current = url;
    let res = await this.request(current, init);
    for (let i = 0; i < 15 && res.status >= 300 && res.status < 400; i++) {
      current = new URL(res.headers.get('location')!, current).href;
      res = await this.request(current);
    }
    return { res, url: current };
  }

  /** Posts a urlencoded form as a browser on `origin` would (Origin header included). */
  post(url: string, fields: Record<string, string>, origin = new URL(url).origin) {
    return this.follow(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
      body: new URLSearchParams(fields).toString(),
    });
  }

  private store(target: URL, line: string) {
    const [pair, ...attrs] = line.split(';').map((s) => s.trim());
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    const path = attrs.find((a) => /^path=/i.test(a))?.slice(5) || '/';
    const maxAge = attrs.find((a) => /^max-age=/i.test(a));
    const index = this.cookies.findIndex((c) => c.name === name && c.host === target.hostname && c.path === path);
    if (index >= 0) this.cookies.splice(index, 1);
    if (maxAge && Number(maxAge.slice(8)) <= 0) return;
    this.cookies.push({ name, value, host: target.hostname, path, attributes: attrs.join('; ') });
  }
}

/** The value of a hidden/regular input in an HTML page. */
export function inputValue(html: string, name: string): string | undefined {
  const tag = new RegExp(`<input[^>]*name="${name}"[^>]*>`).exec(html)?.[0];
  return tag ? /value="([^"]*)"/.exec(tag)?.[1] : undefined;
}

/** The visible text of an HTML page (tags dropped, entities of &, <, >, " and ' decoded). */
export function textOf(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, ' ')
    .trim();
}
