/**
 * Timers for waits of any length. Node's setTimeout fires after 1 ms when asked for more than
 * 2^31-1 ms (24.8 days), which would end a 30-day Wait at once, so long delays are chained.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Calls `onFire` after `ms`; the returned function cancels it. */
export function startTimer(ms: number, onFire: () => void): () => void {
  let handle: NodeJS.Timeout;
  const arm = (remaining: number) => {
    handle = setTimeout(
      () => (remaining > MAX_TIMER_MS ? arm(remaining - MAX_TIMER_MS) : onFire()),
      Math.min(Math.max(remaining, 0), MAX_TIMER_MS),
    );
  };
  arm(ms);
  return () => clearTimeout(handle);
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      cancel();
      reject(signal.reason);
    };
    const cancel = startTimer(ms, () => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Settles like `promise`, or rejects with the signal's reason if the signal aborts first. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Resolves after everything already queued on the event loop's microtask queue has run. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
