import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type * as z from 'zod';
import {
  AppError,
  type FieldIssue,
  ForbiddenError,
  MethodNotAllowedError,
  NotFoundError,
  UnauthorizedError,
  ValidationError,
} from './errors';
import { GROUPS, type Group } from './groups';
import { logger, metrics, tracer } from './observability';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * What a route is, without how it is served: method, path, who may call it and the zod schemas of
 * its inputs and outputs. The OpenAPI document is generated from these specs, and the pipeline
 * below validates with the very same schemas, so the two cannot disagree.
 */
export type RouteSpec<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
> = {
  method: HttpMethod;
  path: string;
  summary: string;
  /** `public`: no token needed; `any`: any signed-in caller; otherwise one of these groups. */
  access: 'public' | 'any' | readonly Group[];
  params?: P;
  query?: Q;
  body?: B;
  responses: Record<number, { description: string; schema?: z.ZodType }>;
};

export type Caller = { userId: string; groups: Group[] };

export type RouteRequest<S extends RouteSpec> = {
  params: S['params'] extends z.ZodType ? z.output<S['params']> : Record<string, never>;
  query: S['query'] extends z.ZodType ? z.output<S['query']> : Record<string, never>;
  body: S['body'] extends z.ZodType ? z.output<S['body']> : undefined;
  caller: Caller;
  requestId: string;
};

export type RouteResult = { statusCode: number; body?: unknown; headers?: Record<string, string> };

export type Route<S extends RouteSpec = RouteSpec> = {
  spec: S;
  handle: (request: RouteRequest<S>) => Promise<RouteResult>;
};

export function route<S extends RouteSpec>(spec: S, handle: Route<S>['handle']): Route<S> {
  return { spec, handle };
}

export const ok = (body: unknown): RouteResult => ({ statusCode: 200, body });
export const accepted = (body: unknown): RouteResult => ({ statusCode: 202, body });

/**
 * Builds the Lambda handler that serves a set of routes behind API Gateway (REST, proxy
 * integration). Order of checks: route → token (401) → group (403) → input (400) → handler.
 * Any error ends in `toHttpResponse`: never a stack trace, a 500 only with the request id.
 */
export function httpHandler(routes: Route[]) {
  const table = new Map(routes.map((r) => [`${r.spec.method} ${r.spec.path}`, r]));
  const paths = new Set(routes.map((r) => r.spec.path));

  const serve = async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
    const requestId = event.requestContext?.requestId ?? context.awsRequestId;
    try {
      const found = table.get(`${event.httpMethod} ${event.resource}`);
      if (!found) {
        if (paths.has(event.resource))
          throw new MethodNotAllowedError(`${event.httpMethod} is not allowed here`);
        throw new NotFoundError(`no route ${event.httpMethod} ${event.resource}`);
      }
      const caller = authorize(found.spec, event);
      const request = parseRequest(found.spec, event, caller, requestId);
      const result = await found.handle(request as never);
      return toApiResult(result, requestId);
    } catch (error) {
      return toHttpResponse(error, requestId);
    }
  };

  return middy(serve)
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics));
}

function authorize(spec: RouteSpec, event: APIGatewayProxyEvent): Caller {
  if (spec.access === 'public') return { userId: 'anonymous', groups: [] };
  const claims = event.requestContext?.authorizer?.claims as Record<string, unknown> | undefined;
  const userId = typeof claims?.sub === 'string' ? claims.sub : undefined;
  if (!claims || !userId) throw new UnauthorizedError('Unauthorized');
  const groups = parseGroups(claims['cognito:groups']);
  if (spec.access !== 'any' && !groups.some((g) => (spec.access as readonly Group[]).includes(g))) {
    throw new ForbiddenError(`this route needs one of the groups: ${spec.access.join(', ')}`);
  }
  return { userId, groups };
}

/**
 * API Gateway REST flattens the `cognito:groups` array claim into a string; depending on the
 * integration it arrives as `a,b`, `[a b]` or a real array, so accept each form.
 */
export function parseGroups(claim: unknown): Group[] {
  const raw = Array.isArray(claim)
    ? claim.map(String)
    : typeof claim === 'string'
      ? claim.replace(/^\[|\]$/g, '').split(/[\s,]+/)
      : [];
  return raw.filter((g): g is Group => (GROUPS as readonly string[]).includes(g));
}

function parseRequest(spec: RouteSpec, event: APIGatewayProxyEvent, caller: Caller, requestId: string) {
  const issues: FieldIssue[] = [];
  const parse = (where: string, schema: z.ZodType | undefined, value: unknown) => {
    if (!schema) return {};
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    issues.push(...zodIssues(result.error, where));
    return undefined;
  };
  const params = parse('path', spec.params, event.pathParameters ?? {});
  const query = parse('query', spec.query, event.queryStringParameters ?? {});
  let body: unknown;
  if (spec.body) {
    const json = parseJsonBody(event);
    if (json.ok) body = parse('body', spec.body, json.value);
    else issues.push({ field: 'body', message: json.message });
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return { params, query, body, caller, requestId };
}

function parseJsonBody(
  event: APIGatewayProxyEvent,
): { ok: true; value: unknown } | { ok: false; message: string } {
  if (!event.body) return { ok: false, message: 'a JSON body is required' };
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, message: 'the body is not valid JSON' };
  }
}

/** zod issues as `{field, message}` with dotted paths prefixed by where they were found. */
export function zodIssues(error: z.ZodError, where: string): FieldIssue[] {
  return error.issues.map((issue) => ({
    field: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
}

const JSON_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' };

function toApiResult(result: RouteResult, requestId: string): APIGatewayProxyResult {
  return {
    statusCode: result.statusCode,
    headers: { ...JSON_HEADERS, 'x-request-id': requestId, ...result.headers },
    body: result.body === undefined ? '' : JSON.stringify(result.body),
  };
}

/** The one place an error becomes an HTTP answer. */
export function toHttpResponse(error: unknown, requestId: string): APIGatewayProxyResult {
  if (error instanceof AppError) {
    const body: Record<string, unknown> = { message: error.message, requestId };
    if (error instanceof ValidationError) body.errors = error.issues;
    if (error.statusCode >= 500) logger.error('request failed', { requestId, error });
    return toApiResult({ statusCode: error.statusCode, body }, requestId);
  }
  // Unknown failures are logged with the request id so ops can find them; the caller learns nothing else.
  logger.error('unexpected error', { requestId, error });
  metrics.addMetric('UnexpectedErrors', 'Count', 1);
  return toApiResult({ statusCode: 500, body: { message: 'Internal server error', requestId } }, requestId);
}
