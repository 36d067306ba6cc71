// The join journey's bodies on the wire; contracts/openapi.yaml says the same limits.
import { z } from 'zod';

const email = z.email().max(254);
const text = (max: number) => z.string().trim().min(1).max(max);
const root = z
  .url({ protocol: /^https?$/ })
  .max(1000)
  .regex(/\/$/, 'must end with /');
// A member writes its secrets inline (never an { env } reference: that would read the gateway's
// environment), or { configured: true } to keep the one it gave before.
const secret = z.union([z.string().min(16).max(1024), z.strictObject({ configured: z.literal(true) })]);

export const invitationSchema = z.strictObject({ name: text(200), email });
export const signerSchema = z.strictObject({ name: text(200), email, role: text(200) });
export const codeSchema = z.strictObject({ code: z.string().regex(/^\d{6}$/, 'six digits') });
export const acceptanceSchema = z.strictObject({
  signer: signerSchema,
  agreementVersion: z.string().min(1).max(50),
  agreementHash: z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 as 64 lowercase hex digits'),
});
export const connectionSchema = z.strictObject({
  zaken: z.strictObject({
    apiRoot: root,
    catalogiApiRoot: root.optional(),
    auth: z.discriminatedUnion('type', [
      z.strictObject({ type: z.literal('zgw-jwt'), clientId: text(200), secret }),
      z.strictObject({
        type: z.literal('oauth2'),
        issuer: z.url({ protocol: /^https?$/ }).max(1000),
        clientId: text(200),
        clientSecret: secret,
        scope: z.string().max(1000).optional(),
      }),
    ]),
  }),
  notifications: z.strictObject({ mode: z.enum(['push', 'poll']) }),
});
