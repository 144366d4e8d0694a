import { App, Duration, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { CfnTemplate } from '../../../local/synth';

/**
 * A fee-review-shaped workflow built with the same CDK constructs the stack uses, touching every
 * feature the local runtime emulates: DynamoDB put/get against the real table, Lambda invoke with
 * Retry and Catch, a Choice, a callback task with a dynamic timeout and a heartbeat, a Wait, an inline
 * Map over a plain Lambda ARN task, and EventBridge PutEvents.
 */
export const MACHINE_NAME = 'rapport-sfn-test-fee-review';
export const BUS_NAME = 'rapport-sfn-test-bus';
export const FUNCTION_NAMES = {
  classify: 'sfn-test-classify',
  askReviewer: 'sfn-test-ask-reviewer',
  double: 'sfn-test-double',
} as const;

export function synthesizeFeeReview(tableName: string): CfnTemplate {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'SfnLocalTest');
  const fn = (id: string, functionName: string) =>
    new lambda.Function(stack, id, {
      functionName,
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      // The test runs its own JavaScript for each function; the inline code is never executed.
      code: lambda.Code.fromInline('exports.handler = async () => ({});'),
    });
  const table = dynamodb.Table.fromTableName(stack, 'Table', tableName);
  const bus = new events.EventBus(stack, 'Bus', { eventBusName: BUS_NAME });
  const runKey = {
    pk: tasks.DynamoAttributeValue.fromString(sfn.JsonPath.format('SFN-TEST#{}', sfn.JsonPath.executionName)),
    sk: tasks.DynamoAttributeValue.fromString('RUN'),
  };

  const recordRun = new tasks.DynamoPutItem(stack, 'RecordRun', {
    table,
    item: {
      ...runKey,
      customerId: tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt('$.customerId')),
      startedAt: tasks.DynamoAttributeValue.fromString(sfn.JsonPath.executionStartTime),
      machine: tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stateMachineName),
    },
    resultPath: sfn.JsonPath.DISCARD,
  });

  const notFound = new sfn.Pass(stack, 'NotFound');
  const classify = new tasks.LambdaInvoke(stack, 'Classify', {
    lambdaFunction: fn('ClassifyFn', FUNCTION_NAMES.classify),
    payload: sfn.TaskInput.fromObject({ customerId: sfn.JsonPath.stringAt('$.customerId') }),
    resultSelector: { 'route.$': '$.Payload.route' },
    resultPath: '$.classified',
    taskTimeout: sfn.Timeout.duration(Duration.seconds(10)),
    retryOnServiceExceptions: false,
  })
    .addRetry({ errors: ['Flaky'], interval: Duration.seconds(2), maxAttempts: 2, backoffRate: 2 })
    .addCatch(notFound, { errors: ['CustomerNotFound'], resultPath: '$.error' });

  const coolOff = new sfn.Wait(stack, 'CoolOff', { time: sfn.WaitTime.duration(Duration.hours(1)) });
  const askReviewer = new tasks.LambdaInvoke(stack, 'AskReviewer', {
    lambdaFunction: fn('AskReviewerFn', FUNCTION_NAMES.askReviewer),
    integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
    payload: sfn.TaskInput.fromObject({
      token: sfn.JsonPath.taskToken,
      customerId: sfn.JsonPath.stringAt('$.customerId'),
      state: sfn.JsonPath.stateName,
      enteredAt: sfn.JsonPath.stateEnteredTime,
      executionId: sfn.JsonPath.executionId,
    }),
    taskTimeout: sfn.Timeout.at('$.reviewTimeoutSeconds'),
    heartbeatTimeout: sfn.Timeout.duration(Duration.hours(6)),
    resultPath: '$.decision',
    retryOnServiceExceptions: false,
  });
  const timedOutDecision = new sfn.Pass(stack, 'TimedOutDecision', {
    parameters: { decision: 'waive', decidedBy: 'timeout' },
    resultPath: '$.decision',
  });
  askReviewer.addCatch(timedOutDecision, { errors: [sfn.Errors.TIMEOUT], resultPath: '$.timeout' });
  const autoDecision = new sfn.Pass(stack, 'AutoDecision', {
    result: sfn.Result.fromObject({ decision: 'keep', decidedBy: 'policy' }),
    resultPath: '$.decision',
  });

  const scoreItems = new sfn.Map(stack, 'ScoreItems', {
    itemsPath: '$.items',
    itemSelector: { 'value.$': '$$.Map.Item.Value', 'index.$': '$$.Map.Item.Index' },
    maxConcurrency: 1,
    resultPath: '$.scores',
  }).itemProcessor(
    new tasks.LambdaInvoke(stack, 'Double', {
      lambdaFunction: fn('DoubleFn', FUNCTION_NAMES.double),
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
    }),
  );
  const readBack = new tasks.DynamoGetItem(stack, 'ReadBack', {
    table,
    key: runKey,
    consistentRead: true,
    resultSelector: { 'customerId.$': '$.Item.customerId.S', 'startedAt.$': '$.Item.startedAt.S' },
    resultPath: '$.stored',
  });
  const announce = new tasks.EventBridgePutEvents(stack, 'Announce', {
    entries: [
      {
        eventBus: bus,
        source: 'rapport',
        detailType: 'Fee Review Decided',
        detail: sfn.TaskInput.fromObject({
          runId: sfn.JsonPath.executionName,
          customerId: sfn.JsonPath.stringAt('$.customerId'),
          decision: sfn.JsonPath.stringAt('$.decision.decision'),
          scores: sfn.JsonPath.listAt('$.scores'),
        }),
      },
    ],
    resultPath: sfn.JsonPath.DISCARD,
  });

  coolOff.next(scoreItems).next(readBack).next(announce).next(new sfn.Succeed(stack, 'Done'));
  askReviewer.next(coolOff);
  timedOutDecision.next(coolOff);
  autoDecision.next(coolOff);
  const route = new sfn.Choice(stack, 'Route')
    .when(sfn.Condition.stringEquals('$.classified.route', 'human'), askReviewer)
    .otherwise(autoDecision);

  new sfn.StateMachine(stack, 'FeeReview', {
    stateMachineName: MACHINE_NAME,
    definitionBody: sfn.DefinitionBody.fromChainable(recordRun.next(classify).next(route)),
  });
  return app.synth().getStackByName(stack.stackName).template as CfnTemplate;
}
