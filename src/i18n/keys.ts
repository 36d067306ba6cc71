// The keys every catalogue has: nl.ts's. A file of its own so that a catalogue can name its type
// without importing index.ts, which imports the catalogues.
import type { nl } from './nl.ts';

export type MessageKey = keyof typeof nl;
