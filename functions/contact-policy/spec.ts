import * as z from 'zod';
import { CONTACT_CHANNELS, INTENTS, PRODUCT_LINES, WORKFLOWS } from '../shared/events';
import type { RouteSpec } from '../shared/http';
import type { SuppressionReason } from './policy';

// A Record keyed by the policy's union makes the compiler reject a reason added there but not here.
const reasons: Record<SuppressionReason, true> = {
  opt_out: true,
  frequency_cap: true,
  intent_conflict: true,
  control_group: true,
  no_channel: true,
};
export const SUPPRESSION_REASONS = Object.keys(reasons) as [SuppressionReason, ...SuppressionReason[]];

const id = z.string().min(1).max(128);

/** POST /contacts body (contract.md §2), plus the optional idempotency key `requestId`. */
export const contactRequestBody = z.object({
  customerId: id,
  productLine: z.union([z.enum(PRODUCT_LINES), z.literal('*')]),
  intent: z.enum(INTENTS),
  channel: z
    .enum(CONTACT_CHANNELS)
    .optional()
    .describe('The channel the department would like; the customer’s own choice wins.'),
  department: z.string().trim().min(1).max(64),
  service: z
    .boolean()
    .optional()
    .describe('A service notice: exempt from frequency caps, marketing opt-outs and control groups.'),
  workflow: z.enum(WORKFLOWS).optional(),
  requestId: id
    .optional()
    .describe(
      'Idempotency key: a retry with the same requestId returns the decision already made and is not counted again.',
    ),
});

/**
 * What a workflow passes when it invokes the request-contact function directly (Step Functions
 * Lambda task): the HTTP body plus the run and offer the contact belongs to.
 */
export const contactRequestPayload = contactRequestBody.extend({
  runId: id.optional(),
  offerId: id.optional(),
});

export const contactDecisionResponse = z.object({
  contactId: z.string(),
  status: z.enum(['sent', 'suppressed', 'scheduled']),
  channel: z.enum(CONTACT_CHANNELS).optional(),
  reason: z.enum(SUPPRESSION_REASONS).optional(),
  conflictsWith: z.string().optional().describe('The earlier contact an intent conflict clashes with.'),
  scheduledFor: z.string().optional().describe('When quiet hours end and the scheduled contact goes out.'),
  detail: z.string().optional().describe('Why, in words: the rule and the numbers that decided.'),
});

export const postContact = {
  method: 'POST',
  path: '/contacts',
  summary: 'Ask the contact policy before contacting a customer; every decision is logged with its reason',
  access: ['marketer'],
  body: contactRequestBody,
  responses: {
    200: {
      description: 'The decision: sent, scheduled for after quiet hours, or suppressed with a reason',
      schema: contactDecisionResponse,
    },
    400: { description: 'Invalid body; each bad field is named' },
    404: { description: 'Unknown customer' },
    409: { description: 'The requestId was already used for a different request' },
    503: {
      description:
        'Decided but not handed to the channel systems, or the log was too busy; retry with the same requestId',
    },
  },
} as const satisfies RouteSpec;
