import { LOCAL_REGION } from './definitions';
import type { InterpreterEvent, StateInfo } from './interpreter';
import { readPath } from './paths';
import type { TaskResource } from './resources';

/**
 * Execution history in the shape of GetExecutionHistory: `{ id, previousEventId, timestamp, type,
 * <type>EventDetails }`, timestamps in epoch seconds, inputs and outputs as JSON strings.
 */
export type HistoryEvent = {
  id: number;
  previousEventId: number;
  /** Epoch seconds, the JSON 1.0 protocol's timestamp format. */
  timestamp: number;
  type: string;
  [details: string]: unknown;
};
type Details = Record<string, unknown>;
export type HistoryEntry = [type: string, details?: Details];

export class History {
  constructor(
    readonly events: HistoryEvent[],
    private readonly now: () => Date,
    private readonly onChange: () => void = () => {},
  ) {}

  add(type: string, details?: Details): void {
    const id = this.events.length + 1;
    this.events.push({
      id,
      previousEventId: id - 1,
      timestamp: this.now().getTime() / 1000,
      type,
      ...(details ? { [detailsKey(type)]: details } : {}),
    });
    this.onChange();
  }
}

/** `TaskStateEntered` → `stateEnteredEventDetails`, `TaskScheduled` → `taskScheduledEventDetails`. */
function detailsKey(type: string): string {
  if (type.endsWith('StateEntered')) return 'stateEnteredEventDetails';
  if (type.endsWith('StateExited')) return 'stateExitedEventDetails';
  return `${type.charAt(0).toLowerCase()}${type.slice(1)}EventDetails`;
}

export function json(value: unknown): string {
  return JSON.stringify(value ?? null);
}

const NOT_TRUNCATED = { truncated: false };

/** Without the `error`/`cause` keys whose value is empty, as AWS leaves them out. */
export function errorDetails(error: string | undefined, cause: string | undefined): Details {
  return { ...(error ? { error } : {}), ...(cause ? { cause } : {}) };
}

/**
 * The events of one task attempt. A Lambda ARN as the resource gets AWS's LambdaFunction* events;
 * service integrations get Task* events carrying resourceType and resource.
 */
export class TaskEvents {
  readonly #lambdaFunction: boolean;
  readonly #resource: Details;

  constructor(
    private readonly history: History,
    resource: TaskResource,
  ) {
    this.#lambdaFunction = resource.target.kind === 'lambdaFunction';
    this.#resource = { resourceType: resource.resourceType, resource: resource.resource };
  }

  scheduled(parameters: unknown, limits: { timeoutSeconds?: number; heartbeatSeconds?: number }): void {
    const timeouts = {
      ...(limits.timeoutSeconds === undefined ? {} : { timeoutInSeconds: limits.timeoutSeconds }),
      ...(limits.heartbeatSeconds === undefined ? {} : { heartbeatInSeconds: limits.heartbeatSeconds }),
    };
    if (this.#lambdaFunction) {
      this.history.add('LambdaFunctionScheduled', {
        resource: this.#resource.resource,
        input: json(parameters),
        inputDetails: NOT_TRUNCATED,
        ...timeouts,
      });
      return;
    }
    this.history.add('TaskScheduled', {
      ...this.#resource,
      region: LOCAL_REGION,
      parameters: json(parameters),
      ...timeouts,
    });
  }

  started(): void {
    if (this.#lambdaFunction) this.history.add('LambdaFunctionStarted');
    else this.history.add('TaskStarted', this.#resource);
  }

  /** A callback task's integration call went through; the task now waits for its token. */
  submitted(output: unknown): void {
    this.history.add('TaskSubmitted', {
      ...this.#resource,
      output: json(output),
      outputDetails: NOT_TRUNCATED,
    });
  }

  succeeded(output: unknown): void {
    const details = { output: json(output), outputDetails: NOT_TRUNCATED };
    if (this.#lambdaFunction) this.history.add('LambdaFunctionSucceeded', details);
    else this.history.add('TaskSucceeded', { ...this.#resource, ...details });
  }

  failed(error: string, cause: string, timedOut: boolean): void {
    const details = errorDetails(error, cause);
    if (this.#lambdaFunction) {
      this.history.add(timedOut ? 'LambdaFunctionTimedOut' : 'LambdaFunctionFailed', details);
    } else {
      this.history.add(timedOut ? 'TaskTimedOut' : 'TaskFailed', { ...this.#resource, ...details });
    }
  }
}

/**
 * Turns the interpreter's event log into AWS history entries. Task events come from the execution
 * itself (it runs the tasks); execution start and end too, since only it knows why a run ended.
 * StateRetried and StateCaught have no AWS counterpart: a caught error shows as the state's Exited
 * event, whose output is the Catch's, and the interpreter reports that one anyway.
 */
export class InterpreterEventTranslator {
  constructor(private readonly states: Map<string, StateInfo>) {}

  translate(event: InterpreterEvent): HistoryEntry[] {
    switch (event.type) {
      case 'StateEntered':
        return this.#entered(this.#info(event.state.name), event.state.input);
      case 'StateExited':
        return this.#exited(this.#info(event.state.name), event.state.output);
      case 'StateFailed':
        return this.#failed(this.#info(event.state.name));
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed':
        return [[event.type, { name: event.parentState.name, index: event.index }]];
      default:
        return [];
    }
  }

  #info(name: string): StateInfo {
    const info = this.states.get(name);
    if (!info) throw new Error(`the interpreter reported a state "${name}" the definition does not have`);
    return info;
  }

  #entered(info: StateInfo, input: unknown): HistoryEntry[] {
    const entries: HistoryEntry[] = [
      [`${info.type}StateEntered`, { name: info.name, input: json(input), inputDetails: NOT_TRUNCATED }],
    ];
    if (info.type === 'Map') {
      const length = mapLength(info, input);
      entries.push(['MapStateStarted', length === undefined ? {} : { length }]);
    }
    if (info.type === 'Parallel') entries.push(['ParallelStateStarted']);
    return entries;
  }

  #exited(info: StateInfo, output: unknown): HistoryEntry[] {
    const exited: HistoryEntry = [
      `${info.type}StateExited`,
      { name: info.name, output: json(output), outputDetails: NOT_TRUNCATED },
    ];
    if (info.type === 'Map') return [['MapStateSucceeded'], exited];
    if (info.type === 'Parallel') return [['ParallelStateSucceeded'], exited];
    return [exited];
  }

  #failed(info: StateInfo): HistoryEntry[] {
    if (info.type === 'Map') return [['MapStateFailed']];
    if (info.type === 'Parallel') return [['ParallelStateFailed']];
    return [];
  }
}

/** The number of items a Map state iterates, when its paths are plain reference paths. */
function mapLength(info: StateInfo, input: unknown): number | undefined {
  const { InputPath, ItemsPath } = info.definition;
  const effective =
    InputPath === null ? {} : typeof InputPath === 'string' ? readPath(input, InputPath) : input;
  const items = typeof ItemsPath === 'string' ? readPath(effective, ItemsPath) : effective;
  return Array.isArray(items) ? items.length : undefined;
}
