import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type * as z from 'zod';
import { logger, metrics, tracer } from './observability';

export type EventBridgeEvent = z.infer<typeof EventBridgeSchema>;

/**
 * The pipeline for functions that EventBridge invokes: the Powertools parser checks the envelope
 * (a malformed envelope is a wiring fault and fails loudly, into the target's retry and DLQ);
 * the detail stays `unknown` here because each handler decides what an invalid detail means
 * (ingestion quarantines it rather than failing).
 */
export function eventBridgeHandler(handle: (event: EventBridgeEvent, context: Context) => Promise<void>) {
  return middy(handle)
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics))
    .use(parser({ schema: EventBridgeSchema }));
}
