import * as z from 'zod';
import { CONTACT_CHANNELS, INTENTS, PRODUCT_LINES, preferencesBody, TIERS, WORKFLOWS } from './events';

/**
 * Item schemas of the single table (docs/data-model.md). Keys come from keys.ts; these schemas
 * describe the attributes around them and give the item types used by reads and writes.
 * Reads parse with these schemas so a malformed item fails where it is read, by name.
 */

const keyFields = { pk: z.string(), sk: z.string() };

/** The customer's summary: what segment listings and workflows need without reading every fact. */
export const profileItem = z.object({
  ...keyFields,
  customerId: z.string(),
  status: z.enum(['active', 'defected']),
  tier: z.enum(TIERS),
  annualProfit: z.number(),
  churnScore: z.number(),
  name: z.string().optional(),
  email: z.string().optional(),
  phone: z.string().optional(),
  timeZone: z.string().optional(),
  /** `kind:value` of every identifier linked to this customer, e.g. `email:ann@example.com`. */
  identities: z.array(z.string()),
  /** Product lines with an open account: the product-line listing filters on it. */
  openLines: z.array(z.string()).optional(),
  /** Set on the profile of a customer merged into another; reads follow it. */
  mergedInto: z.string().optional(),
  // Kept as a DynamoDB string set (ADD is idempotent); read back as a sorted array.
  mergedFrom: z.union([z.set(z.string()).transform((s) => [...s].sort()), z.array(z.string())]).optional(),
  /** Sum of the revisions of every fact this summary was computed from (see docs/data-model.md). */
  factsRev: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ProfileItem = z.infer<typeof profileItem>;

export const preferencesItem = z.object({
  ...keyFields,
  ...preferencesBody.shape,
  occurredAt: z.string(),
  updatedBy: z.string(),
});
export type PreferencesItem = z.infer<typeof preferencesItem>;

/** One decision of the contact policy, sent or not, with its reason. */
export const contactItem = z.object({
  ...keyFields,
  customerId: z.string(),
  contactId: z.string(),
  intent: z.enum(INTENTS),
  productLine: z.union([z.enum(PRODUCT_LINES), z.literal('*')]),
  channel: z.enum(CONTACT_CHANNELS).optional(),
  status: z.enum(['sent', 'suppressed', 'scheduled']),
  reason: z.string().optional(),
  detail: z.string().optional(),
  conflictsWith: z.string().optional(),
  scheduledFor: z.string().optional(),
  department: z.string(),
  service: z.boolean(),
  workflow: z.enum(WORKFLOWS).optional(),
  runId: z.string().optional(),
  offerId: z.string().optional(),
  at: z.string(),
});
export type ContactItem = z.infer<typeof contactItem>;
