import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { assertSupported, LOCAL_ACCOUNT, LOCAL_REGION, type StateMachineDefinition } from './definitions';
import { AwsServiceError, SFN_ERRORS } from './errors';
import { ExecutionRun, type LoadedMachine } from './execution';
import { History, type HistoryEvent } from './history';
import type { Integrations } from './integrations';
import { prepareMachine } from './interpreter';
import { EXECUTION_STATUSES, type ExecutionRecord, ExecutionStore } from './store';
import { TaskTokens } from './tokens';

/**
 * The Step Functions API of the local runtime: the AWS JSON 1.0 actions that the AWS CLI, the SDKs
 * and Rapport's own handlers call, over the state machines of the synthesized template.
 *
 * `handle(action, body)` takes the action (`StartExecution`, or the whole `X-Amz-Target` value
 * `AWSStepFunctions.StartExecution`) and the parsed JSON body, and resolves with the response body,
 * timestamps in epoch seconds as the protocol has them. It throws AwsServiceError for what AWS
 * answers with an error.
 *
 * Executions and their histories live in memory and under `dataDir`. Executions cannot survive a
 * restart (the interpreter's state is not serializable), so those left RUNNING by a previous
 * process are closed as ABORTED with the error `Runtime.Restarted` when the service starts.
 */
export type LocalStepFunctionsOptions = {
  definitions: StateMachineDefinition[];
  dataDir: string;
  /** Every workflow wait runs this many times faster: 86400 makes a day a second. */
  timeScale: number;
  integrations: Integrations;
  now?: () => Date;
};

export const RESTARTED_ERROR = 'Runtime.Restarted';
export const RESTARTED_CAUSE =
  'The local runtime stopped while this execution was in flight. A local execution cannot resume ' +
  'after a restart; start it again if it is still needed.';

const DEFAULT_ROLE_ARN = `arn:aws:iam::${LOCAL_ACCOUNT}:role/local-stepfunctions`;
const DEFAULT_PAGE_SIZE = 100;

type Machine = LoadedMachine & { definitionText: string };

export class LocalStepFunctions {
  readonly #machines = new Map<string, Machine>();
  readonly #executions = new Map<string, ExecutionRecord>();
  readonly #runs = new Map<string, ExecutionRun>();
  readonly #store: ExecutionStore;
  readonly #tokens: TaskTokens;
  readonly #integrations: Integrations;
  readonly #timeScale: number;
  readonly #now: () => Date;
  readonly #createdAt: Date;

  constructor(options: LocalStepFunctionsOptions) {
    if (!(options.timeScale > 0))
      throw new Error(`timeScale must be a positive number, got ${options.timeScale}`);
    this.#integrations = options.integrations;
    this.#timeScale = options.timeScale;
    this.#now = options.now ?? (() => new Date());
    this.#createdAt = this.#now();
    for (const definition of options.definitions) this.#addMachine(definition);
    this.#store = new ExecutionStore(options.dataDir);
    this.#tokens = new TaskTokens((executionArn) => this.#executions.has(executionArn));
    this.#closeInterruptedExecutions();
  }

  async handle(action: string, body: unknown): Promise<unknown> {
    const operation = action.slice(action.lastIndexOf('.') + 1);
    const input = body ?? {};
    switch (operation) {
      case 'ListStateMachines':
        return this.#listStateMachines(parse(listStateMachinesInput, input));
      case 'DescribeStateMachine':
        return this.#describeStateMachine(parse(describeStateMachineInput, input));
      case 'StartExecution':
        return this.#startExecution(parse(startExecutionInput, input));
      case 'DescribeExecution':
        return this.#describeExecution(parse(executionInput, input));
      case 'ListExecutions':
        return this.#listExecutions(parse(listExecutionsInput, input));
      case 'GetExecutionHistory':
        return this.#getExecutionHistory(parse(getExecutionHistoryInput, input));
      case 'StopExecution':
        return this.#stopExecution(parse(stopExecutionInput, input));
      case 'SendTaskSuccess':
        return this.#sendTaskSuccess(parse(sendTaskSuccessInput, input));
      case 'SendTaskFailure':
        return this.#sendTaskFailure(parse(sendTaskFailureInput, input));
      case 'SendTaskHeartbeat':
        return this.#sendTaskHeartbeat(parse(taskTokenInput, input));
      default:
        throw new AwsServiceError(
          SFN_ERRORS.unknownOperation,
          `${operation} is not an operation the local Step Functions service supports`,
        );
    }
  }

  /**
   * Stops every run without recording an outcome and writes what is pending. The records stay
   * RUNNING on disk, exactly as after a crash, and the next start closes them.
   */
  async close(): Promise<void> {
    const runs = [...this.#runs.values()];
    for (const run of runs) run.halt();
    await Promise.all(runs.map((run) => run.done));
    await this.#store.flush();
  }

  #addMachine(definition: StateMachineDefinition): void {
    if (this.#machines.has(definition.arn))
      throw new Error(`two state machines are named ${definition.name}`);
    try {
      assertSupported(definition.definition);
      this.#machines.set(definition.arn, {
        name: definition.name,
        arn: definition.arn,
        roleArn: definition.roleArn ?? DEFAULT_ROLE_ARN,
        prepared: prepareMachine(definition.definition, this.#timeScale),
        definitionText: JSON.stringify(definition.definition),
      });
    } catch (error) {
      throw new Error(`state machine ${definition.name}: ${(error as Error).message}`, { cause: error });
    }
  }

  #closeInterruptedExecutions(): void {
    for (const record of this.#store.loadRecords()) {
      this.#executions.set(record.executionArn, record);
      if (record.status !== 'RUNNING') continue;
      const history = new History(this.#store.readHistorySync(record), this.#now);
      Object.assign(record, {
        status: 'ABORTED',
        stopDate: this.#now().toISOString(),
        error: RESTARTED_ERROR,
        cause: RESTARTED_CAUSE,
      });
      history.add('ExecutionAborted', { error: RESTARTED_ERROR, cause: RESTARTED_CAUSE });
      this.#store.writeSync(record, history.events);
    }
  }

  #listStateMachines(input: z.infer<typeof listStateMachinesInput>) {
    const machines = [...this.#machines.values()].sort((a, b) => a.name.localeCompare(b.name));
    const { items, nextToken } = page(machines, input, 'ListStateMachines');
    return {
      stateMachines: items.map((machine) => ({
        stateMachineArn: machine.arn,
        name: machine.name,
        type: 'STANDARD',
        creationDate: epochSeconds(this.#createdAt),
      })),
      ...(nextToken ? { nextToken } : {}),
    };
  }

  #describeStateMachine(input: z.infer<typeof describeStateMachineInput>) {
    const machine = this.#machine(input.stateMachineArn);
    return {
      stateMachineArn: machine.arn,
      name: machine.name,
      status: 'ACTIVE',
      definition: machine.definitionText,
      roleArn: machine.roleArn,
      type: 'STANDARD',
      creationDate: epochSeconds(this.#createdAt),
      loggingConfiguration: { level: 'OFF', includeExecutionData: false },
      tracingConfiguration: { enabled: false },
    };
  }

  /**
   * Names are unique per state machine. As on AWS, repeating a name with the same input while the
   * first execution runs returns that execution; any other repeat is ExecutionAlreadyExists.
   */
  #startExecution(input: z.infer<typeof startExecutionInput>) {
    const machine = this.#machine(input.stateMachineArn);
    const name = input.name ?? randomUUID();
    assertExecutionName(name);
    const executionInput = input.input ?? '{}';
    assertJson(executionInput, SFN_ERRORS.invalidExecutionInput, 'Invalid State Machine Execution Input');
    const executionArn = executionArnOf(machine.name, name);
    const existing = this.#executions.get(executionArn);
    if (existing) {
      if (existing.status === 'RUNNING' && sameJson(existing.input, executionInput)) {
        return { executionArn, startDate: epochSeconds(existing.startDate) };
      }
      throw new AwsServiceError(
        SFN_ERRORS.executionAlreadyExists,
        `Execution Already Exists: '${executionArn}'`,
      );
    }
    const record: ExecutionRecord = {
      executionArn,
      stateMachineArn: machine.arn,
      stateMachineName: machine.name,
      name,
      status: 'RUNNING',
      startDate: this.#now().toISOString(),
      input: executionInput,
    };
    this.#executions.set(executionArn, record);
    this.#store.saveRecord(record);
    this.#run(machine, record);
    return { executionArn, startDate: epochSeconds(record.startDate) };
  }

  #run(machine: Machine, record: ExecutionRecord): void {
    const history: History = new History([], this.#now, () =>
      this.#store.saveHistory(record, history.events),
    );
    const run = new ExecutionRun({
      machine,
      record,
      history,
      integrations: this.#integrations,
      tokens: this.#tokens,
      timeScale: this.#timeScale,
      now: this.#now,
      saveRecord: () => this.#store.saveRecord(record),
    });
    this.#runs.set(record.executionArn, run);
    run.done
      .catch((error: unknown) =>
        console.error(`local Step Functions: ${record.executionArn} broke down`, error),
      )
      .finally(() => this.#runs.delete(record.executionArn));
  }

  #describeExecution(input: z.infer<typeof executionInput>) {
    const record = this.#execution(input.executionArn);
    return {
      ...summary(record),
      input: record.input,
      inputDetails: { included: true },
      ...(record.output === undefined ? {} : { output: record.output, outputDetails: { included: true } }),
      ...(record.error ? { error: record.error } : {}),
      ...(record.cause ? { cause: record.cause } : {}),
      redriveCount: 0,
      redriveStatus: 'NOT_REDRIVABLE',
    };
  }

  /** Newest first, as AWS lists them. */
  #listExecutions(input: z.infer<typeof listExecutionsInput>) {
    const machine = this.#machine(input.stateMachineArn);
    const records = [...this.#executions.values()]
      .filter((r) => r.stateMachineArn === machine.arn)
      .filter((r) => !input.statusFilter || r.status === input.statusFilter)
      .sort((a, b) => b.startDate.localeCompare(a.startDate) || b.name.localeCompare(a.name));
    const scope = `ListExecutions:${machine.arn}:${input.statusFilter ?? ''}`;
    const { items, nextToken } = page(records, input, scope);
    return { executions: items.map(summary), ...(nextToken ? { nextToken } : {}) };
  }

  async #getExecutionHistory(input: z.infer<typeof getExecutionHistoryInput>) {
    const record = this.#execution(input.executionArn);
    const stored = this.#runs.has(record.executionArn) ? undefined : await this.#store.readHistory(record);
    const events = stored ?? this.#liveHistory(record);
    const ordered = input.reverseOrder ? [...events].reverse() : events;
    const scope = `GetExecutionHistory:${record.executionArn}:${input.reverseOrder ?? false}`;
    const { items, nextToken } = page(ordered, input, scope);
    const shown = input.includeExecutionData === false ? items.map(withoutExecutionData) : items;
    return { events: shown, ...(nextToken ? { nextToken } : {}) };
  }

  #liveHistory(record: ExecutionRecord): HistoryEvent[] {
    return this.#runs.get(record.executionArn)?.history.events ?? [];
  }

  async #stopExecution(input: z.infer<typeof stopExecutionInput>) {
    const record = this.#execution(input.executionArn);
    const run = this.#runs.get(record.executionArn);
    if (run && record.status === 'RUNNING') {
      run.stop(input.error, input.cause);
      await run.done;
    }
    return { stopDate: epochSeconds(record.stopDate ?? this.#now()) };
  }

  #sendTaskSuccess(input: z.infer<typeof sendTaskSuccessInput>) {
    assertJson(input.output, SFN_ERRORS.invalidOutput, 'Invalid Output');
    this.#tokens.succeed(input.taskToken, JSON.parse(input.output));
    return {};
  }

  #sendTaskFailure(input: z.infer<typeof sendTaskFailureInput>) {
    this.#tokens.fail(input.taskToken, input.error, input.cause);
    return {};
  }

  #sendTaskHeartbeat(input: z.infer<typeof taskTokenInput>) {
    this.#tokens.heartbeat(input.taskToken);
    return {};
  }

  #machine(stateMachineArn: string): Machine {
    if (!STATE_MACHINE_ARN.test(stateMachineArn)) {
      throw new AwsServiceError(SFN_ERRORS.invalidArn, `Invalid Arn: '${stateMachineArn}'`);
    }
    const machine = this.#machines.get(stateMachineArn);
    if (!machine) {
      throw new AwsServiceError(
        SFN_ERRORS.stateMachineDoesNotExist,
        `State Machine Does Not Exist: '${stateMachineArn}'`,
      );
    }
    return machine;
  }

  #execution(executionArn: string): ExecutionRecord {
    if (!EXECUTION_ARN.test(executionArn)) {
      throw new AwsServiceError(SFN_ERRORS.invalidArn, `Invalid Arn: '${executionArn}'`);
    }
    const record = this.#executions.get(executionArn);
    if (!record) {
      throw new AwsServiceError(
        SFN_ERRORS.executionDoesNotExist,
        `Execution Does Not Exist: '${executionArn}'`,
      );
    }
    return record;
  }
}

const STATE_MACHINE_ARN = /^arn:aws:states:[\w-]+:\d{12}:stateMachine:[^:]+$/;
const EXECUTION_ARN = /^arn:aws:states:[\w-]+:\d{12}:execution:[^:]+:[^:]+$/;
// AWS: 1 to 80 characters, none of whitespace, brackets, wildcards, these specials, or controls.
const EXECUTION_NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\p{Cc}]{1,80}$/u;

function executionArnOf(stateMachineName: string, name: string): string {
  return `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:execution:${stateMachineName}:${name}`;
}

function assertExecutionName(name: string): void {
  if (!EXECUTION_NAME.test(name))
    throw new AwsServiceError(SFN_ERRORS.invalidName, `Invalid Name: '${name}'`);
}

function assertJson(text: string, code: string, message: string): void {
  try {
    JSON.parse(text);
  } catch (error) {
    throw new AwsServiceError(code, `${message}: ${(error as Error).message}`);
  }
}

function sameJson(a: string, b: string): boolean {
  return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
}

function epochSeconds(date: Date | string): number {
  return (typeof date === 'string' ? Date.parse(date) : date.getTime()) / 1000;
}

function summary(record: ExecutionRecord) {
  return {
    executionArn: record.executionArn,
    stateMachineArn: record.stateMachineArn,
    name: record.name,
    status: record.status,
    startDate: epochSeconds(record.startDate),
    ...(record.stopDate ? { stopDate: epochSeconds(record.stopDate) } : {}),
  };
}

/** includeExecutionData: false drops every input and output, as AWS does. */
function withoutExecutionData(event: HistoryEvent): HistoryEvent {
  const strip = (value: unknown) => {
    if (!value || typeof value !== 'object') return value;
    const { input: _input, output: _output, ...rest } = value as Record<string, unknown>;
    return rest;
  };
  return Object.fromEntries(Object.entries(event).map(([key, value]) => [key, strip(value)])) as HistoryEvent;
}

/** A page of `items`; the token records where the next page starts and for which request. */
function page<T>(
  items: T[],
  input: { maxResults?: number | undefined; nextToken?: string | undefined },
  scope: string,
): { items: T[]; nextToken?: string } {
  const size = input.maxResults || DEFAULT_PAGE_SIZE;
  const start = input.nextToken === undefined ? 0 : offsetOf(input.nextToken, scope);
  const end = start + size;
  return {
    items: items.slice(start, end),
    ...(end < items.length
      ? { nextToken: Buffer.from(JSON.stringify({ scope, offset: end })).toString('base64url') }
      : {}),
  };
}

function offsetOf(nextToken: string, scope: string): number {
  try {
    const token = JSON.parse(Buffer.from(nextToken, 'base64url').toString()) as {
      scope?: unknown;
      offset?: unknown;
    };
    if (token.scope === scope && typeof token.offset === 'number') return token.offset;
  } catch {
    // Falls through to the error below: a token that does not parse is as invalid as a foreign one.
  }
  throw new AwsServiceError(SFN_ERRORS.invalidToken, `Invalid Token: '${nextToken}'`);
}

const pageInput = {
  maxResults: z.number().int().min(0).max(1000).optional(),
  nextToken: z.string().min(1).max(1024).optional(),
};
const listStateMachinesInput = z.looseObject(pageInput);
const describeStateMachineInput = z.looseObject({ stateMachineArn: z.string() });
const startExecutionInput = z.looseObject({
  stateMachineArn: z.string(),
  name: z.string().optional(),
  input: z
    .string()
    .max(256 * 1024)
    .optional(),
});
const executionInput = z.looseObject({ executionArn: z.string() });
const listExecutionsInput = z.looseObject({
  stateMachineArn: z.string(),
  statusFilter: z.enum(EXECUTION_STATUSES).optional(),
  ...pageInput,
});
const getExecutionHistoryInput = z.looseObject({
  executionArn: z.string(),
  reverseOrder: z.boolean().optional(),
  includeExecutionData: z.boolean().optional(),
  ...pageInput,
});
const stopExecutionInput = z.looseObject({
  executionArn: z.string(),
  error: z.string().max(256).optional(),
  cause: z.string().max(32768).optional(),
});
const taskTokenInput = z.looseObject({ taskToken: z.string().min(1).max(2048) });
const sendTaskSuccessInput = taskTokenInput.extend({ output: z.string().max(256 * 1024) });
const sendTaskFailureInput = taskTokenInput.extend({
  error: z.string().max(256).optional(),
  cause: z.string().max(32768).optional(),
});

/** Request validation in AWS's words: "N validation errors detected: Value at 'x' failed ...". */
function parse<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issues = result.error.issues.map(
    (issue) => `Value at '${issue.path.join('.')}' failed to satisfy constraint: ${issue.message}`,
  );
  const count = `${issues.length} validation error${issues.length === 1 ? '' : 's'} detected`;
  throw new AwsServiceError(SFN_ERRORS.validation, `${count}: ${issues.join('; ')}`);
}
