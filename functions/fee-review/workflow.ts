import { createHash } from 'node:crypto';
import * as z from 'zod';
import { FEE_TYPES, PRODUCT_LINES, type Workflow } from '../shared/events';

/**
 * What the fee review's state machine, its construct and its functions must agree on: the run's
 * input, how a fee becomes a run id, the bounds that keep every run finite, and the error names the
 * state machine does not retry. Pure (no AWS import), so lib/ and functions/ both read it.
 */

export const FEE_REVIEW: Workflow = 'fee-review';

/** The department the service notice is logged under on the customer's contact log. */
export const NOTICE_DEPARTMENT = 'fee-review';

/**
 * A Standard execution may not outlive this. The review wait is capped below it (with room for the
 * steps after the decision and their retries), so the machine's own timeout is a backstop that a
 * healthy run never reaches, and the run item on the customer file is always closed by the run.
 */
export const RUN_TIMEOUT_HOURS = 7 * 24;
export const REVIEW_MAX_HOURS = 6 * 24;

/** Step Functions execution names: at most 80 characters of `A-Za-z0-9-_` keep them safe everywhere. */
const NAME_MAX = 80;
const HASH_LENGTH = 12;
const PREFIX = 'fee-';

/**
 * The run id of the review of one fee. The same fee always gives the same name, so a redelivered
 * `Fee Assessed` is refused by StartExecution (ExecutionAlreadyExists) instead of starting a second
 * run. The readable part is the fee id made safe; the hash of the full fee id keeps two fee ids that
 * differ only in unsafe or truncated characters apart.
 */
export function executionName(feeId: string): string {
  const hash = createHash('sha256').update(feeId, 'utf8').digest('hex').slice(0, HASH_LENGTH);
  const room = NAME_MAX - PREFIX.length - 1 - HASH_LENGTH;
  const readable = feeId.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, room);
  return `${PREFIX}${readable}-${hash}`;
}

const id = z.string().min(1).max(128);

export const runFee = z.object({
  feeId: id,
  feeType: z.enum(FEE_TYPES),
  amount: z.number().positive(),
  currency: z.string(),
  productLine: z.enum(PRODUCT_LINES),
  accountId: id,
});
export type RunFee = z.infer<typeof runFee>;

/**
 * The execution input. Built only from the event's detail (never from the time of delivery), so
 * every delivery of one event asks for the same execution with the same input.
 */
export const runInput = z.object({
  customerId: id,
  fee: runFee,
  eventId: id,
  occurredAt: z.string(),
});
export type RunInput = z.infer<typeof runInput>;

/**
 * Errors a retry cannot cure: the state machine lists them with MaxAttempts 0 ahead of its
 * catch-all retrier, so they go straight to the failure path with their cause.
 */
export const PERMANENT_ERRORS = {
  assess: ['FeeReview.CustomerNotFound', 'FeeReview.InvalidInput'],
  review: ['FeeReview.ReviewClosed', 'FeeReview.InvalidInput'],
  notice: ['NotFoundError', 'ValidationError', 'ConflictError'],
  dynamodb: ['DynamoDB.ConditionalCheckFailedException', 'DynamoDB.ValidationException'],
} as const;
