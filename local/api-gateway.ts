import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { DeadLetterList } from './dead-letters';
import type { IntrinsicResolver, Template } from './intrinsics';
import type { InvokeOutcome } from './lambda-host';
import { jwks, type LocalKeys, type TokenClaims, TokenError, verifyToken } from './token';

/**
 * The local API Gateway: the REST API of the synthesized template (its Resource tree, Methods,
 * Cognito authorizer, request validators and gateway responses) served over HTTP, each method
 * invoking its Lambda proxy integration with the event API Gateway REST would build.
 *
 * The API is served at the root (`/settings`, not `/v1/settings`), the stage name appears in the
 * event's requestContext as on AWS. The same server also serves the local console at `/`,
 * `/_local/health`, `/_local/dead-letters` and the local user pool's JWKS.
 */

export type ApiRoute = {
  resourcePath: string;
  httpMethod: string;
  resourceId: string;
  authorizationType: string;
  authorizationScopes: string[];
  /** Lambda ARN of an AWS_PROXY integration; undefined for MOCK. */
  functionArn?: string;
  integrationType: string;
  mockResponse?: { statusCode: number; headers: Record<string, string> };
  requiredParameters: { querystring: string[]; header: string[] };
};

type GatewayResponse = { statusCode?: number; template?: string; headers: Record<string, string> };

export type ApiDefinition = {
  restApiId: string;
  stageName: string;
  routes: ApiRoute[];
  gatewayResponses: Map<string, GatewayResponse>;
  binaryMediaTypes: string[];
};

export type ApiServerOptions = {
  api: ApiDefinition;
  invoke: (functionArn: string, event: unknown) => Promise<InvokeOutcome>;
  keys: LocalKeys;
  issuer: string;
  deadLetters: DeadLetterList;
  /** Everything the console page shows; collected per request so it is always current. */
  consoleData: () => Promise<ConsoleData>;
  log?: (line: string) => void;
};

export type ConsoleData = {
  stackName: string;
  awsEndpoint: string;
  functions: { name: string; handler: string; environments: number }[];
  rules: { name: string; eventBusName: string; targets: string[] }[];
  stateMachines: { name: string; arn: string }[];
  executions: { name: string; stateMachine: string; status: string; startDate: string }[];
  recentEvents: { id: string; time: string; source: string; detailType: string; matchedRules: string[] }[];
  deadLetters: number;
};

/** API Gateway's maximum integration timeout for REST APIs. */
const INTEGRATION_TIMEOUT_MS = 29_000;
/** API Gateway's payload limit. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** Default status of each gateway response type (API Gateway Developer Guide, "Gateway response types"). */
const GATEWAY_STATUS: Record<string, number> = {
  UNAUTHORIZED: 401,
  ACCESS_DENIED: 403,
  MISSING_AUTHENTICATION_TOKEN: 403,
  BAD_REQUEST_PARAMETERS: 400,
  REQUEST_TOO_LARGE: 413,
  INTEGRATION_TIMEOUT: 504,
  INTEGRATION_FAILURE: 504,
  API_CONFIGURATION_ERROR: 500,
  DEFAULT_5XX: 502,
};

/** The `x-amzn-ErrorType` API Gateway sets on its own answers. */
const ERROR_TYPES: Record<string, string> = {
  UNAUTHORIZED: 'UnauthorizedException',
  ACCESS_DENIED: 'AccessDeniedException',
  MISSING_AUTHENTICATION_TOKEN: 'MissingAuthenticationTokenException',
  BAD_REQUEST_PARAMETERS: 'BadRequestException',
};

// ---------------------------------------------------------------------------------------------
// The API, read from the template
// ---------------------------------------------------------------------------------------------

export function readApi(template: Template, resolver: IntrinsicResolver): ApiDefinition | undefined {
  const resources = Object.entries(template.Resources);
  const restApis = resources.filter(([, r]) => r.Type === 'AWS::ApiGateway::RestApi');
  if (restApis.length === 0) return undefined;
  if (restApis.length > 1)
    throw new Error(
      `the local runtime serves one REST API; the template has ${restApis.map(([id]) => id).join(', ')}`,
    );
  const [restApiLogicalId, restApi] = restApis[0] as [string, Template['Resources'][string]];
  const restApiId = resolver.ref(restApiLogicalId);
  const rootId = resolver.getAtt(restApiLogicalId, 'RootResourceId');

  // Resource ids → full paths, following ParentId up to the root.
  const parents = new Map<string, { parentId: string; pathPart: string }>();
  for (const [id, r] of resources) {
    if (r.Type !== 'AWS::ApiGateway::Resource') continue;
    const props = resolver.resolve<{ ParentId: string; PathPart: string }>(r.Properties, `${id}.Properties`);
    parents.set(resolver.ref(id), { parentId: props.ParentId, pathPart: props.PathPart });
  }
  const pathOf = (resourceId: string, depth = 0): string => {
    if (resourceId === rootId) return '';
    const node = parents.get(resourceId);
    if (!node || depth > 64)
      throw new Error(`API resource ${resourceId} does not lead to the root of ${restApiId}`);
    return `${pathOf(node.parentId, depth + 1)}/${node.pathPart}`;
  };

  const validators = new Map<string, boolean>();
  for (const [id, r] of resources) {
    if (r.Type === 'AWS::ApiGateway::RequestValidator')
      validators.set(resolver.ref(id), r.Properties?.ValidateRequestParameters === true);
  }

  const routes: ApiRoute[] = [];
  for (const [id, r] of resources) {
    if (r.Type !== 'AWS::ApiGateway::Method') continue;
    const props = resolver.resolve<Record<string, unknown>>(r.Properties, `${id}.Properties`);
    const integration = (props.Integration ?? {}) as {
      Type?: string;
      Uri?: string;
      IntegrationResponses?: { StatusCode?: string; ResponseParameters?: Record<string, string> }[];
    };
    const resourceId = String(props.ResourceId);
    const required = Object.entries((props.RequestParameters ?? {}) as Record<string, boolean>)
      .filter(([, isRequired]) => isRequired === true)
      .map(([name]) => name);
    const validates =
      props.RequestValidatorId !== undefined && validators.get(String(props.RequestValidatorId));
    const route: ApiRoute = {
      resourcePath: pathOf(resourceId) || '/',
      httpMethod: String(props.HttpMethod),
      resourceId,
      authorizationType: String(props.AuthorizationType ?? 'NONE'),
      authorizationScopes: (props.AuthorizationScopes as string[] | undefined) ?? [],
      integrationType: String(integration.Type ?? 'MOCK'),
      requiredParameters: {
        querystring: validates ? paramNames(required, 'method.request.querystring.') : [],
        header: validates ? paramNames(required, 'method.request.header.') : [],
      },
    };
    if (route.integrationType === 'AWS_PROXY') {
      // arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function arn>/invocations
      const match = /:lambda:path\/[^/]+\/functions\/(.+)\/invocations$/.exec(String(integration.Uri));
      if (!match?.[1])
        throw new Error(`${id}: AWS_PROXY integration is not a Lambda function: ${integration.Uri}`);
      route.functionArn = match[1];
    } else if (route.integrationType === 'MOCK') {
      const first = integration.IntegrationResponses?.[0];
      route.mockResponse = {
        statusCode: Number(first?.StatusCode ?? 200),
        headers: Object.fromEntries(
          Object.entries(first?.ResponseParameters ?? {})
            .filter(([k]) => k.startsWith('method.response.header.'))
            .map(([k, v]) => [k.slice('method.response.header.'.length), String(v).replace(/^'|'$/g, '')]),
        ),
      };
    }
    routes.push(route);
  }

  const gatewayResponses = new Map<string, GatewayResponse>();
  for (const [id, r] of resources) {
    if (r.Type !== 'AWS::ApiGateway::GatewayResponse') continue;
    const props = resolver.resolve<Record<string, unknown>>(r.Properties, `${id}.Properties`);
    const templates = (props.ResponseTemplates ?? {}) as Record<string, string>;
    gatewayResponses.set(String(props.ResponseType), {
      ...(props.StatusCode ? { statusCode: Number(props.StatusCode) } : {}),
      ...(templates['application/json'] ? { template: templates['application/json'] } : {}),
      headers: Object.fromEntries(
        Object.entries((props.ResponseParameters ?? {}) as Record<string, string>)
          .filter(([k]) => k.startsWith('gatewayresponse.header.'))
          .map(([k, v]) => [k.slice('gatewayresponse.header.'.length), String(v).replace(/^'|'$/g, '')]),
      ),
    });
  }

  const stage = resources.find(
    ([, r]) =>
      r.Type === 'AWS::ApiGateway::Stage' &&
      JSON.stringify(r.Properties?.RestApiId).includes(restApiLogicalId),
  );
  return {
    restApiId,
    stageName: String(stage?.[1].Properties?.StageName ?? 'prod'),
    routes,
    gatewayResponses,
    binaryMediaTypes: (restApi.Properties?.BinaryMediaTypes as string[] | undefined) ?? [],
  };
}

function paramNames(required: string[], prefix: string): string[] {
  return required.filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length));
}

/**
 * Finds the method for a path the way API Gateway does: a literal path part wins over `{param}`,
 * which wins over a greedy `{proxy+}`. Path parameters keep their percent-encoding, as REST APIs
 * deliver them.
 */
export function matchRoute(
  routes: ApiRoute[],
  method: string,
  rawPath: string,
): { route: ApiRoute; pathParameters: Record<string, string> } | { resourceExists: boolean } | undefined {
  const segments = rawPath.split('/').filter((s) => s !== '');
  let best: { route: ApiRoute; pathParameters: Record<string, string>; score: number[] } | undefined;
  let resourceExists = false;
  for (const route of routes) {
    const match = matchPath(route.resourcePath, segments);
    if (!match) continue;
    resourceExists = true;
    if (route.httpMethod !== method && route.httpMethod !== 'ANY') continue;
    // Compare literal-ness segment by segment; an exact method beats ANY.
    const score = [...match.score, route.httpMethod === method ? 1 : 0];
    if (!best || compareScores(score, best.score) > 0) best = { route, pathParameters: match.params, score };
  }
  if (best) return { route: best.route, pathParameters: best.pathParameters };
  return { resourceExists };
}

function matchPath(
  resourcePath: string,
  segments: string[],
): { params: Record<string, string>; score: number[] } | undefined {
  const parts = resourcePath.split('/').filter((s) => s !== '');
  const params: Record<string, string> = {};
  const score: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    const greedy = /^\{(.+)\+\}$/.exec(part);
    if (greedy?.[1]) {
      if (i >= segments.length) return undefined;
      params[greedy[1]] = segments.slice(i).join('/');
      score.push(0);
      return { params, score };
    }
    const segment = segments[i];
    if (segment === undefined) return undefined;
    const param = /^\{(.+)\}$/.exec(part);
    if (param?.[1]) {
      params[param[1]] = segment;
      score.push(1);
    } else if (part === segment || part === safeDecode(segment)) {
      score.push(2);
    } else {
      return undefined;
    }
  }
  return parts.length === segments.length ? { params, score } : undefined;
}

function compareScores(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? -1) - (b[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------

export function createApiServer(options: ApiServerOptions): Server {
  return createServer((req, res) => {
    handle(options, req, res).catch((error: Error) => {
      options.log?.(`API: ${req.method} ${req.url} failed: ${error.stack ?? error.message}`);
      if (!res.headersSent)
        send(res, 500, { 'content-type': 'application/json' }, '{"message":"Internal server error"}');
      else res.end();
    });
  });
}

async function handle(options: ApiServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = req.method ?? 'GET';
  const requestId = randomUUID();
  const { api } = options;

  if (method === 'GET' && url.pathname === '/') return sendConsole(options, res);
  if (method === 'GET' && url.pathname === '/_local/health')
    return sendJson(res, 200, { status: 'ok', stage: api.stageName, routes: api.routes.length });
  if (method === 'GET' && url.pathname === '/_local/dead-letters') {
    const limit = Number(url.searchParams.get('limit') ?? 100);
    return sendJson(res, 200, { items: options.deadLetters.list(Number.isFinite(limit) ? limit : 100) });
  }
  if (method === 'GET' && url.pathname === `${new URL(options.issuer).pathname}/.well-known/jwks.json`)
    return sendJson(res, 200, jwks(options.keys));

  const body = await readBody(req);
  const gateway = (type: string, message: string, resourcePath = '') =>
    sendGatewayResponse(res, api, type, message, { requestId, resourcePath, httpMethod: method });
  if (body === undefined) return gateway('REQUEST_TOO_LARGE', 'Request Too Long');

  // Unknown paths and methods: REST APIs answer 403 "Missing Authentication Token".
  const found = matchRoute(api.routes, method, url.pathname);
  if (!found || !('route' in found))
    return gateway('MISSING_AUTHENTICATION_TOKEN', 'Missing Authentication Token');
  const { route, pathParameters } = found;

  let claims: TokenClaims | undefined;
  if (route.authorizationType === 'COGNITO_USER_POOLS') {
    const header = req.headers.authorization ?? '';
    const token = header.replace(/^Bearer\s+/i, '').trim();
    try {
      if (!token) throw new TokenError('no token');
      claims = verifyToken(token, options.keys, {
        issuer: options.issuer,
        tokenUse: route.authorizationScopes.length > 0 ? 'access' : 'id',
      });
      const scopes = String(claims.scope ?? '').split(' ');
      if (route.authorizationScopes.length > 0 && !route.authorizationScopes.some((s) => scopes.includes(s)))
        throw new TokenError('missing scope');
    } catch (error) {
      if (!(error instanceof TokenError)) throw error;
      options.log?.(`API: ${method} ${url.pathname} unauthorized: ${error.message}`);
      return gateway('UNAUTHORIZED', 'Unauthorized', route.resourcePath);
    }
  } else if (route.authorizationType !== 'NONE') {
    options.log?.(`API: authorization type ${route.authorizationType} is not emulated locally`);
    return gateway('API_CONFIGURATION_ERROR', 'Internal server error', route.resourcePath);
  }

  const query = url.searchParams;
  const missing = [
    ...route.requiredParameters.querystring.filter((q) => !query.has(q)),
    ...route.requiredParameters.header.filter((h) => req.headers[h.toLowerCase()] === undefined),
  ];
  if (missing.length > 0)
    return gateway('BAD_REQUEST_PARAMETERS', `Missing required request parameters: [${missing.join(', ')}]`);

  if (route.mockResponse) {
    return send(
      res,
      route.mockResponse.statusCode,
      { ...route.mockResponse.headers, 'x-amzn-RequestId': requestId },
      '',
    );
  }
  if (!route.functionArn) {
    options.log?.(`API: integration type ${route.integrationType} is not emulated locally`);
    return gateway('API_CONFIGURATION_ERROR', 'Internal server error', route.resourcePath);
  }

  const event = proxyEvent({ req, url, route, pathParameters, body, claims, requestId, api });
  const outcome = await Promise.race([
    options.invoke(route.functionArn, event),
    new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), INTEGRATION_TIMEOUT_MS).unref()),
  ]);
  if (outcome === 'timeout')
    return gateway('INTEGRATION_TIMEOUT', 'Endpoint request timed out', route.resourcePath);
  if (!outcome.ok) {
    options.log?.(
      `API: ${method} ${url.pathname}: function error ${outcome.error.errorType}: ${outcome.error.errorMessage}`,
    );
    return gateway('DEFAULT_5XX', 'Internal server error', route.resourcePath);
  }
  const result = outcome.payload as {
    statusCode?: unknown;
    headers?: Record<string, unknown>;
    multiValueHeaders?: Record<string, unknown[]>;
    body?: unknown;
    isBase64Encoded?: boolean;
  } | null;
  // A proxy integration must answer {statusCode, headers?, body?}; anything else is a 502.
  if (!result || typeof result !== 'object' || !Number.isInteger(Number(result.statusCode))) {
    options.log?.(`API: ${method} ${url.pathname}: malformed Lambda proxy response`);
    return gateway('DEFAULT_5XX', 'Internal server error', route.resourcePath);
  }
  const headers: Record<string, string | string[]> = { 'x-amzn-RequestId': requestId };
  for (const [k, v] of Object.entries(result.multiValueHeaders ?? {})) headers[k] = v.map(String);
  for (const [k, v] of Object.entries(result.headers ?? {})) headers[k] = String(v);
  const text = typeof result.body === 'string' ? result.body : '';
  send(res, Number(result.statusCode), headers, result.isBase64Encoded ? Buffer.from(text, 'base64') : text);
}

/** The REST API Lambda proxy event (API Gateway Developer Guide, "Input format of a Lambda function for proxy integration"). */
function proxyEvent(input: {
  req: IncomingMessage;
  url: URL;
  route: ApiRoute;
  pathParameters: Record<string, string>;
  body: Buffer;
  claims: TokenClaims | undefined;
  requestId: string;
  api: ApiDefinition;
}) {
  const { req, url, route, pathParameters, body, claims, requestId, api } = input;
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] as string;
    const value = req.rawHeaders[i + 1] as string;
    headers[name] = value;
    const list = multiValueHeaders[name] ?? [];
    list.push(value);
    multiValueHeaders[name] = list;
  }
  const queryStringParameters: Record<string, string> = {};
  const multiValueQueryStringParameters: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) {
    queryStringParameters[name] = value;
    const list = multiValueQueryStringParameters[name] ?? [];
    list.push(value);
    multiValueQueryStringParameters[name] = list;
  }
  const contentType = String(req.headers['content-type'] ?? '');
  const binary = api.binaryMediaTypes.some((t) => mediaTypeMatches(t, contentType));
  const now = new Date();
  const hasQuery = Object.keys(queryStringParameters).length > 0;
  return {
    resource: route.resourcePath,
    path: url.pathname,
    httpMethod: req.method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? queryStringParameters : null,
    multiValueQueryStringParameters: hasQuery ? multiValueQueryStringParameters : null,
    pathParameters: Object.keys(pathParameters).length > 0 ? pathParameters : null,
    stageVariables: null,
    body: body.length === 0 ? null : binary ? body.toString('base64') : body.toString('utf8'),
    isBase64Encoded: binary && body.length > 0,
    requestContext: {
      accountId: '000000000000',
      apiId: api.restApiId,
      resourceId: route.resourceId,
      resourcePath: route.resourcePath,
      httpMethod: req.method,
      path: `/${api.stageName}${url.pathname}`,
      stage: api.stageName,
      requestId,
      extendedRequestId: requestId,
      requestTime: apiGatewayTime(now),
      requestTimeEpoch: now.getTime(),
      protocol: `HTTP/${req.httpVersion}`,
      domainName: req.headers.host ?? 'localhost',
      identity: {
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: req.headers['user-agent'] ?? null,
      },
      ...(claims ? { authorizer: { claims: restClaims(claims) } } : {}),
    },
  };
}

/**
 * API Gateway REST hands Cognito claims to the function as strings: arrays comma-joined
 * (`cognito:groups` = "admin,ops"), numeric times as Java-style dates ("Tue Jan 02 15:04:05 UTC 2024").
 */
export function restClaims(claims: TokenClaims): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(claims)) {
    if (Array.isArray(value)) out[name] = value.map(String).join(',');
    else if ((name === 'exp' || name === 'iat' || name === 'auth_time') && typeof value === 'number')
      out[name] = javaDate(new Date(value * 1000));
    else out[name] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return out;
}

function javaDate(d: Date): string {
  const [day, date, month, year, time] = d.toUTCString().replace(',', '').split(' ');
  return `${day} ${month} ${date} ${time} UTC ${year}`;
}

function apiGatewayTime(d: Date): string {
  const [, date, month, year, time] = d.toUTCString().replace(',', '').split(' ');
  return `${date}/${month}/${year}:${time} +0000`;
}

function mediaTypeMatches(pattern: string, contentType: string): boolean {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  const wanted = pattern.replace(/~1/g, '/').toLowerCase();
  if (wanted === '*/*') return true;
  if (wanted.endsWith('/*')) return type.startsWith(wanted.slice(0, -1));
  return type === wanted;
}

/** A gateway response rendered with the template's own ResponseTemplates when it defines one. */
function sendGatewayResponse(
  res: ServerResponse,
  api: ApiDefinition,
  type: string,
  message: string,
  context: { requestId: string; resourcePath: string; httpMethod: string },
): void {
  const statusCode = GATEWAY_STATUS[type] ?? 500;
  const fallback = statusCode >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX';
  const configured = api.gatewayResponses.get(type) ?? api.gatewayResponses.get(fallback);
  const values: Record<string, string> = {
    '$context.error.messageString': JSON.stringify(message),
    '$context.error.message': message,
    '$context.error.responseType': type,
    '$context.requestId': context.requestId,
    '$context.resourcePath': context.resourcePath,
    '$context.httpMethod': context.httpMethod,
    '$context.stage': api.stageName,
  };
  const body = configured?.template
    ? configured.template.replace(/\$context\.[A-Za-z.]+/g, (name) => values[name] ?? name)
    : JSON.stringify({ message });
  send(
    res,
    configured?.statusCode ?? statusCode,
    {
      'content-type': 'application/json',
      'x-amzn-RequestId': context.requestId,
      ...(ERROR_TYPES[type] ? { 'x-amzn-ErrorType': ERROR_TYPES[type] } : {}),
      ...configured?.headers,
    },
    body,
  );
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function send(
  res: ServerResponse,
  status: number,
  headers: Record<string, string | string[]>,
  body: string | Buffer,
) {
  res.writeHead(status, headers);
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(
    res,
    status,
    { 'content-type': 'application/json', 'cache-control': 'no-store' },
    JSON.stringify(value),
  );
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

// ---------------------------------------------------------------------------------------------
// The console page
// ---------------------------------------------------------------------------------------------

async function sendConsole(options: ApiServerOptions, res: ServerResponse): Promise<void> {
  const data = await options.consoleData();
  const { api } = options;
  const port = new URL(options.issuer).port;
  const rows = (cells: string[][]) =>
    cells.map((row) => `<tr>${row.map((cell) => `<td>${cell}</td>`).join('')}</tr>`).join('');
  const table = (head: string[], body: string[][], empty: string) =>
    body.length === 0
      ? `<p class="muted">${esc(empty)}</p>`
      : `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows(body)}</tbody></table>`;
  const routes = [...api.routes].sort((a, b) => a.resourcePath.localeCompare(b.resourcePath));
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Rapport (local)</title>
<meta http-equiv="refresh" content="10">
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2rem;max-width:72rem;color:#222}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
code{background:#f4f4f4;padding:0 .2rem}.muted{color:#777}
</style></head><body>
<h1>Rapport — stack ${esc(data.stackName)}, running locally</h1>
<p>API: <code>http://localhost:${esc(port)}</code> · AWS endpoint: <code>${esc(data.awsEndpoint)}</code>
· token: <code>npm run -s token -- admin</code> · <a href="/openapi.json">openapi.json</a>
· <a href="/_local/dead-letters">dead letters (${data.deadLetters})</a></p>
<h2>Endpoints (stage ${esc(api.stageName)})</h2>
${table(
  ['method', 'path', 'authorization'],
  routes.map((r) => [esc(r.httpMethod), `<code>${esc(r.resourcePath)}</code>`, esc(r.authorizationType)]),
  'no API in the template',
)}
<h2>Recent executions</h2>
${table(
  ['execution', 'state machine', 'status', 'started'],
  data.executions.map((e) => [esc(e.name), esc(e.stateMachine), esc(e.status), esc(e.startDate)]),
  'no executions yet',
)}
<h2>Recent events</h2>
${table(
  ['time', 'source', 'detail-type', 'matched rules'],
  data.recentEvents.map((e) => [
    esc(e.time),
    esc(e.source),
    esc(e.detailType),
    esc(e.matchedRules.join(', ') || '—'),
  ]),
  'no events since start',
)}
<h2>Rules</h2>
${table(
  ['rule', 'bus', 'targets'],
  data.rules.map((r) => [esc(r.name), esc(r.eventBusName), esc(r.targets.join(', '))]),
  'no rules in the template',
)}
<h2>Functions</h2>
${table(
  ['function', 'handler', 'warm environments'],
  data.functions.map((f) => [esc(f.name), esc(f.handler), String(f.environments)]),
  'no functions',
)}
<h2>State machines</h2>
${table(
  ['name', 'arn'],
  data.stateMachines.map((s) => [esc(s.name), `<code>${esc(s.arn)}</code>`]),
  'no state machines in the template',
)}
</body></html>`;
  send(res, 200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }, html);
}

function esc(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}
