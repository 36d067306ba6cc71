// docs/configuration.md is where an operator looks up a variable: every one the code reads is there.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENV_NAMES } from '../src/config.ts';

describe('docs/configuration.md', () => {
  const doc = readFileSync(resolve(import.meta.dirname, '../docs/configuration.md'), 'utf8');
  const documented = new Set([...doc.matchAll(/^\|([^|]+)\|/gm)].flatMap((m) => [...m[1].matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((n) => n[1])));

  it('documents every environment variable in its table', () => {
    expect(ENV_NAMES.length).toBeGreaterThan(50);
    expect(ENV_NAMES.filter((name) => !documented.has(name))).toEqual([]);
  });

  it('documents no variable the code does not read', () => {
    expect([...documented].filter((name) => !(ENV_NAMES as string[]).includes(name))).toEqual([]);
  });
});
