import type { APIGatewayProxyEvent, Context } from 'aws-lambda';

/** A REST proxy event as API Gateway sends it after the Cognito authorizer. */
export function apiEvent(options: {
  method: string;
  resource: string;
  path?: string;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  groups?: string[] | null;
  userId?: string;
}): APIGatewayProxyEvent {
  const claims =
    options.groups === null
      ? undefined
      : { sub: options.userId ?? 'user-1', 'cognito:groups': (options.groups ?? []).join(',') };
  return {
    httpMethod: options.method,
    resource: options.resource,
    path: options.path ?? options.resource,
    pathParameters: options.pathParameters ?? null,
    queryStringParameters: options.query ?? null,
    multiValueQueryStringParameters: null,
    headers: { 'content-type': 'application/json' },
    multiValueHeaders: {},
    body:
      options.body === undefined
        ? null
        : typeof options.body === 'string'
          ? options.body
          : JSON.stringify(options.body),
    isBase64Encoded: false,
    stageVariables: null,
    requestContext: {
      requestId: `req-${Math.random().toString(36).slice(2)}`,
      authorizer: claims ? { claims } : undefined,
    } as APIGatewayProxyEvent['requestContext'],
  };
}

export const lambdaContext = {
  awsRequestId: 'lambda-req-1',
  functionName: 'test',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

export type ApiHandler = (
  event: APIGatewayProxyEvent,
  context: Context,
) => Promise<{ statusCode: number; body: string; headers?: Record<string, unknown> }>;

export async function call(handler: unknown, event: APIGatewayProxyEvent) {
  const result = await (handler as ApiHandler)(event, lambdaContext);
  return {
    status: result.statusCode,
    body: result.body ? JSON.parse(result.body) : undefined,
    headers: result.headers,
  };
}
