import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import '../local/polyfills';
import { benchBundles } from './bundles';
import { benchIdempotency } from './idempotency';
import { benchIngestion } from './ingestion';

/**
 * `npm run bench`: prints each table and writes the same figures to bench/results.json.
 * Speed and size targets are checked here, not by timed tests.
 */
const BUNDLE_LIMIT_KB = 300;
const WRITE_UNITS_TARGET = 3;

async function main() {
  const results: Record<string, unknown> = { measuredAt: new Date().toISOString(), node: process.version };

  const bundles = benchBundles();
  console.log('\nFunction bundles (minified, as cdk synth builds them)');
  console.table(
    bundles.map((b) => ({
      ...b,
      [`≤ ${BUNDLE_LIMIT_KB} KB`]: b.minifiedKB <= BUNDLE_LIMIT_KB ? 'yes' : 'NO',
    })),
  );
  results.bundles = bundles;

  const ingestion = await benchIngestion();
  console.log('\nIngestion on DynamoDB Local');
  console.table({
    'events/s through ingestion': ingestion.eventsPerSecond,
    'raw PutItem/s, same DynamoDB Local': ingestion.rawPutsPerSecond,
    'ratio (ingestion / raw put)': ingestion.ratioToRawPut,
    'write units per event (all types)': ingestion.writeUnitsPerEvent,
    [`write units per statement or interaction (target ≤ ${WRITE_UNITS_TARGET})`]:
      ingestion.writeUnitsPerStatementOrInteraction,
  });
  console.log('\nUnits per event by type');
  console.table(ingestion.perType);
  console.log('\nDynamoDB calls of the ingestion path (all events)');
  console.table(ingestion.perCommand);
  results.ingestion = ingestion;

  const idempotency = await benchIdempotency();
  console.log('\nDeduplication: write units per event (fact write included)');
  console.table(idempotency);
  results.idempotency = idempotency;

  const feeReview = await optionalBench('./fee-review', 'benchFeeReview');
  if (feeReview) {
    console.log('\nFee review through the local Step Functions engine');
    console.table(feeReview);
    results.feeReview = feeReview;
  }

  const file = path.join(import.meta.dirname, 'results.json');
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwrote ${path.relative(process.cwd(), file)}`);

  const failures = [
    ...bundles
      .filter((b) => b.minifiedKB > BUNDLE_LIMIT_KB)
      .map((b) => `${b.function} bundle ${b.minifiedKB} KB > ${BUNDLE_LIMIT_KB} KB`),
    ...(ingestion.writeUnitsPerStatementOrInteraction > WRITE_UNITS_TARGET
      ? [
          `write units per statement or interaction ${ingestion.writeUnitsPerStatementOrInteraction} > ${WRITE_UNITS_TARGET}`,
        ]
      : []),
  ];
  if (failures.length) {
    console.error(`\nTargets missed:\n- ${failures.join('\n- ')}`);
    process.exitCode = 1;
  }
}

/** Benches of capabilities still being built are picked up once their module exists. */
async function optionalBench(module: string, name: string): Promise<unknown> {
  try {
    const loaded = (await import(module)) as Record<string, () => Promise<unknown>>;
    return await loaded[name]?.();
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}

await main();
