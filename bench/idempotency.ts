import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../local/dynamodb-local';
import { startDynamoDbWithTable } from '../local/dynamodb-with-table';

const EVENTS = 200;

/**
 * Issue 3 asks which deduplication is cheaper in write units while correct: Powertools
 * idempotency (a record per event in our single table) or the conditional fact write that
 * ingestion uses. Both measured here on DynamoDB Local with ReturnConsumedCapacity, for a first
 * delivery and a redelivery of the same event; the fact item is the same in both.
 */
export async function benchIdempotency() {
  const { local, tableName } = await startDynamoDbWithTable('rapport-idempotency-bench');
  try {
    const client = new DynamoDBClient({
      endpoint: local.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });

    let writeUnits = 0;
    client.middlewareStack.add(
      (next) => async (args) => {
        (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
        try {
          const result = await next(args);
          writeUnits += unitsOf(
            args.input,
            (result.output as { ConsumedCapacity?: { CapacityUnits?: number } }).ConsumedCapacity,
          );
          return result;
        } catch (error) {
          // A failed condition is billed too (1 unit); DynamoDB Local does not report it on errors.
          if ((error as { name?: string }).name === 'ConditionalCheckFailedException') writeUnits += 1;
          throw error;
        }
      },
      { step: 'initialize', name: 'benchUnits' },
    );
    const { PutItemCommand, UpdateItemCommand } = await import('@aws-sdk/client-dynamodb');

    // The business write both strategies make: one fact item.
    const writeFactUnconditionally = (eventId: string) =>
      client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            pk: { S: `CUST#bench` },
            sk: { S: `INTERACTION#${eventId}` },
            occurredAt: { S: '2026-11-01T00:00:00Z' },
          },
        }),
      );
    const writeFactConditionally = (eventId: string) =>
      client
        .send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: { pk: { S: 'CUST#bench2' }, sk: { S: `INTERACTION#${eventId}` } },
            UpdateExpression: 'SET occurredAt = :o, eventId = :e ADD rev :one',
            ConditionExpression:
              'attribute_not_exists(pk) OR occurredAt < :o OR (occurredAt = :o AND eventId < :e)',
            ExpressionAttributeValues: {
              ':o': { S: '2026-11-01T00:00:00Z' },
              ':e': { S: eventId },
              ':one': { N: '1' },
            },
          }),
        )
        .catch((error: { name?: string }) => {
          if (error.name !== 'ConditionalCheckFailedException') throw error;
        });

    process.env.AWS_LAMBDA_FUNCTION_NAME ??= 'bench';
    const config = new IdempotencyConfig({ eventKeyJmesPath: 'eventId' });
    // As a Lambda handler would; without it Powertools warns that it cannot read the time left.
    config.registerLambdaContext({ getRemainingTimeInMillis: () => 30_000 } as never);
    const idempotent = makeIdempotent(
      async (event: { eventId: string }) => writeFactUnconditionally(event.eventId).then(() => 'ok'),
      {
        persistenceStore: new DynamoDBPersistenceLayer({
          tableName,
          keyAttr: 'pk',
          sortKeyAttr: 'sk',
          awsSdkV3Client: client,
        }),
        config,
      },
    );

    const measure = async (deliver: (eventId: string) => Promise<unknown>, prefix: string) => {
      writeUnits = 0;
      for (let i = 0; i < EVENTS; i++) await deliver(`${prefix}-${i}`);
      const first = writeUnits / EVENTS;
      writeUnits = 0;
      for (let i = 0; i < EVENTS; i++) await deliver(`${prefix}-${i}`);
      return { firstDelivery: round(first), redelivery: round(writeUnits / EVENTS) };
    };
    const powertools = await measure((id) => idempotent({ eventId: id }), 'pt');
    const conditional = await measure(writeFactConditionally, 'cw');
    client.destroy();
    return {
      'Powertools idempotency + fact write': powertools,
      'conditional fact write (Rapport)': conditional,
    };
  } finally {
    await local.stop();
  }
}

function unitsOf(input: unknown, consumed: { CapacityUnits?: number } | undefined): number {
  const i = input as Record<string, unknown>;
  const isWrite =
    'Item' in i ||
    'UpdateExpression' in i ||
    ('Key' in i && 'ConditionExpression' in i && !('ProjectionExpression' in i));
  return isWrite ? (consumed?.CapacityUnits ?? 0) : 0;
}

const round = (n: number) => Math.round(n * 100) / 100;
