// The circuit breaker per organisation: how long it stays open, asked without side effects.
import { describe, expect, it } from 'vitest';
import { Breakers } from '../../src/outbound/breaker.ts';

describe('circuit breaker', () => {
  it('says how long it stays open, and nothing when closed', () => {
    const breakers = new Breakers({ threshold: 2, openMs: 1000 });
    expect(breakers.openFor('x', 0)).toBe(0);
    breakers.failure('x', 0);
    expect(breakers.openFor('x', 0)).toBe(0);
    breakers.failure('x', 100);
    expect(breakers.openFor('x', 600)).toBe(500);
    expect(breakers.openFor('x', 600)).toBe(500); // asking again changes nothing
    expect(breakers.openFor('x', 2000)).toBe(0);
    breakers.success('x');
    expect(breakers.openFor('x', 2000)).toBe(0);
  });
});
