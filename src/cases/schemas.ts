import { z } from 'zod';
import { writtenText } from '../http/validate.ts';
import { CONFIDENTIALITY, PHASES } from './phases.ts';
import { isValidBsn, isValidKvk } from './identifiers.ts';

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((d) => !Number.isNaN(Date.parse(d)), 'must be a real date');

export const createCaseSchema = z.strictObject({
  title: writtenText(200),
  citizen: z.union(
    [
      z.strictObject({ bsn: z.string().refine(isValidBsn, 'must be a valid BSN (9 digits, elfproef)') }),
      z.strictObject({
        kvk: z.string().refine(isValidKvk, 'must be a KvK number of 8 digits'),
        vestiging: z
          .string()
          .regex(/^\d{12}$/, 'must be a vestigingsnummer of 12 digits')
          .optional(),
      }),
    ],
    { error: 'must be { "bsn": "…" } or { "kvk": "…", "vestiging"?: "…" }' },
  ),
  product: writtenText(100).optional(),
  confidentiality: z.enum(CONFIDENTIALITY).default('zaakvertrouwelijk'),
  reference: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/, 'letters, digits, . _ - (at most 40)')
    .optional(),
  plannedEndDate: isoDate.optional(),
  deadline: isoDate.optional(),
});
export type CreateCaseInput = z.output<typeof createCaseSchema>;

export const setPhaseSchema = z.strictObject({
  phase: z.enum(PHASES),
  text: writtenText(500).optional(),
});

const reference = z.strictObject({
  type: z.enum(['digital-post', 'letter', 'email', 'document', 'other']),
  id: writtenText(200),
});

export const addEventSchema = z.strictObject({
  kind: z.enum(['message', 'letter', 'note', 'appointment', 'other']),
  text: writtenText(1000).optional(),
  references: z.array(reference).max(20).default([]),
  at: z.iso.datetime({ offset: true }).optional(),
  citizenVisible: z.boolean().optional(),
});

export const placeOrderSchema = z.strictObject({
  subcontractor: z.string().min(1).max(63),
  product: z.string().min(1).max(63),
  description: z
    .string()
    .max(1000)
    .transform((s) => s.trim())
    .optional(),
  shareCitizen: z.boolean().default(false),
});

export const listCasesQuery = z.strictObject({
  // attention=true is the worklist (src/staff/routes.ts answers it before these routes); false is this plain list.
  attention: z.enum(['true', 'false']).optional(),
  phase: z.enum(PHASES).optional(),
  subcontractor: z.string().max(63).optional(),
  updatedSince: z.iso.datetime({ offset: true }).optional(),
  reference: z.string().max(40).optional(),
  page: z.string().optional(),
  pageSize: z.string().optional(),
});
