import {
  DeleteItemCommand,
  type DeleteItemCommandInput,
  type DynamoDBClient,
  GetItemCommand,
  type GetItemCommandInput,
  PutItemCommand,
  type PutItemCommandInput,
  QueryCommand,
  type QueryCommandInput,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './definitions';
import type { DynamoDbAction, TaskTarget } from './resources';

/**
 * What the Task resources call. The local runtime supplies these (its Lambda host, DynamoDB Local,
 * its event bus); this module turns their answers and errors into what Step Functions returns.
 */
export type Integrations = {
  /**
   * Runs the function and resolves with its return value. A function error rejects with the
   * thrown Error itself or a LambdaFunctionError (its `name` is the task's Error); a failure of
   * Lambda itself rejects with an error carrying a numeric `statusCode` (an AWS service error,
   * reported as `Lambda.<name>`). Reject with name `Lambda.Unknown` for a crash or a timeout.
   */
  invokeLambda(functionArn: string, payload: unknown): Promise<unknown>;
  /** The low-level DynamoDB API (attribute values as `{ S: '...' }`), resolving with its response. */
  dynamodb(action: DynamoDbAction, params: unknown): Promise<unknown>;
  /** EventBridge PutEvents with API-shaped entries (`Detail` a JSON string); resolves with its response. */
  putEvents(entries: unknown[]): Promise<unknown>;
};

/** How a task ended badly: the `Error` and `Cause` that Retry, Catch and the history see. */
export class TaskFailure extends Error {
  readonly error: string;
  readonly timedOut: boolean;

  constructor(error: string, cause: string, options: { timedOut?: boolean } = {}) {
    super(cause);
    this.name = 'TaskFailure';
    this.error = error;
    this.timedOut = options.timedOut ?? false;
  }
}

export type ExecutionRef = { executionArn: string; stateMachineArn: string };

/** Calls the integration behind a Task resource and returns the task result as AWS shapes it. */
export async function runIntegration(
  target: TaskTarget,
  parameters: unknown,
  integrations: Integrations,
  execution: ExecutionRef,
): Promise<unknown> {
  switch (target.kind) {
    case 'lambdaInvoke':
      return invokeLambdaApi(parameters, integrations);
    case 'lambdaFunction':
      return integrations.invokeLambda(target.functionArn, parameters).catch(rethrowAsLambdaFailure);
    case 'dynamodb':
      return integrations.dynamodb(target.action, parameters).then(withoutMetadata, (error: unknown) => {
        throw serviceFailure(target.errorPrefix, error);
      });
    case 'putEvents':
      return putEvents(parameters, integrations, execution);
  }
}

type InvokeParameters = { FunctionName?: unknown; Payload?: unknown; InvocationType?: unknown };

async function invokeLambdaApi(parameters: unknown, integrations: Integrations): Promise<unknown> {
  const { FunctionName, Payload, InvocationType } = (parameters ?? {}) as InvokeParameters;
  if (typeof FunctionName !== 'string' || FunctionName === '') {
    throw new TaskFailure('Lambda.InvalidParameterValueException', 'FunctionName is required');
  }
  const functionArn = FunctionName.startsWith('arn:')
    ? FunctionName
    : `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${FunctionName}`;
  if (InvocationType === 'Event') {
    // An asynchronous invoke: AWS answers 202 at once and the function's outcome is not the task's.
    integrations.invokeLambda(functionArn, Payload ?? null).catch(() => {});
    return { Payload: '', StatusCode: 202 };
  }
  const result = await integrations.invokeLambda(functionArn, Payload ?? null).catch(rethrowAsLambdaFailure);
  return { ExecutedVersion: '$LATEST', Payload: result ?? null, StatusCode: 200 };
}

/** A function's error as Lambda reports it (`FunctionError` with its error JSON). */
export class LambdaFunctionError extends Error {
  readonly trace: string[] | undefined;

  constructor(error: { errorType: string; errorMessage: string; trace?: string[] }) {
    super(error.errorMessage);
    this.name = error.errorType;
    this.trace = error.trace;
  }
}

/**
 * As Step Functions reports a failed invoke: a function error's Error is its errorType and its
 * Cause Lambda's error JSON; a Lambda service error becomes `Lambda.<code>`.
 */
function rethrowAsLambdaFailure(error: unknown): never {
  if (error instanceof TaskFailure) throw error;
  if (isServiceError(error)) throw serviceFailure('Lambda', error);
  const thrown = error instanceof Error ? error : new Error(String(error));
  const errorType = thrown.name || 'Lambda.Unknown';
  const trace = thrown instanceof LambdaFunctionError ? thrown.trace : thrown.stack?.split('\n');
  const cause = JSON.stringify({ errorType, errorMessage: thrown.message, trace: trace ?? [] });
  throw new TaskFailure(errorType, cause);
}

function isServiceError(error: unknown): error is Error {
  return error instanceof Error && typeof (error as { statusCode?: unknown }).statusCode === 'number';
}

async function putEvents(
  parameters: unknown,
  integrations: Integrations,
  execution: ExecutionRef,
): Promise<unknown> {
  const entries = ((parameters as { Entries?: unknown })?.Entries ?? []) as Record<string, unknown>[];
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new TaskFailure('EventBridge.ValidationException', 'Entries must hold at least one entry');
  }
  const response = await integrations
    .putEvents(entries.map((entry) => apiEntry(entry, execution)))
    .then(withoutMetadata, (error: unknown) => {
      throw serviceFailure('EventBridge', error);
    });
  const failed = (response as { FailedEntryCount?: number } | undefined)?.FailedEntryCount ?? 0;
  // The optimized integration fails the task when any entry fails; the SDK form would not.
  if (failed > 0) throw new TaskFailure('EventBridge.FailedEntry', JSON.stringify(response));
  return response;
}

/** The optimized integration serializes `Detail` and appends the execution and machine ARNs. */
function apiEntry(entry: Record<string, unknown>, execution: ExecutionRef): Record<string, unknown> {
  const detail = entry.Detail;
  const resources = Array.isArray(entry.Resources) ? entry.Resources : [];
  return {
    ...entry,
    ...(detail === undefined ? {} : { Detail: typeof detail === 'string' ? detail : JSON.stringify(detail) }),
    Resources: [...resources, execution.executionArn, execution.stateMachineArn],
  };
}

/** The service names AWS puts in the Cause of an integration's service error. */
const SERVICE_NAMES: Record<string, string> = {
  Lambda: 'AWSLambda',
  DynamoDB: 'AmazonDynamoDBv2',
  DynamoDb: 'DynamoDb',
  EventBridge: 'EventBridge',
};

function serviceFailure(prefix: string, error: unknown): TaskFailure {
  if (error instanceof TaskFailure) return error;
  const thrown = error instanceof Error ? error : new Error(String(error));
  const metadata = thrown as { statusCode?: number; $metadata?: { httpStatusCode?: number } };
  const status = metadata.$metadata?.httpStatusCode ?? metadata.statusCode ?? 400;
  const name = thrown.name.startsWith(`${prefix}.`) ? thrown.name : `${prefix}.${thrown.name}`;
  const code = name.slice(prefix.length + 1);
  const service = SERVICE_NAMES[prefix] ?? prefix;
  return new TaskFailure(
    name,
    `${thrown.message} (Service: ${service}; Status Code: ${status}; Error Code: ${code})`,
  );
}

/** SDK responses carry `$metadata`, which Step Functions results never contain. */
function withoutMetadata(response: unknown): unknown {
  if (!response || typeof response !== 'object') return response;
  const { $metadata: _ignored, ...rest } = response as Record<string, unknown>;
  return rest;
}

/**
 * `Integrations['dynamodb']` over an SDK client: the parameters a state machine passes are already
 * the low-level API's, so they go through as they are.
 */
export function dynamoDbIntegration(client: DynamoDBClient): Integrations['dynamodb'] {
  return (action, params) => {
    switch (action) {
      case 'getItem':
        return client.send(new GetItemCommand(params as GetItemCommandInput));
      case 'putItem':
        return client.send(new PutItemCommand(params as PutItemCommandInput));
      case 'updateItem':
        return client.send(new UpdateItemCommand(params as UpdateItemCommandInput));
      case 'deleteItem':
        return client.send(new DeleteItemCommand(params as DeleteItemCommandInput));
      case 'query':
        return client.send(new QueryCommand(params as QueryCommandInput));
    }
  };
}
