/**
 * The Task `Resource` ARNs the local runtime can run, and how AWS names each in an execution history.
 * Anything else is refused when the state machine is loaded (definitions.ts `assertSupported`), so a
 * workflow never fails halfway because one of its tasks has no local counterpart.
 */

export const DYNAMODB_ACTIONS = ['getItem', 'putItem', 'updateItem', 'deleteItem', 'query'] as const;
export type DynamoDbAction = (typeof DYNAMODB_ACTIONS)[number];

export type TaskTarget =
  /** `arn:aws:states:::lambda:invoke`: the result is `{ Payload, StatusCode }`. */
  | { kind: 'lambdaInvoke' }
  /** A Lambda function ARN as the resource: the result is the function's own return value. */
  | { kind: 'lambdaFunction'; functionArn: string }
  /** The optimized DynamoDB integration or its AWS SDK form; they differ only in error prefix. */
  | { kind: 'dynamodb'; action: DynamoDbAction; errorPrefix: 'DynamoDB' | 'DynamoDb' }
  | { kind: 'putEvents' };

export type TaskResource = {
  arn: string;
  target: TaskTarget;
  /** `.waitForTaskToken`: the task ends when someone calls SendTaskSuccess or SendTaskFailure. */
  callback: boolean;
  /** `resourceType` and `resource` as they appear in TaskScheduled and the other Task events. */
  resourceType: string;
  resource: string;
};

const CALLBACK_SUFFIX = '.waitForTaskToken';
const SERVICE_INTEGRATION = /^arn:[\w-]+:states:::(?<type>[\w:-]+):(?<action>[\w.]+)$/;
const LAMBDA_FUNCTION = /^arn:[\w-]+:lambda:[\w-]*:\d*:function:[\w-]+(?::[\w$-]+)?$/;

/** The parsed resource, or undefined when the local runtime cannot emulate it. */
export function parseTaskResource(arn: string): TaskResource | undefined {
  if (LAMBDA_FUNCTION.test(arn)) {
    return {
      arn,
      target: { kind: 'lambdaFunction', functionArn: arn },
      callback: false,
      resourceType: 'lambda',
      resource: arn,
    };
  }
  const match = SERVICE_INTEGRATION.exec(arn);
  if (!match?.groups) return undefined;
  const resourceType = match.groups.type ?? '';
  const resource = match.groups.action ?? '';
  const callback = resource.endsWith(CALLBACK_SUFFIX);
  const action = callback ? resource.slice(0, -CALLBACK_SUFFIX.length) : resource;
  const target = targetOf(resourceType, action, callback);
  return target && { arn, target, callback, resourceType, resource };
}

function targetOf(resourceType: string, action: string, callback: boolean): TaskTarget | undefined {
  if (resourceType === 'lambda' && action === 'invoke') return { kind: 'lambdaInvoke' };
  if (resourceType === 'events' && action === 'putEvents') return { kind: 'putEvents' };
  // AWS offers no callback pattern for DynamoDB, so `.waitForTaskToken` there is a definition error.
  if (callback || !isDynamoDbAction(action)) return undefined;
  if (resourceType === 'dynamodb' && action !== 'query') {
    return { kind: 'dynamodb', action, errorPrefix: 'DynamoDB' };
  }
  if (resourceType === 'aws-sdk:dynamodb') return { kind: 'dynamodb', action, errorPrefix: 'DynamoDb' };
  return undefined;
}

function isDynamoDbAction(action: string): action is DynamoDbAction {
  return (DYNAMODB_ACTIONS as readonly string[]).includes(action);
}
