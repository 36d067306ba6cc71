import { z } from 'zod';
import { KCC_PURPOSES } from '../access-log/access-log.ts';
import { isValidBsn, isValidKvk } from '../cases/identifiers.ts';
import { WORKLIST_REASONS, WORKLIST_SORTS } from './repository.ts';

const purpose = z.enum(KCC_PURPOSES);

/** The customer by BSN or KvK number (exactly one), and why: in the body, never in a URL. */
export const lookupSchema = z
  .strictObject({
    bsn: z.string().refine(isValidBsn, 'must be a valid BSN (9 digits, elfproef)').optional(),
    kvk: z.string().refine(isValidKvk, 'must be a KvK number of 8 digits').optional(),
    purpose,
  })
  .refine((b) => (b.bsn === undefined) !== (b.kvk === undefined), 'give exactly one of bsn and kvk')
  .transform((b) => (b.bsn !== undefined ? { bsn: b.bsn, purpose: b.purpose } : { kvk: b.kvk as string, purpose: b.purpose }));

export const worklistQuery = z.strictObject({
  attention: z.literal('true'),
  reason: z.enum(WORKLIST_REASONS).optional(),
  sort: z.enum(WORKLIST_SORTS).default('updated'),
  page: z.string().optional(),
  pageSize: z.string().optional(),
});

export const MAX_LEAD_TIME_DAYS = 366;
const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'must be a real date');

/** A period of whole days, at most MAX_LEAD_TIME_DAYS long; by default the last 30 days to today. */
export const leadTimesQuery = z
  .strictObject({
    from: day.optional(),
    to: day.optional(),
    groupBy: z.enum(['subcontractor', 'product']).default('subcontractor'),
  })
  .transform((q, ctx) => {
    const to = q.to ?? new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam' }).format(new Date());
    const from = q.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
    const span = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000 + 1;
    if (span < 1) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must not be after to' });
    else if (span > MAX_LEAD_TIME_DAYS) ctx.addIssue({ code: 'custom', path: ['from'], message: `the period is at most ${MAX_LEAD_TIME_DAYS} days` });
    return { from, to, groupBy: q.groupBy };
  });
