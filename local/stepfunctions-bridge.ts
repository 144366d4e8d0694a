import * as path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS } from './dynamodb-local';
import type { PutEventsResult } from './event-bus/bus';
import type { IntrinsicResolver, Template } from './intrinsics';
import type { InvokeOutcome } from './lambda-host';
import {
  dynamoDbIntegration,
  LambdaFunctionError,
  LocalStepFunctions,
  stateMachinesFromTemplate,
} from './stepfunctions/index';

/**
 * The seam between the runtime and the local Step Functions service (local/stepfunctions/,
 * its README says how it behaves): the runtime, the AWS endpoint, the event bus and the console
 * only know `StepFunctionsService`; this file builds it from the template and connects its Task
 * integrations to the other local services.
 */

export type StepFunctionsService = {
  /** One AWS JSON 1.0 Step Functions action (`StartExecution`, `ListExecutions`, ...). */
  handle: (action: string, body: unknown) => Promise<unknown>;
  close: () => Promise<void> | void;
};

export type StepFunctionsOptions = {
  template: Template;
  resolver: IntrinsicResolver;
  dataDir: string;
  timeScale: number;
  /** DynamoDB Local's own URL, for DynamoDB tasks. */
  dynamoEndpoint: string;
  invokeLambda: (functionArn: string, payload: unknown) => Promise<InvokeOutcome>;
  putEvents: (entries: unknown[]) => PutEventsResult;
};

/** Lambda failures Step Functions reports as `Lambda.Unknown` rather than by the function's error type. */
const LAMBDA_UNKNOWN = new Set(['Sandbox.Timedout', 'Runtime.ExitError', 'Runtime.OutOfMemory']);

export function createStepFunctions(options: StepFunctionsOptions): StepFunctionsService {
  const { resolver } = options;
  const definitions = stateMachinesFromTemplate(
    options.template as Parameters<typeof stateMachinesFromTemplate>[0],
    (value) => String(resolver.resolve(value, 'AWS::StepFunctions::StateMachine')),
  );
  const dynamo = new DynamoDBClient({
    endpoint: options.dynamoEndpoint,
    region: resolver.region,
    credentials: LOCAL_CREDENTIALS,
  });
  const service = new LocalStepFunctions({
    definitions,
    dataDir: path.join(options.dataDir, 'stepfunctions'),
    timeScale: options.timeScale,
    integrations: {
      // Resolves with the function's result, rejects with its error; an unknown function throws
      // the host's ResourceNotFoundException (with a statusCode), which is Lambda's own failure.
      invokeLambda: async (arn, payload) => {
        const outcome = await options.invokeLambda(arn, payload);
        if (outcome.ok) return outcome.payload;
        const { errorType } = outcome.error;
        throw new LambdaFunctionError({
          ...outcome.error,
          errorType: LAMBDA_UNKNOWN.has(errorType) ? 'Lambda.Unknown' : errorType,
        });
      },
      dynamodb: dynamoDbIntegration(dynamo),
      putEvents: async (entries) => options.putEvents(entries),
    },
  });
  return {
    handle: (action, body) => service.handle(action, body),
    close: async () => {
      await service.close();
      dynamo.destroy();
    },
  };
}
