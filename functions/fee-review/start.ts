import { ExecutionAlreadyExists, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { cardNumberPaths } from '../customer-file/card-numbers';
import { writeFact } from '../customer-file/fact-store';
import { factFor, identifiersOf } from '../customer-file/facts';
import { resolveIdentity } from '../customer-file/identity';
import { refreshSummary } from '../customer-file/summary';
import { stepFunctions } from '../shared/clients/sfn';
import { requiredEnv } from '../shared/config';
import { ENV } from '../shared/env-names';
import { type EventBridgeEvent, eventBridgeHandler } from '../shared/event-handler';
import { type ChannelDetail, channelEventSchemas, DetailTypes, RAPPORT_SOURCE } from '../shared/events';
import { logger, metrics } from '../shared/observability';
import { cachedSettings } from '../shared/settings-store';
import { executionName, type RunInput } from './workflow';

export type StartOutcome =
  | { outcome: 'started' | 'already_started'; runId: string; customerId: string }
  | { outcome: 'ignored'; reason: string };

let stateMachineArn: string | undefined;

/**
 * Starts the review of one assessed fee, at most once per fee. EventBridge delivers at least once
 * and the ingestion function sees the same event in parallel, so every step here is idempotent:
 * identity resolution and the fee fact are the customer file's own idempotent writes, and the run
 * is named after the fee, so a repeated StartExecution is refused and counts as done.
 *
 * The fee fact is written here as well as by ingestion so the run never starts before its fee is
 * on file: the run records its decision on that item and refuses to create a half one.
 */
export async function startFeeReview(event: EventBridgeEvent): Promise<StartOutcome> {
  // Invalid and card-bearing events are ingestion's to quarantine; a retry would not make them valid.
  if (event.source.startsWith(RAPPORT_SOURCE)) return ignored('source reserved for Rapport');
  if (cardNumberPaths({ detail: event.detail }).length > 0) return ignored('contains a card number');
  const parsed = channelEventSchemas[DetailTypes.FeeAssessed].safeParse(event.detail);
  if (!parsed.success) return ignored('invalid Fee Assessed detail');

  const detail: ChannelDetail<typeof DetailTypes.FeeAssessed> = parsed.data;
  const channelEvent = { type: DetailTypes.FeeAssessed, source: event.source, detail } as const;
  const { customerId } = await resolveIdentity(identifiersOf(channelEvent), {
    eventId: detail.eventId,
    at: detail.occurredAt,
  });
  await writeFact(factFor(channelEvent, customerId));
  // A fee may be the first event Rapport sees of a customer (EventBridge does not order events):
  // the summary must exist before the run assesses it. Idempotent, like ingestion's own refresh.
  await refreshSummary(customerId, await cachedSettings(), new Date());

  const runId = executionName(detail.feeId);
  const input: RunInput = {
    customerId,
    fee: {
      feeId: detail.feeId,
      feeType: detail.feeType,
      amount: detail.amount,
      currency: detail.currency,
      productLine: detail.productLine,
      accountId: detail.accountId,
    },
    eventId: detail.eventId,
    occurredAt: detail.occurredAt,
  };
  stateMachineArn ??= requiredEnv(ENV.feeReviewStateMachineArn);
  try {
    await stepFunctions().send(
      new StartExecutionCommand({ stateMachineArn, name: runId, input: JSON.stringify(input) }),
    );
  } catch (error) {
    // A run of this fee exists (running, or closed within Step Functions' 90-day name retention):
    // this delivery is a duplicate and its work is done.
    if (error instanceof ExecutionAlreadyExists || (error as Error).name === 'ExecutionAlreadyExists') {
      metrics.addMetric('FeeReviewDuplicateStarts', 'Count', 1);
      return { outcome: 'already_started', runId, customerId };
    }
    throw error;
  }
  metrics.addMetric('FeeReviewsStarted', 'Count', 1);
  logger.info('fee review started', { runId, feeId: detail.feeId, customerId });
  return { outcome: 'started', runId, customerId };
}

function ignored(reason: string): StartOutcome {
  logger.info('fee review not started', { reason });
  return { outcome: 'ignored', reason };
}

export const handler = eventBridgeHandler(async (event) => {
  await startFeeReview(event);
});
