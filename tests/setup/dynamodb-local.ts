import type { TestProject } from 'vitest/node';
import { startDynamoDbWithTable } from '../../local/dynamodb-with-table';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    tableName: string;
  }
}

/**
 * Starts DynamoDB Local once for the integration project and creates the customer table from the
 * synthesized template's own definition (never a hand-written copy).
 */
export default async function setup(project: TestProject) {
  const { local, tableName } = await startDynamoDbWithTable('rapport-test');
  project.provide('dynamoEndpoint', local.endpoint);
  project.provide('tableName', tableName);
  return async () => {
    await local.stop();
  };
}
