import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildApp } from '../lib/app';

export type CfnResource = {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
};
export type CfnTemplate = { Resources: Record<string, CfnResource>; Outputs?: Record<string, unknown> };

/**
 * Synthesizes the app in this process and returns the stack's CloudFormation template.
 * `bundle: false` skips esbuild bundling (only the template is wanted, e.g. for the table).
 */
export function synthesizeTemplate(options: {
  bundle: boolean;
  outdir?: string;
  context?: Record<string, unknown>;
}) {
  const outdir = options.outdir ?? mkdtempSync(path.join(tmpdir(), 'rapport-synth-'));
  const { app, stack } = buildApp({
    outdir,
    context: {
      // cdk.json's context (settings and feature flags) is what `cdk deploy` synthesizes with.
      ...cdkJsonContext(),
      // As the CDK CLI does: asset paths in resource metadata, which the local runtime and the bench read.
      'aws:cdk:enable-asset-metadata': true,
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...options.context,
    },
  });
  const assembly = app.synth();
  const artifact = assembly.getStackByName(stack.stackName);
  const template = JSON.parse(readFileSync(artifact.templateFullPath, 'utf8')) as CfnTemplate;
  return { template, outdir: assembly.directory, stackName: stack.stackName };
}

export function resourcesOfType(template: CfnTemplate, type: string): [string, CfnResource][] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

const CDK_JSON = path.join(import.meta.dirname, '..', 'cdk.json');

function cdkJsonContext(): Record<string, unknown> {
  if (!existsSync(CDK_JSON)) return {};
  return (JSON.parse(readFileSync(CDK_JSON, 'utf8')) as { context?: Record<string, unknown> }).context ?? {};
}
