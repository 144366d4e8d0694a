import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import {
  FEE_REVIEW,
  NOTICE_DEPARTMENT,
  PERMANENT_ERRORS,
  RUN_TIMEOUT_HOURS,
} from '../functions/fee-review/workflow';
import { ENV } from '../functions/shared/env-names';
import { DetailTypes, RAPPORT_SOURCE } from '../functions/shared/events';
import { keys } from '../functions/shared/keys';
import type { Api } from './api';
import type { CustomerStore } from './customer-store';
import { DeadLetterQueue } from './dead-letter-queue';
import { HouseFunction } from './house-function';

export type FeeReviewProps = {
  api: Api;
  store: CustomerStore;
  bus: events.IEventBus;
  /** The contact policy's function for workflows (ContactPolicy.requestContactFunction). */
  requestContactFunction: lambda.IFunction;
  logRetentionDays: number;
};

const P = sfn.JsonPath;
const S = (value: string) => tasks.DynamoAttributeValue.fromString(value);

/** Key templates for States.Format, taken from the key builders so the workflow writes the same keys. */
const KEY = {
  customer: keys.customerPk('{}'),
  fee: keys.fee('_', '{}').sk,
  run: keys.run('_', FEE_REVIEW, '{}').sk,
  review: keys.review('{}'),
};

/**
 * Capability 4: every `Fee Assessed` is reviewed against the whole relationship before it sticks.
 *
 * EventBridge → a starter function (resolves the customer, names the run after the fee) → a
 * Standard state machine. Lambdas only where something is decided or composed (Assess, the
 * review's opening, the contact policy); recording, emitting and closing are direct DynamoDB and
 * EventBridge integrations. Every Task has a timeout, jittered retries and a catch that closes the
 * run as FAILED on the customer file with its cause, and the review wait is capped below the
 * machine's own timeout, so no run stays open.
 */
export class FeeReview extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: FeeReviewProps) {
    super(scope, id);
    const common = { logRetentionDays: props.logRetentionDays } as const;

    const assess = new HouseFunction(this, 'Assess', {
      ...common,
      entry: 'functions/fee-review/assess.ts',
      description: 'Fee review: values the whole relationship and applies the decision table',
      timeoutSeconds: 15,
      memoryMb: 512,
      invocation: 'sync',
      service: 'fee-review-assess',
    }).useTable(props.store.table, 'read');

    const openReview = new HouseFunction(this, 'OpenReview', {
      ...common,
      entry: 'functions/fee-review/open-review.ts',
      description: 'Fee review: files a pending review with its task token for a person to decide',
      timeoutSeconds: 10,
      memoryMb: 256,
      invocation: 'sync',
      service: 'fee-review-open-review',
    }).useTable(props.store.table, 'readWrite');

    this.stateMachine = this.buildStateMachine(props, assess.fn, openReview.fn);

    const start = new HouseFunction(this, 'Start', {
      ...common,
      entry: 'functions/fee-review/start.ts',
      description: 'Fee review: starts one run per assessed fee',
      timeoutSeconds: 30,
      memoryMb: 256,
      invocation: 'async',
      service: 'fee-review-start',
    })
      .useTable(props.store.table, 'readWrite')
      .setEnvironment(ENV.feeReviewStateMachineArn, this.stateMachine.stateMachineArn);
    this.stateMachine.grantStartExecution(start.fn);

    const failed = new DeadLetterQueue(this, 'StartFailures', {
      purpose: 'Fee Assessed events the fee review starter failed on after its retries',
    });
    start.fn.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new destinations.SqsDestination(failed.queue),
    });
    start.acknowledge(
      'Serverless-LambdaDLQ',
      'fee-review-start: async failures go to its on-failure destination (StartFailures), which records the error with the event, unlike a DLQ.',
    );
    const undelivered = new DeadLetterQueue(this, 'StartUndelivered', {
      purpose: 'Fee Assessed events EventBridge could not deliver to the fee review starter',
    });
    new events.Rule(this, 'FeeAssessed', {
      eventBus: props.bus,
      description: 'Every assessed fee starts a fee review',
      eventPattern: {
        source: events.Match.anythingButPrefix(RAPPORT_SOURCE),
        detailType: [DetailTypes.FeeAssessed],
      },
      targets: [
        new targets.LambdaFunction(start.fn, {
          deadLetterQueue: undelivered.queue,
          retryAttempts: 185,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });

    const reviewApi = new HouseFunction(this, 'ReviewApi', {
      ...common,
      entry: 'functions/fee-review/review-api.ts',
      description: 'GET /reviews and POST /reviews/{reviewId}/decision',
      timeoutSeconds: 15,
      memoryMb: 256,
      invocation: 'sync',
      service: 'fee-review-api',
    }).useTable(props.store.table, 'readWrite');
    this.stateMachine.grantTaskResponse(reviewApi.fn);
    props.api.addRoute('GET', '/reviews', reviewApi.fn);
    props.api.addRoute('POST', '/reviews/{reviewId}/decision', reviewApi.fn);
  }

  private buildStateMachine(
    props: FeeReviewProps,
    assessFn: lambda.IFunction,
    openReviewFn: lambda.IFunction,
  ): sfn.StateMachine {
    const table = props.store.table;
    // States get their own scope: a state's name is its construct id, and "Assess" names a function too.
    const flow = new Construct(this, 'Flow');
    const seconds = (n: number) => sfn.Timeout.duration(Duration.seconds(n));
    const customerKey = (path: string) => S(P.format(KEY.customer, P.stringAt(path)));
    const runKey = (customerPath: string) => ({
      pk: customerKey(customerPath),
      sk: S(P.format(KEY.run, P.executionName)),
    });

    // ---- failure path: close the run item as FAILED, then fail with the original error ----------
    const runFailed = new sfn.Fail(flow, 'Run failed', {
      errorPath: '$.failure.Error',
      causePath: '$.failure.Cause',
    });
    const markFailed = new tasks.DynamoUpdateItem(flow, 'Mark run failed', {
      table,
      key: runKey('$.customerId'),
      // The run item may not exist (Record run itself failed): written whole, so it still reads right.
      updateExpression:
        'SET #status = :failed, stoppedAt = :at, #error = :error, #cause = :cause, kind = :kind, workflow = :workflow, runId = :runId, customerId = :customerId, startedAt = if_not_exists(startedAt, :startedAt)',
      expressionAttributeNames: { '#status': 'status', '#error': 'error', '#cause': 'cause' },
      expressionAttributeValues: {
        ':failed': S('FAILED'),
        ':at': S(P.stateEnteredTime),
        ':error': S(P.stringAt('$.failure.Error')),
        ':cause': S(P.stringAt('$.failure.Cause')),
        ':kind': S('run'),
        ':workflow': S(FEE_REVIEW),
        ':runId': S(P.executionName),
        ':customerId': S(P.stringAt('$.customerId')),
        ':startedAt': S(P.executionStartTime),
      },
      resultPath: P.DISCARD,
      taskTimeout: seconds(10),
    });
    retryTransient(markFailed, PERMANENT_ERRORS.dynamodb);
    markFailed.addCatch(runFailed, { resultPath: '$.recordFailure' });
    markFailed.next(runFailed);
    const guard = <T extends sfn.TaskStateBase>(task: T, permanent: readonly string[]): T => {
      retryTransient(task, permanent);
      task.addCatch(markFailed, { resultPath: '$.failure' });
      return task;
    };

    // ---- the run ---------------------------------------------------------------------------------
    const recordRun = guard(
      new tasks.DynamoPutItem(flow, 'Record run', {
        table,
        item: {
          ...runKey('$.customerId'),
          kind: S('run'),
          workflow: S(FEE_REVIEW),
          runId: S(P.executionName),
          customerId: S(P.stringAt('$.customerId')),
          feeId: S(P.stringAt('$.fee.feeId')),
          status: S('RUNNING'),
          startedAt: S(P.executionStartTime),
          executionArn: S(P.executionId),
        },
        resultPath: P.DISCARD,
        taskTimeout: seconds(10),
      }),
      PERMANENT_ERRORS.dynamodb,
    );

    const assess = guard(
      new tasks.LambdaInvoke(flow, 'Assess', {
        lambdaFunction: assessFn,
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
        payload: sfn.TaskInput.fromObject({
          runId: P.executionName,
          customerId: P.stringAt('$.customerId'),
          fee: P.objectAt('$.fee'),
          asOf: P.executionStartTime,
        }),
        resultPath: '$.assessment',
        taskTimeout: seconds(30),
      }),
      PERMANENT_ERRORS.assess,
    );

    const recordDecision = guard(
      new tasks.DynamoUpdateItem(flow, 'Record decision', {
        table,
        key: {
          pk: customerKey('$.assessment.customerId'),
          sk: S(P.format(KEY.fee, P.stringAt('$.fee.feeId'))),
        },
        updateExpression:
          'SET #decision = :decision, decidedBy = :by, reasons = :reasons, decidedAt = :at, runId = :runId',
        // The fee must be on file (the starter wrote it) and undecided, or decided by this very run
        // (a retry after a lost response); an empty stub or a second decision is refused.
        conditionExpression: 'attribute_exists(pk) AND (#decision = :pending OR runId = :runId)',
        expressionAttributeNames: { '#decision': 'decision' },
        expressionAttributeValues: {
          ':decision': S(P.stringAt('$.assessment.decided.detail.decision')),
          ':by': S(P.stringAt('$.assessment.decided.detail.decidedBy')),
          ':reasons': tasks.DynamoAttributeValue.listFromJsonPath(
            P.stringAt('$.assessment.decided.reasonsAttribute'),
          ),
          ':at': S(P.stateEnteredTime),
          ':runId': S(P.executionName),
          ':pending': S('pending'),
        },
        resultPath: P.DISCARD,
        taskTimeout: seconds(10),
      }),
      PERMANENT_ERRORS.dynamodb,
    );

    const emitDecision = guard(
      new tasks.EventBridgePutEvents(flow, 'Emit Fee Review Decided', {
        entries: [
          {
            eventBus: props.bus,
            source: RAPPORT_SOURCE,
            detailType: DetailTypes.FeeReviewDecided,
            detail: sfn.TaskInput.fromJsonPathAt('$.assessment.decided.detail'),
          },
        ],
        resultPath: P.DISCARD,
        taskTimeout: seconds(10),
      }),
      [],
    );

    const markSucceeded = guard(
      new tasks.DynamoUpdateItem(flow, 'Mark run succeeded', {
        table,
        key: runKey('$.assessment.customerId'),
        updateExpression: 'SET #status = :succeeded, stoppedAt = :at, #decision = :decision',
        expressionAttributeNames: { '#status': 'status', '#decision': 'decision' },
        expressionAttributeValues: {
          ':succeeded': S('SUCCEEDED'),
          ':at': S(P.stateEnteredTime),
          ':decision': S(P.stringAt('$.assessment.decided.detail.decision')),
        },
        resultPath: P.DISCARD,
        // contract.md: a fee-review run's output is the `Fee Review Decided` detail.
        outputPath: '$.assessment.decided.detail',
        taskTimeout: seconds(10),
      }),
      PERMANENT_ERRORS.dynamodb,
    );

    const suggestCreditLimit = guard(
      new tasks.EventBridgePutEvents(flow, 'Emit Credit Limit Review Suggested', {
        entries: [
          {
            eventBus: props.bus,
            source: RAPPORT_SOURCE,
            detailType: DetailTypes.CreditLimitReviewSuggested,
            detail: sfn.TaskInput.fromObject({
              customerId: P.stringAt('$.assessment.customerId'),
              accountId: P.stringAt('$.fee.accountId'),
              reasons: P.listAt('$.assessment.creditLimit.reasons'),
            }),
          },
        ],
        resultPath: P.DISCARD,
        taskTimeout: seconds(10),
      }),
      [],
    );
    const creditLimit = new sfn.Choice(flow, 'Suggest a credit limit review?')
      .when(sfn.Condition.booleanEquals('$.assessment.creditLimit.suggest', true), suggestCreditLimit)
      .otherwise(markSucceeded);
    suggestCreditLimit.next(markSucceeded);

    // The notice is a courtesy after the decision: its failure is kept in the output, never undoes it.
    const notice = new tasks.LambdaInvoke(flow, 'Send service notice', {
      lambdaFunction: props.requestContactFunction,
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      payload: sfn.TaskInput.fromObject({
        customerId: P.stringAt('$.assessment.customerId'),
        productLine: P.stringAt('$.fee.productLine'),
        intent: 'service_notice',
        department: NOTICE_DEPARTMENT,
        service: true,
        workflow: FEE_REVIEW,
        runId: P.executionName,
        // A retried task asks the contact service again with the same key: one logged contact.
        requestId: P.format('{}-notice', P.executionName),
      }),
      resultSelector: { 'contactId.$': '$.contactId', 'status.$': '$.status' },
      resultPath: '$.assessment.decided.detail.serviceNotice',
      taskTimeout: seconds(20),
    });
    retryTransient(notice, PERMANENT_ERRORS.notice);
    notice.addCatch(creditLimit, { resultPath: '$.assessment.decided.detail.serviceNotice' });
    notice.next(creditLimit);

    const waived = new sfn.Choice(flow, 'Waived?')
      .when(sfn.Condition.stringEquals('$.assessment.decided.detail.decision', 'waive'), notice)
      .otherwise(creditLimit);
    recordDecision.next(emitDecision).next(waived);

    // ---- review by a person ------------------------------------------------------------------------
    const decidedInReview = new sfn.Pass(flow, 'Decided in review', {
      parameters: {
        detail: {
          feeId: P.stringAt('$.fee.feeId'),
          customerId: P.stringAt('$.assessment.customerId'),
          decision: P.stringAt('$.reviewDecision.decision'),
          amount: P.numberAt('$.fee.amount'),
          decidedBy: P.stringAt('$.reviewDecision.decidedBy'),
          reasons: P.array(
            P.format('decided in review by {}', P.stringAt('$.reviewDecision.decidedBy')),
            P.stringAt('$.reviewDecision.note'),
          ),
        },
        // The same two reasons as a DynamoDB list, for Record decision (JSONPath cannot convert).
        reasonsAttribute: [
          { S: P.format('decided in review by {}', P.stringAt('$.reviewDecision.decidedBy')) },
          { S: P.stringAt('$.reviewDecision.note') },
        ],
      },
      resultPath: '$.assessment.decided',
    });
    decidedInReview.next(recordDecision);

    const defaultDecision = new sfn.Pass(flow, 'Default decision', {
      inputPath: '$.assessment.review.onTimeout',
      resultPath: '$.assessment.decided',
    });
    defaultDecision.next(recordDecision);

    const closeTimedOut = guard(
      new tasks.DynamoUpdateItem(flow, 'Close timed-out review', {
        table,
        key: {
          pk: S(P.format(KEY.review.pk, P.stringAt('$.assessment.review.reviewId'))),
          sk: S(KEY.review.sk),
        },
        // Unconditional: a person's decision that lost the race to the deadline ends here too.
        updateExpression:
          'SET #status = :timedOut, #decision = :decision, decidedBy = :by, decidedAt = :at REMOVE gsi1pk, gsi1sk, taskToken',
        expressionAttributeNames: { '#status': 'status', '#decision': 'decision' },
        expressionAttributeValues: {
          ':timedOut': S('timed_out'),
          ':decision': S(P.stringAt('$.assessment.review.onTimeout.detail.decision')),
          ':by': S('timeout'),
          ':at': S(P.stateEnteredTime),
        },
        resultPath: P.DISCARD,
        taskTimeout: seconds(10),
      }),
      PERMANENT_ERRORS.dynamodb,
    );
    closeTimedOut.next(defaultDecision);

    // Waits for POST /reviews/{id}/decision (SendTaskSuccess) until the deadline. No heartbeat:
    // nothing works on the task meanwhile (a person may decide at any moment up to the deadline),
    // so there is no worker whose silence a heartbeat could detect; the deadline bounds the wait.
    const review = new tasks.LambdaInvoke(flow, 'Open review', {
      lambdaFunction: openReviewFn,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      retryOnServiceExceptions: false,
      payload: sfn.TaskInput.fromObject({
        taskToken: P.taskToken,
        runId: P.executionName,
        customerId: P.stringAt('$.assessment.customerId'),
        fee: P.objectAt('$.fee'),
        review: P.objectAt('$.assessment.review'),
      }),
      taskTimeout: sfn.Timeout.at('$.assessment.review.timeoutSeconds'),
      resultPath: '$.reviewDecision',
    });
    // The deadline is no failure to retry: it goes to its own catcher below.
    retryTransient(review, [sfn.Errors.TIMEOUT, ...PERMANENT_ERRORS.review]);
    review.addCatch(closeTimedOut, { errors: [sfn.Errors.TIMEOUT], resultPath: '$.timeout' });
    review.addCatch(markFailed, { resultPath: '$.failure' });
    review.next(decidedInReview);

    const unknownOutcome = new sfn.Pass(flow, 'Unknown outcome', {
      parameters: {
        Error: 'FeeReview.UnknownOutcome',
        Cause: P.format('Assess returned the outcome {}', P.stringAt('$.assessment.outcome')),
      },
      resultPath: '$.failure',
    });
    unknownOutcome.next(markFailed);

    const outcome = new sfn.Choice(flow, 'Decided by policy?')
      .when(
        sfn.Condition.or(
          sfn.Condition.stringEquals('$.assessment.outcome', 'waive'),
          sfn.Condition.stringEquals('$.assessment.outcome', 'keep'),
        ),
        recordDecision,
      )
      .when(sfn.Condition.stringEquals('$.assessment.outcome', 'review'), review)
      .otherwise(unknownOutcome);

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetentionDays as logs.RetentionDays,
    });
    const stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: `${Stack.of(this).stackName}-${FEE_REVIEW}`,
      stateMachineType: sfn.StateMachineType.STANDARD,
      comment: 'Reviews one assessed fee against the whole relationship (product.md capability 4)',
      definitionBody: sfn.DefinitionBody.fromChainable(recordRun.next(assess).next(outcome)),
      timeout: Duration.hours(RUN_TIMEOUT_HOURS),
      tracingEnabled: true,
      logs: {
        destination: logGroup,
        level: sfn.LogLevel.ALL,
        // The execution history already keeps inputs and outputs (customer financials); the logs
        // record the path and errors without copying them into a second store.
        includeExecutionData: false,
      },
    });
    // Direct DynamoDB tasks write items encrypted with the customer table's own key.
    props.store.key.grantEncryptDecrypt(stateMachine);
    acknowledgeStateMachine(stateMachine, [assessFn, openReviewFn, props.requestContactFunction]);
    return stateMachine;
  }
}

/**
 * Errors a retry cannot cure get MaxAttempts 0 ahead of the catch-all, so they reach the catcher at
 * once; everything else is retried with full jitter, so runs failing together do not retry together.
 */
function retryTransient(task: sfn.TaskStateBase, permanent: readonly string[]): void {
  if (permanent.length > 0) task.addRetry({ errors: [...permanent], maxAttempts: 0 });
  task.addRetry({
    errors: [sfn.Errors.ALL],
    interval: Duration.seconds(1),
    maxAttempts: 4,
    backoffRate: 2,
    maxDelay: Duration.seconds(20),
    jitterStrategy: sfn.JitterType.FULL,
  });
}

function acknowledgeStateMachine(stateMachine: sfn.StateMachine, functions: lambda.IFunction[]): void {
  const acknowledge = (id: string, reason: string) =>
    Validations.of(stateMachine).acknowledge({ id, reason });
  acknowledge(
    'AwsSolutions-IAM5[Resource::*]',
    'fee-review: CloudWatch Logs delivery and X-Ray actions accept no resource narrower than *.',
  );
  acknowledge(
    'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
    "fee-review: DynamoDB tasks encrypt with the customer table's own KMS key; the grant is scoped to that key.",
  );
  acknowledge(
    'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
    "fee-review: DynamoDB tasks re-encrypt with the customer table's own KMS key only.",
  );
  for (const fn of functions) {
    const logicalId = Stack.of(stateMachine).getLogicalId(fn.node.defaultChild as never);
    acknowledge(
      `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
      'fee-review: Step Functions invokes this function by any version or alias of its own ARN, as CDK grants it.',
    );
  }
}
