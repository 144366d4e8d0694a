import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { resourcesOfType, synthesizeTemplate } from '../local/synth';

export type BundleRow = { function: string; minifiedKB: number; gzippedKB: number };

/** Each function's bundle exactly as `cdk synth` builds it (local esbuild, minified). */
export function benchBundles(): BundleRow[] {
  const { template, outdir } = synthesizeTemplate({ bundle: true });
  return resourcesOfType(template, 'AWS::Lambda::Function')
    .map(([logicalId, resource]) => {
      const asset = resource.Metadata?.['aws:asset:path'];
      if (typeof asset !== 'string') throw new Error(`${logicalId} has no asset path`);
      const code = readFileSync(path.join(outdir, asset, 'index.mjs'));
      return {
        function: logicalId.replace(/Function[0-9A-F]{8}$/, ''),
        minifiedKB: round(code.length / 1024),
        gzippedKB: round(gzipSync(code, { level: 9 }).length / 1024),
      };
    })
    .sort((a, b) => b.minifiedKB - a.minifiedKB);
}

const round = (n: number) => Math.round(n * 10) / 10;
