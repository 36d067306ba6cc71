// The demo's joining organisation: an agreement version, a pending member with its identity only
// (Thuiszorg Nieuw B.V., the products of the first demo simulator) and a fresh invitation at every
// start, whose link the log names. Everything through the operator API, as an operator would.
import type { Gateway } from '../gateway.ts';
import { signZgwJwt } from '../lib/zgw-jwt.ts';
import type { Logger } from '../log.ts';
import { DEMO_CLIENTS, DEMO_SECRETS } from './network.ts';

export const DEMO_JOINER = 'thuiszorg-nieuw';

const DEMO_AGREEMENT = {
  version: 'demo-2026-1',
  summary: {
    nl: 'U laat burgers via de keten zien waar hun aanvraag bij u staat. U stuurt alleen statussen, geen dossiers, en bewaart niets langer dan nodig.',
    en: 'You let citizens see, through the chain, where their request stands with you. You send statuses only, no files, and keep nothing longer than needed.',
  },
  legalText: {
    nl: '# Deelnameovereenkomst ketenstatus (demo)\n\n## Artikel 1 Doel\n\nDe **deelnemer** levert de status van deelzaken aan de gateway, zodat de burger één antwoord krijgt.\n\n## Artikel 2 Gegevens\n\n- de status en het statustype van de zaak\n- het zaaktype\n\n## Artikel 3 Beveiliging\n\nDe deelnemer voldoet aan *BIO-BBN2*.',
    en: '# Participation agreement ketenstatus (demo)\n\n## Article 1 Purpose\n\nThe **member** supplies the status of its parts to the gateway, so the citizen gets one answer.\n\n## Article 2 Data\n\n- the status and statustype of the zaak\n- the zaaktype\n\n## Article 3 Security\n\nThe member meets *BIO-BBN2*.',
  },
  terms: {
    purposes: ['statusinformatie voor de burger over de eigen aanvraag'],
    dataCategories: ['zaakstatus', 'statustype', 'zaaktype'],
    retentionDays: 400,
    securityLevel: 'BIO-BBN2',
    contact: { name: 'Functioneel beheer Gemeente Voorbeeld', email: 'beheer@gemeente-voorbeeld.example' },
  },
};

/** Seeds the joiner (once) and a new invitation while it is pending; the join link, or undefined once it joined. */
export async function seedJoin(gateway: Pick<Gateway, 'app' | 'network'>, logger: Logger): Promise<string | undefined> {
  const operator = DEMO_CLIENTS.find((c) => c.role === 'operator')!;
  const token = signZgwJwt({ client_id: operator.clientId }, typeof operator.secret === 'string' ? operator.secret : '');
  const call = async (method: string, path: string, body: unknown) => {
    const res = await gateway.app.request(path, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const published = await call('POST', '/api/v1/agreements', DEMO_AGREEMENT);
  if (published.status !== 201 && published.status !== 409) throw new Error(`demo join: posting the agreement answered ${published.status}`);
  const existing = gateway.network.get(DEMO_JOINER);
  if (existing && existing.status !== 'pending') return undefined;
  if (!existing) {
    const model = gateway.network.zakenOrganisation('hulpmiddelen-bv');
    const put = await call('PUT', `/api/v1/organisations/${DEMO_JOINER}`, {
      id: DEMO_JOINER,
      name: 'Thuiszorg Nieuw B.V.',
      oin: '00000003012345679000',
      rsin: '012345672',
      status: 'pending',
      notifications: { mode: 'poll' },
      products: (model?.products ?? []).map((p) => ({ code: p.code, name: p.name, zaaktype: p.zaaktype })),
    });
    if (put.status !== 201) throw new Error(`demo join: registering ${DEMO_JOINER} answered ${put.status}`);
  }
  const invited = await call('POST', `/api/v1/organisations/${DEMO_JOINER}/invitations`, { name: 'Tessa Thuiszorg', email: 'tessa@thuiszorg-nieuw.example' });
  if (invited.status !== 201) throw new Error(`demo join: the invitation answered ${invited.status}`);
  const url = String(invited.body.url);
  const model = gateway.network.zakenOrganisation('hulpmiddelen-bv');
  logger.info(
    { url, zakenApiRoot: model?.zaken.apiRoot, clientId: model?.zaken.auth.clientId, mode: 'poll' },
    `demo join link: ${url} (Thuiszorg Nieuw B.V. joins with the simulator of Hulpmiddelen B.V.: Zaken API ${model?.zaken.apiRoot}, client id ${model?.zaken.auth.clientId}, secret ${DEMO_SECRETS.outbound}, notifications poll)`,
  );
  return url;
}
