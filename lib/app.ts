import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { RapportStack } from './rapport-stack';

export const DEFAULT_STACK_NAME = 'Rapport';

/**
 * The CDK app, built the same way by `cdk synth`, the tests and the local runtime.
 * cdk-nag's AwsSolutions and Serverless packs check every synth.
 */
export function buildApp(props: AppProps = {}): { app: App; stack: RapportStack } {
  const app = new App(props);
  const stackName = app.node.tryGetContext('rapport:stackName') ?? DEFAULT_STACK_NAME;
  const stack = new RapportStack(app, stackName, {
    description: 'Rapport: customer-relationship workflows on the whole relationship',
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  return { app, stack };
}
