import { z } from 'zod';
import { writtenText } from '../http/validate.ts';

export const listAssignmentsQuery = z.strictObject({
  state: z.enum(['open', 'closed']).optional(),
  page: z.string().optional(),
  pageSize: z.string().optional(),
});

export const setStatusSchema = z.strictObject({
  /** One of the product's status codes (422 naming the allowed ones otherwise). */
  status: z.string().min(1).max(63),
  /** Shown to the citizen with the status, as a ZGW statustoelichting is. */
  text: writtenText(1000).optional(),
});

export const MESSAGE_MAX = 4000;

export const messageSchema = z.strictObject({
  text: writtenText(MESSAGE_MAX),
  visibleToCitizen: z.boolean().default(false),
});
export type MessageInput = z.output<typeof messageSchema>;

/** PATCH .../messages/{messageId}: show a message (a mailed reply, say) to the customer, or stop showing it. */
export const messageVisibilitySchema = z.strictObject({ visibleToCitizen: z.boolean() });
