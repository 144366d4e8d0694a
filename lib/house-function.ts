import * as path from 'node:path';
import { type CfnElement, Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '../functions/shared/env-names';

export type HouseFunctionProps = {
  /** Path from the repository root, e.g. `functions/customer-file/api.ts`. */
  entry: string;
  /** Exported handler name in the entry file. */
  handler?: string;
  description: string;
  /** Seconds; every function states its own. */
  timeoutSeconds: number;
  memoryMb: number;
  logRetentionDays: number;
  /** A function called synchronously (API) has no async failure to catch; one called by events does. */
  invocation: 'sync' | 'async';
  service: string;
};

const ROOT = path.resolve(import.meta.dirname, '..');

/**
 * The one way Rapport builds a Lambda function: Node.js 22 on arm64, X-Ray tracing, its own log
 * group with retention, explicit timeout and memory, bundled by local esbuild (no Docker),
 * minified, with the runtime's own SDK v3. `useTable` / `useBus` set an environment variable and
 * the matching grant together so the two cannot drift.
 */
export class HouseFunction extends Construct {
  readonly fn: nodejs.NodejsFunction;

  constructor(scope: Construct, id: string, props: HouseFunctionProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetentionDays as logs.RetentionDays,
    });
    this.fn = new nodejs.NodejsFunction(this, 'Function', {
      entry: path.join(ROOT, props.entry),
      handler: props.handler ?? 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: Duration.seconds(props.timeoutSeconds),
      memorySize: props.memoryMb,
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      projectRoot: ROOT,
      depsLockFilePath: path.join(ROOT, 'package-lock.json'),
      environment: {
        [ENV.serviceName]: props.service,
        [ENV.metricsNamespace]: 'Rapport',
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        forceDockerBundling: false,
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        target: 'node22',
        format: nodejs.OutputFormat.ESM,
        mainFields: ['module', 'main'],
        // Some CommonJS dependencies call require(); ESM bundles need it defined.
        banner: "import{createRequire}from'module';const require=createRequire(import.meta.url);",
        externalModules: ['@aws-sdk/*'],
        metafile: false,
      },
    });
    this.acknowledge(
      'AwsSolutions-L1',
      'Rapport pins Node.js 22 (DEVELOPERS.md): the runtime its dependencies and local runtime are tested on.',
    );
    this.acknowledge(
      'Serverless-LambdaLatestVersion',
      'Rapport pins Node.js 22 (DEVELOPERS.md): the runtime its dependencies and local runtime are tested on.',
    );
    this.acknowledge(
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      `${props.service}: the basic execution policy only lets the function write its own CloudWatch logs.`,
    );
    this.acknowledge(
      'AwsSolutions-IAM5[Resource::*]',
      `${props.service}: X-Ray PutTraceSegments/PutTelemetryRecords accept no resource narrower than *.`,
    );
    if (props.invocation === 'sync') {
      this.acknowledge(
        'Serverless-LambdaDLQ',
        `${props.service}: invoked synchronously (API Gateway or Step Functions); the caller receives the error, no async event exists to dead-letter.`,
      );
      this.acknowledge(
        'Serverless-LambdaAsyncFailureDestination',
        `${props.service}: invoked synchronously; failures return to the caller.`,
      );
    }
  }

  useTable(table: dynamodb.ITable, mode: 'read' | 'readWrite'): this {
    this.fn.addEnvironment(ENV.tableName, table.tableName);
    const tableArn = Stack.of(table).getLogicalId(table.node.defaultChild as CfnElement);
    this.acknowledge(
      `AwsSolutions-IAM5[Resource::<${tableArn}.Arn>/index/*]`,
      "Reads the customer table's own indexes (gsi1..gsi3 of functions/shared/keys.ts), which CDK grants as index/*.",
    );
    this.acknowledge(
      'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      "Encrypts items with the customer table's own KMS key; the grant is scoped to that key.",
    );
    this.acknowledge(
      'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
      "Re-encrypts with the customer table's own KMS key only; the grant is scoped to that key.",
    );
    if (mode === 'read') table.grantReadData(this.fn);
    else table.grantReadWriteData(this.fn);
    return this;
  }

  useBus(bus: events.IEventBus): this {
    this.fn.addEnvironment(ENV.busName, bus.eventBusName);
    bus.grantPutEventsTo(this.fn);
    return this;
  }

  /** Records why a cdk-nag finding does not apply to this function (and its role). */
  acknowledge(id: string, reason: string): this {
    Validations.of(this.fn).acknowledge({ id, reason });
    return this;
  }

  setEnvironment(name: string, value: string): this {
    this.fn.addEnvironment(name, value);
    return this;
  }
}
