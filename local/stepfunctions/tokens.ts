import { randomUUID } from 'node:crypto';
import { AwsServiceError, SFN_ERRORS } from './errors';
import { TaskFailure } from './integrations';
import { startTimer } from './timers';

/**
 * Task tokens of callback (`.waitForTaskToken`) tasks. A token names its execution, so a token that
 * is well formed but no longer awaited answers TaskTimedOut, as AWS does for a closed task, while a
 * token this runtime never issued answers InvalidToken.
 */
export class TaskTokens {
  readonly #waiting = new Map<string, Waiter>();

  constructor(private readonly isKnownExecution: (executionArn: string) => boolean) {}

  issue(executionArn: string): string {
    return `${Buffer.from(executionArn).toString('base64url')}.${randomUUID()}`;
  }

  /**
   * Resolves with the output of SendTaskSuccess, or rejects with a TaskFailure for SendTaskFailure or
   * a missed heartbeat. Aborting `signal` (task timeout, execution stopped) retires the token.
   */
  wait(token: string, options: { heartbeatMs?: number; signal: AbortSignal }): Promise<unknown> {
    let resolve: (output: unknown) => void = () => {};
    let reject: (failure: unknown) => void = () => {};
    const promise = new Promise<unknown>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    let stopHeartbeatClock = () => {};
    const settle = (outcome: () => void) => {
      this.#waiting.delete(token);
      stopHeartbeatClock();
      options.signal.removeEventListener('abort', onAbort);
      outcome();
    };
    const onAbort = () => settle(() => reject(options.signal.reason));
    const startHeartbeatClock = () => {
      if (options.heartbeatMs === undefined) return;
      stopHeartbeatClock = startTimer(options.heartbeatMs, () =>
        settle(() => reject(heartbeatTimeout(options.heartbeatMs ?? 0))),
      );
    };
    this.#waiting.set(token, {
      succeed: (output) => settle(() => resolve(output)),
      fail: (failure) => settle(() => reject(failure)),
      heartbeat: () => {
        stopHeartbeatClock();
        startHeartbeatClock();
      },
    });
    startHeartbeatClock();
    options.signal.addEventListener('abort', onAbort, { once: true });
    // Callers await this only after the task's integration call returns; until then a rejection
    // (say, a missed heartbeat) must not count as unhandled.
    promise.catch(() => {});
    return promise;
  }

  succeed(token: string, output: unknown): void {
    this.#waiter(token).succeed(output);
  }

  fail(token: string, error: string | undefined, cause: string | undefined): void {
    this.#waiter(token).fail(new TaskFailure(error ?? '', cause ?? ''));
  }

  heartbeat(token: string): void {
    this.#waiter(token).heartbeat();
  }

  #waiter(token: string): Waiter {
    const waiter = this.#waiting.get(token);
    if (waiter) return waiter;
    if (this.isKnownExecution(executionOf(token))) {
      throw new AwsServiceError(
        SFN_ERRORS.taskTimedOut,
        "Task Timed Out: 'Provided task does not exist anymore'",
      );
    }
    throw new AwsServiceError(SFN_ERRORS.invalidToken, "Invalid Token: 'Invalid token'");
  }
}

type Waiter = {
  succeed(output: unknown): void;
  fail(failure: TaskFailure): void;
  heartbeat(): void;
};

function executionOf(token: string): string {
  const [prefix = ''] = token.split('.');
  return Buffer.from(prefix, 'base64url').toString();
}

function heartbeatTimeout(heartbeatMs: number): TaskFailure {
  return new TaskFailure(
    'States.HeartbeatTimeout',
    `No heartbeat arrived within ${Math.round(heartbeatMs)} ms (HeartbeatSeconds scaled by --time-scale)`,
    { timedOut: true },
  );
}
