import * as z from 'zod';
import { PRODUCT_LINES, preferencesBody, TIERS } from '../shared/events';
import type { RouteSpec } from '../shared/http';

const customerIdParam = z.object({ id: z.string().min(1).max(128) });
const page = {
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(2048).optional(),
};
const listOf = (item: z.ZodType) => z.object({ items: z.array(item), nextCursor: z.string().optional() });

export const customerSummary = z.object({
  customerId: z.string(),
  status: z.enum(['active', 'defected']),
  tier: z.enum(TIERS),
  annualProfit: z.number(),
  churnRisk: z.number(),
  openLines: z.array(z.string()),
});

export const getCustomer = {
  method: 'GET',
  path: '/customers/{id}',
  summary: 'The 360 view of one customer (found by any id it has had, also after a merge)',
  access: 'any',
  params: customerIdParam,
  responses: { 200: { description: 'The 360 view' }, 404: { description: 'No such customer' } },
} as const satisfies RouteSpec;

export const listCustomers = {
  method: 'GET',
  path: '/customers',
  summary: 'Segment listing by tier, churn risk, product line and status, highest churn risk first',
  access: ['marketer', 'ops', 'admin'],
  query: z.object({
    tier: z.enum(TIERS).optional(),
    minChurnRisk: z.coerce.number().min(0).max(1).optional(),
    productLine: z.enum(PRODUCT_LINES).optional(),
    status: z.enum(['active', 'defected']).optional(),
    ...page,
  }),
  responses: { 200: { description: 'A page of customers', schema: listOf(customerSummary) } },
} as const satisfies RouteSpec;

export const getTimeline = {
  method: 'GET',
  path: '/customers/{id}/timeline',
  summary: "The customer's events and decisions, newest first",
  access: 'any',
  params: customerIdParam,
  query: z.object(page),
  responses: {
    200: {
      description: 'A page of timeline entries',
      schema: listOf(z.object({ at: z.string(), type: z.string(), summary: z.string(), ref: z.string() })),
    },
    404: { description: 'No such customer' },
  },
} as const satisfies RouteSpec;

export const putPreferences = {
  method: 'PUT',
  path: '/customers/{id}/preferences',
  summary: "Record the customer's contact preferences (same body as the event's preferences)",
  access: ['service_rep', 'service_manager', 'admin'],
  params: customerIdParam,
  body: preferencesBody,
  responses: {
    200: { description: 'The preferences now in force' },
    404: { description: 'No such customer' },
  },
} as const satisfies RouteSpec;

export const listQuarantine = {
  method: 'GET',
  path: '/quarantine',
  summary: 'Rejected channel events with their reasons, newest first; personal data and card numbers masked',
  access: ['ops', 'admin'],
  query: z.object(page),
  responses: {
    200: {
      description: 'A page of quarantined events',
      schema: listOf(
        z.object({
          quarantineId: z.string(),
          source: z.string(),
          detailType: z.string(),
          eventId: z.string().optional(),
          reasons: z.array(z.object({ field: z.string(), message: z.string() })),
          receivedAt: z.string(),
          detail: z.unknown(),
        }),
      ),
    },
  },
} as const satisfies RouteSpec;

export const customerFileRoutes = [
  getCustomer,
  listCustomers,
  getTimeline,
  putPreferences,
  listQuarantine,
] as const;
