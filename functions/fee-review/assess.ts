import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { customerItems } from '../customer-file/merge';
import { findCustomer } from '../customer-file/store';
import { isoDateTime } from '../shared/events';
import { logger, metrics, tracer } from '../shared/observability';
import { cachedSettings } from '../shared/settings-store';
import { type Assessment, assessFee } from './assessment';
import { runFee } from './workflow';

/**
 * The Assess task: reads the customer's file and returns the decision with everything the later
 * steps need (assessment.ts). Invoked by the state machine; its errors are the task's errors.
 */

export const assessPayload = z.object({
  runId: z.string().min(1).max(80),
  customerId: z.string().min(1),
  fee: runFee,
  asOf: isoDateTime,
});
export type AssessPayload = z.infer<typeof assessPayload>;

/** Named so the state machine can tell "never retry" from "try again" (workflow.ts PERMANENT_ERRORS). */
export class CustomerNotFound extends Error {
  override readonly name = 'FeeReview.CustomerNotFound';
}
export class InvalidInput extends Error {
  override readonly name = 'FeeReview.InvalidInput';
}

export async function assess(payload: unknown, now = new Date()): Promise<Assessment> {
  const parsed = assessPayload.safeParse(payload);
  if (!parsed.success) throw new InvalidInput(z.prettifyError(parsed.error));
  const { runId, customerId, fee, asOf } = parsed.data;
  // Follows merges: the fee and the run item moved with the customer they were merged into.
  const profile = await findCustomer(customerId);
  if (!profile) throw new CustomerNotFound(`customer ${customerId} is not on file`);
  const assessment = assessFee({
    runId,
    customerId: profile.customerId,
    fee,
    items: await customerItems(profile.customerId),
    settings: await cachedSettings(),
    asOf: new Date(asOf),
    now,
  });
  metrics.addMetric(`FeeAssessed_${assessment.outcome}`, 'Count', 1);
  logger.info('fee assessed', { runId, feeId: fee.feeId, outcome: assessment.outcome });
  return assessment;
}

export const handler = middy(async (event: unknown) => assess(event))
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
