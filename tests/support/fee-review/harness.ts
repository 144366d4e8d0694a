import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { ENV } from '../../../functions/shared/env-names';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/dynamodb-local';
import {
  type StateMachineDefinition,
  stateMachinesFromTemplate,
  templateResolver,
} from '../../../local/stepfunctions/definitions';
import { dynamoDbIntegration, LambdaFunctionError } from '../../../local/stepfunctions/integrations';
import { LocalStepFunctions } from '../../../local/stepfunctions/service';
import { type CfnTemplate, resourcesOfType, synthesizeTemplate } from '../../../local/synth';

/**
 * The fee review as it deploys, run on this machine: the REAL synthesized stack's state machine in
 * the local Step Functions engine, its DynamoDB tasks on DynamoDB Local (the template's table
 * resolves to the test table), its Lambda tasks calling the real handler modules in this process,
 * and its events captured. One small AWS JSON endpoint serves the Step Functions API (for the
 * starter, the review API and the runs API, which use the SDK) and captures the contact service's
 * PutEvents, so the handlers talk to the engine exactly as they would to AWS.
 *
 * Also the meter of docs/performance.md: Lambda invocations and durations, DynamoDB units of the
 * direct integrations and events put, per function and in total.
 */

export type CapturedEvent = {
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
  via: string;
};
type Handler = (event: unknown, context: Context) => Promise<unknown>;
type FunctionKey = 'assess' | 'openReview' | 'requestContact';

/** Logical-id prefixes of the functions the state machine calls, and the module behind each. */
const FUNCTIONS: Record<FunctionKey, { logicalIdPrefix: string; load: () => Promise<Handler> }> = {
  assess: {
    logicalIdPrefix: 'FeeReviewAssessFunction',
    load: async () => (await import('../../../functions/fee-review/assess')).handler as Handler,
  },
  openReview: {
    logicalIdPrefix: 'FeeReviewOpenReviewFunction',
    load: async () => (await import('../../../functions/fee-review/open-review')).handler as Handler,
  },
  requestContact: {
    logicalIdPrefix: 'ContactPolicyRequestContactFunction',
    load: async () =>
      (await import('../../../functions/contact-policy/api')).requestContactHandler as Handler,
  },
};

const lambdaContext = {
  awsRequestId: 'harness',
  functionName: 'harness',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

type Units = { calls: number; ms: number; writeUnits: number; readUnits: number };

export type Meter = {
  /** Lambda tasks of the state machine, by function. */
  invocations: Record<string, { count: number; ms: number }>;
  /** The state machine's direct DynamoDB tasks. */
  direct: Units;
  /** DynamoDB calls of the handlers themselves (after `meterHandlerDynamoDb`). */
  handlers: Units;
  /** Entries put on the bus, by the state machine and by the handlers. */
  eventsPut: number;
};

const noUnits = (): Units => ({ calls: 0, ms: 0, writeUnits: 0, readUnits: 0 });

export function emptyMeter(): Meter {
  return { invocations: {}, direct: noUnits(), handlers: noUnits(), eventsPut: 0 };
}

export type HarnessOptions = { dynamoEndpoint: string; tableName: string; timeScale: number };

export class FeeReviewHarness {
  readonly events: CapturedEvent[] = [];
  meter: Meter = emptyMeter();
  readonly #faults = new Map<FunctionKey | 'putEvents', Error[]>();
  readonly #handlers = new Map<string, { key: FunctionKey; handler: Handler }>();
  #listeners: {
    detailType: string;
    filter: (d: Record<string, unknown>) => boolean;
    resolve: (at: number) => void;
  }[] = [];

  private constructor(
    readonly service: LocalStepFunctions,
    readonly definition: StateMachineDefinition,
    readonly template: CfnTemplate,
    private readonly server: Server,
    private readonly dynamo: DynamoDBClient,
  ) {}

  static async start(options: HarnessOptions): Promise<FeeReviewHarness> {
    const { template } = synthesizeTemplate({ bundle: false });
    const [[tableLogicalId] = []] = resourcesOfType(template, 'AWS::DynamoDB::Table');
    const base = templateResolver(template);
    // The template's table is the test's table: every direct DynamoDB task reaches DynamoDB Local.
    const resolve = (intrinsic: unknown) =>
      (intrinsic as { Ref?: string }).Ref === tableLogicalId ? options.tableName : base(intrinsic);
    const definition = stateMachinesFromTemplate(template, resolve).find((m) =>
      m.name.endsWith('-fee-review'),
    );
    if (!definition) throw new Error('the synthesized stack has no *-fee-review state machine');

    const dynamo = new DynamoDBClient({
      endpoint: options.dynamoEndpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    let harness: FeeReviewHarness | undefined;
    const self = () => harness as FeeReviewHarness;
    const direct = dynamoDbIntegration(dynamo);
    const service = new LocalStepFunctions({
      definitions: [definition],
      dataDir: mkdtempSync(path.join(tmpdir(), 'rapport-fee-review-')),
      timeScale: options.timeScale,
      integrations: {
        invokeLambda: (arn, payload) => self().#invoke(arn, payload),
        dynamodb: async (action, params) => {
          const started = performance.now();
          // INDEXES: the units include the index writes, as DynamoDB bills them.
          const out = (await direct(action, {
            ...(params as object),
            ReturnConsumedCapacity: 'INDEXES',
          })) as {
            ConsumedCapacity?: unknown;
          };
          const units = self().meter.direct;
          units.ms += performance.now() - started;
          addUnits(units, out.ConsumedCapacity, action === 'getItem' || action === 'query');
          return out;
        },
        putEvents: async (entries) =>
          self().#putEvents(entries as Record<string, unknown>[], 'state machine'),
      },
    });
    const server = await serve(async (target, body) => {
      const [api, action = ''] = target.split('.');
      if (api === 'AWSStepFunctions') return service.handle(action, body);
      if (api === 'AWSEvents' && action === 'PutEvents') {
        return self().#putEvents((body as { Entries: Record<string, unknown>[] }).Entries, 'sdk');
      }
      throw Object.assign(new Error(`${target} is not served here`), { name: 'UnknownOperationException' });
    });
    harness = new FeeReviewHarness(service, definition, template, server, dynamo);
    await harness.#loadHandlers();

    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SFN: endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: endpoint,
      [ENV.busName]: 'rapport',
      [ENV.feeReviewStateMachineArn]: definition.arn,
      [ENV.workflowStateMachines]: JSON.stringify({ 'fee-review': definition.arn }),
    });
    return harness;
  }

  async stop(): Promise<void> {
    await this.service.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.dynamo.destroy();
  }

  /** The next `times` invocations of a function (or PutEvents calls of the state machine) fail with `error`. */
  fail(target: FunctionKey | 'putEvents', error: Error, times = 1): void {
    this.#faults.set(target, [
      ...(this.#faults.get(target) ?? []),
      ...Array.from({ length: times }, () => error),
    ]);
  }

  clearFaults(): void {
    this.#faults.clear();
  }

  sfn(action: string, body: unknown): Promise<Record<string, unknown>> {
    return this.service.handle(action, body) as Promise<Record<string, unknown>>;
  }

  executionArn(runId: string): string {
    return `${this.definition.arn.replace(':stateMachine:', ':execution:')}:${runId}`;
  }

  async describe(runId: string) {
    return (await this.sfn('DescribeExecution', { executionArn: this.executionArn(runId) })) as {
      status: string;
      output?: string;
      error?: string;
      cause?: string;
      input: string;
    };
  }

  /** Waits until the run leaves RUNNING (or `until` holds) and returns its description. */
  async settle(runId: string, until?: () => Promise<boolean>, timeoutMs = 20_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const run = await this.describe(runId);
      if (run.status !== 'RUNNING' || (until && (await until()))) return run;
      if (Date.now() > deadline) throw new Error(`run ${runId} still RUNNING after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async history(runId: string): Promise<Record<string, unknown>[]> {
    const events: Record<string, unknown>[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.sfn('GetExecutionHistory', {
        executionArn: this.executionArn(runId),
        nextToken,
      });
      events.push(...(page.events as Record<string, unknown>[]));
      nextToken = page.nextToken as string | undefined;
    } while (nextToken);
    return events;
  }

  /** The states entered, in order. Each entry is one billed state transition. */
  async statesEntered(runId: string): Promise<string[]> {
    return (await this.history(runId))
      .filter((e) => String(e.type).endsWith('StateEntered'))
      .map((e) => (e.stateEnteredEventDetails as { name: string }).name);
  }

  eventsOf(detailType: string, filter: (detail: Record<string, unknown>) => boolean = () => true) {
    return this.events.filter((e) => e.detailType === detailType && filter(e.detail));
  }

  async #loadHandlers(): Promise<void> {
    const functions = resourcesOfType(this.template, 'AWS::Lambda::Function');
    for (const [key, spec] of Object.entries(FUNCTIONS) as [FunctionKey, (typeof FUNCTIONS)[FunctionKey]][]) {
      const found = functions.find(([logicalId]) => logicalId.startsWith(spec.logicalIdPrefix));
      if (!found) throw new Error(`no function ${spec.logicalIdPrefix}* in the template`);
      this.#handlers.set(found[0], { key, handler: await spec.load() });
    }
  }

  async #invoke(functionArn: string, payload: unknown): Promise<unknown> {
    const name = functionArn.split(':')[6] ?? '';
    const target = this.#handlers.get(name);
    if (!target) throw Object.assign(new Error(`Function not found: ${functionArn}`), { statusCode: 404 });
    const started = performance.now();
    try {
      const fault = this.#faults.get(target.key)?.shift();
      if (fault) throw fault;
      return await target.handler(structuredClone(payload), lambdaContext);
    } catch (error) {
      // As Lambda reports a function error: its type and message, whatever else the error carried.
      const e = error as Error;
      throw new LambdaFunctionError({ errorType: e.name, errorMessage: e.message });
    } finally {
      const row = this.meter.invocations[target.key] ?? { count: 0, ms: 0 };
      this.meter.invocations[target.key] = row;
      row.count++;
      row.ms += performance.now() - started;
    }
  }

  /** Counts the DynamoDB units of the handlers in this process (their shared DocumentClient) too. */
  async meterHandlerDynamoDb(): Promise<void> {
    const { db } = await import('../../../functions/shared/clients/dynamodb');
    db().middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as Record<string, unknown>;
        input.ReturnConsumedCapacity = 'INDEXES';
        const started = performance.now();
        const result = await next(args);
        const units = this.meter.handlers;
        units.ms += performance.now() - started;
        const read = /^(Get|BatchGet|Query|Scan)/.test(context.commandName ?? '');
        addUnits(units, (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity, read);
        return result;
      },
      { step: 'initialize', name: 'feeReviewMeter' },
    );
  }

  /** Resolves with the time (performance.now) at which an event matching `filter` is put. */
  nextEvent(detailType: string, filter: (detail: Record<string, unknown>) => boolean): Promise<number> {
    return new Promise((resolve) => this.#listeners.push({ detailType, filter, resolve }));
  }

  async #putEvents(entries: Record<string, unknown>[], via: string) {
    if (via === 'state machine') {
      const fault = this.#faults.get('putEvents')?.shift();
      if (fault)
        return { FailedEntryCount: entries.length, Entries: entries.map(() => ({ ErrorCode: fault.name })) };
    }
    this.meter.eventsPut += entries.length;
    const at = performance.now();
    for (const entry of entries) {
      const event = {
        source: String(entry.Source),
        detailType: String(entry.DetailType),
        detail: JSON.parse(String(entry.Detail)) as Record<string, unknown>,
        via,
      };
      this.events.push(event);
      const waiting = this.#listeners.filter(
        (l) => l.detailType === event.detailType && l.filter(event.detail),
      );
      this.#listeners = this.#listeners.filter((l) => !waiting.includes(l));
      for (const listener of waiting) listener.resolve(at);
    }
    return { FailedEntryCount: 0, Entries: entries.map(() => ({ EventId: randomUUID() })) };
  }
}

type Consumed = { CapacityUnits?: number; ReadCapacityUnits?: number; WriteCapacityUnits?: number };

/** DynamoDB Local reports CapacityUnits only (not split into read and write): the call decides which. */
function addUnits(units: Units, consumed: unknown, read: boolean): void {
  units.calls++;
  for (const c of [consumed].flat() as (Consumed | undefined)[]) {
    if (!c) continue;
    units.readUnits += c.ReadCapacityUnits ?? (read ? (c.CapacityUnits ?? 0) : 0);
    units.writeUnits += c.WriteCapacityUnits ?? (read ? 0 : (c.CapacityUnits ?? 0));
  }
}

/** A minimal AWS JSON protocol endpoint: `X-Amz-Target` names the action; errors carry `__type`. */
async function serve(handle: (target: string, body: unknown) => Promise<unknown>): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const text = Buffer.concat(chunks).toString('utf8');
      handle(target, text ? JSON.parse(text) : {}).then(
        (result) => {
          res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
          res.end(JSON.stringify(result ?? {}));
        },
        (error: Error & { statusCode?: number }) => {
          res.writeHead(error.statusCode ?? 400, {
            'content-type': 'application/x-amz-json-1.0',
            'x-amzn-errortype': error.name,
          });
          res.end(JSON.stringify({ __type: error.name, message: error.message }));
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
