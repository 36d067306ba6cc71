import type { SecretRef } from './types.ts';

export class SecretError extends Error {}

/** Resolves `{ env }` references; env is the process environment handed down by main. */
export function resolveSecret(ref: SecretRef | undefined, env: Record<string, string | undefined>): string | undefined {
  if (ref === undefined) return undefined;
  if (typeof ref === 'string') return ref;
  if ('env' in ref) {
    const value = env[ref.env];
    if (!value) throw new SecretError(`environment variable ${ref.env} is not set`);
    return value;
  }
  throw new SecretError('secret is not configured');
}

const SECRET_KEYS = new Set(['secret', 'clientSecret', 'authorization', 'key']);

/** Replaces every secret with `{ configured: true }`: secrets are write-only. */
export function redactSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map(redactSecrets) as T;
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEYS.has(k) && v !== undefined ? { configured: true } : redactSecrets(v);
  return out as T;
}

/** Puts stored secrets back where an update says `{ configured: true }`; returns the paths it could not fill. */
export function keepStoredSecrets(next: unknown, stored: unknown, path = '$'): string[] {
  if (typeof next !== 'object' || next === null) return [];
  const missing: string[] = [];
  for (const [k, v] of Object.entries(next)) {
    const here = `${path}.${k}`;
    const old = (stored as Record<string, unknown> | undefined)?.[k];
    if (SECRET_KEYS.has(k) && typeof v === 'object' && v !== null && 'configured' in v) {
      if (old === undefined || (typeof old === 'object' && old !== null && 'configured' in old)) missing.push(here);
      else (next as Record<string, unknown>)[k] = old;
    } else {
      missing.push(...keepStoredSecrets(v, old, here));
    }
  }
  return missing;
}
