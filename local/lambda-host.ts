import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AwsError } from './aws-error';
import type { IntrinsicResolver, Template } from './intrinsics';

/**
 * The local Lambda service: runs each AWS::Lambda::Function of the synthesized template from its
 * bundled asset, the code `cdk deploy` would upload.
 *
 * Each function gets its own worker threads (execution environments), so each sees its own
 * `process.env`: the template's Environment.Variables, resolved, plus what the Lambda runtime sets
 * and what points the AWS SDK at the local endpoint. A function's first environment starts on its
 * first invocation (a cold start); environments are reused, and more are started, up to
 * `maxConcurrency`, when invocations overlap. As on Lambda an environment serves one invocation at
 * a time, so module-level state (a cached client, Powertools' per-invocation keys) is never shared
 * between two concurrent requests.
 *
 * Failures come back in Lambda's shape `{errorType, errorMessage, trace}`; a timeout terminates the
 * environment like Lambda does, so the next invocation starts cold.
 */

export type LambdaError = { errorType: string; errorMessage: string; trace?: string[] };
export type InvokeOutcome = { ok: true; payload: unknown } | { ok: false; error: LambdaError };

export type FunctionInfo = {
  logicalId: string;
  name: string;
  arn: string;
  handler: string;
  timeoutSeconds: number;
  memoryMb: number;
  environments: number;
};

/** What an asynchronous invocation that failed on every attempt hands to the runtime. */
export type AsyncFailure = {
  functionName: string;
  functionArn: string;
  destination: string | null;
  condition: 'RetriesExhausted' | 'EventAgeExceeded';
  attempts: number;
  requestId: string;
  requestPayload: unknown;
  error: LambdaError;
};

export type LambdaHostOptions = {
  template: Template;
  resolver: IntrinsicResolver;
  /** The cloud assembly directory (cdk.out) holding the `asset.<hash>` bundles. */
  assemblyDir: string;
  /** Local AWS endpoint the functions' SDK clients call. */
  awsEndpoint: string;
  /** Lines the functions write to stdout/stderr, prefixed with the function name. */
  log?: (line: string) => void;
  /** Environments per function at most (Lambda scales far wider; a laptop does not need to). */
  maxConcurrency?: number;
  /** Divides Lambda's async retry delays (1 and 2 minutes): 60 turns them into 1 and 2 seconds. */
  retryScale?: number;
  onAsyncFailure?: (failure: AsyncFailure) => void;
};

type FunctionSpec = {
  logicalId: string;
  name: string;
  arn: string;
  handler: string;
  entryFile: string;
  exportName: string;
  timeoutSeconds: number;
  memoryMb: number;
  env: Record<string, string>;
  maxConcurrency: number;
  async: { maxRetries: number; maxEventAgeSeconds: number; onFailure: string | null };
};

type Pending = {
  id: string;
  payload: string;
  resolve: (outcome: InvokeOutcome) => void;
};

/** One worker thread: Lambda's execution environment. */
type Environment = {
  worker: Worker;
  ready: Promise<LambdaError | undefined>;
  busy: boolean;
  dead: boolean;
};

/** Lambda's async invocation: 2 retries by default, waiting 1 then 2 minutes (Lambda Developer Guide). */
const ASYNC_RETRY_DELAYS_SECONDS = [60, 120];
/** Lambda gives an environment's init phase 10 s; a cold laptop with a large bundle needs more. */
const INIT_TIMEOUT_MS = 30_000;

export class LambdaHost {
  private readonly specs = new Map<string, FunctionSpec>();
  private readonly pools = new Map<string, { environments: Environment[]; queue: Pending[] }>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly options: LambdaHostOptions) {
    const { template, resolver } = options;
    const invokeConfigs = new Map<string, Record<string, unknown>>();
    for (const [id, r] of Object.entries(template.Resources)) {
      if (r.Type !== 'AWS::Lambda::EventInvokeConfig') continue;
      const props = resolver.resolve<Record<string, unknown>>(r.Properties ?? {}, `${id}.Properties`);
      invokeConfigs.set(String(props.FunctionName), props);
    }
    for (const [logicalId, r] of Object.entries(template.Resources)) {
      if (r.Type !== 'AWS::Lambda::Function') continue;
      const spec = this.describe(logicalId, r, invokeConfigs);
      this.specs.set(spec.name, spec);
    }
  }

  list(): FunctionInfo[] {
    return [...this.specs.values()].map((s) => ({
      logicalId: s.logicalId,
      name: s.name,
      arn: s.arn,
      handler: s.handler,
      timeoutSeconds: s.timeoutSeconds,
      memoryMb: s.memoryMb,
      environments: this.pools.get(s.name)?.environments.length ?? 0,
    }));
  }

  /** A function by name, ARN (with or without a `:$LATEST` qualifier) or logical id. */
  has(nameOrArn: string): boolean {
    return this.find(nameOrArn) !== undefined;
  }

  /** Synchronous (RequestResponse) invocation. */
  invoke(nameOrArn: string, payload: unknown): Promise<InvokeOutcome> {
    const spec = this.find(nameOrArn);
    if (!spec) throw new AwsError('ResourceNotFoundException', `Function not found: ${nameOrArn}`, 404);
    if (this.closed) throw new AwsError('ServiceException', 'the local Lambda host is stopping', 500);
    return this.track(
      new Promise<InvokeOutcome>((resolve) => {
        this.pool(spec).queue.push({ id: randomUUID(), payload: JSON.stringify(payload ?? null), resolve });
        this.dispatch(spec);
      }),
    );
  }

  /**
   * Asynchronous (Event) invocation, as EventBridge and Lambda destinations use: accepted at once,
   * retried on error, then handed to `onAsyncFailure` with the function's OnFailure destination.
   */
  invokeAsync(nameOrArn: string, payload: unknown): { requestId: string } {
    const spec = this.find(nameOrArn);
    if (!spec) throw new AwsError('ResourceNotFoundException', `Function not found: ${nameOrArn}`, 404);
    const requestId = randomUUID();
    const queuedAt = Date.now();
    const attempt = async (n: number): Promise<void> => {
      const outcome = await this.invoke(spec.name, payload).catch(
        (error: Error): InvokeOutcome => ({
          ok: false,
          error: { errorType: error.name, errorMessage: error.message },
        }),
      );
      if (outcome.ok || this.closed) return;
      const retryScale = this.options.retryScale ?? 60;
      const delaySeconds =
        ASYNC_RETRY_DELAYS_SECONDS[Math.min(n, ASYNC_RETRY_DELAYS_SECONDS.length - 1)] ?? 60;
      const ageSeconds = ((Date.now() - queuedAt) * retryScale) / 1000 + delaySeconds;
      if (n < spec.async.maxRetries && ageSeconds <= spec.async.maxEventAgeSeconds) {
        this.later((delaySeconds * 1000) / retryScale, () => attempt(n + 1));
        return;
      }
      this.options.onAsyncFailure?.({
        functionName: spec.name,
        functionArn: spec.arn,
        destination: spec.async.onFailure,
        condition: n < spec.async.maxRetries ? 'EventAgeExceeded' : 'RetriesExhausted',
        attempts: n + 1,
        requestId,
        requestPayload: payload,
        error: outcome.error,
      });
    };
    this.later(0, () => attempt(0));
    return { requestId };
  }

  /** True while an invocation or delivery runs or a retry waits for its turn. */
  get busy(): boolean {
    return this.inFlight.size > 0 || this.timers.size > 0;
  }

  /** Resolves once no invocation runs and no retry waits (tests and seeding use it). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0 || this.timers.size > 0) {
      await Promise.allSettled([...this.inFlight]);
      if (this.timers.size > 0) await new Promise((r) => setTimeout(r, 10));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const terminations: Promise<unknown>[] = [];
    for (const [, pool] of this.pools) {
      for (const p of pool.queue.splice(0))
        p.resolve(failure('ServiceException', 'the local Lambda host stopped'));
      for (const env of pool.environments) terminations.push(env.worker.terminate());
    }
    this.pools.clear();
    await Promise.allSettled(terminations);
  }

  find(nameOrArn: string): FunctionSpec | undefined {
    const name = nameOrArn.startsWith('arn:') ? (nameOrArn.split(':')[6] ?? '') : nameOrArn;
    return this.specs.get(name) ?? [...this.specs.values()].find((s) => s.logicalId === name);
  }

  private describe(
    logicalId: string,
    resource: Template['Resources'][string],
    invokeConfigs: Map<string, Record<string, unknown>>,
  ): FunctionSpec {
    const { resolver, assemblyDir, awsEndpoint } = this.options;
    const props = resource.Properties ?? {};
    const name = resolver.ref(logicalId);
    const arn = resolver.getAtt(logicalId, 'Arn');
    const handler = String(props.Handler ?? 'index.handler');
    const dot = handler.lastIndexOf('.');
    const assetDir = path.join(assemblyDir, assetFolder(logicalId, resource));
    const entryFile = ['.mjs', '.js', '.cjs']
      .map((ext) => path.join(assetDir, `${handler.slice(0, dot)}${ext}`))
      .find((file) => existsSync(file));
    if (!entryFile)
      throw new Error(
        `${logicalId}: no bundle for handler ${handler} in ${assetDir}; was the template synthesized with bundling?`,
      );
    const variables = resolver.resolve<Record<string, unknown>>(
      (props.Environment as { Variables?: unknown } | undefined)?.Variables ?? {},
      `${logicalId}.Properties.Environment.Variables`,
    );
    const timeoutSeconds = Number(props.Timeout ?? 3);
    const memoryMb = Number(props.MemorySize ?? 128);
    const logFormat = (props.LoggingConfig as { LogFormat?: string } | undefined)?.LogFormat;
    const env: Record<string, string> = {
      // Powertools outside AWS: no X-Ray daemon to send to, no CloudWatch to read EMF lines.
      POWERTOOLS_TRACE_ENABLED: 'false',
      POWERTOOLS_METRICS_DISABLED: 'true',
      ...Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, String(v)])),
      // What the Lambda runtime sets; the template cannot override these on AWS either.
      AWS_REGION: resolver.region,
      AWS_DEFAULT_REGION: resolver.region,
      AWS_LAMBDA_FUNCTION_NAME: name,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMb),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${name}`,
      AWS_LAMBDA_LOG_STREAM_NAME: 'local',
      ...(logFormat ? { AWS_LAMBDA_LOG_FORMAT: logFormat } : {}),
      LAMBDA_TASK_ROOT: assetDir,
      _HANDLER: handler,
      // The one local endpoint serves DynamoDB, EventBridge and Step Functions.
      AWS_ENDPOINT_URL: awsEndpoint,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      // The SDK warns about Node.js 20 once per environment; the function runs on nodejs22.x on AWS.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    const reserved = Number(props.ReservedConcurrentExecutions ?? Number.POSITIVE_INFINITY);
    const invokeConfig = invokeConfigs.get(name) ?? invokeConfigs.get(arn) ?? {};
    const destinations = invokeConfig.DestinationConfig as
      | { OnFailure?: { Destination?: string } }
      | undefined;
    const deadLetter = (props.DeadLetterConfig as { TargetArn?: unknown } | undefined)?.TargetArn;
    return {
      logicalId,
      name,
      arn,
      handler,
      entryFile,
      exportName: handler.slice(dot + 1),
      timeoutSeconds,
      memoryMb,
      env,
      maxConcurrency: Math.max(1, Math.min(this.options.maxConcurrency ?? 4, reserved)),
      async: {
        maxRetries: Number(invokeConfig.MaximumRetryAttempts ?? 2),
        maxEventAgeSeconds: Number(invokeConfig.MaximumEventAgeInSeconds ?? 6 * 3600),
        onFailure:
          destinations?.OnFailure?.Destination ??
          (deadLetter === undefined
            ? null
            : resolver.resolve<string>(deadLetter, `${logicalId}.Properties.DeadLetterConfig`)),
      },
    };
  }

  private pool(spec: FunctionSpec) {
    let pool = this.pools.get(spec.name);
    if (!pool) {
      pool = { environments: [], queue: [] };
      this.pools.set(spec.name, pool);
    }
    return pool;
  }

  /** Hands queued invocations to idle environments, starting new ones up to the limit. */
  private dispatch(spec: FunctionSpec): void {
    const pool = this.pool(spec);
    while (pool.queue.length > 0) {
      let env = pool.environments.find((e) => !e.busy && !e.dead);
      if (!env) {
        if (pool.environments.length >= spec.maxConcurrency) return;
        env = this.start(spec);
        pool.environments.push(env);
      }
      const next = pool.queue.shift();
      if (!next) return;
      void this.run(spec, env, next);
    }
  }

  private async run(spec: FunctionSpec, env: Environment, pending: Pending): Promise<void> {
    env.busy = true;
    const initError = await env.ready;
    if (initError) {
      // Lambda reports the init failure to this invocation and tries a fresh environment next time.
      this.discard(spec, env);
      pending.resolve({ ok: false, error: initError });
      this.dispatch(spec);
      return;
    }
    const outcome = await new Promise<InvokeOutcome>((resolve) => {
      const timeoutMs = spec.timeoutSeconds * 1000;
      const finish = (o: InvokeOutcome) => {
        clearTimeout(timer);
        env.worker.off('message', onMessage);
        env.worker.off('exit', onExit);
        resolve(o);
      };
      const onMessage = (m: {
        type: string;
        id?: string;
        ok?: boolean;
        payload?: string;
        error?: LambdaError;
      }) => {
        if (m.type !== 'result' || m.id !== pending.id) return;
        finish(
          m.ok
            ? { ok: true, payload: JSON.parse(m.payload ?? 'null') }
            : { ok: false, error: m.error ?? { errorType: 'Error', errorMessage: 'unknown error' } },
        );
      };
      const onExit = (code: number) =>
        finish(
          failure(
            'Runtime.ExitError',
            `RequestId: ${pending.id} Error: Runtime exited with error: exit status ${code}`,
          ),
        );
      const timer = setTimeout(() => {
        // Lambda stops the environment at the timeout; whatever the handler still does is cut off.
        this.discard(spec, env);
        finish(
          failure(
            'Sandbox.Timedout',
            `RequestId: ${pending.id} Error: Task timed out after ${spec.timeoutSeconds.toFixed(2)} seconds`,
          ),
        );
      }, timeoutMs);
      env.worker.on('message', onMessage);
      env.worker.once('exit', onExit);
      env.worker.postMessage({
        id: pending.id,
        payload: pending.payload,
        context: {
          functionName: spec.name,
          functionVersion: '$LATEST',
          invokedFunctionArn: spec.arn,
          memoryLimitInMB: String(spec.memoryMb),
          awsRequestId: pending.id,
          logGroupName: `/aws/lambda/${spec.name}`,
          logStreamName: 'local',
          deadline: Date.now() + timeoutMs,
        },
      });
    });
    env.busy = false;
    pending.resolve(outcome);
    this.dispatch(spec);
  }

  private start(spec: FunctionSpec): Environment {
    const worker = new Worker(new URL('./lambda-worker.mjs', import.meta.url), {
      env: spec.env,
      // Not the parent's flags: the bundle runs as plain Node, without tsx or vitest loaders.
      execArgv: [],
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: Math.max(spec.memoryMb, 128) },
      workerData: {
        entryUrl: pathToFileURL(spec.entryFile).href,
        exportName: spec.exportName,
        hookUrl: new URL('./lambda-sdk-hook.mjs', import.meta.url).href,
        sdkParentUrl: new URL('../package.json', import.meta.url).href,
        sourceMaps: (spec.env.NODE_OPTIONS ?? '').includes('--enable-source-maps'),
      },
    });
    const log = this.options.log;
    for (const stream of [worker.stdout, worker.stderr]) {
      if (log) createInterface({ input: stream }).on('line', (line) => log(`[${spec.name}] ${line}`));
      else stream.resume();
    }
    const env: Environment = { worker, busy: false, dead: false, ready: Promise.resolve(undefined) };
    env.ready = new Promise((resolve) => {
      const timer = setTimeout(
        () =>
          resolve({ errorType: 'Runtime.InitTimeout', errorMessage: `init exceeded ${INIT_TIMEOUT_MS} ms` }),
        INIT_TIMEOUT_MS,
      );
      worker.once('message', (m: { type: string; error?: LambdaError }) => {
        clearTimeout(timer);
        resolve(m.type === 'ready' ? undefined : m.error);
      });
      worker.once('error', (error) => {
        clearTimeout(timer);
        resolve({ errorType: 'Runtime.ExitError', errorMessage: error.message });
      });
    });
    worker.on('error', (error) => log?.(`[${spec.name}] environment failed: ${error.message}`));
    worker.once('exit', () => this.discard(spec, env));
    return env;
  }

  private discard(spec: FunctionSpec, env: Environment): void {
    if (env.dead) return;
    env.dead = true;
    const pool = this.pools.get(spec.name);
    if (pool) pool.environments = pool.environments.filter((e) => e !== env);
    void env.worker.terminate();
  }

  private later(ms: number, fn: () => Promise<void>): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.track(fn());
    }, ms);
    this.timers.add(timer);
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise)).catch(() => {});
    return promise;
  }
}

function failure(errorType: string, errorMessage: string): InvokeOutcome {
  return { ok: false, error: { errorType, errorMessage } };
}

/**
 * The asset folder of a function: CDK names it in the resource metadata when asset metadata is on
 * (local/runtime.ts turns it on), else it is the S3 key's hash, `asset.<hash>`.
 */
function assetFolder(logicalId: string, resource: Template['Resources'][string]): string {
  const fromMetadata = resource.Metadata?.['aws:asset:path'];
  if (typeof fromMetadata === 'string') return fromMetadata;
  const key = (resource.Properties?.Code as { S3Key?: unknown } | undefined)?.S3Key;
  if (typeof key === 'string') return `asset.${key.replace(/\.zip$/, '')}`;
  throw new Error(`${logicalId}: cannot tell which asset holds this function's code`);
}
