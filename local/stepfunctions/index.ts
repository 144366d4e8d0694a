/** The local Step Functions service; service.ts describes how it behaves. */
export {
  type AslDefinition,
  assertSupported,
  type Resolve,
  type StateMachineDefinition,
  stateMachineArn,
  stateMachinesFromTemplate,
  templateResolver,
  UnsupportedDefinitionError,
} from './definitions';
export { AwsServiceError } from './errors';
export { dynamoDbIntegration, type Integrations, LambdaFunctionError, TaskFailure } from './integrations';
export {
  LocalStepFunctions,
  type LocalStepFunctionsOptions,
  RESTARTED_CAUSE,
  RESTARTED_ERROR,
} from './service';
