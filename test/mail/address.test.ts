// The one rule for comparing e-mail addresses (src/lib/email.ts), used by the notice preferences and
// the join journey's signer: the domain without case, the local part as written, spaces trimmed.
import { describe, expect, it } from 'vitest';
import { normaliseEmail, sameEmail } from '../../src/lib/email.ts';

describe('comparing e-mail addresses', () => {
  it('ignores case in the domain and surrounding spaces, but not in the local part', () => {
    expect(normaliseEmail('  Petra@Joiner.EXAMPLE ')).toBe('Petra@joiner.example');
    expect(sameEmail('petra@JOINER.example', ' petra@joiner.example')).toBe(true);
    expect(sameEmail('Petra@joiner.example', 'petra@joiner.example')).toBe(false);
    expect(sameEmail('petra@joiner.example', 'petra@joiner.example.nl')).toBe(false);
  });
});
