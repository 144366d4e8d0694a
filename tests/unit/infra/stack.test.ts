import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { GROUPS } from '../../../functions/shared/groups';
import { GSI, TTL_ATTRIBUTE } from '../../../functions/shared/keys';
import { synthesizeTemplate } from '../../../local/synth';

let template: Template;
let devTemplate: Template;
beforeAll(() => {
  template = Template.fromJSON(synthesizeTemplate({ bundle: false }).template);
  devTemplate = Template.fromJSON(
    synthesizeTemplate({ bundle: false, context: { 'rapport:devStack': 'true' } }).template,
  );
});

describe('customer store', () => {
  it('is one on-demand table with string pk/sk, PITR, deletion protection, a rotating KMS key and TTL', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('has one index per access pattern family, named as the key builders name them', () => {
    const tables = template.findResources('AWS::DynamoDB::Table');
    const indexes = Object.values(tables)[0]?.Properties.GlobalSecondaryIndexes as {
      IndexName: string;
      KeySchema: { AttributeName: string }[];
    }[];
    expect(indexes.map((i) => [i.IndexName, ...i.KeySchema.map((k) => k.AttributeName)])).toEqual(
      Object.values(GSI).map((g) => [g.name, g.pk, g.sk]),
    );
  });

  it('is retained on stack deletion unless the context marks a dev stack', () => {
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    devTemplate.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
    devTemplate.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: false });
  });
});

describe('channel event bus', () => {
  it('is named from context (rapport by default) and archived', () => {
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'rapport' });
    template.hasResourceProperties('AWS::Events::Archive', { RetentionDays: 90 });
  });
});

describe('REST API', () => {
  it('has a Cognito user pool with the five groups', () => {
    template.resourceCountIs('AWS::Cognito::UserPool', 1);
    for (const group of GROUPS)
      template.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: group });
  });

  it('logs access, traces, throttles and validates requests', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.anyValue() },
      MethodSettings: Match.arrayWith([
        Match.objectLike({ ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 }),
      ]),
    });
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', {
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
  });

  it('puts the Cognito authorizer on every method except GET /openapi.json', () => {
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method')).map((m) => m.Properties);
    const resources = template.findResources('AWS::ApiGateway::Resource');
    const pathPart = (ref: unknown) => {
      const id = (ref as { Ref?: string }).Ref;
      return id ? resources[id]?.Properties.PathPart : '/';
    };
    const open = methods
      .filter((m) => m.AuthorizationType !== 'COGNITO_USER_POOLS')
      .map((m) => `${m.HttpMethod} ${pathPart(m.ResourceId)}`);
    expect(open).toEqual(['GET openapi.json']);
    expect(methods.length).toBeGreaterThan(1);
  });
});

describe('house functions', () => {
  it('run Node.js 22 on arm64 with tracing, explicit timeout and memory, and a log group with retention', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function')).map((f) => f.Properties);
    expect(functions.length).toBeGreaterThan(0);
    for (const fn of functions) {
      expect(fn).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
      });
      expect(fn.Timeout).toBeGreaterThan(0);
      expect(fn.MemorySize).toBeGreaterThan(0);
      expect(fn.LoggingConfig.LogGroup).toBeDefined();
    }
    for (const group of Object.values(template.findResources('AWS::Logs::LogGroup'))) {
      expect(group.Properties.RetentionInDays).toBeGreaterThan(0);
    }
  });
});
