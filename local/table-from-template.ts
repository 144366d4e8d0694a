import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import type { CfnResource } from './synth';

type CfnTable = {
  KeySchema: CreateTableCommandInput['KeySchema'];
  AttributeDefinitions: CreateTableCommandInput['AttributeDefinitions'];
  GlobalSecondaryIndexes?: CreateTableCommandInput['GlobalSecondaryIndexes'];
  LocalSecondaryIndexes?: CreateTableCommandInput['LocalSecondaryIndexes'];
  TimeToLiveSpecification?: { AttributeName: string; Enabled: boolean };
  StreamSpecification?: { StreamViewType: 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES' | 'KEYS_ONLY' };
};

/**
 * Creates a table in DynamoDB Local from its AWS::DynamoDB::Table resource in the synthesized
 * template, so keys and indexes locally are exactly what deploys. Encryption, recovery and
 * deletion protection have no local meaning and are left out.
 */
export async function createTableFromTemplate(
  client: DynamoDBClient,
  resource: CfnResource,
  tableName: string,
) {
  if (resource.Type !== 'AWS::DynamoDB::Table') throw new Error(`not a table: ${resource.Type}`);
  const p = resource.Properties as CfnTable;
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      KeySchema: p.KeySchema,
      AttributeDefinitions: p.AttributeDefinitions,
      BillingMode: 'PAY_PER_REQUEST',
      GlobalSecondaryIndexes: p.GlobalSecondaryIndexes?.map((g) => ({
        IndexName: g.IndexName,
        KeySchema: g.KeySchema,
        Projection: g.Projection,
      })),
      LocalSecondaryIndexes: p.LocalSecondaryIndexes,
      ...(p.StreamSpecification
        ? {
            StreamSpecification: {
              StreamEnabled: true,
              StreamViewType: p.StreamSpecification.StreamViewType,
            },
          }
        : {}),
    }),
  );
  if (p.TimeToLiveSpecification?.Enabled) {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: p.TimeToLiveSpecification.AttributeName, Enabled: true },
      }),
    );
  }
}
