// Must run before aws-local-stepfunctions does: on Node 20 every Task would otherwise fail silently.
import '../polyfills';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { type AslDefinition, type AslState, LOCAL_ACCOUNT, LOCAL_REGION } from './definitions';
import { parseTaskResource, type TaskResource } from './resources';
import { MAX_TIMER_MS } from './timers';

/**
 * Adapts a definition to aws-local-stepfunctions without changing what it means on AWS. The
 * interpreter runs Choice, Map, Parallel, Pass, Retry and Catch itself; everything that touches time,
 * the outside world or the Context Object is handed back to the execution (execution.ts) through
 * the interpreter's per-state Task overrides:
 *
 * - Task states keep their `Parameters` but inside a wrapper, `{ payload, timeoutSeconds?,
 *   heartbeatSeconds? }`, so the override also receives TimeoutSecondsPath/HeartbeatSecondsPath
 *   evaluated against the state input. Timeouts are enforced by the execution, scaled for
 *   callbacks; the interpreter's own (60 s by default) is pushed out of the way.
 * - Wait states become Tasks of a local resource whose override sleeps the scaled duration: the
 *   interpreter can neither scale a Timestamp wait nor wait longer than 24.8 days.
 * - Retry intervals are divided by the time scale.
 * - `$$.Execution`, `$$.StateMachine`, `$$.State` and `$$.Task` paths are redirected to a per-state
 *   field of the Context Object (context.ts), because the interpreter knows no state name, entry
 *   time or task token, and rewrites `$$.Execution.Input` inside Map iterations.
 * - Three interpreter bugs are sidestepped: `ResultPath: "$"` writes a key named "$", a falsy
 *   `Result` is ignored, and a Fail state without Error reports "FailStateError".
 */

export const CONTEXT_FIELD = '__local';
export const WAIT_RESOURCE = 'arn:aws:states:::local:wait';

/** The interpreter's own task timeout, as late as a Node timer allows; ours fire first. */
const INTERPRETER_TASK_TIMEOUT_SECONDS = Math.floor(MAX_TIMER_MS / 1000);
const DEFAULT_RETRY_INTERVAL_SECONDS = 1;

export type TaskSpec = { resource: TaskResource; timeoutSeconds?: number; heartbeatSeconds?: number };
/** A state of the original definition; names are unique across a whole state machine in ASL. */
export type StateInfo = {
  name: string;
  type: string;
  /** Its field under `$$.__local` in the Context Object. */
  key: string;
  definition: AslState;
  task?: TaskSpec;
};
/** What a rewritten Task state's override receives. */
export type WrappedTaskInput = { payload: unknown; timeoutSeconds?: unknown; heartbeatSeconds?: unknown };
/** What a Wait-turned-Task state's override receives. */
export type WrappedWaitInput = { input: unknown; seconds?: unknown; timestamp?: unknown };

export type PreparedMachine = {
  interpreter: StateMachine;
  states: Map<string, StateInfo>;
  /** The execution's own TimeoutSeconds, which the execution enforces (scaled). */
  timeoutSeconds?: number;
};

export type InterpreterRun = ReturnType<StateMachine['run']>;
export type InterpreterEvent = InterpreterRun['eventLogs'] extends AsyncGenerator<infer E> ? E : never;
export type InterpreterRunOptions = NonNullable<Parameters<StateMachine['run']>[1]>;

export function prepareMachine(definition: AslDefinition, timeScale: number): PreparedMachine {
  // Validates the definition as written (the constructor throws on an invalid one).
  new StateMachine(definition as unknown as StateMachineDefinition);
  const { definition: rewritten, states } = rewriteForInterpreter(definition, timeScale);
  const interpreter = new StateMachine(rewritten as unknown as StateMachineDefinition, {
    validationOptions: { noValidate: true },
  });
  return {
    interpreter,
    states,
    ...(definition.TimeoutSeconds ? { timeoutSeconds: definition.TimeoutSeconds } : {}),
  };
}

export function rewriteForInterpreter(
  definition: AslDefinition,
  timeScale: number,
): { definition: AslDefinition; states: Map<string, StateInfo> } {
  const states = new Map<string, StateInfo>();
  const rewriteDefinition = (machine: AslDefinition): AslDefinition => {
    const { TimeoutSeconds: _enforcedByTheExecution, ...rest } = machine;
    const rewritten = Object.entries(machine.States).map(([name, state]) => {
      const info: StateInfo = { name, type: state.Type, key: `s${states.size}`, definition: state };
      states.set(name, info);
      return [name, rewriteState(state, info)] as const;
    });
    return { ...rest, States: Object.fromEntries(rewritten) };
  };
  const rewriteState = (state: AslState, info: StateInfo): AslState => {
    let next = byType(state, info, rewriteDefinition);
    next = withScaledRetries(next, timeScale);
    next = withCatchers(next);
    if (next.ResultPath === '$') delete next.ResultPath;
    return withContextPaths(next, info.key);
  };
  return { definition: rewriteDefinition(definition), states };
}

function byType(
  state: AslState,
  info: StateInfo,
  rewriteDefinition: (machine: AslDefinition) => AslDefinition,
): AslState {
  switch (state.Type) {
    case 'Task':
      return taskForInterpreter(state, info);
    case 'Wait':
      return waitAsTask(state);
    case 'Pass':
      return passWithFalsyResult(state);
    case 'Fail':
      return failWithExplicitError(state);
    case 'Map': {
      const field = state.ItemProcessor ? 'ItemProcessor' : 'Iterator';
      return { ...state, [field]: rewriteDefinition(state[field] as AslDefinition) };
    }
    case 'Parallel':
      return { ...state, Branches: (state.Branches as AslDefinition[]).map(rewriteDefinition) };
    default:
      return { ...state };
  }
}

function taskForInterpreter(state: AslState, info: StateInfo): AslState {
  const { TimeoutSeconds, TimeoutSecondsPath, HeartbeatSeconds, HeartbeatSecondsPath, Parameters, ...rest } =
    state;
  const resource = parseTaskResource(String(state.Resource));
  if (!resource) throw new Error(`state "${info.name}": unsupported resource ${String(state.Resource)}`);
  info.task = {
    resource,
    ...(typeof TimeoutSeconds === 'number' ? { timeoutSeconds: TimeoutSeconds } : {}),
    ...(typeof HeartbeatSeconds === 'number' ? { heartbeatSeconds: HeartbeatSeconds } : {}),
  };
  return {
    ...rest,
    TimeoutSeconds: INTERPRETER_TASK_TIMEOUT_SECONDS,
    Parameters: {
      ...('Parameters' in state ? { payload: Parameters } : { 'payload.$': '$' }),
      ...(TimeoutSecondsPath ? { 'timeoutSeconds.$': TimeoutSecondsPath } : {}),
      ...(HeartbeatSecondsPath ? { 'heartbeatSeconds.$': HeartbeatSecondsPath } : {}),
    },
  };
}

function waitAsTask(state: AslState): AslState {
  const { Seconds, SecondsPath, Timestamp, TimestampPath, Type: _wait, ...rest } = state;
  const duration =
    Seconds !== undefined
      ? { seconds: Seconds }
      : SecondsPath !== undefined
        ? { 'seconds.$': SecondsPath }
        : Timestamp !== undefined
          ? { timestamp: Timestamp }
          : { 'timestamp.$': TimestampPath };
  return {
    ...rest,
    Type: 'Task',
    Resource: WAIT_RESOURCE,
    TimeoutSeconds: INTERPRETER_TASK_TIMEOUT_SECONDS,
    Parameters: { 'input.$': '$', ...duration },
  };
}

function passWithFalsyResult(state: AslState): AslState {
  if (!('Result' in state) || state.Result) return { ...state };
  const { Result, Parameters: _overriddenByResult, ...rest } = state;
  return { ...rest, Parameters: Result };
}

function failWithExplicitError(state: AslState): AslState {
  return {
    ...state,
    ...('Error' in state || 'ErrorPath' in state ? {} : { Error: '' }),
    ...('Cause' in state || 'CausePath' in state ? {} : { Cause: '' }),
  };
}

type Retrier = { ErrorEquals: string[]; IntervalSeconds?: number; MaxDelaySeconds?: number };
type Catcher = { ErrorEquals: string[]; ResultPath?: unknown };

function withScaledRetries(state: AslState, timeScale: number): AslState {
  if (!Array.isArray(state.Retry)) return state;
  const Retry = (state.Retry as Retrier[]).map((retrier) => ({
    ...retrier,
    ErrorEquals: matchingHeartbeats(retrier.ErrorEquals),
    IntervalSeconds: (retrier.IntervalSeconds ?? DEFAULT_RETRY_INTERVAL_SECONDS) / timeScale,
    ...(retrier.MaxDelaySeconds === undefined
      ? {}
      : { MaxDelaySeconds: retrier.MaxDelaySeconds / timeScale }),
  }));
  return { ...state, Retry };
}

function withCatchers(state: AslState): AslState {
  if (!Array.isArray(state.Catch)) return state;
  const Catch = (state.Catch as Catcher[]).map(({ ResultPath, ...catcher }) => ({
    ...catcher,
    ErrorEquals: matchingHeartbeats(catcher.ErrorEquals),
    ...(ResultPath === '$' || ResultPath === undefined ? {} : { ResultPath }),
  }));
  return { ...state, Catch };
}

/** On AWS `States.Timeout` also matches a missed heartbeat; the interpreter compares names only. */
function matchingHeartbeats(errors: string[]): string[] {
  return errors.includes('States.Timeout') && !errors.includes('States.HeartbeatTimeout')
    ? [...errors, 'States.HeartbeatTimeout']
    : errors;
}

const PATH_FIELDS = ['InputPath', 'OutputPath', 'ItemsPath', 'MaxConcurrencyPath', 'ErrorPath', 'CausePath'];
const TEMPLATE_FIELDS = ['Parameters', 'ItemSelector', 'ResultSelector'];
const CONTEXT_REFERENCE = /\$\$(?=\.(?:Execution|StateMachine|State|Task)\b|(?![.[]))/g;

function withContextPaths(state: AslState, key: string): AslState {
  const contextual = (path: string) => path.replace(CONTEXT_REFERENCE, () => `$$.${CONTEXT_FIELD}.${key}`);
  const template = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(template);
    if (!value || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        k.endsWith('.$') && typeof v === 'string' ? contextual(v) : template(v),
      ]),
    );
  };
  const rule = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rule);
    if (!value || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        (k === 'Variable' || k.endsWith('Path')) && typeof v === 'string' ? contextual(v) : rule(v),
      ]),
    );
  };
  const next: AslState = { ...state };
  for (const field of PATH_FIELDS) {
    if (typeof next[field] === 'string') next[field] = contextual(next[field] as string);
  }
  for (const field of TEMPLATE_FIELDS) {
    if (field in next) next[field] = template(next[field]);
  }
  if (Array.isArray(next.Choices)) next.Choices = rule(next.Choices);
  return next;
}

let timeoutErrorClass: Promise<new () => Error> | undefined;

/**
 * An error the interpreter treats as a task timeout. Its `States.TaskFailed` matcher skips an error
 * only when it is an instance of its own StatesTimeoutError class, which the package does not
 * export; one 1 ms probe run provokes an instance, so timeouts raised here are told apart from task
 * failures exactly as on AWS.
 */
export async function interpreterTimeoutError(error: string, cause: string): Promise<Error> {
  timeoutErrorClass ??= provokeTimeout();
  const instance = new (await timeoutErrorClass)();
  instance.name = error;
  instance.message = cause;
  return instance;
}

async function provokeTimeout(): Promise<new () => Error> {
  const probe = new StateMachine(
    {
      StartAt: 'Probe',
      States: {
        Probe: {
          Type: 'Task',
          Resource: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:probe`,
          TimeoutSeconds: 0.001,
          End: true,
        },
      },
    },
    { validationOptions: { noValidate: true } },
  );
  const never = () => new Promise<never>(() => {});
  const run = probe.run(null, { overrides: { taskResourceLocalHandlers: { Probe: never } } });
  const failure = await run.result.then(
    () => undefined,
    (error: unknown) => (error as Error).cause,
  );
  if (failure instanceof Error && failure.name === 'States.Timeout') {
    return failure.constructor as new () => Error;
  }
  throw new Error('aws-local-stepfunctions no longer times out a task as expected; see interpreter.ts');
}
