import { CONTEXT_FIELD, type StateInfo } from './interpreter';

/**
 * The Context Object (`$$`) of one execution. interpreter.ts redirects every `$$.Execution`,
 * `$$.StateMachine`, `$$.State` and `$$.Task` path of a state to `$$.__local.<key>`, and the getter
 * behind that key builds the object AWS would show to that state right now: its name, entry time
 * and, for a callback task, a fresh task token.
 *
 * The interpreter evaluates a state's Parameters and then calls the Task override with no
 * asynchronous step in between, so the entry the Parameters read is still "pending" when the
 * override takes it: the token in the payload is the token the override waits on. An entry nobody
 * takes (a Pass state's) lapses at the end of the synchronous turn.
 */
export type ExecutionFacts = {
  Execution: { Id: string; Input: unknown; Name: string; RoleArn: string; StartTime: string };
  StateMachine: { Id: string; Name: string };
};

export type ContextEntry = { state: string; token?: string };

export class ExecutionContext {
  #pending: (ContextEntry & { value: Record<string, unknown> }) | undefined;

  constructor(
    private readonly facts: ExecutionFacts,
    private readonly issueToken: () => string,
    private readonly now: () => Date,
  ) {}

  /** The object to pass as the interpreter's `context` run option. */
  forInterpreter(states: Iterable<StateInfo>): Record<string, unknown> {
    const perState: Record<string, unknown> = {};
    for (const info of states) {
      // Not enumerable: serializing `$$` must not mint a token for every state.
      Object.defineProperty(perState, info.key, { get: () => this.#entryFor(info).value });
    }
    return { ...this.facts, [CONTEXT_FIELD]: perState };
  }

  /** The entry of the task attempt now starting: the one its Parameters just read, or a new one. */
  take(info: StateInfo): ContextEntry {
    const entry = this.#pending?.state === info.name ? this.#pending : this.#newEntry(info);
    this.#pending = undefined;
    return entry;
  }

  #entryFor(info: StateInfo) {
    if (this.#pending?.state === info.name) return this.#pending;
    const entry = this.#newEntry(info);
    this.#pending = entry;
    queueMicrotask(() => {
      if (this.#pending === entry) this.#pending = undefined;
    });
    return entry;
  }

  #newEntry(info: StateInfo): ContextEntry & { value: Record<string, unknown> } {
    const token = info.task?.resource.callback ? this.issueToken() : undefined;
    const value: Record<string, unknown> = {
      ...this.facts,
      State: { EnteredTime: this.now().toISOString(), Name: info.name },
      ...(token ? { Task: { Token: token } } : {}),
    };
    return { state: info.name, ...(token ? { token } : {}), value };
  }
}
