import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DeadLetterList, readDeadLetters } from '../../../local/dead-letters';
import { type BusTargets, type EventEnvelope, LocalEventBus } from '../../../local/event-bus/bus';
import { IntrinsicResolver, type Template } from '../../../local/intrinsics';

const FN_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:Handler';
const SM_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:Flow';

function template(targets: unknown[], pattern: unknown = { source: [{ prefix: 'bank.' }] }): Template {
  return {
    Resources: {
      Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'rapport' } },
      Handler: { Type: 'AWS::Lambda::Function', Properties: {} },
      Flow: { Type: 'AWS::StepFunctions::StateMachine', Properties: { StateMachineName: 'Flow' } },
      Dlq: { Type: 'AWS::SQS::Queue', Properties: {} },
      Rule: {
        Type: 'AWS::Events::Rule',
        Properties: {
          EventBusName: { Ref: 'Bus' },
          EventPattern: pattern,
          State: 'ENABLED',
          Targets: targets,
        },
      },
    },
  };
}

type Calls = { lambda: { arn: string; payload: unknown }[]; sfn: { arn: string; input: string }[] };
const buses: LocalEventBus[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const bus of buses.splice(0)) bus.close();
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function makeBus(t: Template, targets: Partial<BusTargets> = {}) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bus-test-'));
  dirs.push(dataDir);
  const calls: Calls = { lambda: [], sfn: [] };
  const bus = new LocalEventBus({
    template: t,
    resolver: new IntrinsicResolver(t, { stackName: 'Rapport' }),
    deadLetters: new DeadLetterList(dataDir),
    // Retry delays of seconds become a tenth of a millisecond, 24 h of event age 8.6 s: the
    // policy is honoured and the test stays fast.
    retryScale: 10_000,
    targets: {
      invokeLambdaAsync: (arn, payload) => void calls.lambda.push({ arn, payload }),
      startExecution: async (arn, input) => calls.sfn.push({ arn, input }),
      ...targets,
    },
  });
  buses.push(bus);
  return { bus, calls, dataDir };
}

const entry = (over: Record<string, unknown> = {}) => ({
  Source: 'bank.billing',
  DetailType: 'Fee Assessed',
  Detail: JSON.stringify({ feeId: 'f1' }),
  EventBusName: 'rapport',
  ...over,
});

describe('PutEvents validation', () => {
  const { bus } = makeBus(template([]));

  it('answers each entry: an EventId, or an ErrorCode and ErrorMessage', () => {
    const result = bus.putEvents({
      Entries: [
        entry(),
        entry({ Source: undefined }),
        entry({ DetailType: '' }),
        entry({ Detail: undefined }),
        entry({ Detail: '{not json' }),
        entry({ Detail: '[1,2]' }),
        entry({ Source: 'aws.ec2' }),
        entry({ EventBusName: 'nope' }),
      ],
    });
    expect(result.FailedEntryCount).toBe(7);
    expect(result.Entries[0]).toEqual({ EventId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(result.Entries.slice(1)).toEqual([
      {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: 'Parameter Source is not valid. Reason: Source is a required argument.',
      },
      {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: 'Parameter DetailType is not valid. Reason: DetailType is a required argument.',
      },
      {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: 'Parameter Detail is not valid. Reason: Detail is a required argument.',
      },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' },
      { ErrorCode: 'ResourceNotFoundException', ErrorMessage: 'Event bus nope does not exist.' },
    ]);
  });

  it('refuses more than 10 entries, or none, as a whole', () => {
    expect(() => bus.putEvents({ Entries: Array.from({ length: 11 }, () => entry()) })).toThrow(
      expect.objectContaining({ name: 'ValidationException', statusCode: 400 }),
    );
    expect(() => bus.putEvents({ Entries: [] })).toThrow(
      expect.objectContaining({ name: 'ValidationException' }),
    );
  });

  it('refuses a request over 256 KB', () => {
    const big = JSON.stringify({ text: 'x'.repeat(256 * 1024) });
    expect(() => bus.putEvents({ Entries: [entry({ Detail: big })] })).toThrow(/over the limit/);
  });

  it('accepts a bus given by ARN, and the default bus when none is named', () => {
    const byArn = bus.putEvents({
      Entries: [entry({ EventBusName: 'arn:aws:events:us-east-1:000000000000:event-bus/rapport' })],
    });
    const byDefault = bus.putEvents({ Entries: [entry({ EventBusName: undefined })] });
    expect(byArn.FailedEntryCount + byDefault.FailedEntryCount).toBe(0);
  });
});

describe('delivery', () => {
  it('wraps the entry in the EventBridge envelope and delivers after PutEvents returned', async () => {
    const { bus, calls } = makeBus(template([{ Id: 'fn', Arn: { 'Fn::GetAtt': ['Handler', 'Arn'] } }]));
    const result = bus.putEvents({ Entries: [entry({ Resources: ['arn:x'], Time: 1_700_000_000 })] });
    expect(calls.lambda).toHaveLength(0);
    await bus.idle();
    const event = calls.lambda[0]?.payload as EventEnvelope;
    expect(calls.lambda[0]?.arn).toBe(FN_ARN);
    expect(event).toEqual({
      version: '0',
      id: (result.Entries[0] as { EventId: string }).EventId,
      'detail-type': 'Fee Assessed',
      source: 'bank.billing',
      account: '000000000000',
      time: '2023-11-14T22:13:20Z',
      region: 'us-east-1',
      resources: ['arn:x'],
      detail: { feeId: 'f1' },
    });
  });

  it('delivers only what matches the pattern, on the rule bus only', async () => {
    const { bus, calls } = makeBus(template([{ Id: 'fn', Arn: FN_ARN }]));
    bus.putEvents({ Entries: [entry({ Source: 'rapport' }), entry({ EventBusName: undefined }), entry()] });
    await bus.idle();
    expect(calls.lambda).toHaveLength(1);
  });

  it('starts an execution with the transformed input', async () => {
    const { bus, calls } = makeBus(
      template([
        {
          Id: 'sm',
          Arn: { Ref: 'Flow' },
          InputTransformer: { InputPathsMap: { fee: '$.detail.feeId' }, InputTemplate: '{"feeId": <fee>}' },
        },
      ]),
    );
    bus.putEvents({ Entries: [entry()] });
    await bus.idle();
    expect(calls.sfn).toEqual([{ arn: SM_ARN, input: '{"feeId": "f1"}' }]);
  });

  it('retries a failing target per its RetryPolicy, then records a dead letter with its queue', async () => {
    let attempts = 0;
    const t = template([
      {
        Id: 'sm',
        Arn: SM_ARN,
        RetryPolicy: { MaximumRetryAttempts: 3 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['Dlq', 'Arn'] } },
      },
    ]);
    const { bus, dataDir } = makeBus(t, {
      startExecution: async () => {
        attempts += 1;
        throw Object.assign(new Error('state machine is broken'), { name: 'StateMachineDoesNotExist' });
      },
    });
    bus.putEvents({ Entries: [entry()] });
    await bus.idle();
    expect(attempts).toBe(4);
    const [letter] = readDeadLetters(dataDir);
    expect(letter).toMatchObject({
      kind: 'event-target',
      ruleName: 'Rapport-Rule',
      targetId: 'sm',
      targetArn: SM_ARN,
      deadLetterQueue: 'arn:aws:sqs:us-east-1:000000000000:Rapport-Dlq',
      errorCode: 'StateMachineDoesNotExist',
      retryAttempts: 3,
      event: { source: 'bank.billing' },
    });
  });

  it('a Lambda target whose transformer produced text that is not JSON fails like Invoke does', async () => {
    const { bus, calls, dataDir } = makeBus(
      template([
        {
          Id: 'fn',
          Arn: FN_ARN,
          RetryPolicy: { MaximumRetryAttempts: 0 },
          InputTransformer: { InputPathsMap: { f: '$.detail.feeId' }, InputTemplate: 'fee <f>' },
        },
      ]),
    );
    bus.putEvents({ Entries: [entry()] });
    await bus.idle();
    expect(calls.lambda).toHaveLength(0);
    expect(readDeadLetters(dataDir)[0]).toMatchObject({
      errorCode: 'InvalidRequestContentException',
      deadLetterQueue: null,
      input: 'fee "f1"',
    });
  });
});

describe('rules from the template', () => {
  it('fails the start on an invalid pattern, naming the rule', () => {
    expect(() => makeBus(template([], { source: 'bank' }))).toThrow(/Rule: invalid EventPattern/);
  });

  it('lists and describes rules like ListRules and DescribeRule', () => {
    const { bus } = makeBus(template([{ Id: 'fn', Arn: FN_ARN }]));
    expect(bus.listRules({ EventBusName: 'rapport' }).Rules).toEqual([
      {
        Name: 'Rapport-Rule',
        Arn: 'arn:aws:events:us-east-1:000000000000:rule/rapport/Rapport-Rule',
        EventBusName: 'rapport',
        State: 'ENABLED',
        EventPattern: '{"source":[{"prefix":"bank."}]}',
      },
    ]);
    expect(bus.listRules({}).Rules).toEqual([]);
    expect(bus.describeRule({ Name: 'Rapport-Rule', EventBusName: 'rapport' }).Arn).toContain(
      'rule/rapport/',
    );
    expect(() => bus.describeRule({ Name: 'nope', EventBusName: 'rapport' })).toThrow(
      expect.objectContaining({ name: 'ResourceNotFoundException' }),
    );
    expect(bus.listTargetsByRule({ Rule: 'Rapport-Rule', EventBusName: 'rapport' }).Targets).toEqual([
      { Id: 'fn', Arn: FN_ARN },
    ]);
  });
});
