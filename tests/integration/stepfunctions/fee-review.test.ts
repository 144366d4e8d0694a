import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/dynamodb-local';
import {
  type StateMachineDefinition,
  stateMachinesFromTemplate,
  templateResolver,
} from '../../../local/stepfunctions/definitions';
import { AwsServiceError } from '../../../local/stepfunctions/errors';
import { dynamoDbIntegration, type Integrations } from '../../../local/stepfunctions/integrations';
import { LocalStepFunctions, RESTARTED_CAUSE, RESTARTED_ERROR } from '../../../local/stepfunctions/service';
import { BUS_NAME, FUNCTION_NAMES, MACHINE_NAME, synthesizeFeeReview } from './fee-review-fixture';

/** A day of workflow time per second: the one-hour Wait takes about 42 ms. */
const TIME_SCALE = 86_400;
const LONG_REVIEW_SECONDS = 10 * 86_400;

type Execution = {
  executionArn: string;
  status: string;
  startDate: number;
  stopDate?: number;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
};
type HistoryEvent = { id: number; previousEventId: number; timestamp: number; type: string } & {
  [details: `${string}EventDetails`]: Record<string, unknown> | undefined;
};
type ReviewRequest = {
  token: string;
  customerId: string;
  state: string;
  enteredAt: string;
  executionId: string;
};

class Flaky extends Error {
  override name = 'Flaky';
}
class CustomerNotFound extends Error {
  override name = 'CustomerNotFound';
}
class LedgerUnavailable extends Error {
  override name = 'LedgerUnavailable';
}

let definitions: StateMachineDefinition[];
let dynamo: DynamoDBClient;
let dataDir: string;
let service: LocalStepFunctions;
const published: Record<string, unknown>[] = [];
const reviewRequests = new Map<string, ReviewRequest>();
const classifyCalls = new Map<string, number>();

/** The functions behind the test stack, keyed by name; the customer id picks the behaviour. */
const functions: Record<string, (payload: Record<string, unknown>) => Promise<unknown>> = {
  [FUNCTION_NAMES.classify]: async ({ customerId }) => {
    const id = String(customerId);
    const calls = (classifyCalls.get(id) ?? 0) + 1;
    classifyCalls.set(id, calls);
    if (id.startsWith('flaky-') && calls <= 2) throw new Flaky(`attempt ${calls} hit a flaky dependency`);
    if (id.startsWith('unknown-')) throw new CustomerNotFound(`no customer ${id}`);
    if (id.startsWith('broken-')) throw new LedgerUnavailable('the ledger is down');
    return { route: id.startsWith('human-') ? 'human' : 'auto' };
  },
  [FUNCTION_NAMES.askReviewer]: async (payload) => {
    reviewRequests.set(String(payload.customerId), payload as ReviewRequest);
    return { queued: true };
  },
  [FUNCTION_NAMES.double]: async ({ value }) => Number(value) * 2,
};

function integrations(): Integrations {
  return {
    async invokeLambda(functionArn, payload) {
      const run = functions[functionArn.split(':')[6] ?? ''];
      if (!run) throw Object.assign(new Error(`Function not found: ${functionArn}`), { statusCode: 404 });
      return run(payload as Record<string, unknown>);
    },
    dynamodb: dynamoDbIntegration(dynamo),
    async putEvents(entries) {
      published.push(...(entries as Record<string, unknown>[]));
      return { Entries: entries.map(() => ({ EventId: randomUUID() })), FailedEntryCount: 0 };
    },
  };
}

function startService(): LocalStepFunctions {
  return new LocalStepFunctions({
    definitions,
    dataDir,
    timeScale: TIME_SCALE,
    integrations: integrations(),
  });
}

beforeAll(() => {
  const template = synthesizeFeeReview(inject('tableName'));
  definitions = stateMachinesFromTemplate(template, templateResolver(template));
  dynamo = new DynamoDBClient({
    endpoint: inject('dynamoEndpoint'),
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  dataDir = mkdtempSync(path.join(tmpdir(), 'rapport-sfn-'));
  service = startService();
});

afterEach(() => {
  published.length = 0;
});

afterAll(async () => {
  await service.close();
  dynamo.destroy();
  rmSync(dataDir, { recursive: true, force: true });
});

const machineArn = () => definitions[0]?.arn ?? '';

async function start(customerId: string, extra: Record<string, unknown> = {}): Promise<string> {
  const input = { customerId, items: [1, 2, 3], reviewTimeoutSeconds: LONG_REVIEW_SECONDS, ...extra };
  const started = (await service.handle('StartExecution', {
    stateMachineArn: machineArn(),
    name: customerId,
    input: JSON.stringify(input),
  })) as { executionArn: string };
  return started.executionArn;
}

const customer = (kind: string) => `${kind}-${randomUUID().slice(0, 8)}`;

function describeExecution(executionArn: string, on = service): Promise<Execution> {
  return on.handle('DescribeExecution', { executionArn }) as Promise<Execution>;
}

async function settled(executionArn: string): Promise<Execution> {
  return eventually(async () => {
    const execution = await describeExecution(executionArn);
    return execution.status === 'RUNNING' ? undefined : execution;
  });
}

async function history(executionArn: string, on = service): Promise<HistoryEvent[]> {
  const answer = (await on.handle('GetExecutionHistory', { executionArn, maxResults: 1000 })) as {
    events: HistoryEvent[];
  };
  return answer.events;
}

function reviewRequestFor(customerId: string): Promise<ReviewRequest> {
  return eventually(async () => reviewRequests.get(customerId));
}

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`still waiting after ${timeoutMs} ms`);
}

async function awsError(promise: Promise<unknown>): Promise<AwsServiceError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AwsServiceError);
  return error as AwsServiceError;
}

/** The events of one state's visit, by state name, from its Entered to its Exited event. */
function eventsOfState(events: HistoryEvent[], state: string): string[] {
  const entered = events.findIndex((e) => e.type.endsWith('StateEntered') && nameOf(e) === state);
  const exited = events.findIndex(
    (e, i) => i > entered && e.type.endsWith('StateExited') && nameOf(e) === state,
  );
  return events.slice(entered, exited + 1).map((e) => e.type);
}

function nameOf(event: HistoryEvent): unknown {
  return (event.stateEnteredEventDetails ?? event.stateExitedEventDetails)?.name;
}

function outputOf(execution: Execution): Record<string, unknown> {
  return JSON.parse(execution.output ?? 'null') as Record<string, unknown>;
}

describe('the local Step Functions service running a CDK-built workflow', () => {
  it('loads the synthesized state machine with its Fn::Join definition resolved', () => {
    expect(definitions.map((d) => d.name)).toEqual([MACHINE_NAME]);
    expect(definitions[0]?.definition.States.Classify?.Parameters).toMatchObject({
      FunctionName: `arn:aws:lambda:us-east-1:000000000000:function:${FUNCTION_NAMES.classify}`,
    });
  });

  it('runs an automatic decision through DynamoDB, a Wait, an inline Map and EventBridge', async () => {
    const id = customer('auto');
    const executionArn = await start(id);
    const execution = await settled(executionArn);

    expect(execution.status).toBe('SUCCEEDED');
    const output = outputOf(execution);
    expect(output.decision).toEqual({ decision: 'keep', decidedBy: 'policy' });
    expect(output.scores).toEqual([2, 4, 6]);
    expect(output.stored).toEqual({
      customerId: id,
      startedAt: new Date(execution.startDate * 1000).toISOString(),
    });

    const stored = await dynamo.send(
      new GetItemCommand({
        TableName: inject('tableName'),
        Key: { pk: { S: `SFN-TEST#${id}` }, sk: { S: 'RUN' } },
      }),
    );
    expect(stored.Item?.machine).toEqual({ S: MACHINE_NAME });

    expect(published).toHaveLength(1);
    const event = published[0] ?? {};
    expect(event).toMatchObject({
      Source: 'rapport',
      DetailType: 'Fee Review Decided',
      EventBusName: `arn:aws:events:us-east-1:000000000000:event-bus/${BUS_NAME}`,
      Resources: [executionArn, machineArn()],
    });
    expect(JSON.parse(String(event.Detail))).toEqual({
      runId: id,
      customerId: id,
      decision: 'keep',
      scores: [2, 4, 6],
    });

    const events = await history(executionArn);
    const wait = events.filter((e) => e.type.startsWith('WaitState')).map((e) => e.timestamp);
    const waitedSeconds = (wait[1] ?? 0) - (wait[0] ?? 0);
    expect(waitedSeconds).toBeGreaterThanOrEqual(3600 / TIME_SCALE - 0.005);
    expect(waitedSeconds).toBeLessThan(2);
  });

  it('retries a failing task with backoff until it succeeds', async () => {
    const executionArn = await start(customer('flaky'));
    const execution = await settled(executionArn);

    expect(execution.status).toBe('SUCCEEDED');
    expect(eventsOfState(await history(executionArn), 'Classify')).toEqual([
      'TaskStateEntered',
      ...['TaskScheduled', 'TaskStarted', 'TaskFailed'],
      ...['TaskScheduled', 'TaskStarted', 'TaskFailed'],
      ...['TaskScheduled', 'TaskStarted', 'TaskSucceeded'],
      'TaskStateExited',
    ]);
  });

  it('routes a caught task failure to its Catch state with Error and Cause', async () => {
    const id = customer('unknown');
    const executionArn = await start(id);
    const execution = await settled(executionArn);

    expect(execution.status).toBe('SUCCEEDED');
    const error = outputOf(execution).error as { Error: string; Cause: string };
    expect(error.Error).toBe('CustomerNotFound');
    expect(JSON.parse(error.Cause)).toMatchObject({
      errorType: 'CustomerNotFound',
      errorMessage: `no customer ${id}`,
    });
    const types = (await history(executionArn)).map((e) => e.type);
    const failedAt = types.indexOf('TaskFailed');
    expect(types.slice(failedAt, failedAt + 3)).toEqual([
      'TaskFailed',
      'TaskStateExited',
      'PassStateEntered',
    ]);
  });

  it('fails the execution with the function error when nothing catches it', async () => {
    const executionArn = await start(customer('broken'));
    const execution = await settled(executionArn);

    expect(execution).toMatchObject({ status: 'FAILED', error: 'LedgerUnavailable' });
    expect(JSON.parse(execution.cause ?? '{}')).toMatchObject({ errorMessage: 'the ledger is down' });
    expect((await history(executionArn)).at(-1)?.type).toBe('ExecutionFailed');
  });

  it('resumes a callback task when SendTaskSuccess arrives, with the context object in its payload', async () => {
    const id = customer('human');
    const executionArn = await start(id);
    const request = await reviewRequestFor(id);

    expect(request).toMatchObject({ customerId: id, state: 'AskReviewer', executionId: executionArn });
    expect(Number.isNaN(Date.parse(request.enteredAt))).toBe(false);
    expect((await describeExecution(executionArn)).status).toBe('RUNNING');

    await service.handle('SendTaskHeartbeat', { taskToken: request.token });
    const decision = { decision: 'waive', decidedBy: 'u-17' };
    await service.handle('SendTaskSuccess', { taskToken: request.token, output: JSON.stringify(decision) });
    const execution = await settled(executionArn);

    expect(execution.status).toBe('SUCCEEDED');
    expect(outputOf(execution).decision).toEqual(decision);
    expect(eventsOfState(await history(executionArn), 'AskReviewer')).toEqual([
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'TaskSucceeded',
      'TaskStateExited',
    ]);
    const again = await awsError(
      service.handle('SendTaskSuccess', { taskToken: request.token, output: JSON.stringify(decision) }),
    );
    expect(again.name).toBe('TaskTimedOut');
  });

  it('times out a callback task nobody answers, after its scaled TimeoutSecondsPath, into its Catch', async () => {
    const id = customer('human');
    const executionArn = await start(id, { reviewTimeoutSeconds: 3600 });
    const execution = await settled(executionArn);

    expect(execution.status).toBe('SUCCEEDED');
    expect(outputOf(execution).decision).toEqual({ decision: 'waive', decidedBy: 'timeout' });
    expect(outputOf(execution).timeout).toMatchObject({ Error: 'States.Timeout' });
    const events = await history(executionArn);
    const scheduled = events.find(
      (e) => e.type === 'TaskScheduled' && String(e.taskScheduledEventDetails?.parameters).includes('token'),
    );
    expect(scheduled?.taskScheduledEventDetails).toMatchObject({
      timeoutInSeconds: 3600,
      heartbeatInSeconds: 21_600,
    });
    const timedOut = events.find((e) => e.type === 'TaskTimedOut');
    expect(timedOut?.taskTimedOutEventDetails).toMatchObject({
      error: 'States.Timeout',
      resource: 'invoke.waitForTaskToken',
    });

    const { token } = await reviewRequestFor(id);
    const late = await awsError(service.handle('SendTaskSuccess', { taskToken: token, output: '{}' }));
    expect(late.name).toBe('TaskTimedOut');
  });

  it('aborts a waiting run on StopExecution, with its error and cause', async () => {
    const id = customer('human');
    const executionArn = await start(id);
    const { token } = await reviewRequestFor(id);

    const stopped = (await service.handle('StopExecution', {
      executionArn,
      error: 'Operator.Cancelled',
      cause: 'customer closed the account',
    })) as { stopDate: number };
    const execution = await describeExecution(executionArn);

    expect(execution).toMatchObject({
      status: 'ABORTED',
      error: 'Operator.Cancelled',
      cause: 'customer closed the account',
      stopDate: stopped.stopDate,
    });
    expect((await history(executionArn)).at(-1)).toMatchObject({
      type: 'ExecutionAborted',
      executionAbortedEventDetails: { error: 'Operator.Cancelled', cause: 'customer closed the account' },
    });
    expect((await awsError(service.handle('SendTaskFailure', { taskToken: token }))).name).toBe(
      'TaskTimedOut',
    );
    const aborted = (await service.handle('ListExecutions', {
      stateMachineArn: machineArn(),
      statusFilter: 'ABORTED',
    })) as { executions: { executionArn: string }[] };
    expect(aborted.executions.map((e) => e.executionArn)).toContain(executionArn);
  });

  it('returns the running execution for a repeated name and input, and refuses any other repeat', async () => {
    const id = customer('human');
    const executionArn = await start(id);
    const first = await describeExecution(executionArn);

    const repeat = (await service.handle('StartExecution', {
      stateMachineArn: machineArn(),
      name: id,
      input: first.input,
    })) as { executionArn: string; startDate: number };
    expect(repeat).toEqual({ executionArn, startDate: first.startDate });

    const otherInput = JSON.stringify({ ...JSON.parse(first.input), items: [9] });
    const conflict = await awsError(
      service.handle('StartExecution', { stateMachineArn: machineArn(), name: id, input: otherInput }),
    );
    expect(conflict.name).toBe('ExecutionAlreadyExists');

    await service.handle('StopExecution', { executionArn });
    const closed = await awsError(
      service.handle('StartExecution', { stateMachineArn: machineArn(), name: id, input: first.input }),
    );
    expect(closed.name).toBe('ExecutionAlreadyExists');
  });

  it('records the history AWS records, in order, with ids, timestamps and pages', async () => {
    const executionArn = await start(customer('auto'));
    await settled(executionArn);
    const events = await history(executionArn);

    const task = ['TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSucceeded', 'TaskStateExited'];
    const iteration = [
      'MapIterationStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'MapIterationSucceeded',
    ];
    expect(events.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      ...task,
      ...task,
      'ChoiceStateEntered',
      'ChoiceStateExited',
      'PassStateEntered',
      'PassStateExited',
      'WaitStateEntered',
      'WaitStateExited',
      'MapStateEntered',
      'MapStateStarted',
      ...iteration,
      ...iteration,
      ...iteration,
      'MapStateSucceeded',
      'MapStateExited',
      ...task,
      ...task,
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events.map((e) => [e.id, e.previousEventId])).toEqual(events.map((_, i) => [i + 1, i]));
    const times = events.map((e) => e.timestamp);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(events.find((e) => e.type === 'MapStateStarted')?.mapStateStartedEventDetails).toEqual({
      length: 3,
    });
    const recordRun = events.find((e) => e.type === 'TaskScheduled')?.taskScheduledEventDetails ?? {};
    expect(recordRun).toMatchObject({ resourceType: 'dynamodb', resource: 'putItem', region: 'us-east-1' });
    expect(JSON.parse(String(recordRun.parameters)).Item.pk).toEqual({
      S: `SFN-TEST#${executionArn.split(':').at(-1)}`,
    });

    const reversed = (await service.handle('GetExecutionHistory', { executionArn, reverseOrder: true })) as {
      events: HistoryEvent[];
    };
    expect(reversed.events.map((e) => e.id)).toEqual(events.map((e) => e.id).reverse());
    const paged: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = (await service.handle('GetExecutionHistory', {
        executionArn,
        maxResults: 7,
        nextToken,
      })) as {
        events: HistoryEvent[];
        nextToken?: string;
      };
      expect(page.events.length).toBeLessThanOrEqual(7);
      paged.push(...page.events);
      nextToken = page.nextToken;
    } while (nextToken);
    expect(paged).toEqual(events);
  });

  it('aborts the runs a restart interrupted, with a cause, and keeps every execution and its history', async () => {
    const finishedArn = await start(customer('auto'));
    const finished = await settled(finishedArn);
    const id = customer('human');
    const waitingArn = await start(id);
    const { token } = await reviewRequestFor(id);
    const before = await history(waitingArn);

    await service.close();
    service = startService();

    expect(await describeExecution(finishedArn)).toEqual(finished);
    const waiting = await describeExecution(waitingArn);
    expect(waiting).toMatchObject({ status: 'ABORTED', error: RESTARTED_ERROR, cause: RESTARTED_CAUSE });
    expect(waiting.stopDate).toBeGreaterThanOrEqual(waiting.startDate);
    const after = await history(waitingArn);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.slice(before.length)).toMatchObject([
      {
        type: 'ExecutionAborted',
        executionAbortedEventDetails: { error: RESTARTED_ERROR, cause: RESTARTED_CAUSE },
      },
    ]);
    expect((await awsError(service.handle('SendTaskSuccess', { taskToken: token, output: '{}' }))).name).toBe(
      'TaskTimedOut',
    );

    const afterRestart = await start(customer('auto'));
    expect((await settled(afterRestart)).status).toBe('SUCCEEDED');
  });
});
