import * as z from 'zod';

/**
 * The event catalogue: every DetailType of contract.md §1, its zod schema and its name constant.
 * Rules, handlers, docs/events/*.json and the local runtime all read this module, so a name or a
 * field changes in exactly one place.
 */

export const CHANNELS = [
  'web',
  'mobile',
  'call_center',
  'branch',
  'email',
  'mail',
  'sms',
  'sales_force',
  'billing',
  'core_banking',
] as const;
export const PRODUCT_LINES = [
  'credit_card',
  'mortgage',
  'home_equity',
  'savings',
  'checking',
  'investment',
  'personal_loan',
  'insurance',
] as const;
export const CLOSURE_REASONS = [
  'fees',
  'service',
  'competitor_offer',
  'rates',
  'moved',
  'deceased',
  'other',
  'unknown',
] as const;
export const FEE_TYPES = [
  'late_payment',
  'over_limit',
  'annual',
  'overdraft',
  'maintenance',
  'other',
] as const;
export const COMPLAINT_CATEGORIES = ['fees', 'service', 'product', 'rates', 'fraud', 'other'] as const;
export const SEVERITIES = ['low', 'medium', 'high'] as const;
export const INTERACTION_KINDS = [
  'call',
  'visit',
  'web_session',
  'email_open',
  'email_click',
  'sms_reply',
  'chat',
] as const;
export const CONTACT_CHANNELS = ['email', 'sms', 'phone', 'mail', 'push'] as const;
export const INTENTS = [
  'promote_credit',
  'debt_consolidation',
  'cross_sell',
  'retention_offer',
  'win_back_offer',
  'service_notice',
] as const;
export const TIERS = ['platinum', 'gold', 'silver', 'bronze'] as const;
export const WORKFLOWS = ['fee-review', 'retention', 'win-back'] as const;

export type Channel = (typeof CHANNELS)[number];
export type ProductLine = (typeof PRODUCT_LINES)[number];
export type ContactChannel = (typeof CONTACT_CHANNELS)[number];
export type Intent = (typeof INTENTS)[number];
export type Tier = (typeof TIERS)[number];
export type Workflow = (typeof WORKFLOWS)[number];

/** Source of every event Rapport itself puts on the bus; producers may not use it. */
export const RAPPORT_SOURCE = 'rapport';

export const DetailTypes = {
  CustomerProfileUpdated: 'Customer Profile Updated',
  AccountOpened: 'Account Opened',
  AccountClosed: 'Account Closed',
  StatementIssued: 'Statement Issued',
  FeeAssessed: 'Fee Assessed',
  ComplaintLogged: 'Complaint Logged',
  ClosureRequested: 'Closure Requested',
  InteractionRecorded: 'Interaction Recorded',
  OfferResponded: 'Offer Responded',
  ContactPreferencesChanged: 'Contact Preferences Changed',
  // Emitted by Rapport.
  FeeReviewDecided: 'Fee Review Decided',
  CreditLimitReviewSuggested: 'Credit Limit Review Suggested',
  ContactRequested: 'Contact Requested',
  CustomerDefected: 'Customer Defected',
  CustomerWonBack: 'Customer Won Back',
  RetentionOutcome: 'Retention Outcome',
} as const;

// ---- field types ---------------------------------------------------------------------------------

const id = z.string().min(1).max(128);

/** Major currency unit with at most two decimals: 29.00 is fine, 29.001 is not. */
export const money = z
  .number()
  .finite()
  .refine((v) => Math.abs(v * 100 - Math.round(v * 100)) < 1e-6, 'at most 2 decimals');

export const currency = z
  .string()
  .regex(/^[A-Z]{3}$/, 'ISO 4217 code such as USD')
  .default('USD');

/** ISO-8601 date-time with an offset or Z (what EventBridge producers send). */
export const isoDateTime = z.iso.datetime({ offset: true });
export const isoDate = z.iso.date();

export const E164 = /^\+[1-9]\d{1,14}$/;
/** Producers format phones loosely; spaces, dots, dashes and brackets are dropped before the E.164 check. */
export const phone = z
  .string()
  .transform((v) => v.replace(/[\s().-]/g, ''))
  .pipe(z.string().regex(E164, 'E.164 phone number such as +14155550100'));

export const email = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: 'email address' }));

export const customerRef = z
  .object({
    customerId: id.optional(),
    email: email.optional(),
    phone: phone.optional(),
    accountId: id.optional(),
  })
  .refine((c) => c.customerId ?? c.email ?? c.phone ?? c.accountId, {
    message: 'at least one of customerId, email, phone, accountId',
  });

export const commonDetail = z.object({
  eventId: id,
  occurredAt: isoDateTime,
  channel: z.enum(CHANNELS),
  customer: customerRef,
});

const timeZone = z.string().refine(isValidTimeZone, 'IANA time zone such as Europe/Paris');
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM');

export const preferencesBody = z.object({
  preferences: z
    .array(
      z.object({
        productLine: z.union([z.enum(PRODUCT_LINES), z.literal('*')]),
        channels: z.array(z.enum(CONTACT_CHANNELS)),
        optOut: z.boolean().optional(),
      }),
    )
    .min(1),
  quietHours: z.object({ start: hhmm, end: hhmm }).optional(),
  timeZone: timeZone.optional(),
});

// ---- channel events ------------------------------------------------------------------------------

export const channelEventSchemas = {
  [DetailTypes.CustomerProfileUpdated]: commonDetail.extend({
    name: z.string().min(1).max(200).optional(),
    email: email.optional(),
    phone: phone.optional(),
    timeZone: timeZone.optional(),
  }),
  [DetailTypes.AccountOpened]: commonDetail.extend({
    productLine: z.enum(PRODUCT_LINES),
    accountId: id,
  }),
  [DetailTypes.AccountClosed]: commonDetail.extend({
    productLine: z.enum(PRODUCT_LINES),
    accountId: id,
    reason: z.enum(CLOSURE_REASONS),
  }),
  [DetailTypes.StatementIssued]: commonDetail.extend({
    productLine: z.enum(PRODUCT_LINES),
    accountId: id,
    periodEnd: isoDate,
    balance: money,
    creditLimit: money.optional(),
    revenue: money,
    costToServe: money,
    daysLate: z.number().int().min(0),
  }),
  [DetailTypes.FeeAssessed]: commonDetail.extend({
    feeId: id,
    productLine: z.enum(PRODUCT_LINES),
    accountId: id,
    feeType: z.enum(FEE_TYPES),
    amount: money.refine((v) => v > 0, 'greater than 0'),
    currency,
  }),
  [DetailTypes.ComplaintLogged]: commonDetail.extend({
    complaintId: id,
    category: z.enum(COMPLAINT_CATEGORIES),
    severity: z.enum(SEVERITIES),
    productLine: z.enum(PRODUCT_LINES).optional(),
  }),
  [DetailTypes.ClosureRequested]: commonDetail.extend({
    productLine: z.enum(PRODUCT_LINES),
    accountId: id,
    reason: z.enum(CLOSURE_REASONS).optional(),
  }),
  [DetailTypes.InteractionRecorded]: commonDetail.extend({
    interactionId: id,
    kind: z.enum(INTERACTION_KINDS),
    topic: z.string().max(200).optional(),
    sentiment: z.number().min(-1).max(1).optional(),
  }),
  [DetailTypes.OfferResponded]: commonDetail.extend({
    offerId: id,
    response: z.enum(['accepted', 'declined']),
  }),
  [DetailTypes.ContactPreferencesChanged]: commonDetail.extend(preferencesBody.shape),
} as const;

export type ChannelDetailType = keyof typeof channelEventSchemas;
export const CHANNEL_DETAIL_TYPES = Object.keys(channelEventSchemas) as ChannelDetailType[];
export type ChannelDetail<T extends ChannelDetailType> = z.output<(typeof channelEventSchemas)[T]>;

/** A parsed channel event: the detail-type tags the detail, so `switch (e.type)` narrows it. */
export type ChannelEvent = {
  [T in ChannelDetailType]: { type: T; source: string; detail: ChannelDetail<T> };
}[ChannelDetailType];

// ---- events Rapport emits ------------------------------------------------------------------------

export const rapportEventSchemas = {
  [DetailTypes.FeeReviewDecided]: z.object({
    feeId: id,
    customerId: id,
    decision: z.enum(['waive', 'keep']),
    amount: money,
    decidedBy: z.string().min(1),
    reasons: z.array(z.string()),
  }),
  [DetailTypes.CreditLimitReviewSuggested]: z.object({
    customerId: id,
    accountId: id,
    reasons: z.array(z.string()),
  }),
  [DetailTypes.ContactRequested]: z.object({
    contactId: id,
    customerId: id,
    channel: z.enum(CONTACT_CHANNELS),
    productLine: z.union([z.enum(PRODUCT_LINES), z.literal('*')]),
    intent: z.enum(INTENTS),
    offerId: id.optional(),
    workflow: z.enum(WORKFLOWS).optional(),
    runId: z.string().optional(),
    /** Added to the contract: set when quiet hours delay the contact; deliver at or after it, not before. */
    scheduledFor: isoDateTime
      .optional()
      .describe('Set when quiet hours delay the contact: deliver at or after this instant, not before.'),
  }),
  [DetailTypes.CustomerDefected]: z.object({ customerId: id, reason: z.enum(CLOSURE_REASONS) }),
  [DetailTypes.CustomerWonBack]: z.object({ customerId: id, runId: z.string() }),
  [DetailTypes.RetentionOutcome]: z.object({
    customerId: id,
    runId: z.string(),
    outcome: z.enum(['saved', 'lost', 'no_response', 'control']),
  }),
} as const;

export type RapportDetailType = keyof typeof rapportEventSchemas;
export type RapportDetail<T extends RapportDetailType> = z.output<(typeof rapportEventSchemas)[T]>;

export function isChannelDetailType(value: string): value is ChannelDetailType {
  return Object.hasOwn(channelEventSchemas, value);
}

/** True for an IANA zone this runtime knows (Intl throws RangeError for the rest). */
export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
