import { describe, expect, it } from 'vitest';
import { type CustomerFacts, customerValue, siloFlags } from '../../../functions/customer-file/value';
import {
  authorityFor,
  canDecide,
  type Fee,
  type FeeReviewDecision,
  type FeeReviewInput,
  reviewFee,
} from '../../../functions/fee-review/policy';
import type { Tier } from '../../../functions/shared/events';
import { defaultSettings, type Settings } from '../../../functions/shared/settings';

const asOf = new Date('2025-06-30T12:00:00Z');

function fee(feeType: Fee['feeType'], amount: number): Fee {
  return { feeId: `f-${feeType}-${amount}`, feeType, amount, productLine: 'credit_card', accountId: 'c1' };
}

function customer(
  tier: Tier,
  annualProfit: number,
  late12: number,
  statements12 = 12,
): FeeReviewInput['value'] {
  return { tier, annualProfit, paymentHistory: { statements12, late12 } };
}

function withFeeReview(overrides: Partial<Settings['feeReview']>): Settings {
  return { ...defaultSettings, feeReview: { ...defaultSettings.feeReview, ...overrides } };
}

/** 12 monthly statements of one account, ending June 2025; `late` gives days late per month, oldest first. */
function year(
  accountId: string,
  productLine: CustomerFacts['statements'][number]['productLine'],
  revenue: number,
  costToServe: number,
  late: number[] = [],
): CustomerFacts['statements'] {
  return Array.from({ length: 12 }, (_, i) => ({
    productLine,
    accountId,
    periodEnd: new Date(Date.UTC(2024, 6 + i, 28)).toISOString().slice(0, 10),
    balance: 2000,
    creditLimit: 5000,
    revenue,
    costToServe,
    daysLate: late[i] ?? 0,
  }));
}

describe('fee review policy: the seed stories', () => {
  // 003: a decade-long, profitable card holder, several days late once in a heavy travel month.
  const traveller = customerValue(
    {
      products: [
        { productLine: 'credit_card', accountId: 'c1', status: 'open', openedAt: '2014-03-01T00:00:00Z' },
      ],
      statements: year('c1', 'credit_card', 130, 25, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4]),
      complaints: [],
      closureRequests: [],
      interactions: [],
    },
    defaultSettings,
    asOf,
  );

  it('sees the loyal traveller as gold with one late statement', () => {
    expect(traveller.tier).toBe('gold');
    expect(traveller.annualProfit).toBe(1260);
    expect(traveller.paymentHistory).toEqual({ statements12: 12, late12: 1 });
  });

  it.each<{ fee: Fee; reasons: string[]; suggest: boolean }>([
    {
      fee: fee('late_payment', 29),
      reasons: [
        'tier gold is platinum or gold',
        '1 late statement in 12 months (at most 1)',
        'fee 29.00 is at most 10% of annual profit 1260.00',
      ],
      suggest: false,
    },
    {
      fee: fee('over_limit', 29),
      reasons: [
        'tier gold is platinum or gold',
        '1 late statement in 12 months (at most 1)',
        'fee 29.00 is at most 10% of annual profit 1260.00',
      ],
      suggest: true,
    },
    {
      fee: fee('annual', 50),
      reasons: [
        'tier gold is platinum or gold',
        '1 late statement in 12 months (at most 1)',
        'fee 50.00 is at most 10% of annual profit 1260.00',
      ],
      suggest: false,
    },
  ])('waives the loyal traveller’s $fee.feeType fee of $fee.amount', ({ fee: f, reasons, suggest }) => {
    const decision = reviewFee({ fee: f, value: traveller, earlierWaivers: 0 }, defaultSettings);
    expect(decision.outcome).toBe('waive');
    expect(decision.reasons).toEqual(reasons);
    expect(decision.suggestCreditLimitReview).toBe(suggest);
  });

  it('suggests a credit-limit review for the loyal traveller who went over the limit', () => {
    const decision = reviewFee(
      { fee: fee('over_limit', 29), value: traveller, earlierWaivers: 1 },
      defaultSettings,
    );
    expect(decision.creditLimitReasons).toEqual(['fee type over_limit', 'tier gold is silver or better']);
  });

  // 000: the card division's "unprofitable" customers were the bank's best mortgage and savings customers.
  it('waives a card fee for a customer who loses money on the card but is platinum overall', () => {
    const value = customerValue(
      {
        products: [
          { productLine: 'credit_card', accountId: 'c1', status: 'open' },
          { productLine: 'mortgage', accountId: 'm1', status: 'open' },
          { productLine: 'savings', accountId: 's1', status: 'open' },
        ],
        statements: [
          ...year('c1', 'credit_card', 2, 12),
          ...year('m1', 'mortgage', 180, 30),
          ...year('s1', 'savings', 40, 5),
        ],
        complaints: [],
        closureRequests: [],
        interactions: [],
      },
      defaultSettings,
      asOf,
    );
    expect(value.tier).toBe('platinum');
    expect(siloFlags(value).map((p) => p.accountId)).toEqual(['c1']);

    const decision = reviewFee({ fee: fee('annual', 50), value, earlierWaivers: 0 }, defaultSettings);
    expect(decision.outcome).toBe('waive');
    expect(decision.reasons).toEqual([
      'tier platinum is platinum or gold',
      '0 late statements in 12 months (at most 1)',
      'fee 50.00 is at most 10% of annual profit 2100.00',
    ]);
  });
});

describe('fee review policy: the decision table', () => {
  it.each<{
    name: string;
    fee: Fee;
    value: FeeReviewInput['value'];
    settings?: Settings;
    outcome: FeeReviewDecision['outcome'];
    reasons: string[];
  }>([
    {
      name: 'waives a first late fee for a gold customer',
      fee: fee('late_payment', 29),
      value: customer('gold', 1240, 1),
      outcome: 'waive',
      reasons: [
        'tier gold is platinum or gold',
        '1 late statement in 12 months (at most 1)',
        'fee 29.00 is at most 10% of annual profit 1240.00',
      ],
    },
    {
      name: 'waives a fee of exactly 10% of annual profit',
      fee: fee('maintenance', 123.45),
      value: customer('gold', 1234.5, 0),
      outcome: 'waive',
      reasons: [
        'tier gold is platinum or gold',
        '0 late statements in 12 months (at most 1)',
        'fee 123.45 is at most 10% of annual profit 1234.50',
      ],
    },
    {
      name: 'waives a platinum customer’s fee above the rep’s authority when it is small against profit',
      fee: fee('overdraft', 150),
      value: customer('platinum', 3000, 0),
      outcome: 'waive',
      reasons: [
        'tier platinum is platinum or gold',
        '0 late statements in 12 months (at most 1)',
        'fee 150.00 is at most 10% of annual profit 3000.00',
      ],
    },
    {
      name: 'keeps a late fee for a bronze customer with 4 late statements',
      fee: fee('late_payment', 29),
      value: customer('bronze', -80, 4),
      outcome: 'keep',
      reasons: ['tier bronze', '4 late statements in 12 months (at least 3)'],
    },
    {
      name: 'keeps an annual fee for a bronze customer who always pays on time',
      fee: fee('annual', 50),
      value: customer('bronze', -20, 0),
      outcome: 'keep',
      reasons: ['tier bronze', 'fee type annual'],
    },
    {
      name: 'gives both reasons when a bronze customer is often late and the fee is annual',
      fee: fee('annual', 50),
      value: customer('bronze', -20, 3),
      outcome: 'keep',
      reasons: ['tier bronze', '3 late statements in 12 months (at least 3) and fee type annual'],
    },
    {
      name: 'sends a silver customer’s fee to review',
      fee: fee('late_payment', 29),
      value: customer('silver', 300, 0),
      outcome: 'review',
      reasons: [
        'not waived automatically: tier silver is not platinum or gold',
        'not kept automatically: tier silver is not bronze',
        'not kept automatically: 0 late statements in 12 months (fewer than 3) and fee type late_payment is not annual',
      ],
    },
    {
      name: 'sends a gold customer with 2 late statements to review',
      fee: fee('late_payment', 29),
      value: customer('gold', 900, 2),
      outcome: 'review',
      reasons: [
        'not waived automatically: 2 late statements in 12 months (more than 1)',
        'not kept automatically: tier gold is not bronze',
        'not kept automatically: 2 late statements in 12 months (fewer than 3) and fee type late_payment is not annual',
      ],
    },
    {
      name: 'sends a gold customer’s fee above 10% of annual profit to review',
      fee: fee('over_limit', 75),
      value: customer('gold', 600, 0),
      outcome: 'review',
      reasons: [
        'not waived automatically: fee 75.00 is more than 10% of annual profit 600.00',
        'not kept automatically: tier gold is not bronze',
        'not kept automatically: 0 late statements in 12 months (fewer than 3) and fee type over_limit is not annual',
      ],
    },
    {
      name: 'sends a fee one cent above 10% of annual profit to review',
      fee: fee('maintenance', 123.46),
      value: customer('gold', 1234.5, 0),
      outcome: 'review',
      reasons: [
        'not waived automatically: fee 123.46 is more than 10% of annual profit 1234.50',
        'not kept automatically: tier gold is not bronze',
        'not kept automatically: 0 late statements in 12 months (fewer than 3) and fee type maintenance is not annual',
      ],
    },
    {
      name: 'sends a bronze customer with 2 late statements and a late fee to review',
      fee: fee('late_payment', 29),
      value: customer('bronze', -50, 2),
      outcome: 'review',
      reasons: [
        'not waived automatically: tier bronze is not platinum or gold',
        'not waived automatically: 2 late statements in 12 months (more than 1)',
        'not waived automatically: fee 29.00 is more than 10% of annual profit -50.00',
        'not kept automatically: 2 late statements in 12 months (fewer than 3) and fee type late_payment is not annual',
      ],
    },
    {
      name: 'lets the first matching row win when a waive row and a keep row both match',
      fee: fee('annual', 50),
      value: customer('bronze', 900, 0),
      settings: {
        ...withFeeReview({ autoWaiveTiers: ['gold', 'bronze', 'platinum'] }),
        tiers: { platinum: 5000, gold: 2000, silver: 1000 },
      },
      outcome: 'waive',
      reasons: [
        'tier bronze is platinum, gold or bronze',
        '0 late statements in 12 months (at most 1)',
        'fee 50.00 is at most 10% of annual profit 900.00',
      ],
    },
    {
      name: 'takes the late-statement allowance and profit share from settings',
      fee: fee('late_payment', 29),
      value: customer('gold', 240, 2),
      settings: withFeeReview({ autoWaiveMaxLate12: 2, autoWaiveMaxShareOfAnnualProfit: 0.125 }),
      outcome: 'waive',
      reasons: [
        'tier gold is platinum or gold',
        '2 late statements in 12 months (at most 2)',
        'fee 29.00 is at most 12.5% of annual profit 240.00',
      ],
    },
    {
      name: 'takes the auto-waive tiers from settings',
      fee: fee('late_payment', 29),
      value: customer('gold', 1240, 0),
      settings: withFeeReview({ autoWaiveTiers: ['platinum'] }),
      outcome: 'review',
      reasons: [
        'not waived automatically: tier gold is not platinum',
        'not kept automatically: tier gold is not bronze',
        'not kept automatically: 0 late statements in 12 months (fewer than 3) and fee type late_payment is not annual',
      ],
    },
    {
      name: 'takes the keep threshold from settings',
      fee: fee('late_payment', 29),
      value: customer('bronze', -10, 2),
      settings: withFeeReview({ autoKeepMinLate12: 2 }),
      outcome: 'keep',
      reasons: ['tier bronze', '2 late statements in 12 months (at least 2)'],
    },
    {
      name: 'says so when no tier is waived automatically',
      fee: fee('late_payment', 29),
      value: customer('platinum', 5000, 0),
      settings: withFeeReview({ autoWaiveTiers: [] }),
      outcome: 'review',
      reasons: [
        'not waived automatically: no tier is waived automatically',
        'not kept automatically: tier platinum is not bronze',
        'not kept automatically: 0 late statements in 12 months (fewer than 3) and fee type late_payment is not annual',
      ],
    },
  ])('$name', ({ fee: f, value, settings = defaultSettings, outcome, reasons }) => {
    const decision = reviewFee({ fee: f, value, earlierWaivers: 0 }, settings);
    expect(decision.outcome).toBe(outcome);
    expect(decision.reasons).toEqual(reasons);
  });

  it('decides the same way however many fees were waived before', () => {
    const input = { fee: fee('late_payment', 29), value: customer('gold', 1240, 1) };
    const first = reviewFee({ ...input, earlierWaivers: 0 }, defaultSettings);
    expect(reviewFee({ ...input, earlierWaivers: 7 }, defaultSettings)).toEqual(first);
  });
});

describe('fee review policy: credit limit, timeout and authority', () => {
  it.each<{ tier: Tier; feeType: Fee['feeType']; suggest: boolean }>([
    { tier: 'platinum', feeType: 'over_limit', suggest: true },
    { tier: 'gold', feeType: 'over_limit', suggest: true },
    { tier: 'silver', feeType: 'over_limit', suggest: true },
    { tier: 'bronze', feeType: 'over_limit', suggest: false },
    { tier: 'gold', feeType: 'late_payment', suggest: false },
    { tier: 'platinum', feeType: 'annual', suggest: false },
  ])(
    'suggests a credit-limit review for a $tier customer’s $feeType fee: $suggest',
    ({ tier, feeType, suggest }) => {
      const decision = reviewFee(
        { fee: fee(feeType, 29), value: customer(tier, 100, 2), earlierWaivers: 0 },
        defaultSettings,
      );
      expect(decision.suggestCreditLimitReview).toBe(suggest);
      expect(decision.creditLimitReasons).toEqual(
        suggest ? ['fee type over_limit', `tier ${tier} is silver or better`] : [],
      );
    },
  );

  it('suggests a credit-limit review for a silver customer even when the fee goes to review', () => {
    const decision = reviewFee(
      { fee: fee('over_limit', 29), value: customer('silver', 100, 0), earlierWaivers: 0 },
      defaultSettings,
    );
    expect(decision.outcome).toBe('review');
    expect(decision.suggestCreditLimitReview).toBe(true);
  });

  it.each<{ tier: Tier; timeout: FeeReviewDecision['timeoutDecision'] }>([
    { tier: 'platinum', timeout: 'waive' },
    { tier: 'gold', timeout: 'waive' },
    { tier: 'silver', timeout: 'waive' },
    { tier: 'bronze', timeout: 'keep' },
  ])('turns an undecided review of a $tier customer into $timeout at the deadline', ({ tier, timeout }) => {
    const decision = reviewFee(
      { fee: fee('late_payment', 29), value: customer(tier, 0, 2), earlierWaivers: 0 },
      defaultSettings,
    );
    expect(decision.timeoutDecision).toBe(timeout);
  });

  it.each<{ amount: number; limit: number; authority: FeeReviewDecision['requiredAuthority'] }>([
    { amount: 29, limit: 100, authority: 'service_rep' },
    { amount: 100, limit: 100, authority: 'service_rep' },
    { amount: 100.01, limit: 100, authority: 'service_manager' },
    { amount: 60, limit: 50, authority: 'service_manager' },
    { amount: 0.1 + 0.2, limit: 0.3, authority: 'service_rep' },
  ])(
    'needs a $authority for a fee of $amount when reps may decide up to $limit',
    ({ amount, limit, authority }) => {
      const settings = withFeeReview({ repAuthorityLimit: limit });
      expect(authorityFor(amount, settings)).toBe(authority);
      const decision = reviewFee(
        { fee: fee('late_payment', amount), value: customer('silver', 10, 0), earlierWaivers: 0 },
        settings,
      );
      expect(decision.requiredAuthority).toBe(authority);
    },
  );

  it.each<{ groups: string[]; amount: number; allowed: boolean }>([
    { groups: ['service_rep'], amount: 29, allowed: true },
    { groups: ['service_rep'], amount: 100, allowed: true },
    { groups: ['service_rep'], amount: 100.01, allowed: false },
    { groups: ['service_manager'], amount: 5000, allowed: true },
    { groups: ['marketer', 'service_rep'], amount: 50, allowed: true },
    { groups: ['service_rep', 'service_manager'], amount: 250, allowed: true },
    { groups: ['admin'], amount: 10, allowed: false },
    { groups: ['ops', 'marketer'], amount: 10, allowed: false },
    { groups: [], amount: 10, allowed: false },
  ])('lets groups $groups decide a fee of $amount: $allowed', ({ groups, amount, allowed }) => {
    expect(canDecide(groups, amount, defaultSettings)).toBe(allowed);
  });

  it('takes the rep authority limit from settings when deciding who may decide', () => {
    expect(canDecide(['service_rep'], 150, withFeeReview({ repAuthorityLimit: 200 }))).toBe(true);
    expect(canDecide(['service_rep'], 50, withFeeReview({ repAuthorityLimit: 25 }))).toBe(false);
  });
});
