import '../local/polyfills';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DetailTypes } from '../functions/shared/events';
import { defaultSettings } from '../functions/shared/settings';
import { startDynamoDbWithTable } from '../local/dynamodb-with-table';
import type { FeeSpec } from '../tests/support/fee-review/customers';
import { emptyMeter, type FeeReviewHarness, type Meter } from '../tests/support/fee-review/harness';
import { QUIET_POWERTOOLS } from './ingestion';

/**
 * The fee review through the local Step Functions engine, the synthesized state machine and the
 * real handlers on DynamoDB Local, one run at a time so every count belongs to one run:
 * state transitions per path (from the execution history), Lambda invocations and durations,
 * DynamoDB units (ReturnConsumedCapacity, table and indexes), events put, the cost per 1M runs
 * those counts make at AWS list prices, and event-to-decision latency of the automatic paths.
 * docs/performance.md explains the figures and their limits.
 */

/** AWS list prices, us-east-1, as published on PRICES_AS_OF. Check them before quoting a figure. */
export const PRICES_AS_OF = '2026-11-23';
export const PRICES = {
  /** Step Functions Standard, per state transition ($0.025 per 1,000). */
  transition: 0.025 / 1000,
  /** Lambda arm64, per GB-second and per request ($0.20 per 1M). */
  lambdaGbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  /** DynamoDB on-demand, per write and read request unit. */
  writeUnit: 0.625 / 1e6,
  readUnit: 0.125 / 1e6,
  /** EventBridge custom events, per event put (64 KB chunks; ours are far below). */
  event: 1 / 1e6,
} as const;

/** Memory of each function as lib/ configures it (MB): Lambda bills GB-seconds of it. */
const MEMORY_MB: Record<string, number> = {
  start: 256,
  assess: 512,
  openReview: 256,
  requestContact: 256,
  reviewApi: 256,
  ingest: 512,
};
/** What a Lambda replacing one direct integration would be given (the smallest sensible size). */
const STEP_LAMBDA_MB = 256;

const RUNS_PER_AUTOMATIC_PATH = 60;
const RUNS_PER_OTHER_PATH = 10;
const DEADLINE_SECONDS = defaultSettings.feeReview.deadlineHours * 3600;

type Path = 'autoWaive' | 'autoKeep' | 'reviewWaive' | 'reviewKeep' | 'timeout' | 'failed';

type Sample = {
  transitions: number;
  meter: Meter;
  /** Lambdas outside the state machine (the starter, the review API), by function: count and ms. */
  outside: Record<string, { count: number; ms: number }>;
  latencyMs?: number;
  /** Direct-integration Task attempts: what a Lambda-per-step design would invoke instead. */
  directTasks: number;
};

/**
 * Runs the bench in a child process: the handlers keep their table name and SDK clients for the
 * life of a process (as on Lambda), so they must not inherit another bench's DynamoDB Local.
 */
export async function benchFeeReview(): Promise<Record<string, number>> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--json'],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  const last = stdout.trim().split('\n').at(-1) ?? '{}';
  return JSON.parse(last) as Record<string, number>;
}

async function measure(): Promise<Record<string, number>> {
  const { local, tableName, handlerEnv } = await startDynamoDbWithTable('rapport-bench-fee-review');
  let harness: FeeReviewHarness | undefined;
  try {
    Object.assign(process.env, handlerEnv, QUIET_POWERTOOLS);
    // Imported after the environment is set: the handlers read it on first use.
    const { FeeReviewHarness } = await import('../tests/support/fee-review/harness');
    const fixtures = await import('../tests/support/fee-review/customers');
    const { startFeeReview } = await import('../functions/fee-review/start');
    const { handler: reviewApi } = await import('../functions/fee-review/review-api');
    const { apiEvent, call } = await import('../tests/support/api');
    const { keys } = await import('../functions/shared/keys');
    const { db } = await import('../functions/shared/clients/dynamodb');
    const { GetCommand } = await import('@aws-sdk/lib-dynamodb');

    // One time scale for every path: the 48-hour deadline passes in 1.5 s, retries are instant,
    // and a person answering at once is well inside the deadline.
    harness = await FeeReviewHarness.start({
      dynamoEndpoint: local.endpoint,
      tableName,
      timeScale: DEADLINE_SECONDS / 1.5,
    });
    const h = harness;

    // Customers, built through ingestion (metered, for the channel-event figures).
    await h.meterHandlerDynamoDb();
    h.meter = emptyMeter();
    const ingestStarted = performance.now();
    const tiers = ['gold', 'silver', 'bronze'] as const;
    const customers: Record<(typeof tiers)[number], { customerId: string; accountId: string }[]> = {
      gold: [],
      silver: [],
      bronze: [],
    };
    for (const tier of tiers) {
      for (let i = 0; i < 8; i++) {
        const accountId = fixtures.newCustomerId('a');
        const customerId = await fixtures.customerWithHistory([
          { productLine: 'credit_card', accountId, ...fixtures.MONTHLY[tier] },
        ]);
        customers[tier].push({ customerId, accountId });
      }
    }
    const ingested = tiers.length * 8 * 13;
    const ingestion = {
      msPerEvent: (performance.now() - ingestStarted) / ingested,
      writeUnitsPerEvent: h.meter.handlers.writeUnits / ingested,
      readUnitsPerEvent: h.meter.handlers.readUnits / ingested,
    };

    let n = 0;
    const pick = (tier: (typeof tiers)[number]) =>
      customers[tier][n++ % customers[tier].length] as (typeof customers)['gold'][number];
    const reviewItem = async (runId: string) =>
      (
        await db().send(
          new GetCommand({ TableName: tableName, Key: keys.review(runId), ConsistentRead: true }),
        )
      ).Item;

    async function runOnce(path: Path): Promise<Sample> {
      const tier = path === 'autoWaive' ? 'gold' : path === 'autoKeep' ? 'bronze' : 'silver';
      const { customerId, accountId } = pick(tier);
      const fee: FeeSpec = {
        feeType: path === 'autoKeep' ? 'annual' : 'late_payment',
        amount: 29,
        accountId,
      };
      const event = fixtures.feeAssessed({ customerId }, fee);
      const feeId = (event.detail as { feeId: string }).feeId;
      h.meter = emptyMeter();
      const outside: Sample['outside'] = {};
      const time = async <T>(fn: string, work: () => Promise<T>): Promise<T> => {
        const started = performance.now();
        try {
          return await work();
        } finally {
          const row = outside[fn] ?? { count: 0, ms: 0 };
          row.count++;
          row.ms += performance.now() - started;
          outside[fn] = row;
        }
      };
      if (path === 'failed')
        h.fail('assess', Object.assign(new Error('customer gone'), { name: 'FeeReview.CustomerNotFound' }));

      const decided = h.nextEvent(DetailTypes.FeeReviewDecided, (d) => d.feeId === feeId);
      const delivered = performance.now();
      const started = await time('start', () => startFeeReview(event));
      if (started.outcome === 'ignored') throw new Error(started.reason);
      const runId = started.runId;
      if (path === 'reviewWaive' || path === 'reviewKeep') {
        await h.settle(runId, async () => (await reviewItem(runId))?.status === 'pending');
        const answer = await time('reviewApi', () =>
          call(
            reviewApi,
            apiEvent({
              method: 'POST',
              resource: '/reviews/{reviewId}/decision',
              pathParameters: { reviewId: runId },
              body: { decision: path === 'reviewWaive' ? 'waive' : 'keep', note: 'bench' },
              groups: ['service_rep'],
            }),
          ),
        );
        if (answer.status !== 200) throw new Error(`review decision answered ${answer.status}`);
      }
      const latencyMs = path === 'autoWaive' || path === 'autoKeep' ? (await decided) - delivered : undefined;
      const run = await h.settle(runId);
      const expected = path === 'failed' ? 'FAILED' : 'SUCCEEDED';
      if (run.status !== expected)
        throw new Error(`${path} run ended ${run.status}: ${run.error} ${run.cause}`);
      const history = await h.history(runId);
      const transitions = history.filter((e) => String(e.type).endsWith('StateEntered')).length;
      const directTasks = history.filter(
        (e) =>
          e.type === 'TaskScheduled' &&
          /dynamodb|events/.test(
            String((e.taskScheduledEventDetails as { resourceType?: string })?.resourceType),
          ),
      ).length;
      return {
        transitions,
        meter: h.meter,
        outside,
        directTasks,
        ...(latencyMs === undefined ? {} : { latencyMs }),
      };
    }

    const results: Record<string, number> = {};
    const paths: [Path, number][] = [
      ['autoWaive', RUNS_PER_AUTOMATIC_PATH],
      ['autoKeep', RUNS_PER_AUTOMATIC_PATH],
      ['reviewWaive', RUNS_PER_OTHER_PATH],
      ['reviewKeep', RUNS_PER_OTHER_PATH],
      ['timeout', RUNS_PER_OTHER_PATH],
      ['failed', RUNS_PER_OTHER_PATH],
    ];
    for (const [path, runs] of paths) {
      // A first, unmeasured run of each path warms module caches (as a warm Lambda would be).
      await runOnce(path);
      const samples: Sample[] = [];
      for (let i = 0; i < runs; i++) samples.push(await runOnce(path));
      Object.assign(results, summarize(path, samples));
    }
    results['ingest.msPerEvent'] = round(ingestion.msPerEvent);
    results['ingest.writeUnitsPerEvent'] = round(ingestion.writeUnitsPerEvent);
    results['ingest.readUnitsPerEvent'] = round(ingestion.readUnitsPerEvent);
    return results;
  } finally {
    await harness?.stop();
    await local.stop();
  }
}

function summarize(path: Path, samples: Sample[]): Record<string, number> {
  const mean = (f: (s: Sample) => number) => samples.reduce((sum, s) => sum + f(s), 0) / samples.length;
  const lambdas = (s: Sample) => ({ ...s.meter.invocations, ...s.outside });
  const lambdaCount = (s: Sample) => Object.values(lambdas(s)).reduce((sum, r) => sum + r.count, 0);
  // Lambda bills each invocation's duration rounded up to the millisecond, times its memory.
  const lambdaGbSeconds = (s: Sample) =>
    Object.entries(lambdas(s)).reduce(
      (sum, [fn, r]) =>
        sum + (Math.ceil(r.ms / Math.max(r.count, 1)) * r.count * (MEMORY_MB[fn] ?? 256)) / 1024 / 1000,
      0,
    );
  const writeUnits = (s: Sample) => s.meter.direct.writeUnits + s.meter.handlers.writeUnits;
  const readUnits = (s: Sample) => s.meter.direct.readUnits + s.meter.handlers.readUnits;
  const cost = (s: Sample) =>
    s.transitions * PRICES.transition +
    lambdaCount(s) * PRICES.lambdaRequest +
    lambdaGbSeconds(s) * PRICES.lambdaGbSecond +
    writeUnits(s) * PRICES.writeUnit +
    readUnits(s) * PRICES.readUnit +
    s.meter.eventsPut * PRICES.event;
  // The same run with a Lambda doing each direct task: one more invocation per task attempt, each
  // lasting what the direct call took (plus nothing for its own start-up, which flatters it).
  const perStepLambda = (s: Sample) => {
    const ms = s.directTasks > 0 ? Math.ceil(s.meter.direct.ms / s.directTasks) : 0;
    return (
      cost(s) +
      s.directTasks * PRICES.lambdaRequest +
      ((s.directTasks * ms * STEP_LAMBDA_MB) / 1024 / 1000) * PRICES.lambdaGbSecond
    );
  };
  const out: Record<string, number> = {
    [`${path}.runs`]: samples.length,
    [`${path}.transitionsPerRun`]: round(mean((s) => s.transitions)),
    [`${path}.lambdaInvocationsPerRun`]: round(mean(lambdaCount)),
    [`${path}.lambdaMsPerRun`]: round(
      mean((s) => Object.values(lambdas(s)).reduce((sum, r) => sum + r.ms, 0)),
    ),
    [`${path}.writeUnitsPerRun`]: round(mean(writeUnits)),
    [`${path}.readUnitsPerRun`]: round(mean(readUnits)),
    [`${path}.eventsPutPerRun`]: round(mean((s) => s.meter.eventsPut)),
    [`${path}.directTasksPerRun`]: round(mean((s) => s.directTasks)),
    [`${path}.costPer1MRunsUSD`]: round(mean(cost) * 1e6),
    [`${path}.transitionCostPer1MRunsUSD`]: round(mean((s) => s.transitions) * PRICES.transition * 1e6),
    [`${path}.lambdaPerStepCostPer1MRunsUSD`]: round(mean(perStepLambda) * 1e6),
  };
  const latencies = samples.map((s) => s.latencyMs).filter((l): l is number => l !== undefined);
  if (latencies.length > 0) {
    out[`${path}.eventToDecisionP50Ms`] = round(percentile(latencies, 0.5));
    out[`${path}.eventToDecisionP99Ms`] = round(percentile(latencies, 0.99));
  }
  return out;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

// `npx tsx bench/fee-review.ts` runs this bench alone; `--json` is how benchFeeReview reads it.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const results = await measure();
  if (process.argv.includes('--json')) process.stdout.write(`\n${JSON.stringify(results)}\n`);
  else console.table(results);
}
