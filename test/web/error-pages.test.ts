// Errors for people and for programs: a page route or an unknown path asked for by a browser
// (Accept prefers text/html) gets an HTML error page in the pages' style and the reader's language;
// API clients, /api/... and anything not asking for HTML get problem+json. Same status either way.
import { describe, expect, it } from 'vitest';
import { LANGS, LANGUAGE_NAMES, type MessageKey, translate } from '../../src/i18n/index.ts';
import { STYLESHEET_PATH } from '../../src/web/assets.ts';
import { startTestGateway } from '../helpers/gateway.ts';
import { textOf } from './helpers/web-client.ts';

const gateway = await startTestGateway();
const app = gateway.app;

const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const get = (path: string, headers: Record<string, string> = {}, method = 'GET') => app.request(path, { method, headers });

describe('a browser', () => {
  it("gets an HTML 404 page for an unknown path, in the pages' frame and stylesheet, Dutch by default", async () => {
    const res = await get('/no/such/page', { accept: BROWSER });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const page = await res.text();
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('<html lang="nl">');
    expect(page).toContain(`<link rel="stylesheet" href="${STYLESHEET_PATH}">`);
    expect(page).toContain('<h1>Er ging iets mis</h1>');
    expect(page).toContain('Deze pagina bestaat niet, of u mag hem niet bekijken.');
    expect(page).toContain('<a href="/">Naar de startpagina</a>');
  });

  it('reads in its own language: Accept-Language, the remembered choice, or ?lang=', async () => {
    const english = await (await get('/nope', { accept: BROWSER, 'accept-language': 'en-GB,en;q=0.9' })).text();
    expect(english).toContain('<html lang="en">');
    expect(english).toContain('This page does not exist, or you may not view it.');
    expect(await (await get('/nope', { accept: BROWSER, cookie: 'ks_lang=en' })).text()).toContain('<html lang="en">');
    expect(await (await get('/nope?lang=en', { accept: BROWSER, 'accept-language': 'nl' })).text()).toContain('<html lang="en">');
  });

  it('reads the page in each of the four languages from its catalogue, with the switch to the others', async () => {
    for (const lang of LANGS) {
      const res = await get('/nope?x=1', { accept: BROWSER, 'accept-language': `${lang};q=0.9` });
      expect(res.status, lang).toBe(404);
      const page = await res.text();
      expect(page, lang).toContain(`<html lang="${lang}">`);
      const text = textOf(page);
      for (const key of ['error.title', 'error.404', 'error.home'] as const) expect(text, `${lang} ${key}`).toContain(translate(lang, key));
      for (const other of LANGS) {
        const current = other === lang ? ' aria-current="true"' : '';
        expect(page, `${lang} → ${other}`).toContain(
          `<a href="/nope?x=1&amp;lang=${other}" lang="${other}" hreflang="${other}"${current}>${LANGUAGE_NAMES[other]}</a>`,
        );
      }
    }
  });

  it('gets an HTML page, not JSON, from the newer page routes: links, sign-in callbacks and unknown paths under them', async () => {
    const token = 'AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGhIjKlMnOpQ';
    const cases: [string, number, MessageKey][] = [
      [`/join/${token}`, 404, 'join.notFound'],
      [`/join/${token}/nope`, 404, 'error.404'],
      [`/unsubscribe/${token}`, 404, 'unsubscribe.notFound'],
      ['/auth/callback', 400, 'error.loginExpired'],
      ['/auth/staff/callback', 400, 'error.loginExpired'],
      ['/auth/partner/callback', 400, 'error.loginExpired'],
      ['/notifications/nope', 404, 'error.404'],
      ['/partner/nope', 404, 'error.404'],
      ['/staff/nope', 404, 'error.404'],
      ['/kcc/nope', 404, 'error.404'],
      ['/work/nope', 404, 'error.404'],
    ];
    for (const [path, status, key] of cases) {
      // Swedish, so a page that fell back to the default language would show.
      const res = await get(path, { accept: BROWSER, 'accept-language': 'sv' });
      expect(res.status, path).toBe(status);
      expect(res.headers.get('content-type'), path).toMatch(/^text\/html/);
      const page = await res.text();
      expect(page, path).toContain('<html lang="sv">');
      expect(textOf(page), path).toContain(translate('sv', key));
    }
  });

  it('gets the page, not JSON, for a form posted to an unknown join or unsubscribe link', async () => {
    const token = 'AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGhIjKlMnOpQ';
    const form = { accept: BROWSER, 'accept-language': 'fi', 'content-type': 'application/x-www-form-urlencoded' };
    for (const [path, body, status, key] of [
      [`/join/${token}/accept`, 'accept=on', 404, 'join.notFound'],
      [`/unsubscribe/${token}`, 'List-Unsubscribe=One-Click', 404, 'unsubscribe.notFound'],
    ] as const) {
      const res = await app.request(path, { method: 'POST', headers: form, body });
      expect(res.status, path).toBe(status);
      expect(res.headers.get('content-type'), path).toMatch(/^text\/html/);
      expect(textOf(await res.text()), path).toContain(translate('fi', key));
    }
  });

  it('gets the HTML page under a page route too (/ops/..., /cases/...), and for HEAD the same status without a body', async () => {
    for (const path of ['/ops/no-such-panel', '/cases/x/y/z', '/docs/assets/0.0.0/x.js']) {
      const res = await get(path, { accept: BROWSER });
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type'), path).toMatch(/^text\/html/);
    }
    const head = await get('/nope', { accept: BROWSER }, 'HEAD');
    expect(head.status).toBe(404);
    expect(head.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await head.text()).toBe('');
  });
});

describe('a program', () => {
  it('keeps problem+json without Accept, with */*, with JSON preferred, or with HTML ranked lower', async () => {
    for (const accept of [undefined, '*/*', 'application/json', 'application/problem+json', 'application/json, text/html;q=0.5']) {
      const res = await get('/no/such/page', accept ? { accept } : {});
      expect(res.status, accept).toBe(404);
      expect(res.headers.get('content-type'), accept).toBe('application/problem+json');
      expect(await res.json()).toMatchObject({ status: 404, instance: '/no/such/page' });
    }
  });

  it('keeps problem+json on /api/..., health and metrics paths even when it asks for HTML', async () => {
    for (const path of ['/api/v1/no-such-resource', '/api/nothing', '/health/nothing']) {
      const res = await get(path, { accept: BROWSER });
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type'), path).toBe('application/problem+json');
    }
    const unauthorised = await get('/api/v1/organisations', { accept: BROWSER });
    expect(unauthorised.status).toBe(401);
    expect(unauthorised.headers.get('content-type')).toBe('application/problem+json');
  });

  it('keeps problem+json for a method other than GET or HEAD, whatever it accepts', async () => {
    const res = await get('/no/such/page', { accept: BROWSER }, 'POST');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });
});

describe('a form post that does not parse', () => {
  it('is a 400 page, never a 500 (a multipart without its boundary, or with a broken one)', async () => {
    for (const [type, body] of [
      ['multipart/form-data', 'token=abc'],
      ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data\r\n\r\nabc'],
    ] as const) {
      const res = await app.request('/ops/login', { method: 'POST', headers: { accept: BROWSER, 'content-type': type }, body });
      expect(res.status, `${type} ${String(body)}`).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    }
  });
});
