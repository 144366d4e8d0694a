import { EventBridgeClient } from '@aws-sdk/client-eventbridge';

/** One client per function instance; honours AWS_ENDPOINT_URL(_EVENTBRIDGE). */
let client: EventBridgeClient | undefined;
export function eventBridge(): EventBridgeClient {
  client ??= new EventBridgeClient({});
  return client;
}
