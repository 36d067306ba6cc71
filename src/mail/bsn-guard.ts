// No BSN in any e-mail (docs/ARCHITECTURE.md, data rules). Mail leaves the gateway's control for
// good once sent, so the outbox refuses, at the writer, any text holding a number that could be one.
import { isValidElfproefNumber } from '../lib/elfproef.ts';

// Nine digits on their own, also as people write a BSN: 1234.56.782 or 123 456 782.
const CANDIDATE = /(?<!\d)(?:\d{9}|\d{4}[. ]\d{2}[. ]\d{3}|\d{3}[. ]\d{3}[. ]\d{3})(?!\d)/g;

// An id in a link (an order's UUID, say) is no number anyone wrote: about one UUID in 700 holds a
// run of nine digits that passes the elfproef, and would stop the mail it is in.
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;

/** Whether `text` holds a nine-digit number that passes the elfproef, as every BSN does (UUIDs aside). */
export function containsBsn(text: string): boolean {
  for (const match of text.replace(UUID, ' ').matchAll(CANDIDATE)) if (isValidElfproefNumber(match[0].replace(/[. ]/g, ''))) return true;
  return false;
}
