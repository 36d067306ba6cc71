// The demo's seeded case: the first test citizen gets a case with one order at each simulated
// subcontractor and an assignment at the builder without a case system, placed through the real
// supplier API (so the placement jobs, the simulators and their notifications all run as in
// production), and the parts move on as the simulators advance (the builder's when its planner acts).
//
// The simulators keep their zaken in memory while the gateway's database (./data) persists. So
// at every start the previous demo case, whose remote zaken are gone, is closed as cancelled and
// a fresh round DEMO-<n+1> is created: however often the demo restarts, the citizen has exactly
// one open demo case whose parts really move.
import type { Gateway } from '../gateway.ts';
import { signZgwJwt } from '../lib/zgw-jwt.ts';
import type { Logger } from '../log.ts';
import { DEMO_CITIZENS, DEMO_COMPANY } from './idp.ts';
import { DEMO_CLIENTS, DEMO_PORTAL } from './network.ts';

export const DEMO_REFERENCE = /^DEMO-(\d+)$/;

export interface SeededCase {
  id: string;
  reference: string;
}

/** A ZGW JWT of the demo network's supplier client. */
function demoSupplierToken(): string {
  const supplier = DEMO_CLIENTS.find((c) => c.role === 'supplier')!;
  return signZgwJwt({ client_id: supplier.clientId }, typeof supplier.secret === 'string' ? supplier.secret : '');
}

/** `supplierToken`: another network's supplier (tests); the demo network's by default. */
export async function seedDemo(
  gateway: Pick<Gateway, 'app' | 'database'>,
  logger: Logger,
  supplierToken: () => string = demoSupplierToken,
  /** Also the company's case at the employment service (the network must have `werkbedrijf`). */
  withCompanyCase = true,
  /** Also an assignment at the builder without a case system (the network must have DEMO_PORTAL). */
  withPortalAssignment = true,
): Promise<SeededCase> {
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await gateway.app.request(path, {
      method,
      headers: { authorization: `Bearer ${supplierToken()}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new Error(`demo seed: ${method} ${path} answered ${res.status}: ${String(json.detail ?? '')}`);
    return json;
  };

  // Earlier rounds, read straight from the table: a lookup through the supplier API would itself
  // be a logged read of the citizen's data and fill their access log at every start.
  const rounds = (await gateway.database.db.selectFrom('cases').select(['id', 'reference', 'closed_at']).where('reference', 'like', 'DEMO-%').execute())
    .map((r) => ({ ...r, n: Number(DEMO_REFERENCE.exec(r.reference)?.[1] ?? 0) }))
    .sort((a, b) => a.n - b.n);
  for (const previous of rounds.filter((r) => !r.closed_at)) {
    await call('POST', `/api/v1/cases/${previous.id}/status`, {
      phase: 'geannuleerd',
      text: 'De demo is opnieuw gestart; deze aanvraag is vervangen door een nieuwe.',
    });
  }

  const n = (rounds.at(-1)?.n ?? 0) + 1;
  const reference = `DEMO-${n}`;
  const citizen = DEMO_CITIZENS[0];
  const plannedEnd = new Date(Date.now() + 42 * 86_400_000).toISOString().slice(0, 10);
  const created = await call(
    'POST',
    '/api/v1/cases',
    {
      title: 'Woningaanpassing en traplift',
      citizen: { bsn: citizen.bsn },
      product: 'wmo-woonvoorziening',
      reference,
      plannedEndDate: plannedEnd,
    },
    { 'idempotency-key': `demo-seed-${n}` },
  );
  const id = String(created.id);
  await call('POST', `/api/v1/cases/${id}/status`, {
    phase: 'in_behandeling',
    text: 'Wij hebben uw aanvraag goedgekeurd en de traplift en de aanpassing van uw woning besteld.',
  });
  await call('POST', `/api/v1/cases/${id}/orders`, {
    subcontractor: 'hulpmiddelen-bv',
    product: 'traplift',
    description: 'Traplift, rechte trap, 14 treden',
    shareCitizen: true,
  });
  await call('POST', `/api/v1/cases/${id}/orders`, {
    subcontractor: 'bouwbedrijf-de-steiger',
    product: 'woningaanpassing',
    description: 'Verbreden deurposten badkamer',
    shareCitizen: true,
  });
  // The builder has no case system: the order is an assignment, mailed to its planner, who answers at /partner or by e-mail.
  if (withPortalAssignment) {
    await call('POST', `/api/v1/cases/${id}/orders`, {
      subcontractor: DEMO_PORTAL.id,
      product: 'drempels',
      description: 'Drempels weghalen tussen gang, woonkamer en badkamer (voor de rollator)',
      shareCitizen: true,
    });
  }
  // The company scenario: the hostel's owners follow staff recruitment at the employment service.
  if (withCompanyCase) {
    const company = await call(
      'POST',
      '/api/v1/cases',
      { title: 'Personeel aannemen', citizen: { kvk: DEMO_COMPANY.kvk }, reference: `${reference}-B`, plannedEndDate: plannedEnd },
      { 'idempotency-key': `demo-seed-${n}-company` },
    );
    await call('POST', `/api/v1/cases/${String(company.id)}/orders`, {
      subcontractor: 'werkbedrijf',
      product: 'personeel-werven',
      description: 'Twee medewerkers receptie, 32 uur',
    });
  }
  logger.info({ reference, cancelled_rounds: rounds.filter((r) => !r.closed_at).length }, 'demo case seeded');
  return { id, reference };
}
