import './polyfills';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import * as path from 'node:path';
import { DescribeTableCommand, DynamoDBClient, paginateListTables } from '@aws-sdk/client-dynamodb';
import { type ConsoleData, createApiServer, readApi } from './api-gateway';
import { createAwsEndpoint } from './aws-endpoint';
import { DeadLetterList } from './dead-letters';
import { LOCAL_CREDENTIALS, startDynamoDbLocal } from './dynamodb-local';
import { LocalEventBus } from './event-bus/bus';
import { IntrinsicResolver, type Template } from './intrinsics';
import { type AsyncFailure, LambdaHost } from './lambda-host';
import { assertPortFree, freePort } from './ports';
import { seedBank } from './seed';
import { createStepFunctions, type StepFunctionsService } from './stepfunctions-bridge';
import { createTableFromTemplate } from './table-from-template';
import { loadOrCreateKeys, localIssuer } from './token';

/**
 * `npm start`: the synthesized stack, running on this machine.
 *
 * 1. Synthesize the CDK app, with cdk.json's context as `cdk deploy` would, bundling into
 *    `<dataDir>/cdk.out`, unless nothing it is built from changed since the last start (a hash of
 *    bin/, lib/, functions/, cdk.json and the lock file decides).
 * 2. Start DynamoDB Local on `<dataDir>/dynamodb` and create the template's tables that are missing.
 * 3. Serve the template's functions (lambda-host), buses and rules (event-bus/bus), state machines
 *    (stepfunctions-bridge), REST API (api-gateway) and the one AWS endpoint (aws-endpoint).
 *
 * Nothing here describes the stack a second time: every name, route, rule and environment
 * variable comes from the template, through the intrinsic resolver.
 */

export const DEFAULT_PORT = 3000;
export const DEFAULT_AWS_PORT = 4566;
export const DEFAULT_DATA_DIR = '.rapport';

export type RuntimeOptions = {
  port: number;
  awsPort: number;
  dataDir: string;
  /** Every workflow wait and `rate()` schedule runs this many times faster. */
  timeScale?: number;
  /** Number of synthetic customers to put through the bus once the runtime is up. */
  seed?: number;
  /** Where runtime messages and function logs go; stderr by default. */
  log?: (line: string) => void;
  /** Extra CDK context for the synthesis (part of the cache key). */
  context?: Record<string, unknown>;
  /** Where the seed's progress bar is drawn; stderr by default. */
  progress?: NodeJS.WritableStream;
};

export type Runtime = {
  apiUrl: string;
  awsEndpoint: string;
  stackName: string;
  dataDir: string;
  /** Milliseconds from the call to serving requests, and whether the synthesis came from the cache. */
  readyMs: number;
  synthesis: 'cached' | 'fresh';
  bus: LocalEventBus;
  lambdas: LambdaHost;
  stepFunctions: StepFunctionsService;
  /** Resolves once every event delivery and Lambda invocation under way has finished. */
  idle: () => Promise<void>;
  stop: () => Promise<void>;
};

/** Written while a runtime runs on a data dir: `npm run token` reads the port from it. */
export type RuntimeInfo = { pid: number; port: number; awsPort: number; apiUrl: string; awsEndpoint: string };
const INFO_FILE = 'runtime.json';

export function readRuntimeInfo(dataDir: string): RuntimeInfo | undefined {
  try {
    return JSON.parse(readFileSync(path.join(dataDir, INFO_FILE), 'utf8')) as RuntimeInfo;
  } catch {
    return undefined;
  }
}

const ROOT = path.resolve(import.meta.dirname, '..');
/** What a synthesis is made from; a change in any of these synthesizes again. */
const SYNTH_INPUTS = [
  'bin',
  'lib',
  'functions',
  'package-lock.json',
  'tsconfig.json',
  'cdk.json',
  'local/synth.ts',
];

export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const started = Date.now();
  const log = options.log ?? ((line: string) => console.error(line));
  const timeScale = options.timeScale ?? 1;
  const dataDir = path.resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  claimDataDir(dataDir);
  await assertPortFree(options.port, 'API, --port');
  await assertPortFree(options.awsPort, 'AWS endpoint, --aws-port');

  const cleanups: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        log(`while stopping: ${(error as Error).message}`);
      }
    }
  };
  cleanups.push(() => rmSync(path.join(dataDir, INFO_FILE), { force: true }));

  try {
    // DynamoDB Local (a JVM) boots while the synthesis, which blocks this thread, runs. The short
    // wait lets startDynamoDbLocal get past its port checks to spawning Java first, and a missing
    // Java fails the start at once instead of after a synthesis.
    const dbStarting = startDynamoDbLocal({
      port: await freePort(),
      dataDir: path.join(dataDir, 'dynamodb'),
    });
    dbStarting.catch(() => {});
    await Promise.race([dbStarting, new Promise((r) => setTimeout(r, 100))]);
    let synthesized: Awaited<ReturnType<typeof synthesize>>;
    try {
      synthesized = await synthesize(dataDir, options.context ?? {}, log);
    } catch (error) {
      await dbStarting.then((db) => db.stop()).catch(() => {});
      throw error;
    }
    const db = await dbStarting;
    cleanups.push(() => db.stop());
    const { template, stackName, assemblyDir } = synthesized;

    const awsEndpoint = `http://localhost:${options.awsPort}`;
    const apiUrl = `http://localhost:${options.port}`;
    const resolver = new IntrinsicResolver(template, { stackName, awsEndpoint });
    await ensureTables(template, resolver, db.endpoint, log);

    const deadLetters = new DeadLetterList(dataDir);
    const retryScale = 60 * timeScale;
    // The bus and the Lambda host call each other (rules invoke functions, failed async
    // invocations go to bus destinations); `bus` is assigned before either can call.
    let bus: LocalEventBus | undefined;
    const lambdas = new LambdaHost({
      template,
      resolver,
      assemblyDir,
      awsEndpoint,
      log,
      retryScale,
      onAsyncFailure: (failure) => onAsyncFailure(failure, { deadLetters, bus, lambdas, log }),
    });
    cleanups.push(() => lambdas.close());

    const stepFunctions = createStepFunctions({
      template,
      resolver,
      dataDir,
      timeScale,
      dynamoEndpoint: db.endpoint,
      invokeLambda: (arn, payload) => lambdas.invoke(arn, payload),
      putEvents: (entries) => (bus as LocalEventBus).putEvents({ Entries: entries }),
    });
    cleanups.push(() => stepFunctions.close());

    bus = new LocalEventBus({
      template,
      resolver,
      deadLetters,
      retryScale,
      timeScale,
      log,
      targets: {
        invokeLambdaAsync: (arn, payload) => void lambdas.invokeAsync(arn, payload),
        startExecution: (arn, input) =>
          stepFunctions.handle('StartExecution', { stateMachineArn: arn, input }),
      },
    });
    const theBus = bus;
    cleanups.push(() => theBus.close());

    const awsServer = createAwsEndpoint({ dynamoEndpoint: db.endpoint, bus, stepFunctions, log });
    await listen(awsServer, options.awsPort);
    cleanups.push(() => close(awsServer));

    const api = readApi(template, resolver);
    if (api) {
      const keys = loadOrCreateKeys(dataDir);
      const apiServer = createApiServer({
        api,
        keys,
        issuer: localIssuer(options.port),
        deadLetters,
        log,
        invoke: (arn, event) => lambdas.invoke(arn, event),
        consoleData: () =>
          consoleData({ stackName, awsEndpoint, lambdas, bus: theBus, stepFunctions, deadLetters }),
      });
      await listen(apiServer, options.port);
      cleanups.push(() => close(apiServer));
    } else {
      log('the template has no REST API; only the AWS endpoint is served');
    }

    const info: RuntimeInfo = {
      pid: process.pid,
      port: options.port,
      awsPort: options.awsPort,
      apiUrl,
      awsEndpoint,
    };
    writeFileSync(path.join(dataDir, INFO_FILE), JSON.stringify(info, null, 2));
    const readyMs = Date.now() - started;

    const idle = async () => {
      // A delivery may start an invocation that puts events that start deliveries: settle both.
      while (theBus.busy || lambdas.busy) {
        await theBus.idle();
        await lambdas.idle();
      }
    };

    const runtime: Runtime = {
      apiUrl,
      awsEndpoint,
      stackName,
      dataDir,
      readyMs,
      synthesis: synthesized.cached ? 'cached' : 'fresh',
      bus,
      lambdas,
      stepFunctions,
      idle,
      stop,
    };
    if (options.seed) {
      const busName = bus.buses.find((b) => b.name !== 'default')?.name ?? 'default';
      await seedBank({
        count: options.seed,
        awsEndpoint,
        busName,
        dataDir,
        log,
        progress: options.progress ?? process.stderr,
        settle: idle,
      });
    }
    return runtime;
  } catch (error) {
    await stop();
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------

type Synthesized = { template: Template; stackName: string; assemblyDir: string; cached: boolean };

/** Synthesizes into `<dataDir>/cdk.out`, or reuses the last synthesis when its inputs are unchanged. */
async function synthesize(
  dataDir: string,
  context: Record<string, unknown>,
  log: (line: string) => void,
): Promise<Synthesized> {
  const assemblyDir = path.join(dataDir, 'cdk.out');
  const stampFile = path.join(assemblyDir, 'rapport-local.json');
  const hash = sourceHash(context);
  if (existsSync(stampFile)) {
    const stamp = JSON.parse(readFileSync(stampFile, 'utf8')) as {
      hash: string;
      stackName: string;
      template: Template;
    };
    if (stamp.hash === hash)
      return { template: stamp.template, stackName: stamp.stackName, assemblyDir, cached: true };
  }
  log('synthesizing the stack (bin/, lib/, functions/ or the lock file changed)...');
  // Old bundles must not linger: a function would run the code of a previous synthesis.
  rmSync(assemblyDir, { recursive: true, force: true });
  // aws-cdk-lib takes seconds to load; a cached start never loads it.
  const { synthesizeTemplate } = await import('./synth');
  // CDK remembers staged assets per process; a second synthesis in one process (a test restarting
  // the runtime after a source change) would otherwise skip writing bundles into the emptied dir.
  const { AssetStaging } = await import('aws-cdk-lib');
  AssetStaging.clearAssetHashCache();
  const result = synthesizeTemplate({
    bundle: true,
    outdir: assemblyDir,
    // synthesizeTemplate adds cdk.json's context and asset metadata, as `cdk deploy` does.
    context,
  });
  writeFileSync(stampFile, JSON.stringify({ hash, stackName: result.stackName, template: result.template }));
  return { template: result.template, stackName: result.stackName, assemblyDir, cached: false };
}

function sourceHash(context: Record<string, unknown>): string {
  const hash = createHash('sha256').update(JSON.stringify(context)).update(process.version);
  const visit = (relative: string) => {
    const full = path.join(ROOT, relative);
    if (!existsSync(full)) return;
    if (statSync(full).isDirectory()) {
      for (const entry of readdirSync(full).sort()) {
        if (entry !== 'node_modules') visit(path.join(relative, entry));
      }
      return;
    }
    hash.update(relative).update('\0').update(readFileSync(full)).update('\0');
  };
  for (const input of SYNTH_INPUTS) visit(input);
  return hash.digest('hex');
}

/** Creates the template's tables that DynamoDB Local does not have yet; warns when one drifted. */
async function ensureTables(
  template: Template,
  resolver: IntrinsicResolver,
  endpoint: string,
  log: (line: string) => void,
): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: resolver.region, credentials: LOCAL_CREDENTIALS });
  try {
    const existing = new Set<string>();
    for await (const page of paginateListTables({ client }, {}))
      for (const t of page.TableNames ?? []) existing.add(t);
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      if (resource.Type !== 'AWS::DynamoDB::Table') continue;
      const name = resolver.ref(logicalId);
      if (!existing.has(name)) {
        await createTableFromTemplate(client, resource, name);
        continue;
      }
      const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
      const want = (resource.Properties?.GlobalSecondaryIndexes as { IndexName: string }[] | undefined) ?? [];
      const have = new Set((Table?.GlobalSecondaryIndexes ?? []).map((g) => g.IndexName));
      const missing = want.filter((g) => !have.has(g.IndexName)).map((g) => g.IndexName);
      if (missing.length > 0)
        log(
          `table ${name} lacks the template's indexes ${missing.join(', ')}; stop, delete ${path.join('<data dir>', 'dynamodb')} and start again to recreate it`,
        );
    }
  } finally {
    client.destroy();
  }
}

/** Lambda's OnFailure destination: the failure record goes to the destination and the dead-letter list. */
function onAsyncFailure(
  failure: AsyncFailure,
  ctx: {
    deadLetters: DeadLetterList;
    bus: LocalEventBus | undefined;
    lambdas: LambdaHost;
    log: (l: string) => void;
  },
): void {
  ctx.deadLetters.add({ kind: 'lambda-async', ...failure });
  ctx.log(
    `async invocation ${failure.requestId} of ${failure.functionName} failed ${failure.attempts} times: ${failure.error.errorType} ${failure.error.errorMessage}`,
  );
  const destination = failure.destination;
  if (!destination) return;
  // The record Lambda sends to destinations (Lambda Developer Guide, "Invocation records").
  const record = {
    version: '1.0',
    timestamp: new Date().toISOString(),
    requestContext: {
      requestId: failure.requestId,
      functionArn: `${failure.functionArn}:$LATEST`,
      condition: failure.condition,
      approximateInvokeCount: failure.attempts,
    },
    requestPayload: failure.requestPayload,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: failure.error,
  };
  try {
    if (destination.includes(':event-bus/')) {
      ctx.bus?.putEvents({
        Entries: [
          {
            Source: 'lambda',
            DetailType: 'Lambda Function Invocation Result - Failure',
            Detail: JSON.stringify(record),
            EventBusName: destination,
            Resources: [failure.functionArn],
          },
        ],
      });
    } else if (destination.includes(':lambda:')) {
      ctx.lambdas.invokeAsync(destination, record);
    }
    // SQS and SNS destinations have no local service: the dead-letter list is where to look.
  } catch (error) {
    ctx.log(`on-failure destination ${destination}: ${(error as Error).message}`);
  }
}

async function consoleData(ctx: {
  stackName: string;
  awsEndpoint: string;
  lambdas: LambdaHost;
  bus: LocalEventBus;
  stepFunctions: StepFunctionsService;
  deadLetters: DeadLetterList;
}): Promise<ConsoleData> {
  const machines = await ctx.stepFunctions
    .handle('ListStateMachines', {})
    .then((r) => (r as { stateMachines: { name: string; stateMachineArn: string }[] }).stateMachines)
    .catch(() => []);
  const executions: ConsoleData['executions'] = [];
  for (const machine of machines) {
    const listed = await ctx.stepFunctions
      .handle('ListExecutions', { stateMachineArn: machine.stateMachineArn, maxResults: 20 })
      .then((r) => (r as { executions: { name: string; status: string; startDate: unknown }[] }).executions)
      .catch(() => []);
    for (const e of listed) {
      executions.push({
        name: e.name,
        stateMachine: machine.name,
        status: e.status,
        startDate: isoDate(e.startDate),
      });
    }
  }
  executions.sort((a, b) => b.startDate.localeCompare(a.startDate));
  return {
    stackName: ctx.stackName,
    awsEndpoint: ctx.awsEndpoint,
    functions: ctx.lambdas.list(),
    rules: ctx.bus.rules.map((r) => ({
      name: r.name,
      eventBusName: r.eventBusName,
      targets: r.targets.map((t) => t.Arn),
    })),
    stateMachines: machines.map((m) => ({ name: m.name, arn: m.stateMachineArn })),
    executions: executions.slice(0, 20),
    recentEvents: ctx.bus.recentEvents().map((r) => ({
      id: r.event.id,
      time: r.event.time,
      source: r.event.source,
      detailType: r.event['detail-type'],
      matchedRules: r.matchedRules,
    })),
    deadLetters: ctx.deadLetters.list(10_000).length,
  };
}

/** Step Functions answers times as epoch seconds in JSON; older shapes may give ISO strings. */
function isoDate(value: unknown): string {
  const date = typeof value === 'number' ? new Date(value * 1000) : new Date(String(value));
  return Number.isNaN(date.getTime()) ? String(value) : date.toISOString();
}

/** Refuses a data dir a live runtime already uses: two DynamoDB Locals on one database corrupt it. */
function claimDataDir(dataDir: string): void {
  const info = readRuntimeInfo(dataDir);
  if (!info || info.pid === process.pid) return;
  try {
    process.kill(info.pid, 0);
  } catch {
    return; // that runtime is gone; its info file is stale
  }
  throw new Error(
    `another runtime (pid ${info.pid}, ${info.apiUrl}) is using ${dataDir}; stop it or pick another --data-dir`,
  );
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    // Loopback only: the local runtime checks no AWS signatures and must not be reachable from the network.
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
