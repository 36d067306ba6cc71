// The join journey's bodies on the wire; contracts/openapi.yaml says the same limits.
import { z } from 'zod';
import { sha256Hex, signerSchema, versionSchema } from '../agreements/schemas.ts';
import { type Lang, LANGS } from '../i18n/index.ts';

export { signerSchema };

const email = z.email().max(254);
// As contracts/network.schema.json says an API root: an absolute http(s) URL ending in '/'.
const root = z
  .string()
  .max(1000)
  .regex(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, 'must be an absolute http(s) URL')
  .regex(/\/$/, 'must end with /');
// A member writes its secrets inline (never an { env } reference: that would read the gateway's
// environment), or { configured: true } to keep the one it gave before.
const secret = z.union([z.string().min(16).max(1024), z.strictObject({ configured: z.literal(true) })]);
const clientId = z.string().min(1).max(200);
const httpUrl = z
  .string()
  .max(1000)
  .regex(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, 'must be an absolute http(s) URL');

// The invitation mail's language (Dutch when not given).
export const invitationSchema = z.strictObject({ name: z.string().min(1).max(200), email, language: z.enum(LANGS as [Lang, ...Lang[]]).optional() });
export const codeSchema = z.strictObject({ code: z.string().regex(/^\d{6}$/, 'six digits') });
export const acceptanceSchema = z.strictObject({ signer: signerSchema, agreementVersion: versionSchema, agreementHash: sha256Hex });
export const connectionSchema = z.strictObject({
  zaken: z.strictObject({
    apiRoot: root,
    catalogiApiRoot: root.optional(),
    auth: z.union([
      z.strictObject({ type: z.literal('zgw-jwt'), clientId, secret }),
      z.strictObject({ type: z.literal('oauth2'), issuer: httpUrl, clientId, clientSecret: secret, scope: z.string().max(1000).optional() }),
    ]),
  }),
  notifications: z.strictObject({ mode: z.enum(['push', 'poll']) }),
});
