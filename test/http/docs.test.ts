// /docs: the contract in Swagger UI, every asset from the gateway itself (no CDN), with a
// Content-Security-Policy that allows what the viewer needs on that route only. That the viewer
// renders the operations is checked in a real browser (test/browser/docs.test.ts).
import { describe, expect, it } from 'vitest';
import { startTestGateway } from '../helpers/gateway.ts';

const gateway = await startTestGateway();
const app = gateway.app;

const srcs = (page: string) => [...page.matchAll(/\s(?:src|href)="([^"]+)"/g)].map((m) => m[1]);

describe('/docs', () => {
  it('is an HTML page that loads only same-origin assets, and each answers with its content type', async () => {
    const res = await app.request('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await res.text();
    const urls = srcs(page);
    expect(urls.filter((u) => !u.startsWith('/'))).toEqual([]); // no http(s)://, no protocol-relative //
    expect(urls.filter((u) => u.startsWith('//'))).toEqual([]);
    const assets = urls.filter((u) => u.startsWith('/docs/assets/'));
    const TYPES: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8', png: 'image/png' };
    expect(assets.map((u) => u.split('/').pop()).sort()).toEqual(['favicon-32x32.png', 'init.js', 'swagger-ui-bundle.js', 'swagger-ui.css']);
    for (const url of assets) {
      const asset = await app.request(url);
      expect(asset.status, url).toBe(200);
      expect(asset.headers.get('content-type'), url).toBe(TYPES[url.split('.').pop()!]);
      expect(asset.headers.get('cache-control')).toContain('immutable');
      expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(100);
    }
    const png = new Uint8Array(await (await app.request(assets.find((u) => u.endsWith('.png'))!)).arrayBuffer());
    expect([...png.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]); // served as bytes, not as text
  });

  it("starts the viewer on this gateway's contract, without the online validator", async () => {
    const page = await (await app.request('/docs')).text();
    const init = srcs(page).find((u) => u.endsWith('/init.js'))!;
    const script = await (await app.request(init)).text();
    expect(script).toContain("url: '/openapi.yaml'");
    expect(script).toContain('validatorUrl: null');
    const yaml = await app.request('/openapi.yaml');
    expect(yaml.headers.get('content-type')).toBe('application/yaml; charset=utf-8');
    expect(await yaml.text()).toContain('openapi: 3.0.3');
  });

  it('ships no asset that reaches out to another host at run time (fonts, validator, CDN)', async () => {
    const page = await (await app.request('/docs')).text();
    const css = await (await app.request(srcs(page).find((u) => u.endsWith('.css'))!)).text();
    // The stylesheet's only url()s are inline data: images; no @import, no web fonts.
    expect([...css.matchAll(/url\(\s*["']?([^"')]*)/g)].map((m) => m[1]).filter((u) => !u.startsWith('data:'))).toEqual([]);
    expect(css).not.toMatch(/@import|@font-face/);
  });

  it('has a policy that allows the viewer (own scripts, inline styles, data: images, same-origin fetches) and nothing from elsewhere', async () => {
    const csp = (await app.request('/docs')).headers.get('content-security-policy')!;
    const directives = Object.fromEntries(
      csp
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([k, ...v]) => [k, v]),
    );
    expect(directives['default-src']).toEqual(["'none'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['style-src']).toEqual(["'self'", "'unsafe-inline'"]);
    expect(directives['img-src']).toEqual(["'self'", 'data:']);
    expect(directives['connect-src']).toEqual(["'self'"]);
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(csp).not.toMatch(/https?:|\*/);
  });

  it('leaves the pages their strict policy: no inline styles, no scripts', async () => {
    const csp = (await app.request('/', { headers: { accept: 'text/html' } })).headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('script-src');
  });

  it('answers an unknown asset with 404', async () => {
    const page = await (await app.request('/docs')).text();
    const base = srcs(page)
      .find((u) => u.endsWith('/init.js'))!
      .replace(/init\.js$/, '');
    expect((await app.request(`${base}index.html`)).status).toBe(404);
    expect((await app.request(`${base}..%2Fpackage.json`)).status).toBe(404);
  });
});
