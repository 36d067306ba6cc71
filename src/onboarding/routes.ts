import { Hono } from 'hono';
import { agreementUrl } from '../agreements/routes.ts';
import { readJson } from '../http/body.ts';
import type { AppEnv } from '../http/context.ts';
import { pageOf, readPage } from '../http/pagination.ts';
import { preferredLanguage } from '../i18n/index.ts';
import { HttpProblem } from '../http/problem.ts';
import { parseWith } from '../http/validate.ts';
import type { RoleGuard } from '../http/zgw-auth.ts';
import { CodeRateLimited } from '../lib/verification-code.ts';
import type { ZakenAuth } from '../network/types.ts';
import { acceptanceSchema, codeSchema, connectionSchema, invitationSchema, signerSchema } from './schemas.ts';
import { ConnectionTestLimited, InvitationExpired, type OnboardingService } from './service.ts';

/** The operator's side under /api/v1/organisations/{id}: invitations and the connection tests' results. */
export function onboardingOperatorRoutes({ onboarding, guard, baseUrl }: { onboarding: OnboardingService; guard: RoleGuard; baseUrl: string }) {
  return new Hono<AppEnv>()
    .use('/:id/invitations', guard('operator'))
    .use('/:id/connection-tests', guard('operator'))
    .post('/:id/invitations', async (c) => {
      const input = parseWith(invitationSchema, await readJson(c));
      const invitation = await onboarding.invite(c.req.param('id'), input, c.get('client')!.clientId);
      return c.json(invitation, 201);
    })
    .get('/:id/invitations', async (c) => {
      const results = await onboarding.invitations(c.req.param('id'));
      return c.json({ count: results.length, next: null, previous: null, results });
    })
    .get('/:id/connection-tests', async (c) => {
      const page = readPage(c);
      const { rows, total } = await onboarding.connectionTests(c.req.param('id'), page.limit, page.offset);
      return c.json(pageOf(c, page, total, rows, baseUrl));
    });
}

/** The member's side, /api/v1/join/{token}: the token in the path is the credential. */
export function joinRoutes({ onboarding, baseUrl }: { onboarding: OnboardingService; baseUrl: string }) {
  return new Hono<AppEnv>()
    .use('*', async (c, next) => {
      c.header('cache-control', 'no-store');
      c.header('referrer-policy', 'no-referrer');
      await next();
    })
    .get('/:token', async (c) => {
      const journey = await gone(onboarding.join(c.req.param('token')));
      // The agreement as /api/v1/agreements gives it: with the url of its version.
      return c.json({ ...journey, agreement: journey.agreement && { ...journey.agreement, url: agreementUrl(baseUrl, journey.agreement.version) } });
    })
    .post('/:token/signer', async (c) => {
      const signer = parseWith(signerSchema, await readJson(c));
      const sent = await gone(onboarding.requestSignerCode(c.req.param('token'), signer, preferredLanguage(c.req.header('accept-language')))).catch((error) => {
        if (error instanceof CodeRateLimited)
          throw new HttpProblem({ status: 429, code: 'code-rate-limited', detail: error.message, headers: { 'Retry-After': String(error.retryAfterSeconds) } });
        throw error;
      });
      return c.json(sent, 202);
    })
    .post('/:token/signer/verify', async (c) => {
      const { code } = parseWith(codeSchema, await readJson(c));
      return c.json(await gone(onboarding.verifySignerCode(c.req.param('token'), code)));
    })
    .post('/:token/acceptance', async (c) => {
      const input = parseWith(acceptanceSchema, await readJson(c));
      return c.json(await gone(onboarding.accept(c.req.param('token'), input)), 201);
    })
    .put('/:token/connection', async (c) => {
      const input = parseWith(connectionSchema, await readJson(c));
      return c.json(await gone(onboarding.connect(c.req.param('token'), { ...input, zaken: { ...input.zaken, auth: input.zaken.auth as ZakenAuth } })));
    })
    .post('/:token/connection-test', async (c) => {
      const test = await gone(onboarding.runConnectionTest(c.req.param('token'))).catch((error) => {
        if (error instanceof ConnectionTestLimited)
          throw new HttpProblem({
            status: 429,
            code: 'connection-test-limited',
            detail: error.message,
            headers: { 'Retry-After': String(error.retryAfterSeconds) },
          });
        throw error;
      });
      return c.json(test);
    });
}

/** An expired invitation answers 410 Gone. */
export async function gone<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof InvitationExpired)
      throw new HttpProblem({ status: 410, code: 'invitation-expired', title: 'Invitation expired', detail: error.message });
    throw error;
  }
}
