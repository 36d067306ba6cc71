// What an agreement version and an acceptance are on the wire; contracts/openapi.yaml says the
// same limits (AgreementCreate, PaperAcceptanceCreate).
import { z } from 'zod';

/** Used in URLs (/agreements/{version}): letters, digits, dot, underscore, dash. */
export const VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$/;
export const versionSchema = z.string().regex(VERSION_PATTERN, 'letters, digits, ".", "_" or "-", at most 50, starting with a letter or digit');
export const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 as 64 lowercase hex digits');

/** The security level the member commits to: the BIO's basic security levels (Baseline Informatiebeveiliging Overheid). */
export const SECURITY_LEVELS = ['BIO-BBN1', 'BIO-BBN2', 'BIO-BBN3'] as const;

const text = (max: number) => z.string().min(1).max(max);
const email = z.email().max(254);

/** The machine-readable layer: what is processed, why, how long, how safely, and whom to ask. */
export const termsSchema = z.strictObject({
  purposes: z.array(text(500)).min(1).max(50),
  dataCategories: z.array(text(200)).min(1).max(50),
  retentionDays: z.int().min(1).max(36500),
  securityLevel: z.enum(SECURITY_LEVELS),
  contact: z.strictObject({ name: text(200), email }),
});

export const agreementCreateSchema = z.strictObject({
  version: versionSchema,
  /** The plain-language version for decision makers. */
  summary: z.strictObject({ nl: text(4000), en: text(4000) }),
  /** The legal text that is signed, in markdown. */
  legalText: z.strictObject({ nl: text(60000), en: text(60000) }),
  terms: termsSchema,
  /** Until when members that accepted an older version have to accept this one; not covered by the hash. */
  reacceptBy: z.iso.datetime({ offset: true }).optional(),
});
export type AgreementCreate = z.output<typeof agreementCreateSchema>;
export type Terms = z.output<typeof termsSchema>;

export const signerSchema = z.strictObject({ name: text(200), email, role: text(200) });

export const paperAcceptanceSchema = z.strictObject({
  method: z.literal('paper'),
  agreementVersion: versionSchema,
  agreementHash: sha256Hex,
  signer: signerSchema,
  signedAt: z.iso.datetime({ offset: true }),
  scanSha256: sha256Hex,
});
