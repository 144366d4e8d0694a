import type { CustomerValue } from '../customer-file/value';
import { type FEE_TYPES, type ProductLine, TIERS, type Tier } from '../shared/events';
import type { Settings } from '../shared/settings';

/**
 * The fee review decision table of product.md, as a pure function. Rows are tried in order and the
 * first that matches decides; the reasons are the conditions of the deciding row (or, for a review,
 * why neither automatic row matched), worded as stable sentences because they travel to billing in the
 * `Fee Review Decided` event and to the reviewer's screen.
 *
 * | row | condition | outcome |
 * |---|---|---|
 * | 1 | tier in autoWaiveTiers, late12 ≤ autoWaiveMaxLate12, amount ≤ share × annual profit | waive |
 * | 2 | tier bronze, and late12 ≥ autoKeepMinLate12 or the fee is annual | keep |
 * | 3 | anything else | review |
 */

export type Fee = {
  feeId: string;
  feeType: (typeof FEE_TYPES)[number];
  amount: number;
  productLine: ProductLine;
  accountId: string;
};

export type FeeReviewInput = {
  fee: Fee;
  value: Pick<CustomerValue, 'tier' | 'annualProfit' | 'paymentHistory'>;
  /**
   * Fees waived for this customer before. The table does not use it (product.md decides on the
   * relationship, not on a waiver quota); it is carried so the reviewer sees it beside the decision.
   */
  earlierWaivers: number;
};

export type Authority = 'service_rep' | 'service_manager';

export type FeeReviewDecision = {
  outcome: 'waive' | 'keep' | 'review';
  reasons: string[];
  suggestCreditLimitReview: boolean;
  creditLimitReasons: string[];
  /** What a review that nobody decides before its deadline turns into. */
  timeoutDecision: 'waive' | 'keep';
  /** The least authority that may decide this fee in a review. */
  requiredAuthority: Authority;
};

type Condition = { holds: boolean; reason: string };

function condition(holds: boolean, ifTrue: string, ifFalse: string): Condition {
  return { holds, reason: holds ? ifTrue : ifFalse };
}

export function reviewFee(input: FeeReviewInput, settings: Settings): FeeReviewDecision {
  const { fee, value } = input;
  const rules = settings.feeReview;
  const late12 = value.paymentHistory.late12;
  const autoWaiveTiers = listOr(rules.autoWaiveTiers);
  const late = `${lateStatements(late12)} in 12 months`;
  const maxShare = rules.autoWaiveMaxShareOfAnnualProfit;
  const share = `${percent(maxShare)} of annual profit ${money(value.annualProfit)}`;

  const waiveRow: Condition[] = [
    condition(
      rules.autoWaiveTiers.includes(value.tier),
      `tier ${value.tier} is ${autoWaiveTiers}`,
      rules.autoWaiveTiers.length === 0
        ? 'no tier is waived automatically'
        : `tier ${value.tier} is not ${autoWaiveTiers}`,
    ),
    condition(
      late12 <= rules.autoWaiveMaxLate12,
      `${late} (at most ${rules.autoWaiveMaxLate12})`,
      `${late} (more than ${rules.autoWaiveMaxLate12})`,
    ),
    condition(
      withinShareOfProfit(fee.amount, value.annualProfit, maxShare),
      `fee ${money(fee.amount)} is at most ${share}`,
      `fee ${money(fee.amount)} is more than ${share}`,
    ),
  ];

  const manyLate = late12 >= rules.autoKeepMinLate12;
  const annual = fee.feeType === 'annual';
  const keepTier = condition(value.tier === 'bronze', 'tier bronze', `tier ${value.tier} is not bronze`);
  // Row 2 is "bronze and (many late or annual)": the disjunction is one condition, and when it holds
  // only its true parts are reasons.
  const keepCause = condition(
    manyLate || annual,
    [manyLate ? `${late} (at least ${rules.autoKeepMinLate12})` : '', annual ? 'fee type annual' : '']
      .filter(Boolean)
      .join(' and '),
    `${late} (fewer than ${rules.autoKeepMinLate12}) and fee type ${fee.feeType} is not annual`,
  );
  const keepRow: Condition[] = [keepTier, keepCause];

  const silverOrBetter = TIERS.indexOf(value.tier) <= TIERS.indexOf('silver');
  const overLimit = fee.feeType === 'over_limit';
  const common = {
    suggestCreditLimitReview: overLimit && silverOrBetter,
    creditLimitReasons:
      overLimit && silverOrBetter ? ['fee type over_limit', `tier ${value.tier} is silver or better`] : [],
    timeoutDecision: silverOrBetter ? ('waive' as const) : ('keep' as const),
    requiredAuthority: authorityFor(fee.amount, settings),
  };

  if (waiveRow.every((c) => c.holds)) {
    return { outcome: 'waive', reasons: waiveRow.map((c) => c.reason), ...common };
  }
  if (keepRow.every((c) => c.holds)) {
    return { outcome: 'keep', reasons: keepRow.map((c) => c.reason), ...common };
  }
  return {
    outcome: 'review',
    reasons: [
      ...waiveRow.filter((c) => !c.holds).map((c) => `not waived automatically: ${c.reason}`),
      ...keepRow.filter((c) => !c.holds).map((c) => `not kept automatically: ${c.reason}`),
    ],
    ...common,
  };
}

/** The least authority for a fee: a rep up to the rep limit (inclusive), a manager above it. */
export function authorityFor(amount: number, settings: Settings): Authority {
  return cents(amount) <= cents(settings.feeReview.repAuthorityLimit) ? 'service_rep' : 'service_manager';
}

/** Whether a caller with these Cognito groups may decide a review of this amount. */
export function canDecide(groups: readonly string[], amount: number, settings: Settings): boolean {
  if (groups.includes('service_manager')) return true;
  return groups.includes('service_rep') && authorityFor(amount, settings) === 'service_rep';
}

// ---- wording -------------------------------------------------------------------------------------

/**
 * Compared in cents with a sub-cent tolerance: 10% of 290.00 is 29.000000000000004 in floating point,
 * and a 29.00 fee must count as within it.
 */
function withinShareOfProfit(amount: number, annualProfit: number, share: number): boolean {
  return cents(amount) <= share * cents(annualProfit) + 1e-6;
}

function cents(amount: number): number {
  return Math.round(amount * 100);
}

function money(amount: number): string {
  return (cents(amount) / 100 + 0).toFixed(2);
}

function percent(share: number): string {
  return `${Number((share * 100).toFixed(2))}%`;
}

function lateStatements(n: number): string {
  return `${n} late ${n === 1 ? 'statement' : 'statements'}`;
}

/** "platinum or gold", "platinum, gold or silver": best tier first, whatever the setting's order. */
function listOr(tiers: readonly Tier[]): string {
  const sorted = TIERS.filter((t) => tiers.includes(t));
  const last = sorted.pop();
  return sorted.length === 0 ? (last ?? '') : `${sorted.join(', ')} or ${last}`;
}
