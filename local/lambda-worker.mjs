/**
 * One local Lambda execution environment: a worker thread that loads one function's bundle and
 * runs its handler for each invocation local/lambda-host.ts sends. Plain JavaScript, so the
 * bundle runs exactly as built, with no TypeScript loader of the parent process in between.
 *
 * Messages: in `{ id, payload, context }` (payload is the event as JSON text, as Lambda receives
 * it); out `{ type: 'ready' }` or `{ type: 'init-error', error }` once, then
 * `{ type: 'result', id, ok, payload | error }` per invocation.
 */
import { register } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';

const { entryUrl, exportName, hookUrl, sdkParentUrl, sourceMaps } = workerData;
register(hookUrl, { data: { sdkParentUrl } });
// NODE_OPTIONS=--enable-source-maps from the template has no effect on a worker; this has.
if (sourceMaps) process.setSourceMapsEnabled(true);

let handler;
try {
  const module = await import(entryUrl);
  handler = exportName.split('.').reduce((value, key) => value?.[key], module);
  if (typeof handler !== 'function') {
    parentPort.postMessage({
      type: 'init-error',
      error: {
        errorType: 'Runtime.HandlerNotFound',
        errorMessage: `index.${exportName} is undefined or not exported`,
      },
    });
  } else {
    parentPort.postMessage({ type: 'ready' });
  }
} catch (error) {
  parentPort.postMessage({
    type: 'init-error',
    error: { ...toLambdaError(error), errorType: 'Runtime.ImportModuleError' },
  });
}

parentPort.on('message', async ({ id, payload, context }) => {
  try {
    const result = await call(JSON.parse(payload), lambdaContext(context));
    // Lambda answers `null` for a handler that returns nothing.
    parentPort.postMessage({ type: 'result', id, ok: true, payload: JSON.stringify(result ?? null) });
  } catch (error) {
    parentPort.postMessage({ type: 'result', id, ok: false, error: toLambdaError(error) });
  }
});

/** Async handlers return a promise; older ones take a callback as third argument. */
function call(event, context) {
  if (handler.length < 3) return handler(event, context);
  return new Promise((resolve, reject) => {
    const returned = handler(event, context, (error, result) => (error ? reject(error) : resolve(result)));
    if (returned && typeof returned.then === 'function') returned.then(resolve, reject);
  });
}

function lambdaContext(c) {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: c.functionName,
    functionVersion: c.functionVersion,
    invokedFunctionArn: c.invokedFunctionArn,
    memoryLimitInMB: c.memoryLimitInMB,
    awsRequestId: c.awsRequestId,
    logGroupName: c.logGroupName,
    logStreamName: c.logStreamName,
    getRemainingTimeInMillis: () => Math.max(0, c.deadline - Date.now()),
  };
}

/** The shape the Node.js Lambda runtime reports a handler error in. */
function toLambdaError(error) {
  if (error instanceof Error) {
    return {
      errorType: error.name || 'Error',
      errorMessage: error.message,
      trace: String(error.stack ?? '').split('\n'),
    };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}
