// The one rule for comparing e-mail addresses: the domain is case-insensitive everywhere (RFC 5321
// §2.4), the local part belongs to the receiving system and is kept as written.

/** An address as stored and compared: trimmed, its domain lowercased. */
export function normaliseEmail(address: string): string {
  const trimmed = address.trim();
  const at = trimmed.lastIndexOf('@');
  if (at < 0) return trimmed;
  return `${trimmed.slice(0, at)}@${trimmed.slice(at + 1).toLowerCase()}`;
}

/** The same mailbox by that rule. */
export const sameEmail = (a: string, b: string): boolean => normaliseEmail(a) === normaliseEmail(b);
