import { inject } from 'vitest';
import { handlerEnv } from '../../local/dynamodb-with-table';

// Handlers read these at first use, exactly as on Lambda; here they point at DynamoDB Local.
Object.assign(process.env, handlerEnv(inject('dynamoEndpoint'), inject('tableName')));
