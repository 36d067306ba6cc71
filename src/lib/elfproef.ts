// The "elfproef" (11-proef) that BSNs and RSINs pass: nine digits d1…d9 with
// 9·d1 + 8·d2 + … + 2·d8 − d9 divisible by 11. Open Zaak refuses an RSIN that fails it
// ("Onjuist RSIN nummer"), so the gateway checks it before it sends one anywhere.

export function passesElfproef(value: string): boolean {
  if (!/^\d{9}$/.test(value)) return false;
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += Number(value[i]) * (9 - i);
  sum -= Number(value[8]);
  return sum % 11 === 0;
}

/** A BSN or RSIN: nine digits passing the elfproef, and not all zeros (which trivially passes). */
export const isValidElfproefNumber = (value: string) => passesElfproef(value) && value !== '000000000';
