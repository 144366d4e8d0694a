import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type AslDefinition, stateMachineArn } from '../../../local/stepfunctions/definitions';
import { AwsServiceError } from '../../../local/stepfunctions/errors';
import type { Integrations } from '../../../local/stepfunctions/integrations';
import { LocalStepFunctions } from '../../../local/stepfunctions/service';

/**
 * The service's API and the ASL semantics it adds to the interpreter, run on hand-written
 * definitions with in-memory integrations. The CDK-built workflow against DynamoDB Local is in
 * tests/integration/stepfunctions.
 */

type Execution = { status: string; output?: string; error?: string; cause?: string; startDate: number };
type HistoryEvent = { type: string; timestamp: number } & {
  [details: `${string}EventDetails`]: Record<string, unknown> | undefined;
};

const MACHINE = stateMachineArn('m');
const dataDirs: string[] = [];
const services: LocalStepFunctions[] = [];

afterEach(async () => {
  await Promise.all(services.splice(0).map((service) => service.close()));
});
afterAll(() => {
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

const noIntegrations: Integrations = {
  invokeLambda: async () => {
    throw new Error('no function expected');
  },
  dynamodb: async () => {
    throw new Error('no DynamoDB call expected');
  },
  putEvents: async () => {
    throw new Error('no event expected');
  },
};

function serviceFor(
  definition: AslDefinition,
  options: { integrations?: Partial<Integrations>; timeScale?: number; now?: () => Date } = {},
): LocalStepFunctions {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'rapport-sfn-unit-'));
  dataDirs.push(dataDir);
  const service = new LocalStepFunctions({
    definitions: [{ name: 'm', arn: MACHINE, definition }],
    dataDir,
    timeScale: options.timeScale ?? 1,
    integrations: { ...noIntegrations, ...options.integrations },
    ...(options.now ? { now: options.now } : {}),
  });
  services.push(service);
  return service;
}

async function start(service: LocalStepFunctions, input: unknown = {}, name?: string): Promise<string> {
  const body = { stateMachineArn: MACHINE, input: JSON.stringify(input), ...(name ? { name } : {}) };
  return ((await service.handle('StartExecution', body)) as { executionArn: string }).executionArn;
}

async function settled(service: LocalStepFunctions, executionArn: string): Promise<Execution> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const execution = (await service.handle('DescribeExecution', { executionArn })) as Execution;
    if (execution.status !== 'RUNNING') return execution;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`${executionArn} still runs`);
}

async function runToEnd(
  definition: AslDefinition,
  input: unknown = {},
  options: Parameters<typeof serviceFor>[1] = {},
) {
  const service = serviceFor(definition, options);
  const executionArn = await start(service, input);
  const execution = await settled(service, executionArn);
  const { events } = (await service.handle('GetExecutionHistory', { executionArn })) as {
    events: HistoryEvent[];
  };
  return {
    execution,
    events,
    output: JSON.parse(execution.output ?? 'null') as unknown,
    service,
    executionArn,
  };
}

async function awsError(promise: Promise<unknown>): Promise<AwsServiceError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AwsServiceError);
  return error as AwsServiceError;
}

const pass: AslDefinition = { StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } };

/** A callback task whose Lambda hands its payload (with the token) to `received`. */
function callbackTask(
  fields: Record<string, unknown>,
  next: { Next: string } | { End: true } = { End: true },
) {
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
    Parameters: { FunctionName: 'ask', Payload: { 'token.$': '$$.Task.Token' } },
    ...fields,
    ...next,
  };
}

function capturingTokens() {
  const tokens: string[] = [];
  return {
    tokens,
    integrations: {
      invokeLambda: async (_arn: string, payload: unknown) => {
        tokens.push((payload as { token: string }).token);
        return null;
      },
    },
    next: async () => {
      const deadline = Date.now() + 5_000;
      while (tokens.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
      const token = tokens.shift();
      if (!token) throw new Error('no task token arrived');
      return token;
    },
  };
}

describe('the Step Functions API', () => {
  it('answers an operation it does not implement with UnknownOperationException', async () => {
    const error = await awsError(serviceFor(pass).handle('CreateStateMachine', {}));
    expect(error).toMatchObject({ name: 'UnknownOperationException', statusCode: 400 });
  });

  it('takes the X-Amz-Target form of an action as well as the bare name', async () => {
    const service = serviceFor(pass);
    const listed = (await service.handle('AWSStepFunctions.ListStateMachines', {})) as {
      stateMachines: { name: string; stateMachineArn: string; type: string }[];
    };
    expect(listed.stateMachines).toEqual([
      expect.objectContaining({ name: 'm', stateMachineArn: MACHINE, type: 'STANDARD' }),
    ]);
  });

  it('describes a state machine with its definition as written', async () => {
    const described = (await serviceFor(pass).handle('DescribeStateMachine', {
      stateMachineArn: MACHINE,
    })) as {
      definition: string;
      status: string;
    };
    expect(JSON.parse(described.definition)).toEqual(pass);
    expect(described.status).toBe('ACTIVE');
  });

  it('names the invalid field of a request in a ValidationException', async () => {
    const error = await awsError(serviceFor(pass).handle('StartExecution', { input: '{}' }));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toContain("'stateMachineArn'");
  });

  it('tells a malformed ARN from an unknown state machine or execution', async () => {
    const service = serviceFor(pass);
    expect((await awsError(service.handle('StartExecution', { stateMachineArn: 'm' }))).name).toBe(
      'InvalidArn',
    );
    const unknownMachine = service.handle('StartExecution', { stateMachineArn: stateMachineArn('other') });
    expect((await awsError(unknownMachine)).name).toBe('StateMachineDoesNotExist');
    const unknownExecution = service.handle('DescribeExecution', {
      executionArn: 'arn:aws:states:us-east-1:000000000000:execution:m:nobody',
    });
    expect((await awsError(unknownExecution)).name).toBe('ExecutionDoesNotExist');
  });

  it('refuses execution names AWS refuses and input that is not JSON', async () => {
    const service = serviceFor(pass);
    const badName = service.handle('StartExecution', { stateMachineArn: MACHINE, name: 'fee review/1' });
    expect((await awsError(badName)).name).toBe('InvalidName');
    const badInput = service.handle('StartExecution', { stateMachineArn: MACHINE, input: '{customer' });
    expect((await awsError(badInput)).name).toBe('InvalidExecutionInput');
  });

  it('names an execution with a UUID when StartExecution gives no name', async () => {
    const { execution } = await runToEnd(pass, { a: 1 });
    expect((execution as { name?: string }).name).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('lists executions newest first, filtered by status, a page at a time', async () => {
    let clock = Date.parse('2025-01-01T00:00:00Z');
    const service = serviceFor(
      {
        StartAt: 'Fork',
        States: {
          Fork: {
            Type: 'Choice',
            Choices: [{ Variable: '$.fail', BooleanEquals: true, Next: 'No' }],
            Default: 'Yes',
          },
          No: { Type: 'Fail', Error: 'Nope' },
          Yes: { Type: 'Succeed' },
        },
      },
      {
        now: () => {
          clock += 1000;
          return new Date(clock);
        },
      },
    );
    const arns = [];
    for (const [i, fail] of [false, true, false, true, false].entries()) {
      arns.push(await start(service, { fail }, `run-${i}`));
    }
    for (const arn of arns) await settled(service, arn);

    const list = (body: Record<string, unknown>) =>
      service.handle('ListExecutions', { stateMachineArn: MACHINE, ...body }) as Promise<{
        executions: { name: string }[];
        nextToken?: string;
      }>;
    const firstPage = await list({ maxResults: 2 });
    expect(firstPage.executions.map((e) => e.name)).toEqual(['run-4', 'run-3']);
    const secondPage = await list({ maxResults: 2, nextToken: firstPage.nextToken });
    expect(secondPage.executions.map((e) => e.name)).toEqual(['run-2', 'run-1']);
    expect((await list({ statusFilter: 'FAILED' })).executions.map((e) => e.name)).toEqual([
      'run-3',
      'run-1',
    ]);
    expect((await awsError(list({ nextToken: 'not-a-token' }))).name).toBe('InvalidToken');
  });

  it('answers a task token it never issued with InvalidToken and output that is not JSON with InvalidOutput', async () => {
    const service = serviceFor(pass);
    const unknown = service.handle('SendTaskSuccess', { taskToken: 'made-up', output: '{}' });
    expect((await awsError(unknown)).name).toBe('InvalidToken');
    const notJson = service.handle('SendTaskSuccess', { taskToken: 'made-up', output: 'yes' });
    expect((await awsError(notJson)).name).toBe('InvalidOutput');
  });
});

describe('the context object', () => {
  it('gives Parameters the execution, the state machine, the state and, inside a Map, the execution input', async () => {
    const { output, execution, executionArn } = await runToEnd(
      {
        StartAt: 'Look',
        States: {
          Look: {
            Type: 'Pass',
            Parameters: {
              'execution.$': '$$.Execution.Id',
              'name.$': '$$.Execution.Name',
              'startTime.$': '$$.Execution.StartTime',
              'machine.$': '$$.StateMachine.Name',
              'state.$': '$$.State.Name',
              'enteredTime.$': '$$.State.EnteredTime',
              'greeting.$': "States.Format('hello {}', $$.Execution.Input.who)",
              'items.$': '$.items',
            },
            Next: 'Each',
          },
          Each: {
            Type: 'Map',
            ItemsPath: '$.items',
            ItemSelector: { 'item.$': '$$.Map.Item.Value', 'who.$': '$$.Execution.Input.who' },
            ItemProcessor: { StartAt: 'Echo', States: { Echo: { Type: 'Pass', End: true } } },
            ResultPath: '$.each',
            End: true,
          },
        },
      },
      { who: 'ada', items: [1, 2] },
    );

    expect(output).toMatchObject({
      execution: executionArn,
      name: executionArn.split(':').at(-1),
      startTime: new Date(execution.startDate * 1000).toISOString(),
      machine: 'm',
      state: 'Look',
      greeting: 'hello ada',
      each: [
        { item: 1, who: 'ada' },
        { item: 2, who: 'ada' },
      ],
    });
    expect(Date.parse((output as { enteredTime: string }).enteredTime)).toBeGreaterThanOrEqual(
      execution.startDate * 1000,
    );
  });
});

describe('callback tasks', () => {
  it('fails the task with the error and cause of SendTaskFailure, which Catch sees', async () => {
    const callback = capturingTokens();
    const service = serviceFor(
      {
        StartAt: 'Ask',
        States: {
          Ask: callbackTask({
            Catch: [{ ErrorEquals: ['Review.Rejected'], ResultPath: '$.failure', Next: 'Handled' }],
          }),
          Handled: { Type: 'Pass', End: true },
        },
      },
      { integrations: callback.integrations },
    );
    const executionArn = await start(service);
    await service.handle('SendTaskFailure', {
      taskToken: await callback.next(),
      error: 'Review.Rejected',
      cause: 'no authority',
    });
    const execution = await settled(service, executionArn);

    expect(JSON.parse(execution.output ?? '{}')).toEqual({
      failure: { Error: 'Review.Rejected', Cause: 'no authority' },
    });
  });

  it('stays open while heartbeats arrive and times out with States.HeartbeatTimeout when they stop', async () => {
    const callback = capturingTokens();
    // 60 s of heartbeat window at 1000x: 60 ms.
    const service = serviceFor(
      {
        StartAt: 'Ask',
        States: {
          Ask: callbackTask({
            HeartbeatSeconds: 60,
            Catch: [{ ErrorEquals: ['States.Timeout'], Next: 'Gave up' }],
          }),
          'Gave up': { Type: 'Pass', End: true },
        },
      },
      { integrations: callback.integrations, timeScale: 1000 },
    );
    const executionArn = await start(service);
    const token = await callback.next();
    for (let i = 0; i < 5; i++) {
      await new Promise((resolve) => setTimeout(resolve, 30));
      await service.handle('SendTaskHeartbeat', { taskToken: token });
    }
    expect(((await service.handle('DescribeExecution', { executionArn })) as Execution).status).toBe(
      'RUNNING',
    );

    const execution = await settled(service, executionArn);
    expect(JSON.parse(execution.output ?? '{}')).toMatchObject({ Error: 'States.HeartbeatTimeout' });
    expect((await awsError(service.handle('SendTaskHeartbeat', { taskToken: token }))).name).toBe(
      'TaskTimedOut',
    );
  });

  it('never lets States.TaskFailed catch a timeout, as on AWS', async () => {
    const callback = capturingTokens();
    const { output } = await runToEnd(
      {
        StartAt: 'Ask',
        States: {
          Ask: callbackTask({
            TimeoutSeconds: 60,
            Catch: [
              { ErrorEquals: ['States.TaskFailed'], Next: 'Failed' },
              { ErrorEquals: ['States.Timeout'], Next: 'Timed out' },
            ],
          }),
          Failed: { Type: 'Pass', Result: 'failed', End: true },
          'Timed out': { Type: 'Pass', Result: 'timed out', End: true },
        },
      },
      {},
      { integrations: callback.integrations, timeScale: 1000 },
    );
    expect(output).toBe('timed out');
  });
});

describe('time', () => {
  it('times out the whole execution after its TimeoutSeconds, scaled', async () => {
    const { execution, events } = await runToEnd(
      { StartAt: 'Nap', TimeoutSeconds: 60, States: { Nap: { Type: 'Wait', Seconds: 3600, End: true } } },
      {},
      { timeScale: 1000 },
    );
    expect(execution).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
    expect(events.map((e) => e.type)).toEqual(['ExecutionStarted', 'WaitStateEntered', 'ExecutionTimedOut']);
  });

  it('waits until a timestamp, the remaining time divided by the time scale', async () => {
    const until = new Date(Date.now() + 100_000).toISOString();
    const { events, output } = await runToEnd(
      { StartAt: 'Until', States: { Until: { Type: 'Wait', TimestampPath: '$.until', End: true } } },
      { until },
      { timeScale: 1000 },
    );
    const [entered, exited] = events.filter((e) => e.type.startsWith('WaitState')).map((e) => e.timestamp);
    expect((exited ?? 0) - (entered ?? 0)).toBeGreaterThanOrEqual(0.08);
    expect((exited ?? 0) - (entered ?? 0)).toBeLessThan(1);
    expect(output).toEqual({ until });
  });

  it('fails with States.Runtime when SecondsPath does not hold a non-negative integer', async () => {
    const { execution } = await runToEnd(
      { StartAt: 'Nap', States: { Nap: { Type: 'Wait', SecondsPath: '$.delay', End: true } } },
      { delay: 'soon' },
    );
    expect(execution).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
  });

  it('does not scale the timeout of a synchronous task, which bounds real work', async () => {
    const { execution } = await runToEnd(
      {
        StartAt: 'Slow',
        States: {
          Slow: {
            Type: 'Task',
            Resource: 'arn:aws:lambda:us-east-1:000000000000:function:slow',
            TimeoutSeconds: 5,
            End: true,
          },
        },
      },
      {},
      {
        timeScale: 86_400,
        integrations: { invokeLambda: () => new Promise((resolve) => setTimeout(() => resolve('done'), 30)) },
      },
    );
    expect(execution).toMatchObject({ status: 'SUCCEEDED', output: '"done"' });
  });

  it('times out a synchronous task after its TimeoutSeconds', async () => {
    const { execution, events } = await runToEnd(
      {
        StartAt: 'Hang',
        States: {
          Hang: {
            Type: 'Task',
            Resource: 'arn:aws:lambda:us-east-1:000000000000:function:hang',
            TimeoutSeconds: 1,
            End: true,
          },
        },
      },
      {},
      { integrations: { invokeLambda: () => new Promise(() => {}) } },
    );
    expect(execution).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(events.map((e) => e.type)).toContain('LambdaFunctionTimedOut');
  });
});

describe('service integrations', () => {
  it('reports DynamoDB errors as DynamoDB.<code> and strips SDK metadata from results', async () => {
    const { output } = await runToEnd(
      {
        StartAt: 'Read',
        States: {
          Read: {
            Type: 'Task',
            Resource: 'arn:aws:states:::aws-sdk:dynamodb:query',
            Parameters: { TableName: 't' },
            ResultPath: '$.read',
            Next: 'Write',
          },
          Write: {
            Type: 'Task',
            Resource: 'arn:aws:states:::dynamodb:putItem',
            Parameters: { TableName: 't', Item: {} },
            Catch: [
              {
                ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'],
                ResultPath: '$.error',
                Next: 'Done',
              },
            ],
            End: true,
          },
          Done: { Type: 'Pass', End: true },
        },
      },
      {},
      {
        integrations: {
          dynamodb: async (action) => {
            if (action === 'query') return { Items: [], Count: 0, $metadata: { httpStatusCode: 200 } };
            throw Object.assign(new Error('The conditional request failed'), {
              name: 'ConditionalCheckFailedException',
            });
          },
        },
      },
    );
    expect(output).toMatchObject({
      read: { Items: [], Count: 0 },
      error: { Error: 'DynamoDB.ConditionalCheckFailedException' },
    });
    expect((output as { read: object }).read).not.toHaveProperty('$metadata');
  });

  it('fails an EventBridge task with EventBridge.FailedEntry when an entry fails', async () => {
    const { execution } = await runToEnd(
      {
        StartAt: 'Tell',
        States: {
          Tell: {
            Type: 'Task',
            Resource: 'arn:aws:states:::events:putEvents',
            Parameters: { Entries: [{ Source: 'rapport', DetailType: 'x', Detail: { a: 1 } }] },
            End: true,
          },
        },
      },
      {},
      {
        integrations: {
          putEvents: async () => ({
            FailedEntryCount: 1,
            Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'x' }],
          }),
        },
      },
    );
    expect(execution).toMatchObject({ status: 'FAILED', error: 'EventBridge.FailedEntry' });
  });

  it('reports a failure of Lambda itself as Lambda.<code>, and a function error by its type', async () => {
    const definition: AslDefinition = {
      StartAt: 'Call',
      States: {
        Call: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: 'gone' },
          End: true,
        },
      },
    };
    const missing = await runToEnd(
      definition,
      {},
      {
        integrations: {
          invokeLambda: async () => {
            throw Object.assign(new Error('Function not found'), {
              name: 'ResourceNotFoundException',
              statusCode: 404,
            });
          },
        },
      },
    );
    expect(missing.execution).toMatchObject({ status: 'FAILED', error: 'Lambda.ResourceNotFoundException' });

    const thrown = await runToEnd(
      definition,
      {},
      {
        integrations: {
          invokeLambda: async () => {
            throw new TypeError('customer is undefined');
          },
        },
      },
    );
    expect(thrown.execution).toMatchObject({ status: 'FAILED', error: 'TypeError' });
    expect(JSON.parse(thrown.execution.cause ?? '{}')).toMatchObject({
      errorType: 'TypeError',
      errorMessage: 'customer is undefined',
    });
  });
});

describe('ASL the interpreter gets wrong, run as AWS runs it', () => {
  it('outputs a falsy Pass Result, writes ResultPath "$" as the whole output, and leaves a missing Fail error out', async () => {
    const { execution, output } = await runToEnd(
      {
        StartAt: 'Zero',
        States: {
          Zero: { Type: 'Pass', Result: 0, ResultPath: '$.count', Next: 'Whole' },
          Whole: { Type: 'Pass', Result: { replaced: true }, ResultPath: '$', End: true },
        },
      },
      { count: 5 },
    );
    expect(output).toEqual({ replaced: true });
    expect(execution.status).toBe('SUCCEEDED');

    const failed = await runToEnd({ StartAt: 'Stop', States: { Stop: { Type: 'Fail' } } });
    expect(failed.execution.status).toBe('FAILED');
    expect(failed.execution).not.toHaveProperty('error');
    expect(failed.execution).not.toHaveProperty('cause');
  });

  it('writes a falsy Result where ResultPath points', async () => {
    const { output } = await runToEnd(
      { StartAt: 'Zero', States: { Zero: { Type: 'Pass', Result: 0, ResultPath: '$.count', End: true } } },
      { count: 5 },
    );
    expect(output).toEqual({ count: 0 });
  });

  it('records Parallel branches between ParallelStateStarted and ParallelStateSucceeded', async () => {
    const branch = (name: string) => ({
      StartAt: name,
      States: { [name]: { Type: 'Pass', Result: name, End: true } },
    });
    const { output, events } = await runToEnd({
      StartAt: 'Both',
      States: { Both: { Type: 'Parallel', Branches: [branch('Left'), branch('Right')], End: true } },
    });
    expect(output).toEqual(['Left', 'Right']);
    const types = events.map((e) => e.type);
    expect(types.slice(0, 3)).toEqual(['ExecutionStarted', 'ParallelStateEntered', 'ParallelStateStarted']);
    expect(types.slice(-3)).toEqual(['ParallelStateSucceeded', 'ParallelStateExited', 'ExecutionSucceeded']);
  });
});
