import { randomUUID } from 'node:crypto';
import {
  Agent,
  createServer,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from 'node:http';
import { AwsError, isAwsError } from './aws-error';
import type { LocalEventBus } from './event-bus/bus';
import type { StepFunctionsService } from './stepfunctions-bridge';

/**
 * The one local AWS endpoint (contract.md §3): DynamoDB, EventBridge and Step Functions behind a
 * single URL, so `aws --endpoint-url http://localhost:4566 ...` and SDK clients with
 * AWS_ENDPOINT_URL reach all three.
 *
 * All three speak the AWS JSON protocol: a POST whose `X-Amz-Target` header names the operation
 * (`DynamoDB_20120810.Query`, `AWSEvents.PutEvents`, `AWSStepFunctions.StartExecution`), so the
 * header alone routes a request. DynamoDB requests go byte for byte to DynamoDB Local, which
 * answers exactly as DynamoDB does. Signatures are not checked: any credentials work locally.
 *
 * Errors carry `__type` in the body and `x-amzn-ErrorType` in a header, the two places SDK v3 and
 * the CLI read the exception name from.
 */

export type AwsEndpointOptions = {
  /** DynamoDB Local's own URL. */
  dynamoEndpoint: string;
  bus: LocalEventBus;
  stepFunctions: StepFunctionsService;
  log?: (line: string) => void;
};

const MAX_BODY_BYTES = 16 * 1024 * 1024;

export function createAwsEndpoint(options: AwsEndpointOptions): Server {
  const dynamo = new URL(options.dynamoEndpoint);
  const agent = new Agent({ keepAlive: true });
  const server = createServer((req, res) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const dot = target.indexOf('.');
    const service = target.slice(0, dot);
    const operation = target.slice(dot + 1);
    if (service === 'DynamoDB_20120810' || service === 'DynamoDBStreams_20120810') {
      proxy(req, res, dynamo, agent, options.log);
      return;
    }
    void answer(req, res, async (body) => {
      if (service === 'AWSEvents') return events(options.bus, operation, body);
      if (service === 'AWSStepFunctions') return options.stepFunctions.handle(operation, body);
      if (req.method === 'GET' && (req.url === '/' || req.url === '/_local/health'))
        return { status: 'ok', services: ['dynamodb', 'events', 'states'] };
      throw new AwsError(
        'UnknownOperationException',
        target
          ? `${target} is not served by the local endpoint (DynamoDB, EventBridge and Step Functions are)`
          : 'missing X-Amz-Target header: the local endpoint serves AWS JSON protocol requests only',
      );
    }).catch((error: Error) => {
      options.log?.(`AWS endpoint: ${target} failed: ${error.stack ?? error.message}`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.on('close', () => agent.destroy());
  return server;
}

function events(bus: LocalEventBus, operation: string, body: Record<string, unknown>): unknown {
  switch (operation) {
    case 'PutEvents':
      return bus.putEvents(body as { Entries?: unknown });
    case 'ListRules':
      return bus.listRules(body as Parameters<LocalEventBus['listRules']>[0]);
    case 'DescribeRule':
      return bus.describeRule(body as Parameters<LocalEventBus['describeRule']>[0]);
    case 'ListTargetsByRule':
      return bus.listTargetsByRule(body as Parameters<LocalEventBus['listTargetsByRule']>[0]);
    case 'ListEventBuses':
      return bus.listEventBuses(body as Parameters<LocalEventBus['listEventBuses']>[0]);
    case 'DescribeEventBus':
      return bus.describeEventBus(body as Parameters<LocalEventBus['describeEventBus']>[0]);
    default:
      // Rules and buses come from the template; changing them locally would drift from what deploys.
      throw new AwsError('UnknownOperationException', `EventBridge ${operation} is not emulated locally`);
  }
}

/** Reads an AWS JSON request, runs `operation`, writes its result or its error in AWS's shape. */
async function answer(
  req: IncomingMessage,
  res: ServerResponse,
  operation: (body: Record<string, unknown>) => unknown,
): Promise<void> {
  const requestId = randomUUID();
  const contentType = String(req.headers['content-type'] ?? 'application/x-amz-json-1.1');
  const reply = (status: number, value: unknown, errorType?: string) => {
    res.writeHead(status, {
      'content-type': contentType.startsWith('application/x-amz-json') ? contentType : 'application/json',
      'x-amzn-RequestId': requestId,
      ...(errorType ? { 'x-amzn-ErrorType': errorType } : {}),
    });
    res.end(JSON.stringify(value));
  };
  try {
    const text = await readText(req);
    let body: Record<string, unknown>;
    try {
      body = text.trim() === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    } catch {
      throw new AwsError('SerializationException', 'the request body is not valid JSON');
    }
    reply(200, (await operation(body)) ?? {});
  } catch (error) {
    if (isAwsError(error)) {
      reply(error.statusCode, { __type: error.name, message: error.message }, error.name);
      return;
    }
    reply(500, { __type: 'InternalFailure', message: (error as Error).message }, 'InternalFailure');
  }
}

function proxy(
  req: IncomingMessage,
  res: ServerResponse,
  target: URL,
  agent: Agent,
  log: ((line: string) => void) | undefined,
): void {
  const { host: _host, connection: _connection, ...headers } = req.headers;
  const upstream = request(
    {
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: { ...headers, host: target.host },
      agent,
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', (error) => {
    // A caller that went away (the runtime stopping under a running function) needs no answer.
    if (res.destroyed) return;
    log?.(`AWS endpoint: DynamoDB Local did not answer: ${error.message}`);
    if (!res.headersSent) {
      res.writeHead(503, {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-ErrorType': 'ServiceUnavailable',
      });
      res.end(JSON.stringify({ __type: 'ServiceUnavailable', message: 'DynamoDB Local is not available' }));
    } else {
      res.destroy(error);
    }
  });
  req.pipe(upstream);
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new AwsError('RequestEntityTooLargeException', 'request too large', 413);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
