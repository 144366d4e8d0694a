import * as z from 'zod';

/**
 * The policy numbers of product.md, in one place. Every number is a setting: admins change them
 * through PUT /settings/{name}; domain modules receive a `Settings` value and never read defaults
 * themselves, so tests can vary any number.
 */
export const settingsSchema = z.object({
  /** Value tiers by annual profit (major currency units). Below `silver` is bronze. */
  tiers: z.object({
    platinum: z.number(),
    gold: z.number(),
    silver: z.number(),
  }),
  /** Lifetime value = annualProfit × r / (1 + d − r). */
  lifetimeValue: z
    .object({
      retentionRate: z.number().min(0).max(1),
      discountRate: z.number().min(0).max(1),
    })
    // r / (1 + d − r) is infinite or negative otherwise, and every customer's value would fail.
    .refine((v) => 1 + v.discountRate - v.retentionRate > 0, 'retentionRate must be below 1 + discountRate'),
  feeReview: z.object({
    autoWaiveTiers: z.array(z.enum(['platinum', 'gold', 'silver', 'bronze'])),
    autoWaiveMaxLate12: z.number().int().min(0),
    autoWaiveMaxShareOfAnnualProfit: z.number().min(0),
    autoKeepMinLate12: z.number().int().min(0),
    /** Largest fee a service rep may decide; a manager decides any amount. */
    repAuthorityLimit: z.number().min(0),
    deadlineHours: z.number().positive(),
  }),
  churnRisk: z.object({
    closureRequested: z.number(),
    complaintHigh: z.number(),
    complaintMedium: z.number(),
    otherProductClosed90d: z.number(),
    balancesDown50Over3Statements: z.number(),
    competitorInteraction: z.number(),
    negativeSentiment: z.number(),
    negativeSentimentThreshold: z.number().min(-1).max(1),
    retentionThreshold: z.number().min(0).max(1),
  }),
  offers: z.object({
    maxShareOfLifetimeValue: z.number().min(0).max(1),
  }),
  controlGroupShare: z.number().min(0).max(1),
  contactPolicy: z.object({
    caps: z.array(z.object({ days: z.number().int().positive(), max: z.number().int().min(0) })),
    quietHours: z.object({
      start: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/),
      end: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/),
    }),
    /** Pairs of intents that must not reach one customer within `days` of each other. */
    intentConflicts: z.array(
      z.object({ intents: z.tuple([z.string(), z.string()]), days: z.number().int().positive() }),
    ),
    defaultTimeZone: z.string(),
  }),
  waits: z.object({
    retentionAnswerDays: z.number().positive(),
    winBackCoolingOffDays: z.number().positive(),
    winBackOffers: z.number().int().min(0),
    winBackOfferIntervalDays: z.number().positive(),
    wonBackWithinDays: z.number().positive(),
    campaignCooldownDays: z.number().min(0),
  }),
});

export type Settings = z.infer<typeof settingsSchema>;

export const defaultSettings: Settings = {
  tiers: { platinum: 2000, gold: 500, silver: 0 },
  lifetimeValue: { retentionRate: 0.85, discountRate: 0.1 },
  feeReview: {
    autoWaiveTiers: ['platinum', 'gold'],
    autoWaiveMaxLate12: 1,
    autoWaiveMaxShareOfAnnualProfit: 0.1,
    autoKeepMinLate12: 3,
    repAuthorityLimit: 100,
    deadlineHours: 48,
  },
  churnRisk: {
    closureRequested: 0.6,
    complaintHigh: 0.3,
    complaintMedium: 0.15,
    otherProductClosed90d: 0.2,
    balancesDown50Over3Statements: 0.2,
    competitorInteraction: 0.2,
    negativeSentiment: 0.1,
    negativeSentimentThreshold: -0.5,
    retentionThreshold: 0.7,
  },
  offers: { maxShareOfLifetimeValue: 0.2 },
  controlGroupShare: 0.1,
  contactPolicy: {
    caps: [
      { days: 7, max: 2 },
      { days: 30, max: 4 },
    ],
    quietHours: { start: '21:00', end: '08:00' },
    intentConflicts: [{ intents: ['promote_credit', 'debt_consolidation'], days: 30 }],
    defaultTimeZone: 'America/New_York',
  },
  waits: {
    retentionAnswerDays: 7,
    winBackCoolingOffDays: 30,
    winBackOffers: 3,
    winBackOfferIntervalDays: 14,
    wonBackWithinDays: 180,
    campaignCooldownDays: 90,
  },
};
