import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../../lib/app';

type Report = {
  pluginReports: {
    pluginName: string;
    violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[];
  }[];
};

/** Synthesizes and returns every cdk-nag finding that no acknowledgement covers. */
function unacknowledgedFindings(app: App, outdir: string): string[] {
  try {
    app.synth();
  } catch (error) {
    // Synth throws when a plugin fails; the report file says why.
    if (!String(error).includes('validation-report.json')) throw error;
  }
  const report = JSON.parse(readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as Report;
  return report.pluginReports.flatMap((p) =>
    p.violations.flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} ${c.constructPath}`)),
  );
}

describe('cdk-nag AwsSolutions and Serverless packs', () => {
  it('finds nothing unacknowledged in the Rapport stack', () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'rapport-nag-'));
    const { app } = buildApp({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    expect(unacknowledgedFindings(app, outdir)).toEqual([]);
  });

  it('reports a finding nobody acknowledged, so the check above can fail', () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'rapport-nag-'));
    const app = new App({ outdir });
    new sqs.Queue(new Stack(app, 'Bare'), 'Queue');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
    expect(unacknowledgedFindings(app, outdir)).toContain('AwsSolutions-SQS3 Bare/Queue/Resource');
  });
});
