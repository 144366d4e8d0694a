// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub strings use ${...} literally.
import { describe, expect, it } from 'vitest';
import { IntrinsicResolver, type Template } from '../../../local/intrinsics';

const template: Template = {
  Parameters: { Stage: { Type: 'String', Default: 'dev' } },
  Conditions: { IsDev: { 'Fn::Equals': [{ Ref: 'Stage' }, 'dev'] } },
  Resources: {
    Table: { Type: 'AWS::DynamoDB::Table', Properties: {} },
    NamedTable: {
      Type: 'AWS::DynamoDB::Table',
      Properties: { TableName: { 'Fn::Sub': '${AWS::StackName}-named' } },
    },
    Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'rapport' } },
    Rule: { Type: 'AWS::Events::Rule', Properties: { EventBusName: { Ref: 'Bus' } } },
    DefaultRule: { Type: 'AWS::Events::Rule', Properties: {} },
    Fn: { Type: 'AWS::Lambda::Function', Properties: {} },
    Machine: {
      Type: 'AWS::StepFunctions::StateMachine',
      Properties: { StateMachineName: 'Rapport-fee-review' },
    },
    Queue: { Type: 'AWS::SQS::Queue', Properties: {} },
    Api: { Type: 'AWS::ApiGateway::RestApi', Properties: {} },
    Key: { Type: 'AWS::KMS::Key', Properties: {} },
    Odd: { Type: 'AWS::EC2::VPC', Properties: {} },
  },
};

const resolver = new IntrinsicResolver(template, {
  stackName: 'Rapport',
  awsEndpoint: 'http://localhost:4566',
});
const r = (value: unknown) => resolver.resolve(value, 'Test.Properties');

describe('Ref and Fn::GetAtt', () => {
  it('names a table <stack>-<logicalId> unless the template names it', () => {
    expect(r({ Ref: 'Table' })).toBe('Rapport-Table');
    expect(r({ Ref: 'NamedTable' })).toBe('Rapport-named');
    expect(r({ 'Fn::GetAtt': ['Table', 'Arn'] })).toBe(
      'arn:aws:dynamodb:us-east-1:000000000000:table/Rapport-Table',
    );
  });

  it('gives an event bus its Name, ARN and Name attribute', () => {
    expect(r({ Ref: 'Bus' })).toBe('rapport');
    expect(r({ 'Fn::GetAtt': ['Bus', 'Name'] })).toBe('rapport');
    expect(r({ 'Fn::GetAtt': 'Bus.Arn' })).toBe('arn:aws:events:us-east-1:000000000000:event-bus/rapport');
  });

  it('gives rules on a custom bus the bus|name Ref and bus/name ARN CloudFormation gives', () => {
    expect(r({ Ref: 'Rule' })).toBe('rapport|Rapport-Rule');
    expect(r({ 'Fn::GetAtt': ['Rule', 'Arn'] })).toBe(
      'arn:aws:events:us-east-1:000000000000:rule/rapport/Rapport-Rule',
    );
    expect(r({ 'Fn::GetAtt': ['DefaultRule', 'Arn'] })).toBe(
      'arn:aws:events:us-east-1:000000000000:rule/Rapport-DefaultRule',
    );
  });

  it('names Lambda functions by logical id', () => {
    expect(r({ Ref: 'Fn' })).toBe('Fn');
    expect(r({ 'Fn::GetAtt': ['Fn', 'Arn'] })).toBe('arn:aws:lambda:us-east-1:000000000000:function:Fn');
  });

  it('gives a state machine its ARN as Ref and its name as Name', () => {
    expect(r({ Ref: 'Machine' })).toBe(
      'arn:aws:states:us-east-1:000000000000:stateMachine:Rapport-fee-review',
    );
    expect(r({ 'Fn::GetAtt': ['Machine', 'Name'] })).toBe('Rapport-fee-review');
  });

  it('gives a queue a local URL as Ref, an ARN and a name', () => {
    expect(r({ Ref: 'Queue' })).toBe('http://localhost:4566/000000000000/Rapport-Queue');
    expect(r({ 'Fn::GetAtt': ['Queue', 'Arn'] })).toBe('arn:aws:sqs:us-east-1:000000000000:Rapport-Queue');
    expect(r({ 'Fn::GetAtt': ['Queue', 'QueueName'] })).toBe('Rapport-Queue');
  });

  it('gives ids that stay the same from one start to the next', () => {
    const again = new IntrinsicResolver(template, { stackName: 'Rapport' });
    expect(again.resolve({ Ref: 'Api' }, 'x')).toBe(r({ Ref: 'Api' }));
    expect(again.resolve({ 'Fn::GetAtt': ['Key', 'Arn'] }, 'x')).toBe(r({ 'Fn::GetAtt': ['Key', 'Arn'] }));
    expect(r({ 'Fn::GetAtt': ['Api', 'RootResourceId'] })).not.toBe(r({ Ref: 'Api' }));
  });

  it('uses a parameter Default', () => {
    expect(r({ Ref: 'Stage' })).toBe('dev');
  });
});

describe('pseudo parameters', () => {
  it('resolves to the local account and region', () => {
    expect(r({ Ref: 'AWS::Region' })).toBe('us-east-1');
    expect(r({ Ref: 'AWS::AccountId' })).toBe('000000000000');
    expect(r({ Ref: 'AWS::Partition' })).toBe('aws');
    expect(r({ Ref: 'AWS::URLSuffix' })).toBe('amazonaws.com');
    expect(r({ Ref: 'AWS::StackName' })).toBe('Rapport');
  });

  it('drops a property set to AWS::NoValue', () => {
    expect(r({ A: 1, B: { Ref: 'AWS::NoValue' }, C: [1, { Ref: 'AWS::NoValue' }] })).toEqual({
      A: 1,
      C: [1],
    });
  });
});

describe('functions', () => {
  it('joins, as API Gateway integration URIs are built', () => {
    const uri = {
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':apigateway:',
          { Ref: 'AWS::Region' },
          ':lambda:path/2015-03-31/functions/',
          { 'Fn::GetAtt': ['Fn', 'Arn'] },
          '/invocations',
        ],
      ],
    };
    expect(r(uri)).toBe(
      'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:Fn/invocations',
    );
  });

  it('substitutes ${Ref}, ${Logical.Attr}, variables, and keeps ${!Literal}', () => {
    expect(r({ 'Fn::Sub': 'cdk-assets-${AWS::AccountId}-${AWS::Region}' })).toBe(
      'cdk-assets-000000000000-us-east-1',
    );
    expect(r({ 'Fn::Sub': '${Table}|${Bus.Arn}' })).toBe(
      'Rapport-Table|arn:aws:events:us-east-1:000000000000:event-bus/rapport',
    );
    expect(r({ 'Fn::Sub': ['${x}-${Fn}', { x: { Ref: 'Table' } }] })).toBe('Rapport-Table-Fn');
    expect(r({ 'Fn::Sub': '${!Literal}' })).toBe('${Literal}');
  });

  it('selects and splits', () => {
    expect(r({ 'Fn::Select': [1, ['a', 'b', 'c']] })).toBe('b');
    expect(r({ 'Fn::Select': ['0', { 'Fn::Split': [':', { 'Fn::GetAtt': ['Fn', 'Arn'] }] }] })).toBe('arn');
  });

  it('evaluates conditions', () => {
    expect(r({ 'Fn::If': ['IsDev', 'yes', 'no'] })).toBe('yes');
    expect(r({ 'Fn::If': ['IsDev', { Ref: 'AWS::NoValue' }, 'no'] })).toBeUndefined();
  });

  it('leaves an IAM statement with a Condition key alone', () => {
    expect(r({ Condition: { StringEquals: { a: 'b' } } })).toEqual({
      Condition: { StringEquals: { a: 'b' } },
    });
  });
});

describe('what is not emulated fails loudly, naming where', () => {
  it('an unknown intrinsic', () => {
    expect(() =>
      resolver.resolve({ 'Fn::ImportValue': 'Shared' }, 'MyFunction.Properties.Environment'),
    ).toThrow(/MyFunction\.Properties\.Environment.*Fn::ImportValue is not supported/);
  });

  it('a Ref to a type it cannot name', () => {
    expect(() => resolver.resolve({ Ref: 'Odd' }, 'MyFunction.Properties')).toThrow(
      /MyFunction\.Properties.*Ref to Odd \(AWS::EC2::VPC\) is not emulated/,
    );
  });

  it('an attribute it does not know', () => {
    expect(() => r({ 'Fn::GetAtt': ['Table', 'Nope'] })).toThrow(/Table\.Nope \(AWS::DynamoDB::Table\)/);
  });

  it('a resource that does not exist', () => {
    expect(() => r({ Ref: 'Missing' })).toThrow(/no resource Missing/);
  });
});
