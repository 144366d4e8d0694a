import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IntrinsicResolver, type Template } from '../../../local/intrinsics';
import { type AsyncFailure, LambdaHost } from '../../../local/lambda-host';

// A cloud assembly with one bundle, laid out as `cdk synth` stages it: cdk.out/asset.<hash>/index.mjs.
const assemblyDir = mkdtempSync(path.join(tmpdir(), 'lambda-host-test-'));
mkdirSync(path.join(assemblyDir, 'asset.abc'));
writeFileSync(
  path.join(assemblyDir, 'asset.abc', 'index.mjs'),
  `
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
let count = 0;
export const handler = async (event, context) => ({
  event,
  count: ++count,
  table: process.env.TABLE_NAME,
  endpoint: process.env.AWS_ENDPOINT_URL,
  name: process.env.AWS_LAMBDA_FUNCTION_NAME,
  trace: process.env.POWERTOOLS_TRACE_ENABLED,
  metrics: process.env.POWERTOOLS_METRICS_DISABLED,
  leaked: process.env.AWS_ENDPOINT_URL_DYNAMODB ?? null,
  sdk: typeof DynamoDBClient,
  context: { fn: context.functionName, arn: context.invokedFunctionArn, id: context.awsRequestId, remaining: context.getRemainingTimeInMillis() },
});
export const fails = async () => { class FeeError extends Error { name = 'FeeError'; } throw new FeeError('no fee'); };
export const slow = () => new Promise(() => {});
export const nothing = async () => {};
export const legacy = (event, context, callback) => callback(null, { legacy: true });
`,
);

const fn = (handler: string, extra: Record<string, unknown> = {}) => ({
  Type: 'AWS::Lambda::Function',
  Metadata: { 'aws:asset:path': 'asset.abc' },
  Properties: { Handler: handler, Timeout: 3, MemorySize: 256, ...extra },
});
const template: Template = {
  Resources: {
    Table: { Type: 'AWS::DynamoDB::Table', Properties: {} },
    Echo: fn('index.handler', { Environment: { Variables: { TABLE_NAME: { Ref: 'Table' } } } }),
    Other: fn('index.handler', { Environment: { Variables: { TABLE_NAME: 'other' } } }),
    Fails: fn('index.fails'),
    Slow: fn('index.slow', { Timeout: 1 }),
    Nothing: fn('index.nothing'),
    Legacy: fn('index.legacy'),
    Missing: fn('index.doesNotExist'),
    Dest: { Type: 'AWS::Events::EventBus', Properties: { Name: 'rapport' } },
    FailsConfig: {
      Type: 'AWS::Lambda::EventInvokeConfig',
      Properties: {
        FunctionName: { Ref: 'Fails' },
        Qualifier: '$LATEST',
        MaximumRetryAttempts: 1,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['Dest', 'Arn'] } } },
      },
    },
  },
};

const failures: AsyncFailure[] = [];
// Set by tests/setup/integration-env.ts in integration runs; a function must not see it.
process.env.AWS_ENDPOINT_URL_DYNAMODB = 'http://leak.invalid';
const host = new LambdaHost({
  template,
  resolver: new IntrinsicResolver(template, { stackName: 'Rapport' }),
  assemblyDir,
  awsEndpoint: 'http://localhost:4566',
  // Lambda's 1 and 2 minute retry waits become 6 and 12 ms; 6 h of event age, 2 s.
  retryScale: 10_000,
  onAsyncFailure: (f) => failures.push(f),
});
afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
  await host.close();
  rmSync(assemblyDir, { recursive: true, force: true });
});

describe('local Lambda host', () => {
  it('runs the bundle with the template environment, its own env and a Lambda context', async () => {
    const outcome = await host.invoke('Echo', { hello: 'world' });
    expect(outcome).toEqual({
      ok: true,
      payload: {
        event: { hello: 'world' },
        count: 1,
        table: 'Rapport-Table',
        endpoint: 'http://localhost:4566',
        name: 'Echo',
        trace: 'false',
        metrics: 'true',
        leaked: null,
        sdk: 'function',
        context: {
          fn: 'Echo',
          arn: 'arn:aws:lambda:us-east-1:000000000000:function:Echo',
          id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          remaining: expect.any(Number),
        },
      },
    });
    const remaining = (outcome as { payload: { context: { remaining: number } } }).payload.context.remaining;
    expect(remaining).toBeGreaterThan(2000);
    expect(remaining).toBeLessThanOrEqual(3000);
  });

  it('keeps each function in its own environment, warm between invocations', async () => {
    const other = await host.invoke('arn:aws:lambda:us-east-1:000000000000:function:Other', {});
    expect(other).toMatchObject({ ok: true, payload: { table: 'other', count: 1 } });
    expect(await host.invoke('Echo', {})).toMatchObject({
      ok: true,
      payload: { table: 'Rapport-Table', count: 2 },
    });
  });

  it("reports a handler error in Lambda's shape", async () => {
    const outcome = await host.invoke('Fails', {});
    expect(outcome).toEqual({
      ok: false,
      error: {
        errorType: 'FeeError',
        errorMessage: 'no fee',
        trace: expect.arrayContaining([expect.stringContaining('FeeError')]),
      },
    });
  });

  it('stops a function at its Timeout', async () => {
    const started = Date.now();
    const outcome = await host.invoke('Slow', {});
    expect(outcome).toMatchObject({
      ok: false,
      error: {
        errorType: 'Sandbox.Timedout',
        errorMessage: expect.stringContaining('Task timed out after 1.00 seconds'),
      },
    });
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('answers null for a handler that returns nothing, and supports callback handlers', async () => {
    expect(await host.invoke('Nothing', {})).toEqual({ ok: true, payload: null });
    expect(await host.invoke('Legacy', {})).toEqual({ ok: true, payload: { legacy: true } });
  });

  it('reports a missing export as Runtime.HandlerNotFound', async () => {
    expect(await host.invoke('Missing', {})).toMatchObject({
      ok: false,
      error: { errorType: 'Runtime.HandlerNotFound' },
    });
  });

  it('refuses an unknown function like Lambda does', () => {
    expect(() => host.invoke('Nope', {})).toThrow(
      expect.objectContaining({ name: 'ResourceNotFoundException' }),
    );
  });

  it('retries an async invocation, then hands the failure to the OnFailure destination', async () => {
    const { requestId } = host.invokeAsync('Fails', { fee: 1 });
    await host.idle();
    expect(failures).toEqual([
      {
        functionName: 'Fails',
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:Fails',
        destination: 'arn:aws:events:us-east-1:000000000000:event-bus/rapport',
        condition: 'RetriesExhausted',
        attempts: 2,
        requestId,
        requestPayload: { fee: 1 },
        error: expect.objectContaining({ errorType: 'FeeError' }),
      },
    ]);
  });

  it('runs overlapping invocations in separate environments', async () => {
    const outcomes = await Promise.all([1, 2, 3].map(() => host.invoke('Other', {})));
    const counts = outcomes.map((o) => (o as { payload: { count: number } }).payload.count);
    // One warm environment served the earlier call; two more started cold.
    expect(counts.sort()).toEqual([1, 1, 2]);
  });
});
