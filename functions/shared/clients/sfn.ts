import { SFNClient } from '@aws-sdk/client-sfn';

/** One client per function instance; honours AWS_ENDPOINT_URL(_SFN). */
let client: SFNClient | undefined;
export function stepFunctions(): SFNClient {
  client ??= new SFNClient({});
  return client;
}
