import * as z from 'zod';
import { FEE_TYPES, PRODUCT_LINES, TIERS } from '../shared/events';
import type { RouteSpec } from '../shared/http';

const page = {
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(2048).optional(),
};

export const reviewCustomer = z.object({
  tier: z.enum(TIERS),
  annualProfit: z.number(),
  lifetimeValue: z.number().optional(),
  products: z.array(
    z.object({
      productLine: z.enum(PRODUCT_LINES),
      accountId: z.string(),
      status: z.enum(['open', 'closed']),
      annualProfit: z.number(),
    }),
  ),
  paymentHistory: z.object({ statements12: z.number().int(), late12: z.number().int() }),
  earlierWaivers: z.number().int().describe('Fees of this customer waived before this one.'),
});

/** A pending review as contract.md §2 lists it, plus why it needs a person and who may decide. */
export const pendingReview = z.object({
  reviewId: z.string(),
  runId: z.string(),
  customerId: z.string(),
  feeId: z.string(),
  feeType: z.enum(FEE_TYPES),
  amount: z.number(),
  currency: z.string().optional(),
  productLine: z.enum(PRODUCT_LINES).optional(),
  accountId: z.string().optional(),
  deadline: z.string().describe('After this instant the run takes the default decision.'),
  requiredAuthority: z
    .enum(['service_rep', 'service_manager'])
    .describe(
      'The least group that may decide this fee: a rep up to the rep authority limit, else a manager.',
    ),
  reasons: z.array(z.string()).describe('Why the decision table sent the fee to a person.'),
  customer: reviewCustomer,
});
export type PendingReview = z.infer<typeof pendingReview>;

export const listReviews = {
  method: 'GET',
  path: '/reviews',
  summary: 'Pending fee reviews, soonest deadline first, each with the customer summary',
  access: ['service_rep', 'service_manager'],
  query: z.object({ status: z.enum(['pending']).default('pending'), ...page }),
  responses: {
    200: {
      description: 'A page of pending reviews',
      schema: z.object({ items: z.array(pendingReview), nextCursor: z.string().optional() }),
    },
  },
} as const satisfies RouteSpec;

export const decisionBody = z.object({
  decision: z.enum(['waive', 'keep']),
  note: z.string().trim().min(1, "say why: the note becomes the decision's reason").max(1000),
});

export const decideReview = {
  method: 'POST',
  path: '/reviews/{reviewId}/decision',
  summary: 'Decide a pending fee review and resume its run',
  access: ['service_rep', 'service_manager'],
  params: z.object({ reviewId: z.string().min(1).max(128) }),
  body: decisionBody,
  responses: {
    200: {
      description: 'Decided; the run records it, tells billing and continues',
      schema: z.object({
        reviewId: z.string(),
        runId: z.string(),
        decision: z.enum(['waive', 'keep']),
        decidedBy: z.string(),
        note: z.string(),
        decidedAt: z.string(),
      }),
    },
    403: {
      description: 'The fee is above the caller’s authority (a service rep decides up to the rep limit)',
    },
    404: { description: 'No such review' },
    409: { description: 'Already decided, or closed (deadline passed, run stopped)' },
  },
} as const satisfies RouteSpec;

export const reviewRoutes = [listReviews, decideReview] as const;
