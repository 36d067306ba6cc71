// Standard Webhooks (https://www.standardwebhooks.com): the secret is `whsec_` + base64 key bytes;
// each message is signed as HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<body>") and sent
// as `webhook-signature: v1,<base64>`, several signatures separated by spaces (secret rotation).
import { createHmac, randomBytes } from 'node:crypto';

const PREFIX = 'whsec_';

export function generateSecret(): string {
  return `${PREFIX}${randomBytes(32).toString('base64')}`;
}

export function signature(secret: string, webhookId: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, 'base64');
  return `v1,${createHmac('sha256', key).update(`${webhookId}.${timestamp}.${body}`).digest('base64')}`;
}

/** The three Standard Webhooks headers, signed with every secret given (current first). */
export function webhookHeaders(secrets: string[], webhookId: string, body: string, now = Date.now()): Record<string, string> {
  const timestamp = Math.floor(now / 1000);
  return {
    'webhook-id': webhookId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets.map((s) => signature(s, webhookId, timestamp, body)).join(' '),
  };
}

/** The secrets that sign now: the current one, plus the previous one while its grace period lasts. */
export function signingSecrets(s: { secret: string; previous_secret: string | null; previous_secret_expires_at: Date | null }, now = new Date()): string[] {
  const previousValid = s.previous_secret && s.previous_secret_expires_at && s.previous_secret_expires_at > now;
  return previousValid ? [s.secret, s.previous_secret!] : [s.secret];
}
