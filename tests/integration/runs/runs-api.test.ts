import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { handler as reviewApi } from '../../../functions/fee-review/review-api';
import { startFeeReview } from '../../../functions/fee-review/start';
import { handler as runsApi } from '../../../functions/runs/api';
import { db } from '../../../functions/shared/clients/dynamodb';
import { getTableName } from '../../../functions/shared/config';
import { indexKeys, keys } from '../../../functions/shared/keys';
import { apiEvent, call } from '../../support/api';
import { customerWithHistory, feeAssessed, MONTHLY, newCustomerId } from '../../support/fee-review/customers';
import { FeeReviewHarness } from '../../support/fee-review/harness';

let harness: FeeReviewHarness;
let gold: { customerId: string; runId: string };
let waiting: { customerId: string; runId: string };

const item = async (key: { pk: string; sk: string }) =>
  (await db().send(new GetCommand({ TableName: getTableName(), Key: key, ConsistentRead: true }))).Item;

async function run(tier: keyof typeof MONTHLY) {
  const accountId = newCustomerId('a');
  const customerId = await customerWithHistory([{ productLine: 'credit_card', accountId, ...MONTHLY[tier] }]);
  const started = await startFeeReview(
    feeAssessed({ customerId }, { feeType: 'late_payment', amount: 29, accountId }),
  );
  if (started.outcome === 'ignored') throw new Error(started.reason);
  return { customerId, runId: started.runId };
}

const get = (
  resource: string,
  options: { query?: Record<string, string>; runId?: string; groups?: string[] } = {},
) =>
  call(
    runsApi,
    apiEvent({
      method: 'GET',
      resource,
      ...(options.runId ? { pathParameters: { runId: options.runId } } : {}),
      ...(options.query ? { query: options.query } : {}),
      groups: options.groups ?? ['ops'],
    }),
  );
const stop = (runId: string, groups = ['ops']) =>
  call(
    runsApi,
    apiEvent({
      method: 'POST',
      resource: '/runs/{runId}/stop',
      pathParameters: { runId },
      groups,
      userId: 'ops-1',
    }),
  );

beforeAll(async () => {
  harness = await FeeReviewHarness.start({
    dynamoEndpoint: inject('dynamoEndpoint'),
    tableName: inject('tableName'),
    timeScale: 1000,
  });
  gold = await run('gold');
  await harness.settle(gold.runId);
  waiting = await run('silver');
  await harness.settle(
    waiting.runId,
    async () => (await item(keys.review(waiting.runId)))?.status === 'pending',
  );
});
afterAll(async () => {
  await harness?.stop();
});

describe('GET /runs', () => {
  it('lists the fee-review runs with their customer and status, filtered by status', async () => {
    const all = await get('/runs', { query: { workflow: 'fee-review' }, groups: ['marketer'] });
    expect(all.status).toBe(200);
    expect(all.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          runId: gold.runId,
          workflow: 'fee-review',
          status: 'SUCCEEDED',
          customerId: gold.customerId,
        }),
        expect.objectContaining({ runId: waiting.runId, status: 'RUNNING', customerId: waiting.customerId }),
      ]),
    );
    const first = all.body.items.find((r: { runId: string }) => r.runId === gold.runId);
    expect(first.startedAt <= first.stoppedAt).toBe(true);

    const running = await get('/runs', { query: { status: 'RUNNING' } });
    expect(running.body.items.map((r: { runId: string }) => r.runId)).toContain(waiting.runId);
    expect(running.body.items.every((r: { status: string }) => r.status === 'RUNNING')).toBe(true);
  });

  it('lists one customer’s runs from the customer file, with the status Step Functions reports', async () => {
    const mine = await get('/runs', { query: { customerId: gold.customerId } });
    expect(mine.body).toEqual({
      items: [
        expect.objectContaining({ runId: gold.runId, status: 'SUCCEEDED', customerId: gold.customerId }),
      ],
    });
  });

  it('lists a campaign’s runs from its index entries', async () => {
    const campaignId = newCustomerId('camp');
    await db().send(
      new PutCommand({
        TableName: getTableName(),
        Item: {
          pk: `CAMPAIGN#${campaignId}`,
          sk: `RUN#${gold.runId}`,
          ...indexKeys.campaignRun(campaignId, gold.runId),
        },
      }),
    );
    const listed = await get('/runs', { query: { campaignId } });
    expect(listed.body.items).toEqual([
      expect.objectContaining({ runId: gold.runId, customerId: gold.customerId }),
    ]);
    expect((await get('/runs', { query: { campaignId, status: 'FAILED' } })).body.items).toEqual([]);
  });

  it('pages with nextCursor, absent on the last page', async () => {
    const page1 = await get('/runs', { query: { limit: '1' } });
    expect(page1.body.items).toHaveLength(1);
    expect(page1.body.nextCursor).toEqual(expect.any(String));
    const page2 = await get('/runs', { query: { limit: '1', cursor: page1.body.nextCursor } });
    expect(page2.body.items).toHaveLength(1);
    expect(page2.body.items[0].runId).not.toBe(page1.body.items[0].runId);
    expect((await get('/runs', { query: { cursor: 'not-a-cursor' } })).status).toBe(400);
  });

  it('is for marketers and ops only', async () => {
    expect((await get('/runs', { groups: ['service_rep'] })).status).toBe(403);
  });
});

describe('GET /runs/{runId}', () => {
  it('shows input, output and the path of states in order, each with its times', async () => {
    const answer = await get('/runs/{runId}', { runId: gold.runId, groups: ['marketer'] });
    expect(answer.status).toBe(200);
    const detail = answer.body;
    expect(detail).toMatchObject({
      runId: gold.runId,
      workflow: 'fee-review',
      status: 'SUCCEEDED',
      customerId: gold.customerId,
      input: { customerId: gold.customerId, fee: { feeType: 'late_payment', amount: 29 } },
      output: { customerId: gold.customerId, decision: 'waive', decidedBy: 'policy' },
    });
    expect(detail.path.map((p: { state: string }) => p.state)).toEqual(
      await harness.statesEntered(gold.runId),
    );
    for (const step of detail.path) {
      expect(step.enteredAt <= step.exitedAt).toBe(true);
    }
  });

  it('answers 404 for a run no workflow has, and 400 for an id that cannot be a run id', async () => {
    expect((await get('/runs/{runId}', { runId: 'fee-nothing-000000000000' })).status).toBe(404);
    expect((await get('/runs/{runId}', { runId: 'a:b' })).status).toBe(400);
  });
});

describe('POST /runs/{runId}/stop', () => {
  it('is for ops only', async () => {
    expect((await stop(waiting.runId, ['marketer'])).status).toBe(403);
  });

  it('stops a run waiting for a review: ABORTED, closed on the customer file, and the review closed with it', async () => {
    const answer = await stop(waiting.runId);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      runId: waiting.runId,
      status: 'ABORTED',
      customerId: waiting.customerId,
    });

    expect(await harness.describe(waiting.runId)).toMatchObject({
      status: 'ABORTED',
      error: 'Rapport.Stopped',
    });
    expect(await item(keys.run(waiting.customerId, 'fee-review', waiting.runId))).toMatchObject({
      status: 'ABORTED',
    });
    expect(await item(keys.review(waiting.runId))).toMatchObject({ status: 'closed' });
    const late = await call(
      reviewApi,
      apiEvent({
        method: 'POST',
        resource: '/reviews/{reviewId}/decision',
        pathParameters: { reviewId: waiting.runId },
        body: { decision: 'waive', note: 'too late' },
        groups: ['service_manager'],
      }),
    );
    expect(late.status).toBe(409);

    const detail = await get('/runs/{runId}', { runId: waiting.runId });
    expect(detail.body).toMatchObject({ status: 'ABORTED', error: 'Rapport.Stopped' });
    expect(detail.body.cause).toContain('stopped by ops-1');
  });

  it('answers 409 for a run that is not running and 404 for an unknown one', async () => {
    expect((await stop(gold.runId)).status).toBe(409);
    expect((await stop('fee-nothing-000000000000')).status).toBe(404);
  });
});
