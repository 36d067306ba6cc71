/** The BSN "elfproef": 9 digits, weighted 9..2 and -1 for the last, sum divisible by 11. */
export function isValidBsn(value: string): boolean {
  if (!/^\d{9}$/.test(value)) return false;
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += Number(value[i]) * (9 - i);
  sum -= Number(value[8]);
  return sum % 11 === 0 && value !== '000000000';
}

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
