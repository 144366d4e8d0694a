import { App, Duration, Stack } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { describe, expect, it } from 'vitest';
import {
  type AslDefinition,
  assertSupported,
  stateMachinesFromTemplate,
  templateResolver,
  UnsupportedDefinitionError,
} from '../../../local/stepfunctions/definitions';
import { type CfnTemplate, synthesizeTemplate } from '../../../local/synth';

/** The ASL CDK emits for a chain, without synthesizing a whole app. */
function aslOf(build: (stack: Stack) => sfn.IChainable, queryLanguage?: sfn.QueryLanguage): AslDefinition {
  const stack = new Stack(new App(), 'Asl');
  const graph = new sfn.StateGraph(build(stack).startState, 'test');
  return stack.resolve(graph.toGraphJson(queryLanguage)) as AslDefinition;
}

function issuesOf(definition: AslDefinition) {
  try {
    assertSupported(definition);
  } catch (error) {
    expect(error).toBeInstanceOf(UnsupportedDefinitionError);
    return (error as UnsupportedDefinitionError).issues;
  }
  return [];
}

const machine = (properties: Record<string, unknown>) => ({
  Type: 'AWS::StepFunctions::StateMachine',
  Properties: properties,
});

/** Shaped as CDK emits it: the definition is a Fn::Join whose pieces hold Ref and Fn::GetAtt. */
const template: CfnTemplate = {
  Resources: {
    Decide: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'decide-fn' } },
    Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'rapport' } },
    Table: { Type: 'AWS::DynamoDB::Table', Properties: {} },
    Role: { Type: 'AWS::IAM::Role', Properties: {} },
    FeeReview: machine({
      StateMachineName: { 'Fn::Join': ['', [{ Ref: 'AWS::StackName' }, '-fee-review']] },
      RoleArn: { 'Fn::GetAtt': ['Role', 'Arn'] },
      DefinitionString: {
        'Fn::Join': [
          '',
          [
            '{"StartAt":"Decide","States":{"Decide":{"Type":"Task","Resource":"arn:',
            { Ref: 'AWS::Partition' },
            ':states:::lambda:invoke","Parameters":{"FunctionName":"',
            { 'Fn::GetAtt': ['Decide', 'Arn'] },
            '"},"Next":"Store"},"Store":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:putItem","Parameters":{"TableName":"',
            { Ref: 'Table' },
            '"},"Next":"Tell"},"Tell":{"Type":"Task","Resource":"arn:aws:states:::events:putEvents","Parameters":{"Entries":[{"EventBusName":"',
            { 'Fn::GetAtt': ['Bus', 'Arn'] },
            '"}]},"End":true}}}',
          ],
        ],
      },
    }),
    Unnamed: machine({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a DefinitionSubstitutions placeholder
      DefinitionString: '{"StartAt":"Go","States":{"Go":{"Type":"Pass","Result":"${Greeting}","End":true}}}',
      DefinitionSubstitutions: { Greeting: { 'Fn::GetAtt': ['Bus', 'Name'] } },
    }),
  },
};

describe('state machines from a synthesized template', () => {
  const [feeReview, unnamed] = stateMachinesFromTemplate(
    template,
    templateResolver(template, { stackName: 'Rapport' }),
  );

  it('resolves the Fn::Join definition, its Ref and Fn::GetAtt pieces, the name and the role', () => {
    expect(feeReview).toMatchObject({
      name: 'Rapport-fee-review',
      arn: 'arn:aws:states:us-east-1:000000000000:stateMachine:Rapport-fee-review',
      roleArn: 'arn:aws:iam::000000000000:role/Role',
    });
    const states = feeReview?.definition.States ?? {};
    expect(states.Decide).toMatchObject({
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:decide-fn' },
    });
    expect(states.Store?.Parameters).toEqual({ TableName: 'Table' });
    expect(states.Tell?.Parameters).toEqual({
      Entries: [{ EventBusName: 'arn:aws:events:us-east-1:000000000000:event-bus/rapport' }],
    });
  });

  it('names a machine without StateMachineName by its logical id and applies DefinitionSubstitutions', () => {
    expect(unnamed?.name).toBe('Unnamed');
    expect(unnamed?.definition.States.Go).toMatchObject({ Result: 'rapport' });
  });

  it('hands every intrinsic piece to the resolver it is given', () => {
    const seen: unknown[] = [];
    const [resolved] = stateMachinesFromTemplate(template, (intrinsic) => {
      seen.push(intrinsic);
      return JSON.stringify(intrinsic) === '{"Ref":"AWS::StackName"}' ? 'Other' : 'x';
    });
    expect(resolved?.name).toBe('Other-fee-review');
    expect(seen).toContainEqual({ 'Fn::GetAtt': ['Decide', 'Arn'] });
    expect(seen).toContainEqual({ Ref: 'Table' });
  });

  it('fails loudly on an intrinsic the default resolver cannot give a local value', () => {
    const imported: CfnTemplate = {
      Resources: { M: machine({ DefinitionString: { 'Fn::ImportValue': 'shared-definition' } }) },
    };
    expect(() => stateMachinesFromTemplate(imported, templateResolver(imported))).toThrow(/Fn::ImportValue/);
  });

  it('rejects a definition that is not Amazon States Language', () => {
    const broken: CfnTemplate = { Resources: { M: machine({ DefinitionString: '{"States":{}}' }) } };
    expect(() => stateMachinesFromTemplate(broken, templateResolver(broken))).toThrow(/StartAt/);
  });
});

describe('assertSupported', () => {
  it('refuses a state machine written in JSONata', () => {
    const definition: AslDefinition = {
      QueryLanguage: 'JSONata',
      StartAt: 'Total',
      States: { Total: { Type: 'Pass', End: true } },
    };
    expect(issuesOf(definition)).toEqual([
      { problem: 'the state machine runs JSONata (QueryLanguage at the top level)' },
    ]);
  });

  it('refuses a JSONata state inside a JSONPath state machine, naming it', () => {
    const definition = aslOf((stack) =>
      new sfn.Pass(stack, 'Start').next(
        sfn.Pass.jsonata(stack, 'Total', { outputs: { sum: '{% 1 + 1 %}' } }),
      ),
    );
    expect(issuesOf(definition)).toEqual([
      { state: 'Total', problem: 'uses JSONata (QueryLanguage)' },
      { state: 'Total', problem: 'uses Output, a JSONata field' },
    ]);
  });

  it('refuses workflow variables (Assign), naming the state', () => {
    const definition = aslOf((stack) => new sfn.Pass(stack, 'Remember', { assign: { tier: 'gold' } }));
    expect(issuesOf(definition)).toEqual([
      { state: 'Remember', problem: 'uses Assign (workflow variables)' },
    ]);
  });

  it('refuses a Distributed Map, even inside a Parallel branch', () => {
    const definition = aslOf((stack) =>
      new sfn.Parallel(stack, 'Fan').branch(
        new sfn.DistributedMap(stack, 'Everyone', { itemsPath: '$.customers' }).itemProcessor(
          new sfn.Pass(stack, 'One'),
        ),
      ),
    );
    expect(issuesOf(definition)).toEqual([{ state: 'Everyone', problem: 'is a Distributed Map' }]);
  });

  it('refuses a task resource the local runtime cannot emulate, naming the state and the resource', () => {
    const definition: AslDefinition = {
      StartAt: 'Queue',
      States: {
        Queue: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage', Next: 'Child' },
        Child: { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync:2', Next: 'Lock' },
        Lock: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:putItem.waitForTaskToken', End: true },
      },
    };
    expect(issuesOf(definition)).toEqual([
      {
        state: 'Queue',
        problem: 'calls arn:aws:states:::sqs:sendMessage, which the local runtime cannot emulate',
      },
      {
        state: 'Child',
        problem:
          'calls arn:aws:states:::states:startExecution.sync:2, which the local runtime cannot emulate',
      },
      {
        state: 'Lock',
        problem:
          'calls arn:aws:states:::dynamodb:putItem.waitForTaskToken, which the local runtime cannot emulate',
      },
    ]);
  });

  it('accepts every resource, state type and field the local runtime runs', () => {
    const task = (Resource: string, Next: string) => ({ Type: 'Task', Resource, Next });
    const definition: AslDefinition = {
      StartAt: 'A',
      QueryLanguage: 'JSONPath',
      States: {
        A: task('arn:aws:states:::lambda:invoke', 'B'),
        B: task('arn:aws:states:::lambda:invoke.waitForTaskToken', 'C'),
        C: task('arn:aws:lambda:us-east-1:000000000000:function:decide', 'D'),
        D: task('arn:aws:states:::dynamodb:getItem', 'E'),
        E: task('arn:aws:states:::dynamodb:putItem', 'F'),
        F: task('arn:aws:states:::dynamodb:updateItem', 'G'),
        G: task('arn:aws:states:::dynamodb:deleteItem', 'H'),
        H: task('arn:aws:states:::aws-sdk:dynamodb:query', 'I'),
        I: task('arn:aws:states:::events:putEvents', 'J'),
        J: task('arn:aws:states:::events:putEvents.waitForTaskToken', 'K'),
        K: { Type: 'Wait', SecondsPath: '$.delay', Next: 'L' },
        L: {
          Type: 'Map',
          ItemProcessor: {
            ProcessorConfig: { Mode: 'INLINE' },
            StartAt: 'M',
            States: { M: { Type: 'Pass', End: true } },
          },
          End: true,
        },
      },
    };
    expect(() => assertSupported(definition)).not.toThrow();
  });

  it('lists every problem of a definition in one error', () => {
    const definition = aslOf((stack) =>
      new sfn.Pass(stack, 'Remember', { assign: { x: 1 } })
        .next(new sfn.Wait(stack, 'Later', { time: sfn.WaitTime.duration(Duration.hours(1)) }))
        .next(new sfn.DistributedMap(stack, 'Everyone').itemProcessor(new sfn.Pass(stack, 'One'))),
    );
    expect(() => assertSupported(definition)).toThrow(
      'the local Step Functions runtime cannot run this definition: state "Remember" uses Assign (workflow variables); state "Everyone" is a Distributed Map',
    );
  });

  it('passes every state machine of the Rapport stack, so `npm start` can run them all', () => {
    const { template: rapport, stackName } = synthesizeTemplate({ bundle: false });
    const machines = stateMachinesFromTemplate(rapport, templateResolver(rapport, { stackName }));
    for (const { name, definition } of machines) {
      expect(() => assertSupported(definition), name).not.toThrow();
    }
  });
});
