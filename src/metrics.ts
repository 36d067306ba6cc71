import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type Metrics = ReturnType<typeof createMetrics>;

/** One registry per app instance, so tests can run several gateways in one process. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'ketenstatus_' });
  return {
    registry,
    httpRequests: new Histogram({
      name: 'ketenstatus_http_request_duration_seconds',
      help: 'HTTP requests by method, route pattern and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [registry],
    }),
    jobQueue: new Gauge({
      name: 'ketenstatus_jobs',
      help: 'Jobs in the durable queue by kind and state',
      labelNames: ['kind', 'state'] as const,
      registers: [registry],
    }),
    jobRuns: new Counter({
      name: 'ketenstatus_job_runs_total',
      help: 'Job attempts by kind and outcome',
      labelNames: ['kind', 'outcome'] as const,
      registers: [registry],
    }),
    webhookAttempts: new Counter({
      name: 'ketenstatus_webhook_attempts_total',
      help: 'Outbound webhook attempts by outcome (delivered, retry, dead, gone)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    webhookDeliverySeconds: new Histogram({
      name: 'ketenstatus_webhook_delivery_seconds',
      help: 'From the change (outbox event) to its delivery being acknowledged by the subscriber',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600],
      registers: [registry],
    }),
    httpRejected: new Counter({
      name: 'ketenstatus_http_rejected_total',
      help: 'Requests refused with 503 by admission control (overload)',
      registers: [registry],
    }),
    notifications: new Counter({
      name: 'ketenstatus_notifications_total',
      help: 'Inbound notifications by organisation and outcome',
      labelNames: ['organisation', 'outcome'] as const,
      registers: [registry],
    }),
    mailOutbound: new Counter({
      name: 'ketenstatus_mail_outbound_total',
      help: 'Outbox mails by outcome of an attempt (sent, retry, dead, unconfigured)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    noticeOutbound: new Counter({
      name: 'ketenstatus_notices_outbound_total',
      help: 'Messages to customers (case notices, verification codes) by channel and outcome of an attempt (sent, retry, dead, cancelled)',
      labelNames: ['channel', 'outcome'] as const,
      registers: [registry],
    }),
    mailInbound: new Counter({
      name: 'ketenstatus_mail_inbound_total',
      help: 'Inbound mail (replies) by outcome: stored, refused (by the feature, or automatic replies), unknown-recipient, too-large, failed (answered 451)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    intakeStatements: new Histogram({
      name: 'ketenstatus_intake_statement_seconds',
      help: 'Group-commit statements of the notification intake: duration (commit included); _count is statements, notifications_total / _count the batch size',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
      registers: [registry],
    }),
  };
}
