import { isValidElfproefNumber } from '../lib/elfproef.ts';

/** The BSN "elfproef": 9 digits, weighted 9..2 and -1 for the last, sum divisible by 11. */
export const isValidBsn = (value: string): boolean => isValidElfproefNumber(value);

/** A UUID as the gateway writes its ids (any version): anything else names no case or order. */
export const isUuid = (value: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);

export const isValidKvk = (value: string) => /^\d{8}$/.test(value);

/** Masks a BSN for display to others: only the last 3 digits. */
export const maskBsn = (bsn: string) => `******${bsn.slice(-3)}`;

/** A case reference people can read aloud: KS-2026-XXXXXX (no 0/O/1/I). */
export function generateReference(now = new Date()): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  const code = [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
  return `KS-${now.getUTCFullYear()}-${code}`;
}
