import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ingest } from '../../../functions/customer-file/ingest';
import { startFeeReview } from '../../../functions/fee-review/start';
import { db } from '../../../functions/shared/clients/dynamodb';
import { getTableName } from '../../../functions/shared/config';
import { DetailTypes } from '../../../functions/shared/events';
import { keys } from '../../../functions/shared/keys';
import { envelope } from '../../support/events';
import { customerWithHistory, feeAssessed, MONTHLY, newCustomerId } from '../../support/fee-review/customers';
import { FeeReviewHarness } from '../../support/fee-review/harness';
import { inParallel } from '../../support/pool';

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

describe('fee review: at-least-once delivery', () => {
  it('100 deliveries of one Fee Assessed, many at once, start exactly one run that decides once', async () => {
    const accountId = newCustomerId('a');
    const customerId = await customerWithHistory([
      { productLine: 'credit_card', accountId, ...MONTHLY.gold },
    ]);
    // The fee names the customer by email only, as a channel that does not know the bank's id would.
    const email = `${customerId}@example.com`;
    await ingest(
      envelope(DetailTypes.CustomerProfileUpdated, {
        eventId: `${customerId}-email`,
        occurredAt: new Date().toISOString(),
        channel: 'web',
        customer: { customerId },
        email,
      }),
    );
    const event = feeAssessed({ email }, { feeType: 'late_payment', amount: 29, accountId });

    const outcomes = await inParallel(
      Array.from({ length: 100 }, () => () => startFeeReview(event)),
      10,
    );

    const runIds = new Set(outcomes.map((o) => (o.outcome === 'ignored' ? o.reason : o.runId)));
    expect(runIds.size).toBe(1);
    expect(outcomes.every((o) => o.outcome !== 'ignored' && o.customerId === customerId)).toBe(true);
    const [runId] = [...runIds] as [string];
    const listed = (await harness.sfn('ListExecutions', { stateMachineArn: harness.definition.arn })) as {
      executions: { name: string }[];
    };
    expect(listed.executions.filter((e) => e.name === runId)).toHaveLength(1);

    const run = await harness.settle(runId);
    expect(run.status).toBe('SUCCEEDED');
    const detail = event.detail as { feeId: string };
    expect(harness.eventsOf(DetailTypes.FeeReviewDecided, (d) => d.feeId === detail.feeId)).toHaveLength(1);

    // Once it has finished, a late redelivery is refused by name and starts nothing.
    expect(await startFeeReview(event)).toMatchObject({ outcome: 'already_started', runId });
    const runs = await db().send(
      new QueryCommand({
        TableName: getTableName(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :run)',
        ExpressionAttributeValues: {
          ':pk': keys.customerPk(customerId),
          ':run': keys.runPrefix(customerId, 'fee-review').skPrefix,
        },
        ConsistentRead: true,
      }),
    );
    expect(runs.Items?.filter((i) => i.feeId === detail.feeId)).toHaveLength(1);
  });

  it('reviews a fee that arrives before anything else about its customer (events are not ordered)', async () => {
    const customerId = newCustomerId('first-seen');
    const event = feeAssessed(
      { customerId },
      { feeType: 'annual', amount: 50, accountId: newCustomerId('a') },
    );
    const started = await startFeeReview(event);
    expect(started.outcome).toBe('started');
    if (started.outcome !== 'started') return;
    const run = await harness.settle(started.runId, async () =>
      (await harness.statesEntered(started.runId)).includes('Open review'),
    );
    // No history yet: profit 0 is tier silver, neither automatic row applies, so a person reviews it.
    expect(run.status).toBe('RUNNING');
  });
});
