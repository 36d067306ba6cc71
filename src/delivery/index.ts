// Outbound delivery composed in one place: the webhook sender, the subscription service, the
// operator's view and the delivery worker (started and stopped with the gateway).
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { NetworkService } from '../network/service.ts';
import { DeliveryOps } from './ops.ts';
import { WebhookSender } from './sender.ts';
import { SubscriptionService } from './subscriptions.ts';
import { DeliveryWorker } from './worker.ts';

export type Delivery = ReturnType<typeof createDelivery>;

export function createDelivery(deps: { config: Config; database: Database; network: NetworkService; logger: Logger; metrics: Metrics }) {
  const { config, database, logger, metrics } = deps;
  const settings = config.delivery;
  const origin = { baseUrl: config.publicBaseUrl, oin: deps.network.self.oin };
  const sender = new WebhookSender({ allowPrivate: config.outbound.allowPrivate, allowHttpHosts: settings.allowHttpHosts, timeoutMs: settings.timeoutMs });
  const subscriptions = new SubscriptionService({ database, sender, origin, logger });
  const ops = new DeliveryOps({ database, logger });
  const worker = new DeliveryWorker({
    database,
    sender,
    origin,
    logger,
    metrics,
    concurrency: settings.concurrency,
    perSubscription: settings.perSubscription,
    timeoutMs: settings.timeoutMs,
    retryBaseMs: settings.retryBaseMs,
    pollIntervalMs: config.worker.pollIntervalMs,
  });
  return {
    subscriptions,
    ops,
    worker,
    start: () => worker.start(),
    async stop(timeoutMs: number) {
      await worker.stop(timeoutMs);
      await sender.close();
    },
  };
}
