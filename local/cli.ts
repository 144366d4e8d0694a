import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_AWS_PORT, DEFAULT_DATA_DIR, DEFAULT_PORT, type Runtime, startRuntime } from './runtime';

/**
 * `npm start`: runs the stack locally (contract.md §3) until Ctrl-C.
 *
 * Every option has a flag and an environment variable; the flag wins. A start that cannot happen
 * (a port in use, no Java for DynamoDB Local) ends with one line saying what to do, not a stack trace.
 */

const OPTIONS = {
  port: { env: 'RAPPORT_PORT', default: DEFAULT_PORT, help: 'API and console port' },
  'aws-port': { env: 'RAPPORT_AWS_PORT', default: DEFAULT_AWS_PORT, help: 'AWS endpoint port' },
  'data-dir': {
    env: 'RAPPORT_DATA_DIR',
    default: DEFAULT_DATA_DIR,
    help: 'where data is kept between restarts',
  },
  'time-scale': { env: 'RAPPORT_TIME_SCALE', default: 1, help: 'workflow waits run N times faster' },
  seed: {
    env: 'RAPPORT_SEED',
    default: 0,
    help: 'put N synthetic customers with a year of events on the bus',
  },
} as const;

const usage = `usage: npm start -- [options]
${Object.entries(OPTIONS)
  .map(([name, o]) => `  --${name.padEnd(11)} ${o.help} (env ${o.env}, default ${o.default})`)
  .join('\n')}`;

function readOptions() {
  const { values } = parseArgs({
    options: {
      ...Object.fromEntries(Object.keys(OPTIONS).map((name) => [name, { type: 'string' as const }])),
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const given = values as Record<string, string | boolean | undefined>;
  // An empty variable counts as unset.
  const raw = (name: keyof typeof OPTIONS) =>
    (given[name] as string | undefined) ?? (process.env[OPTIONS[name].env] || String(OPTIONS[name].default));
  const number = (name: keyof typeof OPTIONS, check: (n: number) => boolean, what: string) => {
    const n = Number(raw(name));
    if (!check(n)) throw new Error(`--${name} must be ${what}, got ${raw(name)}`);
    return n;
  };
  const isPort = (n: number) => Number.isInteger(n) && n > 0 && n < 65_536;
  return {
    port: number('port', isPort, 'a port number'),
    awsPort: number('aws-port', isPort, 'a port number'),
    dataDir: path.resolve(raw('data-dir')),
    timeScale: number('time-scale', (n) => Number.isFinite(n) && n > 0, 'a positive number'),
    seed: number('seed', (n) => Number.isInteger(n) && n >= 0, 'a whole number'),
  };
}

async function main(): Promise<void> {
  const options = readOptions();
  const log = (line: string) => console.error(line);
  let starting: Promise<Runtime> | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      // A second Ctrl-C: the person wants out now.
      process.exit(130);
    }
    stopping = true;
    console.error(`\n${signal}: stopping (Ctrl-C again to force)...`);
    // Stopping mid-start waits for the start, so DynamoDB Local is never left running.
    const runtime = await starting?.catch(() => undefined);
    await runtime?.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  starting = startRuntime({ ...options, seed: 0, log });
  const runtime = await starting;
  if (stopping) return;
  const relativeDataDir = path.relative(process.cwd(), options.dataDir) || '.';
  console.log(`
Rapport is running: stack ${runtime.stackName}, ready in ${(runtime.readyMs / 1000).toFixed(1)} s (${runtime.synthesis === 'cached' ? 'synthesis cached' : 'synthesized'})

  API and console  ${runtime.apiUrl}
  AWS endpoint     ${runtime.awsEndpoint}   (DynamoDB, EventBridge, Step Functions)
  Data             ${relativeDataDir}${options.timeScale !== 1 ? `\n  Time scale       ×${options.timeScale}` : ''}

  Token:  npm run -s token -- admin        (groups: marketer, ops, service_rep, service_manager, admin)
  Try:    curl -H "Authorization: Bearer $(npm run -s token -- admin)" ${runtime.apiUrl}/settings
          aws --endpoint-url ${runtime.awsEndpoint} dynamodb list-tables
          aws --endpoint-url ${runtime.awsEndpoint} events list-rules --event-bus-name rapport
          (any credentials work: AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_DEFAULT_REGION=us-east-1)

Ctrl-C stops.
`);
  if (options.seed > 0) {
    const { seedBank } = await import('./seed');
    const busName = runtime.bus.buses.find((b) => b.name !== 'default')?.name ?? 'default';
    await seedBank({
      count: options.seed,
      awsEndpoint: runtime.awsEndpoint,
      busName,
      dataDir: options.dataDir,
      log,
      progress: process.stderr,
      settle: runtime.idle,
    });
  }
}

main().catch((error: Error) => {
  console.error(`rapport: ${error.message}`);
  process.exit(1);
});
