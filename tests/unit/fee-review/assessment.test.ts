import { describe, expect, it } from 'vitest';
import { assessFee } from '../../../functions/fee-review/assessment';
import { REVIEW_MAX_HOURS, type RunFee } from '../../../functions/fee-review/workflow';
import { defaultSettings, type Settings } from '../../../functions/shared/settings';

const asOf = new Date('2026-06-15T12:00:00Z');
const now = new Date('2026-06-15T12:00:05Z');

/** Items as the customer file stores them: 12 monthly statements of one card, and fees. */
function items(monthlyProfit: number, fees: { feeId: string; decision: string }[] = []) {
  const statements = Array.from({ length: 12 }, (_, i) => {
    const periodEnd = new Date(Date.UTC(2025, 6 + i, 1)).toISOString().slice(0, 10);
    return {
      pk: 'CUST#c1',
      sk: `STMT#a1#${periodEnd}`,
      kind: 'statement',
      productLine: 'credit_card',
      accountId: 'a1',
      periodEnd,
      balance: 100,
      revenue: monthlyProfit + 10,
      costToServe: 10,
      daysLate: 0,
    };
  });
  return [...statements, ...fees.map((f) => ({ pk: 'CUST#c1', sk: `FEE#${f.feeId}`, kind: 'fee', ...f }))];
}

const fee = (over: Partial<RunFee> = {}): RunFee => ({
  feeId: 'f-now',
  feeType: 'late_payment',
  amount: 29,
  currency: 'USD',
  productLine: 'credit_card',
  accountId: 'a1',
  ...over,
});

const assess = (
  monthlyProfit: number,
  over: { fee?: Partial<RunFee>; settings?: Settings; fees?: { feeId: string; decision: string }[] } = {},
) =>
  assessFee({
    runId: 'run-1',
    customerId: 'c1',
    fee: fee(over.fee),
    items: items(monthlyProfit, over.fees),
    settings: over.settings ?? defaultSettings,
    asOf,
    now,
  });

describe('assessing a fee', () => {
  it('composes an automatic decision ready to record and emit, its reasons in both forms', () => {
    const a = assess(100);
    expect(a.outcome).toBe('waive');
    expect(a.review).toBeUndefined();
    expect(a.decided?.detail).toEqual({
      feeId: 'f-now',
      customerId: 'c1',
      decision: 'waive',
      amount: 29,
      decidedBy: 'policy',
      reasons: a.reasons,
    });
    expect(a.decided?.reasonsAttribute).toEqual(a.reasons.map((S) => ({ S })));
    expect(a.customer).toMatchObject({
      tier: 'gold',
      annualProfit: 1200,
      paymentHistory: { statements12: 12, late12: 0 },
    });
  });

  it('opens a review with the deadline of the settings, from now, and the default it falls back to', () => {
    const a = assess(20);
    expect(a.outcome).toBe('review');
    expect(a.review).toMatchObject({
      reviewId: 'run-1',
      timeoutSeconds: 48 * 3600,
      deadline: '2026-06-17T12:00:05.000Z',
      requiredAuthority: 'service_rep',
      onTimeout: { detail: { decision: 'waive', decidedBy: 'timeout' } },
    });
    expect(a.review?.onTimeout.detail.reasons).toEqual([
      'no decision by the deadline 2026-06-17T12:00:05.000Z',
      'default for tier silver (silver or better): waive',
    ]);
  });

  it('falls back to keeping the fee of a bronze customer, and a manager decides above the rep limit', () => {
    const a = assess(-5, { fee: { feeType: 'overdraft', amount: 150 } });
    expect(a.review).toMatchObject({
      requiredAuthority: 'service_manager',
      onTimeout: { detail: { decision: 'keep' } },
    });
  });

  it('caps the review wait below the run timeout whatever the setting says', () => {
    const settings = { ...defaultSettings, feeReview: { ...defaultSettings.feeReview, deadlineHours: 1000 } };
    expect(assess(20, { settings }).review?.timeoutSeconds).toBe(REVIEW_MAX_HOURS * 3600);
    const tiny = { ...defaultSettings, feeReview: { ...defaultSettings.feeReview, deadlineHours: 0.0001 } };
    expect(assess(20, { settings: tiny }).review?.timeoutSeconds).toBe(1);
  });

  it('counts the customer’s earlier waivers, not this fee and not kept ones', () => {
    const a = assess(20, {
      fees: [
        { feeId: 'f-old-1', decision: 'waive' },
        { feeId: 'f-old-2', decision: 'keep' },
        { feeId: 'f-old-3', decision: 'waive' },
        { feeId: 'f-now', decision: 'waive' },
      ],
    });
    expect(a.customer.earlierWaivers).toBe(2);
    expect(a.review?.customer.earlierWaivers).toBe(2);
  });

  it('suggests a credit limit review for an over-limit fee of a silver or better customer', () => {
    expect(assess(20, { fee: { feeType: 'over_limit' } }).creditLimit).toEqual({
      suggest: true,
      reasons: ['fee type over_limit', 'tier silver is silver or better'],
    });
    expect(assess(-5, { fee: { feeType: 'over_limit' } }).creditLimit.suggest).toBe(false);
  });
});
