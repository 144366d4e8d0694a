import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { REVIEW_MAX_HOURS } from '../../../functions/fee-review/workflow';
import { DetailTypes } from '../../../functions/shared/events';
import {
  type AslDefinition,
  type AslState,
  assertSupported,
  forEachState,
  type StateMachineDefinition,
  stateMachinesFromTemplate,
  templateResolver,
} from '../../../local/stepfunctions/definitions';
import { type CfnTemplate, synthesizeTemplate } from '../../../local/synth';

let template: CfnTemplate;
let machine: StateMachineDefinition;
let stackName: string;
beforeAll(() => {
  const synthesized = synthesizeTemplate({ bundle: false });
  template = synthesized.template;
  stackName = synthesized.stackName;
  const found = stateMachinesFromTemplate(template, templateResolver(template)).find((m) =>
    m.name.endsWith('-fee-review'),
  );
  if (!found) throw new Error('no fee-review state machine in the stack');
  machine = found;
});

function tasks(definition: AslDefinition): [string, AslState][] {
  const out: [string, AslState][] = [];
  forEachState(definition, (name, state) => {
    if (state.Type === 'Task') out.push([name, state]);
  });
  return out;
}

type Retrier = { ErrorEquals: string[]; MaxAttempts?: number; JitterStrategy?: string };
type Catcher = { ErrorEquals: string[]; Next: string };

describe('the fee review state machine definition', () => {
  it('is named after the stack and runs on the local runtime as written (JSONPath, no Assign, no Distributed Map)', () => {
    expect(machine.name).toBe(`${stackName}-fee-review`);
    expect(() => assertSupported(machine.definition)).not.toThrow();
    const text = JSON.stringify(machine.definition);
    expect(text).not.toMatch(
      /JSONata|"Assign"|"Arguments"|"Output"|"DISTRIBUTED"|"ItemReader"|"ResultWriter"/,
    );
  });

  it('gives every Task a timeout, jittered retries and a catch-all catcher', () => {
    const all = tasks(machine.definition);
    expect(all.length).toBeGreaterThanOrEqual(9);
    for (const [name, task] of all) {
      const retry = (task.Retry ?? []) as Retrier[];
      const catchers = (task.Catch ?? []) as Catcher[];
      expect({ name, timeout: task.TimeoutSeconds ?? task.TimeoutSecondsPath }).toEqual({
        name,
        timeout: expect.anything(),
      });
      const catchAll = retry.find((r) => r.ErrorEquals.includes('States.ALL'));
      expect({ name, jitter: catchAll?.JitterStrategy }).toEqual({ name, jitter: 'FULL' });
      expect({ name, catches: catchers.some((c) => c.ErrorEquals.includes('States.ALL')) }).toEqual({
        name,
        catches: true,
      });
    }
  });

  it('sends every failure to the path that closes the run as FAILED and ends in a Fail state with the cause', () => {
    const states = machine.definition.States;
    const catchTargets = new Set(
      tasks(machine.definition).flatMap(([, t]) =>
        ((t.Catch ?? []) as Catcher[]).filter((c) => c.ErrorEquals.includes('States.ALL')).map((c) => c.Next),
      ),
    );
    // The notice is the one task whose failure the run survives (it is kept in the output instead).
    expect([...catchTargets].sort()).toEqual([
      'Mark run failed',
      'Run failed',
      'Suggest a credit limit review?',
    ]);
    expect(states['Mark run failed']).toMatchObject({ Type: 'Task', Next: 'Run failed' });
    expect(states['Run failed']).toMatchObject({
      Type: 'Fail',
      ErrorPath: '$.failure.Error',
      CausePath: '$.failure.Cause',
    });
  });

  it('waits for a person with the task token, until the deadline, then takes the default', () => {
    const review = machine.definition.States['Open review'] as AslState;
    expect(review.Resource).toMatch(/\.waitForTaskToken$/);
    expect(JSON.stringify(review.Parameters)).toContain('"taskToken.$":"$$.Task.Token"');
    expect(review.TimeoutSecondsPath).toBe('$.assessment.review.timeoutSeconds');
    expect((review.Retry as Retrier[])[0]).toMatchObject({
      ErrorEquals: expect.arrayContaining(['States.Timeout']),
      MaxAttempts: 0,
    });
    expect((review.Catch as Catcher[])[0]).toEqual(
      expect.objectContaining({ ErrorEquals: ['States.Timeout'], Next: 'Close timed-out review' }),
    );
    // The wait is capped below the machine's own timeout, so the run always closes its own items.
    expect(machine.definition.TimeoutSeconds).toBeGreaterThan(REVIEW_MAX_HOURS * 3600 + 3600);
  });

  it('records, emits and closes with direct integrations; Lambdas only assess, open the review and send the notice', () => {
    const resources = Object.fromEntries(tasks(machine.definition).map(([n, t]) => [n, String(t.Resource)]));
    expect(resources).toMatchObject({
      'Record run': 'arn:aws:states:::dynamodb:putItem',
      'Record decision': 'arn:aws:states:::dynamodb:updateItem',
      'Emit Fee Review Decided': 'arn:aws:states:::events:putEvents',
      'Emit Credit Limit Review Suggested': 'arn:aws:states:::events:putEvents',
      'Close timed-out review': 'arn:aws:states:::dynamodb:updateItem',
      'Mark run succeeded': 'arn:aws:states:::dynamodb:updateItem',
      'Mark run failed': 'arn:aws:states:::dynamodb:updateItem',
      Assess: expect.stringMatching(/:function:/),
      'Send service notice': expect.stringMatching(/:function:/),
      'Open review': 'arn:aws:states:::lambda:invoke.waitForTaskToken',
    });
    const emitted = JSON.stringify(machine.definition.States['Emit Fee Review Decided']);
    expect(emitted).toContain(`"DetailType":"${DetailTypes.FeeReviewDecided}"`);
    expect(emitted).toContain('"Source":"rapport"');
  });
});

describe('the fee review resources', () => {
  it('is a Standard state machine that logs every event to its own log group, with tracing', () => {
    const t = Template.fromJSON(template);
    t.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: `${stackName}-fee-review`,
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL' }),
    });
  });

  it('starts from Fee Assessed channel events through a rule with retries and a dead-letter queue', () => {
    const t = Template.fromJSON(template);
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: [{ 'anything-but': { prefix: 'rapport' } }],
        'detail-type': [DetailTypes.FeeAssessed],
      },
      Targets: [
        Match.objectLike({
          DeadLetterConfig: { Arn: Match.anyValue() },
          RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
        }),
      ],
    });
    t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
      MaximumRetryAttempts: 2,
    });
  });
});
