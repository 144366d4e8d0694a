import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
import * as z from 'zod';
import { db } from '../shared/clients/dynamodb';
import { getTableName } from '../shared/config';
import { indexKeys, keys } from '../shared/keys';
import { logger, metrics, tracer } from '../shared/observability';
import { reviewCustomer } from './spec';
import { runFee } from './workflow';

/**
 * The "Open review" task: files the review a person will decide, with the task token the run waits
 * on (`.waitForTaskToken`). The run resumes when POST /reviews/{id}/decision sends that token back,
 * or takes the default at the deadline (the task's timeout).
 */

export const openReviewPayload = z.object({
  taskToken: z.string().min(1),
  runId: z.string().min(1),
  customerId: z.string().min(1),
  fee: runFee,
  review: z.object({
    reviewId: z.string().min(1),
    deadline: z.string(),
    requiredAuthority: z.enum(['service_rep', 'service_manager']),
    reasons: z.array(z.string()),
    customer: reviewCustomer,
  }),
});

export class ReviewClosed extends Error {
  override readonly name = 'FeeReview.ReviewClosed';
}
export class InvalidReview extends Error {
  override readonly name = 'FeeReview.InvalidInput';
}

export async function openReview(payload: unknown, now = new Date()): Promise<{ reviewId: string }> {
  const parsed = openReviewPayload.safeParse(payload);
  if (!parsed.success) throw new InvalidReview(z.prettifyError(parsed.error));
  const { taskToken, runId, customerId, fee, review } = parsed.data;
  try {
    await db().send(
      new PutCommand({
        TableName: getTableName(),
        Item: {
          ...keys.review(review.reviewId),
          ...indexKeys.pendingReview(review.deadline, review.reviewId),
          kind: 'review',
          reviewId: review.reviewId,
          runId,
          customerId,
          feeId: fee.feeId,
          feeType: fee.feeType,
          amount: fee.amount,
          currency: fee.currency,
          productLine: fee.productLine,
          accountId: fee.accountId,
          deadline: review.deadline,
          requiredAuthority: review.requiredAuthority,
          reasons: review.reasons,
          customer: review.customer,
          status: 'pending',
          taskToken,
          createdAt: now.toISOString(),
        },
        // A retried task replaces its own pending review (with the new attempt's token); a review a
        // person already closed is never reopened.
        ConditionExpression: 'attribute_not_exists(pk) OR #status = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':pending': 'pending' },
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      throw new ReviewClosed(`review ${review.reviewId} is already closed; it is not reopened`);
    }
    throw error;
  }
  metrics.addMetric('FeeReviewsOpened', 'Count', 1);
  logger.info('fee review opened', { reviewId: review.reviewId, runId, deadline: review.deadline });
  return { reviewId: review.reviewId };
}

export const handler = middy(async (event: unknown) => openReview(event))
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
