// One catalogue per language (src/i18n): each has exactly nl's keys, no empty text and the same
// {placeholders} as the Dutch one; Accept-Language picks the language of the API's texts and of
// the pages, over real HTTP.
import { describe, expect, it } from 'vitest';
import { CATALOGUES, dateText, LANGS, type MessageKey, preferredLanguage, translate } from '../../src/i18n/index.ts';
import { BSN, seedCases } from '../citizen/helpers/citizen.ts';
import { startTestIssuer } from '../citizen/helpers/issuer.ts';
import { organisation } from '../helpers/fixtures.ts';
import { startTestGateway, testNetwork } from '../helpers/gateway.ts';

const placeholders = (text: string) => [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();
const nlKeys = Object.keys(CATALOGUES.nl).sort();

describe('the catalogues', () => {
  it('exist for nl, en, sv and fi', () => {
    expect(Object.keys(CATALOGUES).sort()).toEqual(['en', 'fi', 'nl', 'sv']);
    expect([...LANGS].sort()).toEqual(['en', 'fi', 'nl', 'sv']);
  });

  for (const lang of LANGS) {
    describe(lang, () => {
      const catalogue: Record<string, string> = CATALOGUES[lang];

      it("has exactly nl's keys: none missing, none extra", () => {
        expect(nlKeys.filter((k) => !(k in catalogue))).toEqual([]);
        expect(Object.keys(catalogue).filter((k) => !(k in CATALOGUES.nl))).toEqual([]);
      });

      it('has no empty text', () => {
        expect(Object.entries(catalogue).filter(([, text]) => typeof text !== 'string' || text.trim() === '')).toEqual([]);
      });

      it("has nl's {placeholders} in every text, no fewer and no others", () => {
        const differing = nlKeys.filter((k) => k in catalogue && placeholders(catalogue[k]).join() !== placeholders(CATALOGUES.nl[k as MessageKey]).join());
        expect(differing.map((k) => `${k}: ${catalogue[k]}`)).toEqual([]);
      });
    });
  }

  it('fills placeholders and leaves an unknown one as written', () => {
    expect(translate('en', 'cases.progressText', { done: 2, total: 3 })).toBe('2 of 3 parts done');
    expect(translate('nl', 'cases.progressText', { done: 2 })).toBe('2 van {total} onderdelen klaar');
  });
});

describe('Accept-Language', () => {
  it('picks the first of nl, en, sv and fi by q-value, then by order; Dutch when it names none', () => {
    expect(preferredLanguage('sv')).toBe('sv');
    expect(preferredLanguage('fi-FI;q=0.9,en;q=0.5')).toBe('fi');
    expect(preferredLanguage('en;q=0.5, sv-SE;q=0.8')).toBe('sv');
    expect(preferredLanguage('de-DE, fi, en')).toBe('fi');
    expect(preferredLanguage('de, fr;q=0.5')).toBe('nl');
    expect(preferredLanguage('sv;q=0, en;q=0.1')).toBe('en');
    expect(preferredLanguage(undefined)).toBe('nl');
  });
});

describe('the languages over HTTP', async () => {
  const issuer = await startTestIssuer();
  const gateway = await startTestGateway({
    listen: true,
    network: testNetwork([organisation('hulpmiddelen-bv', { name: 'Hulpmiddelen B.V.', pollIntervalSeconds: 300 })]),
    env: { CITIZEN_OIDC_ISSUER: issuer.url },
  });
  const [caseId] = await seedCases(gateway.database.db, [
    {
      bsn: BSN.anna,
      title: 'Traplift',
      orders: [{ subcontractor: 'hulpmiddelen-bv', phase: 'in_behandeling', syncState: 'unreachable' }],
    },
  ]);
  const myCases = async (acceptLanguage: string) => {
    const res = await fetch(`${gateway.url}/api/v1/me/cases`, {
      headers: { authorization: `Bearer ${await issuer.token(BSN.anna)}`, 'accept-language': acceptLanguage },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      results: { id: string; combinedStatus: { phase: string; text: string; gaps: { kind: string; since: string; text: string }[] } }[];
    };
    return { language: res.headers.get('content-language'), mine: body.results.find((c) => c.id === caseId)! };
  };

  it('answers the API in Swedish and in Finnish: the phase and the gap explanation', async () => {
    for (const [header, lang] of [
      ['sv', 'sv'],
      ['fi-FI;q=0.9,en;q=0.5', 'fi'],
    ] as const) {
      const { language, mine } = await myCases(header);
      expect(language).toBe(lang);
      expect(mine.combinedStatus.phase).toBe('in_behandeling');
      expect(mine.combinedStatus.text).toBe(translate(lang, 'phase.in_behandeling'));
      expect(mine.combinedStatus.text).not.toBe(translate('nl', 'phase.in_behandeling'));
      const gap = mine.combinedStatus.gaps[0];
      expect(gap.kind).toBe('unreachable');
      expect(gap.text).toBe(translate(lang, 'gap.unreachable', { organisation: 'Hulpmiddelen B.V.', date: dateText(lang, gap.since) }));
      expect(gap.text).toContain('Hulpmiddelen B.V.');
    }
    expect((await myCases('de')).mine.combinedStatus.text).toBe('In behandeling');
  });

  const page = async (headers: Record<string, string>, path = '/') => {
    const res = await fetch(`${gateway.url}${path}`, { headers: { accept: 'text/html', ...headers } });
    expect(res.status).toBe(200);
    return { html: await res.text(), cookie: res.headers.get('set-cookie') };
  };

  it('shows the page in Swedish and in Finnish, with a switch to the four languages', async () => {
    for (const [header, lang] of [
      ['sv', 'sv'],
      ['fi-FI;q=0.9,en;q=0.5', 'fi'],
    ] as const) {
      const { html } = await page({ 'accept-language': header });
      expect(html).toContain(`<html lang="${lang}">`);
      expect(html).toContain(`<h1>${translate(lang, 'home.title')}</h1>`);
      expect(translate(lang, 'home.title')).not.toBe(translate('nl', 'home.title'));
      // Each language named in itself, linked with its own lang; only the current one is marked.
      const links = [...html.matchAll(/<a href="\/\?lang=(\w+)" lang="(\w+)" hreflang="(\w+)"( aria-current="true")?>([^<]+)<\/a>/g)];
      expect(links.map((l) => [l[1], l[5]])).toEqual([
        ['nl', 'Nederlands'],
        ['en', 'English'],
        ['sv', 'Svenska'],
        ['fi', 'Suomi'],
      ]);
      expect(links.filter((l) => l[4]).map((l) => l[1])).toEqual([lang]);
    }
  });

  it('remembers ?lang= in a cookie over Accept-Language', async () => {
    const chosen = await page({ 'accept-language': 'sv' }, '/?lang=fi');
    expect(chosen.html).toContain('<html lang="fi">');
    expect(chosen.cookie).toMatch(/ks_lang=fi/);
    expect((await page({ 'accept-language': 'sv', cookie: 'ks_lang=fi' })).html).toContain('<html lang="fi">');
  });
});
