import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { handler as reviewApi } from '../../../functions/fee-review/review-api';
import { startFeeReview } from '../../../functions/fee-review/start';
import { db } from '../../../functions/shared/clients/dynamodb';
import { getTableName } from '../../../functions/shared/config';
import { DetailTypes } from '../../../functions/shared/events';
import { keys } from '../../../functions/shared/keys';
import { defaultSettings } from '../../../functions/shared/settings';
import { apiEvent, call } from '../../support/api';
import { customerWithHistory, feeAssessed, MONTHLY, newCustomerId } from '../../support/fee-review/customers';
import { FeeReviewHarness } from '../../support/fee-review/harness';

// The deadline is the 48-hour setting as it ships; workflow time runs fast enough that it passes in
// about 1.5 s. (Changing the setting instead would change it for every test sharing the table.)
const DEADLINE_SECONDS = defaultSettings.feeReview.deadlineHours * 3600;
const TIME_SCALE = DEADLINE_SECONDS / 1.5;

let harness: FeeReviewHarness;
beforeAll(async () => {
  harness = await FeeReviewHarness.start({
    dynamoEndpoint: inject('dynamoEndpoint'),
    tableName: inject('tableName'),
    timeScale: TIME_SCALE,
  });
});
afterAll(async () => {
  await harness?.stop();
});

const item = async (key: { pk: string; sk: string }) =>
  (await db().send(new GetCommand({ TableName: getTableName(), Key: key, ConsistentRead: true }))).Item;

async function reviewThatTimesOut(tier: 'silver' | 'bronze', feeType: 'late_payment' | 'overdraft') {
  const accountId = newCustomerId('a');
  const customerId = await customerWithHistory([{ productLine: 'credit_card', accountId, ...MONTHLY[tier] }]);
  const feeId = newCustomerId('f');
  const started = await startFeeReview(
    feeAssessed({ customerId }, { feeType, amount: 29, accountId, feeId }),
  );
  if (started.outcome === 'ignored') throw new Error(started.reason);
  return { customerId, feeId, runId: started.runId };
}

describe('fee review: nobody decides before the deadline', () => {
  it('waives by default for a silver customer, decided by "timeout", and closes the review', async () => {
    const { customerId, feeId, runId } = await reviewThatTimesOut('silver', 'late_payment');
    const run = await harness.settle(runId);

    expect(run.status).toBe('SUCCEEDED');
    const output = JSON.parse(String(run.output));
    expect(output).toMatchObject({ feeId, customerId, decision: 'waive', decidedBy: 'timeout' });
    expect(output.reasons[0]).toMatch(/^no decision by the deadline \d{4}-/);
    expect(output.reasons[1]).toBe('default for tier silver (silver or better): waive');
    expect(await item(keys.fee(customerId, feeId))).toMatchObject({
      decision: 'waive',
      decidedBy: 'timeout',
    });
    const review = await item(keys.review(runId));
    expect(review).toMatchObject({ status: 'timed_out', decision: 'waive', decidedBy: 'timeout' });
    expect(review).not.toHaveProperty('gsi1pk');
    expect(review).not.toHaveProperty('taskToken');
    expect(harness.eventsOf(DetailTypes.FeeReviewDecided, (d) => d.feeId === feeId)).toHaveLength(1);
    expect(await harness.statesEntered(runId)).toEqual([
      'Record run',
      'Assess',
      'Decided by policy?',
      'Open review',
      'Close timed-out review',
      'Default decision',
      'Record decision',
      'Emit Fee Review Decided',
      'Waived?',
      'Send service notice',
      'Suggest a credit limit review?',
      'Mark run succeeded',
    ]);
  });

  it('keeps by default for a bronze customer, and a decision after the deadline is a 409', async () => {
    const { customerId, feeId, runId } = await reviewThatTimesOut('bronze', 'overdraft');
    const run = await harness.settle(runId);

    expect(JSON.parse(String(run.output))).toMatchObject({ decision: 'keep', decidedBy: 'timeout' });
    const late = await call(
      reviewApi,
      apiEvent({
        method: 'POST',
        resource: '/reviews/{reviewId}/decision',
        pathParameters: { reviewId: runId },
        body: { decision: 'waive', note: 'too late' },
        groups: ['service_manager'],
        userId: 'mgr-late',
      }),
    );
    expect(late.status).toBe(409);
    expect(await item(keys.fee(customerId, feeId))).toMatchObject({ decision: 'keep', decidedBy: 'timeout' });
  });
});
