import { ENV } from './env-names';

/**
 * Required configuration, read once at cold start. A missing variable fails the first invocation
 * loudly with its name instead of surfacing later as an "undefined" table.
 */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`missing required environment variable ${name}`);
  return value;
}

/** Lazily read so that modules which only define schemas can be imported without AWS settings. */
let tableName: string | undefined;
export function getTableName(): string {
  tableName ??= requiredEnv(ENV.tableName);
  return tableName;
}

let busName: string | undefined;
export function getBusName(): string {
  busName ??= requiredEnv(ENV.busName);
  return busName;
}
