import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { GROUPS } from '../functions/shared/groups';
import { DEFAULT_DATA_DIR, DEFAULT_PORT, readRuntimeInfo } from './runtime';
import { loadOrCreateKeys, localIssuer, signToken } from './token';

/**
 * `npm run token -- <group> [--user <id>]`: prints an ID token the local API accepts for a member
 * of `group`, on stdout alone, so `TOKEN=$(npm run -s token -- admin)` works.
 *
 * The token's issuer names the API port. The port is `--port`, else RAPPORT_PORT, else the port of
 * the runtime running on the data dir, else 3000: the token fits the runtime a developer runs.
 */

const usage = `usage: npm run token -- <group> [--user <id>] [--port <n>] [--data-dir <dir>]
groups: ${GROUPS.join(', ')}`;

function main(): void {
  const { values, positionals } = parseArgs({
    options: {
      user: { type: 'string' },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const group = positionals[0];
  if (!group || positionals.length > 1) throw new Error(`give exactly one group\n${usage}`);
  if (!(GROUPS as readonly string[]).includes(group))
    throw new Error(`unknown group ${group}; groups: ${GROUPS.join(', ')}`);
  // An empty variable counts as unset, as `RAPPORT_PORT= npm run token` means.
  const env = (name: string) => process.env[name] || undefined;
  const dataDir = path.resolve(values['data-dir'] ?? env('RAPPORT_DATA_DIR') ?? DEFAULT_DATA_DIR);
  const port = Number(values.port ?? env('RAPPORT_PORT') ?? readRuntimeInfo(dataDir)?.port ?? DEFAULT_PORT);
  if (!Number.isInteger(port) || port <= 0 || port > 65_535) throw new Error(`not a port: ${port}`);
  const token = signToken(loadOrCreateKeys(dataDir), {
    issuer: localIssuer(port),
    group,
    ...(values.user ? { userId: values.user } : {}),
  });
  console.log(token);
}

try {
  main();
} catch (error) {
  console.error(`token: ${(error as Error).message}`);
  process.exit(1);
}
