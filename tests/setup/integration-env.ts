import { inject } from 'vitest';
import { ENV } from '../../functions/shared/env-names';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/dynamodb-local';

// Handlers read these at first use, exactly as on Lambda; here they point at DynamoDB Local.
process.env.AWS_ENDPOINT_URL_DYNAMODB = inject('dynamoEndpoint');
process.env[ENV.tableName] = inject('tableName');
process.env.AWS_REGION = LOCAL_REGION;
process.env.AWS_ACCESS_KEY_ID = LOCAL_CREDENTIALS.accessKeyId;
process.env.AWS_SECRET_ACCESS_KEY = LOCAL_CREDENTIALS.secretAccessKey;
