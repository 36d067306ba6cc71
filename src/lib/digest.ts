import { hash } from 'node:crypto';

// The whole Authorization value, hashed once per request: the key of the fixed values and of the
// verified-token cache alike, and of the values the gateway generated for its abonnementen.
export const digestOf = (value: string) => hash('sha256', value, 'base64url');
