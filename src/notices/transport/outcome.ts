// What one attempt to send a message came to, whatever the transport.
export type Outcome = { kind: 'sent'; providerId?: string } | { kind: 'retry'; delayMs: number; error: string } | { kind: 'dead'; error: string };
