import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startFeeReview } from '../../../functions/fee-review/start';
import { db } from '../../../functions/shared/clients/dynamodb';
import { getTableName } from '../../../functions/shared/config';
import { DetailTypes } from '../../../functions/shared/events';
import { keys } from '../../../functions/shared/keys';
import {
  customerWithHistory,
  type FeeSpec,
  feeAssessed,
  newCustomerId,
} from '../../support/fee-review/customers';
import { FeeReviewHarness } from '../../support/fee-review/harness';

let harness: FeeReviewHarness;
beforeAll(async () => {
  harness = await FeeReviewHarness.start({
    dynamoEndpoint: inject('dynamoEndpoint'),
    tableName: inject('tableName'),
    timeScale: 1000,
  });
});
afterAll(async () => {
  await harness?.stop();
});

async function review(customerId: string, fee: FeeSpec) {
  const started = await startFeeReview(feeAssessed({ customerId }, fee));
  if (started.outcome === 'ignored') throw new Error(started.reason);
  const run = await harness.settle(started.runId);
  expect(run.status).toBe('SUCCEEDED');
  return JSON.parse(String(run.output)) as {
    feeId: string;
    decision: string;
    decidedBy: string;
    reasons: string[];
  };
}

const fee = async (customerId: string, feeId: string) =>
  (
    await db().send(
      new GetCommand({ TableName: getTableName(), Key: keys.fee(customerId, feeId), ConsistentRead: true }),
    )
  ).Item;

describe('the seed stories through the fee review', () => {
  // 003: a decade of travel on the card, one statement 4 days late in a heavy travel month, then a
  // $29 late fee, a $29 over-limit fee and a $50 annual surcharge. He cut up his card.
  it('the loyal traveller: the late, over-limit and annual fees are all waived by policy, with a credit-limit suggestion', async () => {
    const accountId = newCustomerId('card');
    const customerId = await customerWithHistory([
      {
        productLine: 'credit_card',
        accountId,
        revenue: 130,
        costToServe: 25,
        daysLate: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4],
      },
    ]);
    const fees: FeeSpec[] = [
      { feeType: 'late_payment', amount: 29, accountId },
      { feeType: 'over_limit', amount: 29, accountId },
      { feeType: 'annual', amount: 50, accountId },
    ];
    const outputs = await Promise.all(fees.map((f) => review(customerId, f)));

    for (const output of outputs) {
      expect(output).toMatchObject({ decision: 'waive', decidedBy: 'policy' });
      expect(output.reasons).toEqual([
        'tier gold is platinum or gold',
        '1 late statement in 12 months (at most 1)',
        expect.stringMatching(/^fee (29|50)\.00 is at most 10% of annual profit 1260\.00$/),
      ]);
      expect(await fee(customerId, output.feeId)).toMatchObject({ decision: 'waive', decidedBy: 'policy' });
    }
    expect(
      harness.eventsOf(DetailTypes.CreditLimitReviewSuggested, (d) => d.customerId === customerId),
    ).toEqual([
      expect.objectContaining({
        detail: { customerId, accountId, reasons: ['fee type over_limit', 'tier gold is silver or better'] },
      }),
    ]);
    expect(harness.eventsOf(DetailTypes.FeeReviewDecided, (d) => d.customerId === customerId)).toHaveLength(
      3,
    );
  });

  // 000: the bank charged "unprofitable" card holders who were its best mortgage customers.
  it('a card holder who loses money on the card but is platinum overall has the card fee waived', async () => {
    const card = newCustomerId('card');
    const customerId = await customerWithHistory([
      { productLine: 'credit_card', accountId: card, revenue: 10, costToServe: 40 },
      { productLine: 'mortgage', accountId: newCustomerId('mtg'), revenue: 300, costToServe: 50 },
    ]);
    const output = await review(customerId, { feeType: 'annual', amount: 95, accountId: card });

    expect(output).toMatchObject({ decision: 'waive', decidedBy: 'policy' });
    expect(output.reasons[0]).toBe('tier platinum is platinum or gold');
    expect(output.reasons[2]).toBe('fee 95.00 is at most 10% of annual profit 2640.00');
  });

  it('a bronze customer with 4 late statements has the late fee kept', async () => {
    const accountId = newCustomerId('card');
    const customerId = await customerWithHistory([
      {
        productLine: 'credit_card',
        accountId,
        revenue: 10,
        costToServe: 20,
        daysLate: [0, 12, 0, 0, 9, 0, 0, 30, 0, 0, 5, 0],
      },
    ]);
    const output = await review(customerId, { feeType: 'late_payment', amount: 29, accountId });

    expect(output).toMatchObject({
      decision: 'keep',
      decidedBy: 'policy',
      reasons: ['tier bronze', '4 late statements in 12 months (at least 3)'],
    });
    expect(harness.eventsOf(DetailTypes.ContactRequested, (d) => d.customerId === customerId)).toEqual([]);
  });
});
