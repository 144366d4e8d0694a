import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import { ValidationError } from '../shared/errors';
import { httpHandler, ok, route, zodIssues } from '../shared/http';
import { logger, metrics, tracer } from '../shared/observability';
import { type ContactOutcome, requestContact } from './service';
import { contactRequestPayload, postContact } from './spec';

/** POST /contacts behind API Gateway. */
export const handler = httpHandler([route(postContact, async ({ body }) => ok(await requestContact(body)))]);

/**
 * The same service for workflows, invoked directly (Step Functions Lambda task) with the request as
 * the payload. Errors keep their class names (`ValidationError`, `NotFoundError`,
 * `ContactNotPublishedError`, `ContactLogContentionError`) so a state machine can Retry the 503s
 * and Catch the rest; workflows should pass a `requestId` so a Retry is not counted twice.
 */
export const requestContactHandler = middy(async (event: unknown): Promise<ContactOutcome> => {
  const parsed = contactRequestPayload.safeParse(event);
  if (!parsed.success) throw new ValidationError(zodIssues(parsed.error, 'payload'));
  return requestContact(parsed.data);
})
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
