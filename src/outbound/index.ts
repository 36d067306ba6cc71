export { OutboundClients, allowedTarget } from './clients.ts';
export type { OutboundMethod, OutboundNetwork, OutboundOptions, OutboundRequest, OutboundResponse } from './clients.ts';
export { OutboundError, retryAfterMs } from './errors.ts';
export type { OutboundErrorKind } from './errors.ts';
