/**
 * Key builders for the single table. docs/data-model.md lists the access patterns these serve.
 * Keys are readable strings (`CUST#c-123` / `PRODUCT#credit_card#a-9`) because Step Functions direct
 * integrations and people in the console read them too. Nothing else in the code base writes a key
 * by hand.
 */

export const GSI = {
  /** Listings by category: tier segments, pending reviews, quarantine, runs by campaign. */
  byCategory: { name: 'gsi1', pk: 'gsi1pk', sk: 'gsi1sk' },
  /** Customers by status, ordered by churn risk. */
  byStatus: { name: 'gsi2', pk: 'gsi2pk', sk: 'gsi2sk' },
  /** Customers by product line they hold. */
  byProductLine: { name: 'gsi3', pk: 'gsi3pk', sk: 'gsi3sk' },
} as const;

/** Epoch seconds; DynamoDB deletes items whose TTL attribute has passed. */
export const TTL_ATTRIBUTE = 'expiresAt';

export type Key = { pk: string; sk: string };

export type IdentityKind = 'customerId' | 'email' | 'phone' | 'accountId';

const customerPk = (customerId: string) => `CUST#${customerId}`;

export const keys = {
  customerPk,
  /** The customer's summary: tier, profit, churn risk, status; the item the segment indexes point at. */
  profile: (customerId: string): Key => ({ pk: customerPk(customerId), sk: 'PROFILE' }),
  preferences: (customerId: string): Key => ({ pk: customerPk(customerId), sk: 'PREFS' }),
  /** Name, email, phone and time zone as the channels last reported them, each with its own time. */
  details: (customerId: string): Key => ({ pk: customerPk(customerId), sk: 'DETAILS' }),
  /** The customer's side of an identity link, so the summary can list identities without a scan. */
  identityLink: (customerId: string, kind: IdentityKind, value: string): Key => ({
    pk: customerPk(customerId),
    sk: `IDENTITY#${kind}#${value}`,
  }),
  /** Lineage: the survivor of a merge keeps one item per customer merged into it. */
  merge: (customerId: string, mergedCustomerId: string): Key => ({
    pk: customerPk(customerId),
    sk: `MERGE#${mergedCustomerId}`,
  }),
  product: (customerId: string, productLine: string, accountId: string): Key => ({
    pk: customerPk(customerId),
    sk: `PRODUCT#${productLine}#${accountId}`,
  }),
  /** One statement per account and period, so a re-sent or late statement lands on the same item. */
  statement: (customerId: string, accountId: string, periodEnd: string): Key => ({
    pk: customerPk(customerId),
    sk: `STMT#${accountId}#${periodEnd}`,
  }),
  fee: (customerId: string, feeId: string): Key => ({ pk: customerPk(customerId), sk: `FEE#${feeId}` }),
  complaint: (customerId: string, complaintId: string): Key => ({
    pk: customerPk(customerId),
    sk: `COMPLAINT#${complaintId}`,
  }),
  closureRequest: (customerId: string, accountId: string): Key => ({
    pk: customerPk(customerId),
    sk: `CLOSURE#${accountId}`,
  }),
  interaction: (customerId: string, interactionId: string): Key => ({
    pk: customerPk(customerId),
    sk: `INTERACTION#${interactionId}`,
  }),
  offerResponse: (customerId: string, offerId: string): Key => ({
    pk: customerPk(customerId),
    sk: `OFFER#${offerId}`,
  }),
  /** Contact log, sorted by time so "contacts within a window" is one range query. */
  contact: (customerId: string, at: string, contactId: string): Key => ({
    pk: customerPk(customerId),
    sk: `CONTACT#${at}#${contactId}`,
  }),
  contactPrefix: (customerId: string) => ({ pk: customerPk(customerId), skPrefix: 'CONTACT#' }),
  /**
   * Per-customer version of the contact log: every send bumps it in the same transaction, so two
   * departments deciding at once cannot both pass a cap. Sorts outside `CONTACT#`.
   */
  contactLogVersion: (customerId: string): Key => ({ pk: customerPk(customerId), sk: 'CONTACTLOG' }),
  /** Idempotency marker of one keyed contact request, pointing at the contact it decided. */
  contactRequest: (customerId: string, contactId: string): Key => ({
    pk: customerPk(customerId),
    sk: `CONTACTREQ#${contactId}`,
  }),
  run: (customerId: string, workflow: string, runId: string): Key => ({
    pk: customerPk(customerId),
    sk: `RUN#${workflow}#${runId}`,
  }),
  /** The customer's runs, optionally of one workflow. */
  runPrefix: (customerId: string, workflow?: string) => ({
    pk: customerPk(customerId),
    skPrefix: workflow ? `RUN#${workflow}#` : 'RUN#',
  }),
  /** Identity link: one item per identifier, so two writers cannot claim the same email. */
  identity: (kind: IdentityKind, value: string): Key => ({ pk: `ID#${kind}#${value}`, sk: 'ID' }),
  /** A record of two customers that could not be merged (different core-banking ids). */
  identityConflict: (customerId: string, otherCustomerId: string): Key => ({
    pk: customerPk(customerId),
    sk: `CONFLICT#${otherCustomerId}`,
  }),
  review: (reviewId: string): Key => ({ pk: `REVIEW#${reviewId}`, sk: 'REVIEW' }),
  /** Keyed by a hash of the rejected event, so a redelivered bad event is quarantined once. */
  quarantine: (quarantineId: string): Key => ({ pk: `QUARANTINE#${quarantineId}`, sk: 'QUARANTINE' }),
  metricDay: (day: string, name: string): Key => ({ pk: `METRIC#${day}`, sk: name }),
  /** One item per changed setting; the defaults live in code. */
  settingsPk: 'SETTINGS',
  setting: (name: string): Key => ({ pk: 'SETTINGS', sk: name }),
} as const;

/** GSI key values. A null attribute leaves the item out of that (sparse) index. */
export const indexKeys = {
  tierSegment: (tier: string, churnScore: number, customerId: string) => ({
    gsi1pk: `TIER#${tier}`,
    gsi1sk: `${churnSortKey(churnScore)}#${customerId}`,
  }),
  statusSegment: (status: string, churnScore: number, customerId: string) => ({
    gsi2pk: `STATUS#${status}`,
    gsi2sk: `${churnSortKey(churnScore)}#${customerId}`,
  }),
  productLineSegment: (productLine: string, customerId: string) => ({
    gsi3pk: `LINE#${productLine}`,
    gsi3sk: customerId,
  }),
  pendingReviewsPk: 'REVIEWS#pending',
  pendingReview: (deadline: string, reviewId: string) => ({
    gsi1pk: 'REVIEWS#pending',
    gsi1sk: `${deadline}#${reviewId}`,
  }),
  identityConflict: (occurredAt: string, customerId: string) => ({
    gsi1pk: 'IDENTITY_CONFLICTS',
    gsi1sk: `${occurredAt}#${customerId}`,
  }),
  quarantinePk: 'QUARANTINE',
  quarantineList: (receivedAt: string, quarantineId: string) => ({
    gsi1pk: 'QUARANTINE',
    gsi1sk: `${receivedAt}#${quarantineId}`,
  }),
  campaignRun: (campaignId: string, runId: string) => ({
    gsi1pk: `CAMPAIGN#${campaignId}`,
    gsi1sk: runId,
  }),
} as const;

/**
 * Churn risk as a fixed-width string (0.000..1.000), so "churn risk at least 0.7" is a key condition
 * `gsi1sk >= "0.700"` on the index rather than a filter.
 */
export function churnSortKey(score: number): string {
  const clamped = Math.min(1, Math.max(0, score));
  return clamped.toFixed(3);
}
