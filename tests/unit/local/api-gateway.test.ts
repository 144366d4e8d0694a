import { describe, expect, it } from 'vitest';
import { type ApiRoute, matchRoute, readApi } from '../../../local/api-gateway';
import { IntrinsicResolver, type Template } from '../../../local/intrinsics';

const uri = (fn: string) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':apigateway:',
      { Ref: 'AWS::Region' },
      ':lambda:path/2015-03-31/functions/',
      { 'Fn::GetAtt': [fn, 'Arn'] },
      '/invocations',
    ],
  ],
});
const resource = (parent: unknown, pathPart: string) => ({
  Type: 'AWS::ApiGateway::Resource',
  Properties: { ParentId: parent, PathPart: pathPart, RestApiId: { Ref: 'Api' } },
});
const method = (res: string, httpMethod: string, extra: Record<string, unknown> = {}) => ({
  Type: 'AWS::ApiGateway::Method',
  Properties: {
    HttpMethod: httpMethod,
    ResourceId: { Ref: res },
    RestApiId: { Ref: 'Api' },
    AuthorizationType: 'COGNITO_USER_POOLS',
    Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST', Uri: uri('Fn') },
    ...extra,
  },
});
const root = { 'Fn::GetAtt': ['Api', 'RootResourceId'] };

// The shape CDK synthesizes for a RestApi (see lib/api.ts), reduced to what the runtime reads.
const template: Template = {
  Resources: {
    Api: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'Rest' } },
    Stage: { Type: 'AWS::ApiGateway::Stage', Properties: { RestApiId: { Ref: 'Api' }, StageName: 'v1' } },
    Fn: { Type: 'AWS::Lambda::Function', Properties: {} },
    Validator: { Type: 'AWS::ApiGateway::RequestValidator', Properties: { ValidateRequestParameters: true } },
    Customers: resource(root, 'customers'),
    Customer: resource({ Ref: 'Customers' }, '{id}'),
    Me: resource({ Ref: 'Customers' }, 'me'),
    Files: resource(root, 'files'),
    Proxy: resource({ Ref: 'Files' }, '{proxy+}'),
    ListCustomers: method('Customers', 'GET', {
      RequestValidatorId: { Ref: 'Validator' },
      RequestParameters: { 'method.request.querystring.limit': true },
    }),
    GetCustomer: method('Customer', 'GET', { RequestParameters: { 'method.request.path.id': true } }),
    DeleteCustomer: method('Customer', 'DELETE'),
    GetMe: method('Me', 'GET', { AuthorizationType: 'NONE' }),
    AnyFile: method('Proxy', 'ANY'),
    Unauthorized: {
      Type: 'AWS::ApiGateway::GatewayResponse',
      Properties: {
        ResponseType: 'UNAUTHORIZED',
        RestApiId: { Ref: 'Api' },
        ResponseTemplates: { 'application/json': '{"message":$context.error.messageString}' },
      },
    },
  },
};

const api = readApi(template, new IntrinsicResolver(template, { stackName: 'Rapport' }));
const routes = api?.routes ?? [];
const find = (m: string, p: string) => {
  const found = matchRoute(routes, m, p);
  return found && 'route' in found ? { path: found.route.resourcePath, params: found.pathParameters } : found;
};

describe('the REST API read from the template', () => {
  it('builds each method path from the Resource tree and finds its Lambda', () => {
    const byKey = Object.fromEntries(routes.map((r: ApiRoute) => [`${r.httpMethod} ${r.resourcePath}`, r]));
    expect(Object.keys(byKey).sort()).toEqual([
      'ANY /files/{proxy+}',
      'DELETE /customers/{id}',
      'GET /customers',
      'GET /customers/me',
      'GET /customers/{id}',
    ]);
    expect(byKey['GET /customers/{id}']?.functionArn).toBe(
      'arn:aws:lambda:us-east-1:000000000000:function:Fn',
    );
    expect(byKey['GET /customers/me']?.authorizationType).toBe('NONE');
    expect(byKey['GET /customers']?.requiredParameters.querystring).toEqual(['limit']);
    expect(api?.stageName).toBe('v1');
    expect(api?.gatewayResponses.get('UNAUTHORIZED')?.template).toBe(
      '{"message":$context.error.messageString}',
    );
  });
});

describe('routing like API Gateway', () => {
  it('prefers a literal path part over a parameter', () => {
    expect(find('GET', '/customers/me')).toEqual({ path: '/customers/me', params: {} });
    expect(find('GET', '/customers/C-1')).toEqual({ path: '/customers/{id}', params: { id: 'C-1' } });
  });

  it('keeps path parameters percent-encoded, as REST APIs deliver them', () => {
    expect(find('GET', '/customers/a%40b.com')).toEqual({
      path: '/customers/{id}',
      params: { id: 'a%40b.com' },
    });
  });

  it('lets a greedy parameter take the rest of the path, for any method', () => {
    expect(find('PUT', '/files/a/b/c')).toEqual({ path: '/files/{proxy+}', params: { proxy: 'a/b/c' } });
  });

  it('tells an unknown method on a known resource from an unknown resource', () => {
    expect(find('POST', '/customers/C-1')).toEqual({ resourceExists: true });
    expect(find('GET', '/nowhere')).toEqual({ resourceExists: false });
    expect(find('GET', '/customers/C-1/extra')).toEqual({ resourceExists: false });
  });

  it('ignores a trailing slash', () => {
    expect(find('GET', '/customers/')).toEqual({ path: '/customers', params: {} });
  });
});
