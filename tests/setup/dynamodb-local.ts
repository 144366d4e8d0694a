import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { TestProject } from 'vitest/node';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startDynamoDbLocal } from '../../local/dynamodb-local';
import { resourcesOfType, synthesizeTemplate } from '../../local/synth';
import { createTableFromTemplate } from '../../local/table-from-template';

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
  const local = await startDynamoDbLocal();
  const { template } = synthesizeTemplate({ bundle: false });
  const tables = resourcesOfType(template, 'AWS::DynamoDB::Table');
  if (tables.length !== 1) throw new Error(`expected one table in the template, found ${tables.length}`);
  const client = new DynamoDBClient({
    endpoint: local.endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const tableName = 'rapport-test';
  const [, table] = tables[0] as [string, Parameters<typeof createTableFromTemplate>[1]];
  await createTableFromTemplate(client, table, tableName);
  client.destroy();
  project.provide('dynamoEndpoint', local.endpoint);
  project.provide('tableName', tableName);
  return async () => {
    await local.stop();
  };
}
