// RFC 8785 (JCS) against the RFC's own examples, and the agreement hash built on it.
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/agreements/canonical-json.ts';
import { agreementHash } from '../../src/agreements/service.ts';

describe('canonicalJson (RFC 8785)', () => {
  it('serialises primitives as §3.2.2 shows', () => {
    // RFC 8785 §3.2.2 (input parsed by JSON.parse, as the RFC's own ECMAScript reference does).
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001], "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
    );
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('sorts members by UTF-16 code units as §3.2.3 shows', () => {
    const input = JSON.parse(
      '{"\\u20ac": "Euro Sign", "\\r": "Carriage Return", "\\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One", "\\ud83d\\ude00": "Emoji: Grinning Face", "\\u0080": "Control", "\\u00f6": "Latin Small Letter O With Diaeresis"}',
    );
    // The RFC's order: \r, "1", U+0080, ö, €, 😀 (a surrogate pair sorts by its UTF-16 units), U+FB33.
    const expected = [
      ['\r', 'Carriage Return'],
      ['1', 'One'],
      ['\u0080', 'Control'],
      ['\u00f6', 'Latin Small Letter O With Diaeresis'],
      ['\u20ac', 'Euro Sign'],
      ['\ud83d\ude00', 'Emoji: Grinning Face'],
      ['\ufb33', 'Hebrew Letter Dalet With Dagesh'],
    ];
    expect(canonicalJson(input)).toBe(`{${expected.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`);
  });

  it('gives the numbers of RFC 8785 appendix B', () => {
    const cases: [number, string][] = [
      [0, '0'],
      [-0, '0'],
      [Number.MIN_VALUE, '5e-324'],
      [Number.MAX_SAFE_INTEGER, '9007199254740991'],
      [1e21, '1e+21'],
      [1e20, '100000000000000000000'],
      [0.000001, '0.000001'],
      [1e-7, '1e-7'],
    ];
    for (const [n, text] of cases) expect(canonicalJson(n)).toBe(text);
    expect(() => canonicalJson(Number.NaN)).toThrow(TypeError);
  });

  it('nests: arrays keep their order, objects at every depth are sorted', () => {
    expect(canonicalJson({ b: [{ z: 1, a: 2 }, 'x'], a: { d: null, c: true } })).toBe('{"a":{"c":true,"d":null},"b":[{"a":2,"z":1},"x"]}');
  });
});

describe('agreementHash', () => {
  const agreement = {
    version: '2026-2',
    summary: { nl: 'Kort', en: 'Short' },
    legalText: { nl: '# Overeenkomst', en: '# Agreement' },
    terms: {
      purposes: ['status'],
      dataCategories: ['zaakstatus'],
      retentionDays: 30,
      securityLevel: 'BIO-BBN2' as const,
      contact: { name: 'Beheer', email: 'beheer@example.nl' },
    },
  };

  it('does not depend on the order members were written in', () => {
    const reordered = { terms: { ...agreement.terms }, legalText: { en: '# Agreement', nl: '# Overeenkomst' }, summary: agreement.summary, version: '2026-2' };
    expect(agreementHash(reordered)).toBe(agreementHash(agreement));
    expect(agreementHash(agreement)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes with any covered byte', () => {
    expect(agreementHash({ ...agreement, summary: { nl: 'Kort.', en: 'Short' } })).not.toBe(agreementHash(agreement));
  });
});
