import { factsOf } from '../customer-file/summary';
import { type CustomerValue, customerValue } from '../customer-file/value';
import { type DetailTypes, type RapportDetail, TIERS } from '../shared/events';
import type { Settings } from '../shared/settings';
import { type Authority, reviewFee } from './policy';
import { REVIEW_MAX_HOURS, type RunFee } from './workflow';

/**
 * The Assess step of the fee review, as a pure function of the customer's items: the whole
 * relationship (value, payment history, earlier waivers), the decision table's answer, and
 * everything the later steps store or send already composed (the event detail, the reasons as a
 * DynamoDB list, the default a review falls back to), so those steps are direct DynamoDB and
 * EventBridge integrations with no Lambda in between.
 */

type Item = Record<string, unknown> & { pk: string; sk: string };

export type FeeReviewDecided = RapportDetail<typeof DetailTypes.FeeReviewDecided>;

/** A decision ready to record and emit: the event detail, and its reasons as a DynamoDB list. */
export type Decided = { detail: FeeReviewDecided; reasonsAttribute: { S: string }[] };

/** What a reviewer sees of the customer beside the fee (contract.md, pending review `customer`). */
export type CustomerSummary = {
  tier: CustomerValue['tier'];
  annualProfit: number;
  lifetimeValue: number;
  products: CustomerValue['products'];
  paymentHistory: CustomerValue['paymentHistory'];
  earlierWaivers: number;
};

export type ReviewPlan = {
  reviewId: string;
  deadline: string;
  /** The callback task's timeout: the deadline, in whole seconds from now. */
  timeoutSeconds: number;
  requiredAuthority: Authority;
  /** Why the decision table sent the fee to a person. */
  reasons: string[];
  customer: CustomerSummary;
  /** The decision the run takes if nobody decides before the deadline. */
  onTimeout: Decided;
};

export type Assessment = {
  /** The customer's current id (a merge may have happened since the run started). */
  customerId: string;
  outcome: 'waive' | 'keep' | 'review';
  reasons: string[];
  customer: CustomerSummary;
  creditLimit: { suggest: boolean; reasons: string[] };
  /** Set for an automatic outcome. */
  decided?: Decided;
  /** Set when a person decides. */
  review?: ReviewPlan;
};

export type AssessArgs = {
  runId: string;
  customerId: string;
  fee: RunFee;
  items: Item[];
  settings: Settings;
  /** The relationship is valued as of the run's start, so a retried Assess decides the same. */
  asOf: Date;
  /** The review deadline counts from when the review opens, which is now. */
  now: Date;
};

export function assessFee(args: AssessArgs): Assessment {
  const { fee, settings } = args;
  const value = customerValue(factsOf(args.items), settings, args.asOf);
  const earlierWaivers = args.items.filter(
    (i) => i.kind === 'fee' && i.decision === 'waive' && i.feeId !== fee.feeId,
  ).length;
  const decision = reviewFee({ fee, value, earlierWaivers }, settings);
  const customer: CustomerSummary = {
    tier: value.tier,
    annualProfit: value.annualProfit,
    lifetimeValue: value.lifetimeValue,
    products: value.products,
    paymentHistory: value.paymentHistory,
    earlierWaivers,
  };
  const decide = (outcome: 'waive' | 'keep', decidedBy: string, reasons: string[]): Decided => ({
    detail: {
      feeId: fee.feeId,
      customerId: args.customerId,
      decision: outcome,
      amount: fee.amount,
      decidedBy,
      reasons,
    },
    reasonsAttribute: toStringList(reasons),
  });
  const base = {
    customerId: args.customerId,
    reasons: decision.reasons,
    customer,
    creditLimit: { suggest: decision.suggestCreditLimitReview, reasons: decision.creditLimitReasons },
  };
  if (decision.outcome !== 'review') {
    return {
      ...base,
      outcome: decision.outcome,
      decided: decide(decision.outcome, 'policy', decision.reasons),
    };
  }

  const hours = Math.min(settings.feeReview.deadlineHours, REVIEW_MAX_HOURS);
  const timeoutSeconds = Math.max(1, Math.ceil(hours * 3600));
  const deadline = new Date(args.now.getTime() + timeoutSeconds * 1000).toISOString();
  const silverOrBetter = TIERS.indexOf(value.tier) <= TIERS.indexOf('silver');
  const timeoutReasons = [
    `no decision by the deadline ${deadline}`,
    `default for tier ${value.tier} (${silverOrBetter ? 'silver or better' : 'below silver'}): ${decision.timeoutDecision}`,
  ];
  return {
    ...base,
    outcome: 'review',
    review: {
      // One review per run: a retried "Open review" overwrites its own item instead of adding one.
      reviewId: args.runId,
      deadline,
      timeoutSeconds,
      requiredAuthority: decision.requiredAuthority,
      reasons: decision.reasons,
      customer,
      onTimeout: decide(decision.timeoutDecision, 'timeout', timeoutReasons),
    },
  };
}

/**
 * Reasons as a DynamoDB list of strings (`[{ S: '...' }]`): Step Functions' DynamoDB tasks take
 * attribute values, and JSONPath has no function that turns a JSON array into one.
 */
function toStringList(values: readonly string[]): { S: string }[] {
  return values.map((S) => ({ S }));
}
