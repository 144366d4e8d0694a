import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { readCategoryPage } from '../shared/category-index';
import { db } from '../shared/clients/dynamodb';
import { stepFunctions } from '../shared/clients/sfn';
import { getTableName } from '../shared/config';
import { ConflictError, ForbiddenError, NotFoundError } from '../shared/errors';
import type { Caller } from '../shared/http';
import { indexKeys, keys } from '../shared/keys';
import { logger, metrics } from '../shared/observability';
import { decodeCursor, encodeCursor, lastKey } from '../shared/pagination';
import { cachedSettings } from '../shared/settings-store';
import { canDecide } from './policy';
import { type PendingReview, pendingReview } from './spec';

/**
 * Reviews as the state machine's "Open review" task writes them (a DynamoDB PutItem that waits on
 * its task token) and as people decide them. The review item is the only place the task token
 * lives; deciding claims the item first (a conditional update on `status = pending`), so two people
 * deciding at once get one 200 and one 409, and only the winner resumes the run.
 */

/** The stored review: what GET /reviews shows, plus its state and the token of the waiting run. */
const reviewItem = pendingReview.extend({
  pk: z.string(),
  sk: z.string(),
  status: z.enum(['pending', 'decided', 'timed_out', 'closed']),
  taskToken: z.string().optional(),
});
type ReviewItem = z.infer<typeof reviewItem>;

export type ReviewDecision = { decision: 'waive' | 'keep'; note: string };

export async function listPendingReviews(query: { limit: number; cursor?: string }) {
  // The sort key starts with the deadline: the review that times out first comes first.
  const page = await readCategoryPage(indexKeys.pendingReviewsPk, {
    limit: query.limit,
    startKey: decodeCursor(query.cursor, lastKey),
    ascending: true,
  });
  const items: PendingReview[] = page.items
    // Decided between the index read and the item read: no longer pending.
    .filter((item) => item.status === 'pending')
    .map((item) => toPendingReview(reviewItem.parse(item)));
  return { items, ...(page.lastKey ? { nextCursor: encodeCursor(page.lastKey) } : {}) };
}

function toPendingReview(item: ReviewItem): PendingReview {
  const { pk: _pk, sk: _sk, status: _status, taskToken: _token, ...review } = item;
  return pendingReview.parse(review);
}

export type DecideResult = {
  reviewId: string;
  runId: string;
  decision: 'waive' | 'keep';
  decidedBy: string;
  note: string;
  decidedAt: string;
};

export async function decideReview(
  reviewId: string,
  body: ReviewDecision,
  caller: Caller,
  now = new Date(),
): Promise<DecideResult> {
  const { Item } = await db().send(
    new GetCommand({ TableName: getTableName(), Key: keys.review(reviewId), ConsistentRead: true }),
  );
  if (!Item) throw new NotFoundError(`no review ${reviewId}`);
  const review = reviewItem.parse(Item);
  if (review.status !== 'pending' || !review.taskToken) throw closedConflict(review);
  if (!canDecide(caller.groups, review.amount, await cachedSettings())) {
    throw new ForbiddenError(
      `a fee of ${review.amount.toFixed(2)} is above the service rep authority limit; a service manager decides it`,
    );
  }

  const decidedAt = now.toISOString();
  await claim(review, body, caller.userId, decidedAt);
  try {
    await stepFunctions().send(
      new SendTaskSuccessCommand({
        taskToken: review.taskToken,
        output: JSON.stringify({ decision: body.decision, decidedBy: caller.userId, note: body.note }),
      }),
    );
  } catch (error) {
    if (['TaskTimedOut', 'InvalidToken', 'TaskDoesNotExist'].includes((error as Error).name)) {
      // The run stopped waiting (deadline passed, run stopped) after our read: its own outcome stands.
      await markClosed(reviewId, caller.userId);
      throw new ConflictError(
        `review ${reviewId} closed before the decision arrived (deadline passed or run stopped); the run's own outcome stands`,
      );
    }
    // The run did not hear the decision: put the review back so someone can decide it again.
    await release(review, caller.userId);
    throw error;
  }
  metrics.addMetric('FeeReviewsDecidedByPeople', 'Count', 1);
  logger.info('fee review decided', { reviewId, runId: review.runId, decision: body.decision });
  return {
    reviewId,
    runId: review.runId,
    decision: body.decision,
    decidedBy: caller.userId,
    note: body.note,
    decidedAt,
  };
}

function closedConflict(review: ReviewItem): ConflictError {
  return new ConflictError(`review ${review.reviewId} is ${review.status.replace('_', ' ')}, not pending`);
}

async function claim(review: ReviewItem, body: ReviewDecision, userId: string, at: string): Promise<void> {
  try {
    await db().send(
      new UpdateCommand({
        TableName: getTableName(),
        Key: keys.review(review.reviewId),
        UpdateExpression:
          'SET #status = :decided, decision = :decision, decidedBy = :by, note = :note, decidedAt = :at REMOVE gsi1pk, gsi1sk, taskToken',
        ConditionExpression: '#status = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':decided': 'decided',
          ':pending': 'pending',
          ':decision': body.decision,
          ':by': userId,
          ':note': body.note,
          ':at': at,
        },
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      throw new ConflictError(`review ${review.reviewId} was decided or closed meanwhile`);
    }
    throw error;
  }
}

async function release(review: ReviewItem, userId: string): Promise<void> {
  await db()
    .send(
      new UpdateCommand({
        TableName: getTableName(),
        Key: keys.review(review.reviewId),
        UpdateExpression:
          'SET #status = :pending, gsi1pk = :gpk, gsi1sk = :gsk, taskToken = :token REMOVE decision, decidedBy, note, decidedAt',
        ConditionExpression: '#status = :decided AND decidedBy = :by',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':pending': 'pending',
          ':decided': 'decided',
          ':by': userId,
          ':token': review.taskToken,
          ...prefixed(indexKeys.pendingReview(review.deadline, review.reviewId)),
        },
      }),
    )
    .catch((error: unknown) =>
      logger.error('could not reopen a review', { reviewId: review.reviewId, error }),
    );
}

/**
 * Our claim said "decided" but the run never heard it. Conditional on our claim still standing: the
 * run's own timeout step (which writes `timed_out`) may have closed the review already, and its
 * word is the true one.
 */
async function markClosed(reviewId: string, userId: string): Promise<void> {
  try {
    await db().send(
      new UpdateCommand({
        TableName: getTableName(),
        Key: keys.review(reviewId),
        UpdateExpression: 'SET #status = :closed REMOVE decision, decidedBy, note, decidedAt',
        ConditionExpression: '#status = :decided AND decidedBy = :by',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':closed': 'closed', ':decided': 'decided', ':by': userId },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

/**
 * Closes a review whose run was stopped, so it leaves the pending list. Conditional: a review
 * decided or timed out meanwhile keeps its own ending.
 */
export async function closePendingReview(reviewId: string): Promise<void> {
  try {
    await db().send(
      new UpdateCommand({
        TableName: getTableName(),
        Key: keys.review(reviewId),
        UpdateExpression: 'SET #status = :closed REMOVE gsi1pk, gsi1sk, taskToken',
        ConditionExpression: '#status = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':closed': 'closed', ':pending': 'pending' },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

function prefixed(indexValues: { gsi1pk: string; gsi1sk: string }) {
  return { ':gpk': indexValues.gsi1pk, ':gsk': indexValues.gsi1sk };
}
