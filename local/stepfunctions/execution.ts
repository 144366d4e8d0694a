import { ExecutionContext } from './context';
import { errorDetails, type History, InterpreterEventTranslator, json, TaskEvents } from './history';
import { type Integrations, runIntegration, TaskFailure } from './integrations';
import {
  type InterpreterEvent,
  type InterpreterRun,
  type InterpreterRunOptions,
  interpreterTimeoutError,
  type PreparedMachine,
  type StateInfo,
  type TaskSpec,
  type WrappedTaskInput,
  type WrappedWaitInput,
} from './interpreter';
import type { ExecutionRecord, ExecutionStatus } from './store';
import { abortable, nextTurn, sleep, startTimer } from './timers';
import type { TaskTokens } from './tokens';

/**
 * One execution in flight: it starts the interpreter, runs every Task and Wait state the
 * interpreter hands back (interpreter.ts explains why those), writes the history as AWS would, and
 * settles the execution record when the run ends, however it ends.
 */
export type LoadedMachine = { name: string; arn: string; roleArn: string; prepared: PreparedMachine };

export type ExecutionRunOptions = {
  machine: LoadedMachine;
  record: ExecutionRecord;
  history: History;
  integrations: Integrations;
  tokens: TaskTokens;
  timeScale: number;
  now: () => Date;
  /** Called whenever the record changed and must be written. */
  saveRecord: () => void;
};

/** Why a run ends other than by finishing: StopExecution, its TimeoutSeconds, or close(). */
type Ending =
  | { kind: 'aborted'; error?: string; cause?: string }
  | { kind: 'timedOut'; cause: string }
  | { kind: 'halted' };

type Outcome = {
  status: Exclude<ExecutionStatus, 'RUNNING'>;
  output?: string;
  error?: string;
  cause?: string;
};

/**
 * Rejects whatever a state of an ended run still awaits. The interpreter reads these two flags, so
 * neither Retry nor Catch restarts work after StopExecution.
 */
class RunEnded extends Error {
  readonly isRetryable = false;
  readonly isCatchable = false;
}

/** AWS's States.Runtime: a definition problem met at run time, which no Retry or Catch handles. */
class StatesRuntimeError extends Error {
  override readonly name = 'States.Runtime';
  readonly isRetryable = false;
  readonly isCatchable = false;
}

export class ExecutionRun {
  /** Settles once the record and history hold the outcome (or, after halt(), once the run stopped). */
  readonly done: Promise<void>;
  readonly #o: ExecutionRunOptions;
  readonly #abort = new AbortController();
  readonly #context: ExecutionContext;
  readonly #interpreter: InterpreterRun;
  #interpreterSettled = false;
  #ending: Ending | undefined;

  constructor(options: ExecutionRunOptions) {
    this.#o = options;
    const { machine, record, history, now } = options;
    const input: unknown = JSON.parse(record.input);
    history.add('ExecutionStarted', {
      input: record.input,
      inputDetails: { truncated: false },
      roleArn: machine.roleArn,
    });
    this.#context = new ExecutionContext(
      {
        Execution: {
          Id: record.executionArn,
          Input: input,
          Name: record.name,
          RoleArn: machine.roleArn,
          StartTime: record.startDate,
        },
        StateMachine: { Id: machine.arn, Name: machine.name },
      },
      () => options.tokens.issue(record.executionArn),
      now,
    );
    this.#interpreter = machine.prepared.interpreter.run(input as never, this.#runOptions());
    this.#interpreter.result.then(
      () => this.#markInterpreterSettled(),
      () => this.#markInterpreterSettled(),
    );
    this.#enforceExecutionTimeout();
    this.done = this.#settle();
  }

  get history(): History {
    return this.#o.history;
  }

  /** StopExecution: ends the run as ABORTED once the history has caught up. */
  stop(error: string | undefined, cause: string | undefined): void {
    this.#end({ kind: 'aborted', ...(error ? { error } : {}), ...(cause ? { cause } : {}) });
  }

  /** Stops the run without recording an outcome: the record stays RUNNING (see the service's restart). */
  halt(): void {
    this.#end({ kind: 'halted' });
  }

  #runOptions(): InterpreterRunOptions {
    const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    // Every Task and Wait state has a handler, so the interpreter never calls AWS itself.
    for (const info of this.#o.machine.prepared.states.values()) {
      if (info.type === 'Wait') handlers[info.name] = (input) => this.#runWait(input as WrappedWaitInput);
      const task = info.task;
      if (task) handlers[info.name] = (input) => this.#runTask(info, task, input as WrappedTaskInput);
    }
    return {
      context: this.#context.forInterpreter(this.#o.machine.prepared.states.values()),
      overrides: { taskResourceLocalHandlers: handlers as TaskHandlers },
      noThrowOnAbort: true,
    };
  }

  #markInterpreterSettled(): void {
    this.#interpreterSettled = true;
  }

  #enforceExecutionTimeout(): void {
    const seconds = this.#o.machine.prepared.timeoutSeconds;
    if (seconds === undefined) return;
    sleep(this.#scaledMs(seconds), this.#abort.signal).then(
      () =>
        this.#end({
          kind: 'timedOut',
          cause: `The execution ran longer than its TimeoutSeconds (${seconds})`,
        }),
      () => {},
    );
  }

  #end(ending: Ending): void {
    if (this.#ending || this.#interpreterSettled) return;
    this.#ending = ending;
    this.#abort.abort(new RunEnded('the execution ended'));
    this.#interpreter.abort();
  }

  async #settle(): Promise<void> {
    const [result] = await Promise.allSettled([
      this.#interpreter.result,
      this.#follow(this.#interpreter.eventLogs),
    ]);
    this.#abort.abort(new RunEnded('the execution ended'));
    if (this.#ending?.kind === 'halted') return;
    this.#record(this.#ending ? outcomeOfEnding(this.#ending) : outcomeOfResult(result));
  }

  /** Copies the interpreter's events into the history until the interpreter closes its log. */
  async #follow(events: AsyncGenerator<InterpreterEvent>): Promise<void> {
    const translator = new InterpreterEventTranslator(this.#o.machine.prepared.states);
    for await (const event of events) {
      for (const [type, details] of translator.translate(event)) this.#o.history.add(type, details);
    }
  }

  #record(outcome: Outcome): void {
    const { record, history, now } = this.#o;
    Object.assign(record, { status: outcome.status, stopDate: now().toISOString() });
    if (outcome.output !== undefined) record.output = outcome.output;
    if (outcome.error) record.error = outcome.error;
    if (outcome.cause) record.cause = outcome.cause;
    const details = errorDetails(outcome.error, outcome.cause);
    switch (outcome.status) {
      case 'SUCCEEDED':
        history.add('ExecutionSucceeded', { output: outcome.output, outputDetails: { truncated: false } });
        break;
      case 'FAILED':
        history.add('ExecutionFailed', details);
        break;
      case 'ABORTED':
        history.add('ExecutionAborted', details);
        break;
      case 'TIMED_OUT':
        history.add('ExecutionTimedOut', details);
        break;
    }
    this.#o.saveRecord();
  }

  /**
   * One attempt of a Task state. Synchronous up to the first await, so it takes the context entry
   * (and task token) that the state's Parameters just read; see context.ts.
   */
  async #runTask(info: StateInfo, task: TaskSpec, wrapped: WrappedTaskInput): Promise<unknown> {
    const entry = this.#context.take(info);
    // Let the interpreter's StateEntered reach the history before this task's own events.
    await nextTurn();
    this.#throwIfEnded();
    const limits = this.#limits(task, wrapped);
    const events = new TaskEvents(this.#o.history, task.resource);
    events.scheduled(wrapped.payload, limits);
    events.started();
    const attempt = new AbortController();
    const stopAttempt = () => attempt.abort(this.#abort.signal.reason);
    this.#abort.signal.addEventListener('abort', stopAttempt, { once: true });
    const stopDeadline =
      limits.timeoutMs === undefined
        ? () => {}
        : startTimer(limits.timeoutMs, () =>
            attempt.abort(taskTimeout(limits.timeoutSeconds, limits.timeoutMs)),
          );
    try {
      const output = await this.#perform(task, wrapped.payload, entry.token, limits, events, attempt.signal);
      this.#throwIfEnded();
      events.succeeded(output);
      return output;
    } catch (error) {
      this.#throwIfEnded();
      const failure = error instanceof TaskFailure ? error : asTaskFailure(error);
      events.failed(failure.error, failure.message, failure.timedOut);
      throw await forInterpreter(failure);
    } finally {
      stopDeadline();
      this.#abort.signal.removeEventListener('abort', stopAttempt);
      attempt.abort(new RunEnded('the task attempt ended'));
    }
  }

  async #perform(
    task: TaskSpec,
    payload: unknown,
    token: string | undefined,
    limits: Limits,
    events: TaskEvents,
    signal: AbortSignal,
  ): Promise<unknown> {
    const { integrations, record, machine, tokens } = this.#o;
    const call = () =>
      runIntegration(task.resource.target, payload, integrations, {
        executionArn: record.executionArn,
        stateMachineArn: machine.arn,
      });
    if (!task.resource.callback || token === undefined) return abortable(call(), signal);
    // Registered before the call: the callee may answer before its own invocation returns.
    const callback = tokens.wait(token, {
      ...(limits.heartbeatMs ? { heartbeatMs: limits.heartbeatMs } : {}),
      signal,
    });
    events.submitted(await abortable(call(), signal));
    return callback;
  }

  /**
   * Timeouts of synchronous tasks bound real work (a Lambda, a DynamoDB call) and stay as written;
   * a callback task waits for people or other systems, which is workflow time, so it is scaled.
   */
  #limits(task: TaskSpec, wrapped: WrappedTaskInput): Limits {
    const timeoutSeconds =
      positiveSeconds(wrapped.timeoutSeconds, 'TimeoutSecondsPath') ?? task.timeoutSeconds;
    const heartbeatSeconds =
      positiveSeconds(wrapped.heartbeatSeconds, 'HeartbeatSecondsPath') ?? task.heartbeatSeconds;
    const callback = task.resource.callback;
    const toMs = (seconds: number) => (callback ? this.#scaledMs(seconds) : seconds * 1000);
    return {
      ...(timeoutSeconds === undefined ? {} : { timeoutSeconds, timeoutMs: toMs(timeoutSeconds) }),
      ...(heartbeatSeconds === undefined || !callback
        ? {}
        : { heartbeatSeconds, heartbeatMs: toMs(heartbeatSeconds) }),
    };
  }

  /** A Wait state: sleeps the scaled duration and passes its input on unchanged. */
  async #runWait(wrapped: WrappedWaitInput): Promise<unknown> {
    await sleep(this.#waitMs(wrapped), this.#abort.signal);
    return wrapped.input;
  }

  #waitMs(wrapped: WrappedWaitInput): number {
    if (wrapped.seconds !== undefined) {
      const seconds = wrapped.seconds;
      if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0) {
        throw new StatesRuntimeError(`Wait seconds must be a non-negative integer, got ${json(seconds)}`);
      }
      return this.#scaledMs(seconds);
    }
    const at = typeof wrapped.timestamp === 'string' ? Date.parse(wrapped.timestamp) : Number.NaN;
    if (Number.isNaN(at)) {
      throw new StatesRuntimeError(`Wait timestamp must be an ISO 8601 time, got ${json(wrapped.timestamp)}`);
    }
    return Math.max(0, (at - this.#o.now().getTime()) / this.#o.timeScale);
  }

  #scaledMs(seconds: number): number {
    return (seconds * 1000) / this.#o.timeScale;
  }

  #throwIfEnded(): void {
    if (this.#ending || this.#abort.signal.aborted) throw new RunEnded('the execution ended');
  }
}

type TaskHandlers = NonNullable<InterpreterRunOptions['overrides']>['taskResourceLocalHandlers'];
type Limits = {
  timeoutSeconds?: number;
  timeoutMs?: number;
  heartbeatSeconds?: number;
  heartbeatMs?: number;
};

function positiveSeconds(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new StatesRuntimeError(`${field} must point to a positive integer, got ${json(value)}`);
  }
  return value;
}

function taskTimeout(seconds: number | undefined, ms: number | undefined): TaskFailure {
  return new TaskFailure(
    'States.Timeout',
    `The task did not finish within its TimeoutSeconds (${seconds} s, ${Math.round(ms ?? 0)} ms locally)`,
    { timedOut: true },
  );
}

/** A bug or a non-Error thrown below a task still fails the task, not the local runtime. */
function asTaskFailure(error: unknown): TaskFailure {
  const thrown = error instanceof Error ? error : new Error(String(error));
  return new TaskFailure(thrown.name || 'Error', thrown.message);
}

/** The error the interpreter's Retry and Catch see: `name` is the Error, `message` the Cause. */
async function forInterpreter(failure: TaskFailure): Promise<Error> {
  if (failure.timedOut) return interpreterTimeoutError(failure.error, failure.message);
  const error = new Error(failure.message);
  error.name = failure.error;
  return error;
}

function outcomeOfEnding(ending: Exclude<Ending, { kind: 'halted' }>): Outcome {
  if (ending.kind === 'timedOut')
    return { status: 'TIMED_OUT', error: 'States.Timeout', cause: ending.cause };
  return {
    status: 'ABORTED',
    ...(ending.error ? { error: ending.error } : {}),
    ...(ending.cause ? { cause: ending.cause } : {}),
  };
}

function outcomeOfResult(result: PromiseSettledResult<unknown>): Outcome {
  if (result.status === 'fulfilled') return { status: 'SUCCEEDED', output: json(result.value) };
  // The interpreter wraps the state's error in an ExecutionError whose `cause` is the error itself.
  const reason: unknown = result.reason;
  const wrapped = reason instanceof Error ? reason.cause : undefined;
  const failure =
    wrapped instanceof Error ? wrapped : reason instanceof Error ? reason : new Error(String(reason));
  return { status: 'FAILED', error: failure.name, cause: failure.message };
}
