// One subscriber that hangs must not delay the others: the delivery worker caps what one
// subscription may hold (DELIVERY_SUBSCRIPTION_CONCURRENCY) well below its total slots
// (DELIVERY_CONCURRENCY), and the job queue's workers are not involved at all.
import { describe, expect, it } from 'vitest';
import { deliveryApi } from '../helpers/delivery.ts';
import { startTestGateway } from '../helpers/gateway.ts';
import { startSubscriber, type Subscriber } from '../helpers/subscriber.ts';
import { waitFor } from '../helpers/wait.ts';

// Small numbers make the point sharper: 3 slots for the hanging one, 5 in all.
const gateway = await startTestGateway({
  env: {
    DELIVERY_CONCURRENCY: '5',
    DELIVERY_SUBSCRIPTION_CONCURRENCY: '3',
    DELIVERY_TIMEOUT_MS: '60000',
    WORKER_CONCURRENCY: '1',
    SHUTDOWN_TIMEOUT_SECONDS: '1',
  },
});
const { subscribe, newCase, setPhase } = deliveryApi(gateway);
const db = gateway.database.db;

describe('isolation', () => {
  it('1 of 5 subscribers hangs: the other 4 receive every change, in order, while its attempts are still pending', async () => {
    const subscribers: Subscriber[] = [];
    for (let i = 0; i < 5; i++) {
      const sub = await startSubscriber();
      expect((await subscribe({ callbackUrl: sub.url, events: ['case.status-changed'], format: 'cloudevents' })).status).toBe(201);
      subscribers.push(sub);
    }
    const [hanging, ...healthy] = subscribers;
    hanging.respond(() => 'hang');

    const cases = await Promise.all(Array.from({ length: 8 }, () => newCase()));
    const phases = ['in_behandeling', 'actie_vereist', 'in_behandeling'];
    for (const p of phases) for (const id of cases) await setPhase(id, p);

    const expected = cases.length * phases.length;
    await waitFor(() => healthy.every((s) => s.events().length >= expected), 20_000, 'all healthy subscribers served');
    for (const s of healthy) {
      expect(s.events()).toHaveLength(expected); // each once: nothing failed, nothing was retried
      for (const id of cases) {
        expect(
          s
            .events()
            .filter((e) => e.json.subject === id)
            .map((e) => e.json.data.phase),
        ).toEqual(phases);
      }
    }

    // The hanging subscriber holds exactly its cap of attempts, none of which has ended yet.
    expect(hanging.events()).toHaveLength(3);
    const hangingSub = await db.selectFrom('subscriptions').select('id').where('callback_url', '=', hanging.url).executeTakeFirstOrThrow();
    const states = await db
      .selectFrom('deliveries')
      .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
      .where('subscription_id', '=', hangingSub.id)
      .groupBy('state')
      .execute();
    expect(Object.fromEntries(states.map((s) => [s.state, Number(s.n)]))).toEqual({ delivering: 3, pending: 5, waiting: 16 });
    expect(
      await db
        .selectFrom('delivery_attempts')
        .innerJoin('deliveries', 'deliveries.id', 'delivery_attempts.delivery_id')
        .select('delivery_attempts.id')
        .where('deliveries.subscription_id', '=', hangingSub.id)
        .execute(),
    ).toHaveLength(0);
  }, 40_000);
});
