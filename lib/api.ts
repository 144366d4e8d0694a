import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { GROUPS } from '../functions/shared/groups';
import type { HttpMethod } from '../functions/shared/http';

export type ApiProps = {
  devStack: boolean;
  logRetentionDays: number;
  rateLimit: number;
  burstLimit: number;
};

/**
 * The REST API and who may call it: a Cognito user pool with one group per role, and its
 * authorizer on every route but GET /openapi.json. Capabilities add their routes with `addRoute`.
 */
export class Api extends Construct {
  readonly restApi: apigw.RestApi;
  readonly userPool: cognito.UserPool;
  readonly userPoolClient: cognito.UserPoolClient;
  private readonly authorizer: apigw.CognitoUserPoolsAuthorizer;
  private readonly validator: apigw.RequestValidator;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const removalPolicy = props.devStack ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;

    this.userPool = new cognito.UserPool(this, 'Users', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireDigits: true,
        requireLowercase: true,
        requireUppercase: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      removalPolicy,
    });
    for (const group of GROUPS) {
      new cognito.CfnUserPoolGroup(this, `Group-${group}`, {
        userPoolId: this.userPool.userPoolId,
        groupName: group,
      });
    }
    this.userPoolClient = this.userPool.addClient('Console', {
      authFlows: { userSrp: true },
      preventUserExistenceErrors: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
    });

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy,
    });
    this.restApi = new apigw.RestApi(this, 'Rest', {
      description: 'Rapport HTTP API (contract.md section 2)',
      cloudWatchRole: false,
      deployOptions: {
        stageName: 'v1',
        tracingEnabled: true,
        throttlingRateLimit: props.rateLimit,
        throttlingBurstLimit: props.burstLimit,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
      },
      defaultMethodOptions: { authorizationType: apigw.AuthorizationType.COGNITO },
    });
    Validations.of(this.restApi).acknowledge({
      id: 'AwsSolutions-APIG6',
      reason:
        'Execution logging needs the account-wide API Gateway CloudWatch role, which one stack must not change for every API in the account; access logs and X-Ray traces cover each request.',
    });
    Validations.of(this.restApi).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        'A web ACL is an account-level choice of the operator (README, "Deploying"); API Gateway throttling and Cognito protect the stage meanwhile.',
    });
    this.authorizer = new apigw.CognitoUserPoolsAuthorizer(this, 'Authorizer', {
      cognitoUserPools: [this.userPool],
    });
    this.validator = this.restApi.addRequestValidator('Validator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    // API Gateway's own 4xx answers (bad token, throttled) carry the same JSON shape as ours.
    for (const type of [
      apigw.ResponseType.UNAUTHORIZED,
      apigw.ResponseType.ACCESS_DENIED,
      apigw.ResponseType.DEFAULT_4XX,
    ]) {
      this.restApi.addGatewayResponse(`Gateway-${type.responseType}`, {
        type,
        templates: {
          'application/json': '{"message":$context.error.messageString,"requestId":"$context.requestId"}',
        },
      });
    }
  }

  /**
   * Routes a method to a function. `requiredQuery` / `requiredPath` let API Gateway reject a
   * request before it costs an invocation; the handler validates everything again with zod.
   */
  addRoute(
    method: HttpMethod,
    resourcePath: string,
    fn: lambda.IFunction,
    options: { public?: boolean } = {},
  ): void {
    const resource = this.restApi.root.resourceForPath(resourcePath);
    const pathParams = [...resourcePath.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    const method_ = resource.addMethod(method, new apigw.LambdaIntegration(fn), {
      requestValidator: this.validator,
      requestParameters: Object.fromEntries(pathParams.map((p) => [`method.request.path.${p}`, true])),
      ...(options.public
        ? { authorizationType: apigw.AuthorizationType.NONE }
        : { authorizer: this.authorizer, authorizationType: apigw.AuthorizationType.COGNITO }),
    });
    if (options.public) {
      Validations.of(method_).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason: `${method} ${resourcePath} is the public API description (contract.md: no group); it carries no customer data.`,
      });
      Validations.of(method_).acknowledge({
        id: 'AwsSolutions-COG4',
        reason: `${method} ${resourcePath} is the public API description and intentionally has no Cognito authorizer.`,
      });
    }
  }
}
