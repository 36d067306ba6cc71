// /api/v1/me/preferences: how the customer hears about their cases (docs/notices.md, "Preferences").
// Always the caller's own (a company's for its representatives); a proxy cannot reach another's.
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { CitizenAuthenticator } from '../citizen/auth.ts';
import { customerOf } from '../citizen/customer.ts';
import { requireCitizen, type CitizenEnv } from '../citizen/middleware.ts';
import { language } from '../citizen/request.ts';
import { readJson } from '../http/body.ts';
import { HttpProblem, validationProblem } from '../http/problem.ts';
import { parseWith } from '../http/validate.ts';
import { LANGS } from '../i18n/index.ts';
import { CodeRateLimited, type PreferenceService, type VerifyResult } from './preference-service.ts';

export const EMAIL_MAX = 254;
/** E.164, or a Dutch mobile number written 06xxxxxxxx (stored as +316xxxxxxxx). */
export const PHONE_PATTERN = /^(\+[1-9][0-9]{6,14}|06[0-9]{8})$/;

export const preferencesSchema = z.strictObject({
  language: z.enum(LANGS as [string, ...string[]]).transform((l) => l as (typeof LANGS)[number]),
  email: z.email().max(EMAIL_MAX).optional(),
  phone: z.string().regex(PHONE_PATTERN, 'must be E.164 (+31612345678) or a Dutch mobile number 06xxxxxxxx').optional(),
  channels: z.strictObject({ email: z.boolean(), sms: z.boolean() }),
});
const codeSchema = z.strictObject({ code: z.string().regex(/^[0-9]{6}$/, 'must be the 6 digits of the code') });
const noQuery = z.strictObject({});

/** Preferences are the caller's own: naming a grantor is refused as on the other /me changes. */
function ownOnly(c: Context) {
  if (c.req.query('onBehalfOf') !== undefined || c.req.query('mandate') !== undefined) {
    throw validationProblem([{ name: 'onBehalfOf', code: 'read-only', reason: 'a proxy may only read cases (GET /me/cases and /me/cases/{id})' }]);
  }
  parseWith(noQuery, c.req.query(), 'query');
}

const CHANNEL = { email: 'email', phone: 'sms' } as const;

/** A verification's refusal as problem+json: 422 with the code's state (and the tries left after a wrong one). */
function refusal(result: Exclude<VerifyResult, { ok: true }>): HttpProblem {
  const detail = {
    'wrong-code': 'The code is not right.',
    'code-expired': 'The code has expired; ask for a new one.',
    'code-exhausted': 'The code was tried too often; ask for a new one.',
    'no-code': 'There is no code waiting for this address; set an address first or ask for a new code.',
  }[result.reason];
  const triesLeft = result.reason === 'wrong-code' ? { triesLeft: result.triesLeft } : {};
  return new HttpProblem({
    status: 422,
    code: result.reason,
    detail: result.reason === 'wrong-code' ? `${detail} Tries left: ${result.triesLeft}.` : detail,
    invalidParams: [{ name: 'code', code: result.reason, reason: detail }],
    extra: triesLeft,
  });
}

const rateLimited = (error: CodeRateLimited) =>
  new HttpProblem({ status: 429, code: 'code-rate-limited', detail: error.message, headers: { 'Retry-After': String(error.retryAfterSeconds) } });

async function limited<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw error instanceof CodeRateLimited ? rateLimited(error) : error;
  }
}

export function preferenceRoutes({ preferences, auth, minAcr }: { preferences: PreferenceService; auth: CitizenAuthenticator; minAcr?: string }) {
  const app = new Hono<CitizenEnv>()
    .use(requireCitizen(auth, minAcr))
    .get('/', async (c) => {
      ownOnly(c);
      const lang = language(c);
      return c.json(await preferences.get(customerOf(c.get('viewer')), lang));
    })
    .put('/', async (c) => {
      ownOnly(c);
      const input = parseWith(preferencesSchema, await readJson(c));
      language(c);
      return c.json(await limited(() => preferences.update(customerOf(c.get('viewer')), input)));
    });
  for (const [path, channel] of Object.entries(CHANNEL)) {
    app.post(`/${path}/verify`, async (c) => {
      ownOnly(c);
      const { code } = parseWith(codeSchema, await readJson(c));
      language(c);
      const result = await preferences.verify(customerOf(c.get('viewer')), channel, code);
      if (!result.ok) throw refusal(result);
      return c.json(result.preferences);
    });
    app.post(`/${path}/code`, async (c) => {
      ownOnly(c);
      await limited(() => preferences.sendCode(customerOf(c.get('viewer')), channel));
      return c.body(null, 204);
    });
  }
  return app;
}
