import { Hono } from 'hono';
import { readJson } from '../http/body.ts';
import type { AppEnv } from '../http/context.ts';
import { pageOf, readPage } from '../http/pagination.ts';
import { parseWith } from '../http/validate.ts';
import type { RoleGuard } from '../http/zgw-auth.ts';
import { agreementCreateSchema, paperAcceptanceSchema } from './schemas.ts';
import type { AgreementService } from './service.ts';

// Public and changing only when a version is posted: a short shared cache is safe.
const PUBLIC_CACHE = 'public, max-age=60';

const actorOf = (c: { get: (k: 'client') => { clientId: string } | undefined }) => c.get('client')!.clientId;

/** Where a version is read, legal text and all. */
export const agreementUrl = (baseUrl: string, version: string) => `${baseUrl}/api/v1/agreements/${encodeURIComponent(version)}`;

/** /api/v1/agreements: posting a version is the operator's; reading is anyone's (what members sign is public). */
export function agreementRoutes({ agreements, guard, baseUrl }: { agreements: AgreementService; guard: RoleGuard; baseUrl: string }) {
  const urlOf = (version: string) => agreementUrl(baseUrl, version);
  return new Hono<AppEnv>()
    .get('/', async (c) => {
      const page = readPage(c);
      const { results, total } = await agreements.list(page.limit, page.offset);
      // The list leaves the legal texts out; each version's url has them.
      const items = results.map(({ legalText: _legalText, ...rest }) => ({ ...rest, url: urlOf(rest.version) }));
      return c.json(pageOf(c, page, total, items, baseUrl), 200, { 'Cache-Control': PUBLIC_CACHE });
    })
    .get('/:version', async (c) => {
      const agreement = await agreements.get(c.req.param('version'));
      return c.json({ ...agreement, url: urlOf(agreement.version) }, 200, { 'Cache-Control': PUBLIC_CACHE });
    })
    .post('/', guard('operator'), async (c) => {
      const input = parseWith(agreementCreateSchema, await readJson(c));
      const agreement = await agreements.publish(input, actorOf(c));
      return c.json({ ...agreement, url: urlOf(agreement.version) }, 201, { Location: urlOf(agreement.version) });
    });
}

/** /api/v1/organisations/{id}/acceptances (role operator): the paper fallback and the record of every acceptance. */
export function acceptanceRoutes({ agreements, guard, baseUrl }: { agreements: AgreementService; guard: RoleGuard; baseUrl: string }) {
  return new Hono<AppEnv>()
    .post('/:id/acceptances', guard('operator'), async (c) => {
      const body = parseWith(paperAcceptanceSchema, await readJson(c));
      const actor = actorOf(c);
      const { acceptance } = await agreements.accept({
        organisationId: c.req.param('id'),
        signer: body.signer,
        agreementVersion: body.agreementVersion,
        agreementHash: body.agreementHash,
        method: 'paper',
        actor,
        paper: { recordedBy: actor, signedAt: body.signedAt, scanSha256: body.scanSha256 },
      });
      return c.json(acceptance, 201, { Location: `${baseUrl}/api/v1/organisations/${encodeURIComponent(acceptance.organisation)}/acceptances` });
    })
    .get('/:id/acceptances', guard('operator'), async (c) => {
      const page = readPage(c);
      const { results, total } = await agreements.acceptances(c.req.param('id'), page.limit, page.offset);
      return c.json(pageOf(c, page, total, results, baseUrl));
    });
}

/** GET /.well-known/jwks.json: every key the gateway signed receipts with (ES256), for anyone to verify them. */
export function jwksRoutes({ agreements }: { agreements: AgreementService }) {
  return new Hono<AppEnv>().get('/.well-known/jwks.json', async (c) => c.json(await agreements.jwks(), 200, { 'Cache-Control': 'public, max-age=300' }));
}
