import type { Construct } from 'constructs';

/**
 * The CDK context settings of the app (cdk.json or `-c name=value`). README "Deploying" lists them.
 * Read in one place so a construct never guesses a default of its own.
 */
export type RapportContext = {
  /** Name of the channel event bus. */
  busName: string;
  /** A dev stack can be destroyed: its table and key are deleted with it instead of retained. */
  devStack: boolean;
  /** Days CloudWatch keeps function and API logs. */
  logRetentionDays: number;
  /** Days the bus archive keeps channel events for replay. */
  archiveRetentionDays: number;
  /** Steady-state API requests per second and burst, for the whole stage. */
  apiRateLimit: number;
  apiBurstLimit: number;
};

export function readContext(scope: Construct): RapportContext {
  const get = (name: string) => scope.node.tryGetContext(`rapport:${name}`);
  return {
    busName: stringOr(get('busName'), 'rapport'),
    devStack: booleanOr(get('devStack'), false),
    logRetentionDays: numberOr(get('logRetentionDays'), 30),
    archiveRetentionDays: numberOr(get('archiveRetentionDays'), 90),
    apiRateLimit: numberOr(get('apiRateLimit'), 100),
    apiBurstLimit: numberOr(get('apiBurstLimit'), 200),
  };
}

// Context values given with `-c` arrive as strings, values from cdk.json as JSON types.
function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' && value.length > 0 ? value : fallback;
}
function booleanOr(value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new Error(`context value must be true or false, got ${JSON.stringify(value)}`);
}
function numberOr(value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new Error(`context value must be a positive number, got ${JSON.stringify(value)}`);
  return n;
}
