import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * One client per function instance, created on first use. The SDK reads AWS_ENDPOINT_URL(_DYNAMODB),
 * so the same code talks to AWS or to the local runtime. (One module per client: a function loads
 * only the SDK packages it uses.)
 */
let client: DynamoDBDocumentClient | undefined;
export function db(): DynamoDBDocumentClient {
  client ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return client;
}
