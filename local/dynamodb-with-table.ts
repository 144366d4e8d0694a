import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ENV } from '../functions/shared/env-names';
import { type DynamoDbLocal, LOCAL_CREDENTIALS, LOCAL_REGION, startDynamoDbLocal } from './dynamodb-local';
import { resourcesOfType, synthesizeTemplate } from './synth';
import { createTableFromTemplate } from './table-from-template';

/**
 * DynamoDB Local (in memory) with the customer table created from the synthesized template, for
 * the integration tests and the benches. `handlerEnv` is what a handler module needs to run
 * against it unchanged, as on Lambda.
 */
export async function startDynamoDbWithTable(tableName: string): Promise<{
  local: DynamoDbLocal;
  tableName: string;
  handlerEnv: Record<string, string>;
}> {
  const local = await startDynamoDbLocal();
  try {
    const { template } = synthesizeTemplate({ bundle: false });
    const tables = resourcesOfType(template, 'AWS::DynamoDB::Table');
    const [, table] = tables[0] ?? [];
    if (tables.length !== 1 || !table)
      throw new Error(`expected one table in the template, found ${tables.length}`);
    const client = new DynamoDBClient({
      endpoint: local.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    await createTableFromTemplate(client, table, tableName);
    client.destroy();
  } catch (error) {
    await local.stop();
    throw error;
  }
  return { local, tableName, handlerEnv: handlerEnv(local.endpoint, tableName) };
}

export function handlerEnv(dynamoEndpoint: string, tableName: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    [ENV.tableName]: tableName,
  };
}
