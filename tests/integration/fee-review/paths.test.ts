import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { handler as reviewApi } from '../../../functions/fee-review/review-api';
import { startFeeReview } from '../../../functions/fee-review/start';
import { executionName } from '../../../functions/fee-review/workflow';
import { db } from '../../../functions/shared/clients/dynamodb';
import { getTableName } from '../../../functions/shared/config';
import { DetailTypes, RAPPORT_SOURCE } from '../../../functions/shared/events';
import { keys } from '../../../functions/shared/keys';
import { apiEvent, call } from '../../support/api';
import { customerWithHistory, feeAssessed, MONTHLY, newCustomerId } from '../../support/fee-review/customers';
import { FeeReviewHarness } from '../../support/fee-review/harness';

// Retry intervals shrink by this factor; the 48-hour review deadline becomes about 3 minutes, far
// beyond any of these tests (the timeout path has its own file and time scale).
const TIME_SCALE = 1000;

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
afterEach(() => {
  harness.clearFaults();
});

const item = async (key: { pk: string; sk: string }) =>
  (await db().send(new GetCommand({ TableName: getTableName(), Key: key, ConsistentRead: true }))).Item;

async function deliver(customerId: string, fee: Parameters<typeof feeAssessed>[1]) {
  const started = await startFeeReview(feeAssessed({ customerId }, fee));
  if (started.outcome === 'ignored') throw new Error(`not started: ${started.reason}`);
  return started.runId;
}

/** Waits for the review of a run to be pending (the run is then waiting on its task token). */
async function pendingReview(runId: string) {
  await harness.settle(runId, async () => (await item(keys.review(runId)))?.status === 'pending');
  const review = await item(keys.review(runId));
  expect(review?.status).toBe('pending');
  return review as Record<string, unknown>;
}

const decide = (reviewId: string, groups: string[], userId: string, body: unknown) =>
  call(
    reviewApi,
    apiEvent({
      method: 'POST',
      resource: '/reviews/{reviewId}/decision',
      pathParameters: { reviewId },
      body,
      groups,
      userId,
    }),
  );

const silverCustomer = () =>
  customerWithHistory([{ productLine: 'credit_card', accountId: newCustomerId('a'), ...MONTHLY.silver }]);

describe('fee review: automatic paths', () => {
  it('waives a small fee of a gold customer by policy: recorded, emitted, a service notice sent, the run closed', async () => {
    const accountId = newCustomerId('a');
    const customerId = await customerWithHistory([
      { productLine: 'credit_card', accountId, ...MONTHLY.gold },
    ]);
    const runId = await deliver(customerId, {
      feeType: 'late_payment',
      amount: 29,
      accountId,
      feeId: newCustomerId('f'),
    });

    const run = await harness.settle(runId);
    expect(run.status).toBe('SUCCEEDED');
    const output = JSON.parse(String(run.output));
    expect(output).toMatchObject({ customerId, decision: 'waive', decidedBy: 'policy', amount: 29 });
    expect(output.reasons).toContain('tier gold is platinum or gold');
    // Sent, or scheduled for after the customer's quiet hours, depending on when the test runs.
    expect(output.serviceNotice).toMatchObject({ status: expect.stringMatching(/^(sent|scheduled)$/) });

    const fee = await item(keys.fee(customerId, output.feeId));
    expect(fee).toMatchObject({ decision: 'waive', decidedBy: 'policy', reasons: output.reasons, runId });
    expect(await item(keys.run(customerId, 'fee-review', runId))).toMatchObject({
      status: 'SUCCEEDED',
      decision: 'waive',
    });
    const [decided] = harness.eventsOf(DetailTypes.FeeReviewDecided, (d) => d.feeId === output.feeId);
    expect(decided?.source).toBe(RAPPORT_SOURCE);
    const { serviceNotice: _notice, ...detail } = output;
    expect(decided?.detail).toEqual(detail);
    expect(harness.eventsOf(DetailTypes.ContactRequested, (d) => d.customerId === customerId)).toHaveLength(
      1,
    );
    expect(await harness.statesEntered(runId)).toEqual([
      'Record run',
      'Assess',
      'Decided by policy?',
      'Record decision',
      'Emit Fee Review Decided',
      'Waived?',
      'Send service notice',
      'Suggest a credit limit review?',
      'Mark run succeeded',
    ]);
  });

  it('keeps an annual fee of a bronze customer by policy, with no notice', async () => {
    const accountId = newCustomerId('a');
    const customerId = await customerWithHistory([
      { productLine: 'credit_card', accountId, ...MONTHLY.bronze },
    ]);
    const feeId = newCustomerId('f');
    const runId = await deliver(customerId, { feeType: 'annual', amount: 50, accountId, feeId });

    const run = await harness.settle(runId);
    expect(run.status).toBe('SUCCEEDED');
    expect(JSON.parse(String(run.output))).toEqual({
      feeId,
      customerId,
      decision: 'keep',
      amount: 50,
      decidedBy: 'policy',
      reasons: ['tier bronze', 'fee type annual'],
    });
    expect(await item(keys.fee(customerId, feeId))).toMatchObject({ decision: 'keep', decidedBy: 'policy' });
    expect(harness.eventsOf(DetailTypes.ContactRequested, (d) => d.customerId === customerId)).toEqual([]);
    expect(await harness.statesEntered(runId)).not.toContain('Send service notice');
  });
});

describe('fee review: a person decides', () => {
  it('a service rep waives a fee within the rep authority; the run records it and resumes', async () => {
    const customerId = await silverCustomer();
    const feeId = newCustomerId('f');
    const runId = await deliver(customerId, {
      feeType: 'late_payment',
      amount: 29,
      accountId: 'acc-1',
      feeId,
    });
    const review = await pendingReview(runId);
    expect(review).toMatchObject({
      reviewId: runId,
      runId,
      customerId,
      feeId,
      amount: 29,
      requiredAuthority: 'service_rep',
      customer: { tier: 'silver', annualProfit: 240, earlierWaivers: 0 },
    });

    const listed = await call(
      reviewApi,
      apiEvent({
        method: 'GET',
        resource: '/reviews',
        query: { status: 'pending', limit: '100' },
        groups: ['service_rep'],
      }),
    );
    expect(listed.status).toBe(200);
    const mine = listed.body.items.find((r: { reviewId: string }) => r.reviewId === runId);
    expect(mine).toMatchObject({
      feeType: 'late_payment',
      deadline: review.deadline,
      customer: { tier: 'silver' },
    });
    expect(mine).not.toHaveProperty('taskToken');

    const answer = await decide(runId, ['service_rep'], 'rep-7', {
      decision: 'waive',
      note: 'first late fee in years',
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ decision: 'waive', decidedBy: 'rep-7' });

    const run = await harness.settle(runId);
    expect(run.status).toBe('SUCCEEDED');
    expect(JSON.parse(String(run.output))).toMatchObject({
      decision: 'waive',
      decidedBy: 'rep-7',
      reasons: ['decided in review by rep-7', 'first late fee in years'],
      serviceNotice: { status: expect.stringMatching(/^(sent|scheduled)$/) },
    });
    expect(await item(keys.fee(customerId, feeId))).toMatchObject({
      decision: 'waive',
      decidedBy: 'rep-7',
      reasons: ['decided in review by rep-7', 'first late fee in years'],
    });
    expect(await item(keys.review(runId))).toMatchObject({ status: 'decided', decidedBy: 'rep-7' });
    expect(await item(keys.review(runId))).not.toHaveProperty('gsi1pk');
  });

  it('a service manager keeps a fee; a second decision is a 409 and changes nothing', async () => {
    const customerId = await silverCustomer();
    const feeId = newCustomerId('f');
    const runId = await deliver(customerId, { feeType: 'overdraft', amount: 35, accountId: 'acc-1', feeId });
    await pendingReview(runId);

    expect(
      (await decide(runId, ['service_manager'], 'mgr-1', { decision: 'keep', note: 'recurring overdraft' }))
        .status,
    ).toBe(200);
    const second = await decide(runId, ['service_manager'], 'mgr-2', {
      decision: 'waive',
      note: 'changed my mind',
    });
    expect(second.status).toBe(409);

    const run = await harness.settle(runId);
    expect(JSON.parse(String(run.output))).toMatchObject({ decision: 'keep', decidedBy: 'mgr-1' });
    expect(await item(keys.fee(customerId, feeId))).toMatchObject({ decision: 'keep', decidedBy: 'mgr-1' });
    expect(harness.eventsOf(DetailTypes.ContactRequested, (d) => d.customerId === customerId)).toEqual([]);
  });

  it('two people deciding at once: one wins, the other gets 409, and the run hears one decision', async () => {
    const customerId = await silverCustomer();
    const feeId = newCustomerId('f');
    const runId = await deliver(customerId, {
      feeType: 'late_payment',
      amount: 29,
      accountId: 'acc-1',
      feeId,
    });
    await pendingReview(runId);

    const answers = await Promise.all([
      decide(runId, ['service_rep'], 'rep-a', { decision: 'waive', note: 'rep a' }),
      decide(runId, ['service_manager'], 'mgr-b', { decision: 'keep', note: 'manager b' }),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const winner = answers.find((a) => a.status === 200)?.body;
    const run = await harness.settle(runId);
    expect(JSON.parse(String(run.output))).toMatchObject({
      decision: winner.decision,
      decidedBy: winner.decidedBy,
    });
  });

  it('a rep above the authority limit gets 403 and the review stays pending; a manager then decides', async () => {
    const customerId = await silverCustomer();
    const feeId = newCustomerId('f');
    const runId = await deliver(customerId, {
      feeType: 'over_limit',
      amount: 150,
      accountId: 'acc-1',
      feeId,
    });
    expect(await pendingReview(runId)).toMatchObject({ requiredAuthority: 'service_manager' });

    const rep = await decide(runId, ['service_rep'], 'rep-7', { decision: 'waive', note: 'loyal customer' });
    expect(rep.status).toBe(403);
    expect(rep.body.message).toMatch(/above the service rep authority/);
    expect(await item(keys.review(runId))).toMatchObject({ status: 'pending' });
    expect((await harness.describe(runId)).status).toBe('RUNNING');

    expect(
      (await decide(runId, ['service_manager'], 'mgr-1', { decision: 'waive', note: 'loyal customer' }))
        .status,
    ).toBe(200);
    const run = await harness.settle(runId);
    expect(JSON.parse(String(run.output))).toMatchObject({ decision: 'waive', decidedBy: 'mgr-1' });
    // Over limit and silver: the credit-limit suggestion follows the decision, whoever made it.
    expect(
      harness.eventsOf(DetailTypes.CreditLimitReviewSuggested, (d) => d.customerId === customerId),
    ).toEqual([
      expect.objectContaining({
        detail: {
          customerId,
          accountId: 'acc-1',
          reasons: ['fee type over_limit', 'tier silver is silver or better'],
        },
      }),
    ]);
  });

  it('answers 404 for an unknown review and 400 naming the field for a bad decision', async () => {
    expect(
      (await decide('no-such-review', ['service_manager'], 'mgr-1', { decision: 'waive', note: 'x' })).status,
    ).toBe(404);
    const bad = await decide('no-such-review', ['service_manager'], 'mgr-1', { decision: 'maybe', note: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['body.decision', 'body.note']);
    expect(
      (await decide('no-such-review', ['marketer'], 'm-1', { decision: 'waive', note: 'x' })).status,
    ).toBe(403);
  });
});

describe('fee review: failures', () => {
  it('retries a throttled Assess and succeeds; the retry shows in the history', async () => {
    const accountId = newCustomerId('a');
    const customerId = await customerWithHistory([
      { productLine: 'credit_card', accountId, ...MONTHLY.gold },
    ]);
    harness.fail(
      'assess',
      Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' }),
      2,
    );

    const runId = await deliver(customerId, { feeType: 'late_payment', amount: 29, accountId });
    const run = await harness.settle(runId);
    expect(run.status).toBe('SUCCEEDED');
    const history = await harness.history(runId);
    const assessFailures = history.filter(
      (e) =>
        e.type === 'LambdaFunctionFailed' &&
        (e.lambdaFunctionFailedEventDetails as { error: string }).error === 'TooManyRequestsException',
    );
    expect(assessFailures).toHaveLength(2);
    expect(JSON.parse(String(run.output))).toMatchObject({ decision: 'waive' });
  });

  it('catches a failure no retry cures: the run ends FAILED with its cause, also on the customer file', async () => {
    // A run for a customer the file does not know (started by hand, as ops might).
    const customerId = newCustomerId('ghost');
    const runId = executionName(newCustomerId('f'));
    await harness.sfn('StartExecution', {
      stateMachineArn: harness.definition.arn,
      name: runId,
      input: JSON.stringify({
        customerId,
        fee: {
          feeId: 'f-ghost',
          feeType: 'late_payment',
          amount: 29,
          currency: 'USD',
          productLine: 'credit_card',
          accountId: 'a',
        },
        eventId: 'e-ghost',
        occurredAt: new Date().toISOString(),
      }),
    });
    const run = await harness.settle(runId);
    expect(run).toMatchObject({ status: 'FAILED', error: 'FeeReview.CustomerNotFound' });
    expect(run.cause).toContain(`customer ${customerId} is not on file`);
    expect(await item(keys.run(customerId, 'fee-review', runId))).toMatchObject({
      status: 'FAILED',
      error: 'FeeReview.CustomerNotFound',
      cause: run.cause,
    });
    // Never retried: a permanent error goes straight to the catcher.
    const attempts = (await harness.history(runId)).filter((e) => e.type === 'LambdaFunctionScheduled');
    expect(attempts).toHaveLength(1);
    expect((await harness.statesEntered(runId)).slice(-2)).toEqual(['Mark run failed', 'Run failed']);
  });

  it('fails the run visibly when the bus keeps refusing the decision after every retry', async () => {
    const accountId = newCustomerId('a');
    const customerId = await customerWithHistory([
      { productLine: 'credit_card', accountId, ...MONTHLY.bronze },
    ]);
    harness.fail('putEvents', Object.assign(new Error('bus down'), { name: 'InternalFailure' }), 5);
    const runId = await deliver(customerId, { feeType: 'annual', amount: 50, accountId });

    const run = await harness.settle(runId);
    expect(run).toMatchObject({ status: 'FAILED', error: 'EventBridge.FailedEntry' });
    expect(await item(keys.run(customerId, 'fee-review', runId))).toMatchObject({ status: 'FAILED' });
    const emits = (await harness.statesEntered(runId)).filter((s) => s === 'Emit Fee Review Decided');
    expect(emits).toHaveLength(1);
    const attempts = (await harness.history(runId)).filter((e) => e.type === 'TaskFailed');
    expect(attempts).toHaveLength(5);
  });

  it('keeps a waiver when the service notice fails, and shows the failure in the output', async () => {
    const accountId = newCustomerId('a');
    const customerId = await customerWithHistory([
      { productLine: 'credit_card', accountId, ...MONTHLY.gold },
    ]);
    harness.fail('requestContact', Object.assign(new Error('no such customer'), { name: 'NotFoundError' }));
    const runId = await deliver(customerId, { feeType: 'late_payment', amount: 29, accountId });

    const run = await harness.settle(runId);
    expect(run.status).toBe('SUCCEEDED');
    const output = JSON.parse(String(run.output));
    expect(output).toMatchObject({ decision: 'waive', serviceNotice: { Error: 'NotFoundError' } });
    expect(await item(keys.fee(customerId, output.feeId))).toMatchObject({ decision: 'waive' });
  });
});
