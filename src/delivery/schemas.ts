import { z } from 'zod';
import { PHASES } from '../cases/phases.ts';
import { EVENT_TYPES } from '../cases/events.ts';
import { httpUrl } from '../http/validate.ts';

const unique = <T>(values: T[]) => new Set(values).size === values.length;

export const createSubscriptionSchema = z.strictObject({
  callbackUrl: httpUrl(2000),
  events: z.array(z.enum(EVENT_TYPES)).min(1).refine(unique, 'must not repeat an event'),
  format: z.enum(['zgw', 'cloudevents']),
  filters: z
    .strictObject({
      /** Only these cases (at most 1000). */
      caseIds: z.array(z.uuid()).min(1).max(1000).refine(unique, 'must not repeat a case id').optional(),
      /** Only events whose (combined) phase is one of these. */
      phases: z.array(z.enum(PHASES)).min(1).refine(unique, 'must not repeat a phase').optional(),
    })
    .optional(),
});
export type CreateSubscriptionInput = z.output<typeof createSubscriptionSchema>;

export const DELIVERY_STATES = ['waiting', 'pending', 'delivering', 'delivered', 'dead'] as const;

export const listDeliveriesQuery = z.strictObject({
  state: z.enum(DELIVERY_STATES).default('dead'),
  subscription: z.uuid().optional(),
  page: z.string().optional(),
  pageSize: z.string().optional(),
});
