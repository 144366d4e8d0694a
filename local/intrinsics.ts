import { createHash } from 'node:crypto';
import type { CfnResource } from './synth';

/**
 * CloudFormation intrinsic functions, resolved to local values.
 *
 * The local runtime reads the synthesized template and nothing else, so every `Ref`, `Fn::GetAtt`,
 * `Fn::Sub` or `Fn::Join` a handler's environment, a rule target or a state machine definition
 * contains must become the value the local services answer to: a table name DynamoDB Local knows,
 * a Lambda ARN the local Lambda host serves, a state machine ARN the local Step Functions knows.
 *
 * Values follow the shapes CloudFormation documents for each resource type ("Return values" of each
 * resource in the CloudFormation User Guide), in account 000000000000, region us-east-1. Where
 * CloudFormation would generate a physical name (`<stack>-<logicalId>-<random>`), the local name
 * drops the random suffix so it is the same on every start: data written before a restart is found
 * again after it. Lambda functions and state machines are named by their logical id instead.
 *
 * Resolution is lazy: only what the runtime asks for is resolved, and anything unknown (an
 * intrinsic it does not implement, a resource type whose `Ref` it cannot give) throws an error
 * naming the resource and the property, rather than passing a half-resolved object along.
 */

export const LOCAL_ACCOUNT_ID = '000000000000';
export const LOCAL_REGION = 'us-east-1';

export type Template = {
  Resources: Record<string, CfnResource>;
  Parameters?: Record<string, { Default?: unknown; Type?: string }>;
  Conditions?: Record<string, unknown>;
  Mappings?: Record<string, Record<string, Record<string, unknown>>>;
};

export type ResolverOptions = {
  stackName: string;
  /** Base URL of the local AWS endpoint; SQS queue URLs point at it. */
  awsEndpoint?: string;
  region?: string;
  accountId?: string;
};

/** The property that names a resource when the template sets it, and how long such a name may be. */
const NAME_PROPERTY: Record<string, { property: string; maxLength: number }> = {
  'AWS::DynamoDB::Table': { property: 'TableName', maxLength: 255 },
  'AWS::Lambda::Function': { property: 'FunctionName', maxLength: 64 },
  'AWS::Events::EventBus': { property: 'Name', maxLength: 256 },
  'AWS::Events::Rule': { property: 'Name', maxLength: 64 },
  'AWS::Events::Archive': { property: 'ArchiveName', maxLength: 48 },
  'AWS::StepFunctions::StateMachine': { property: 'StateMachineName', maxLength: 80 },
  'AWS::SQS::Queue': { property: 'QueueName', maxLength: 80 },
  'AWS::SNS::Topic': { property: 'TopicName', maxLength: 256 },
  'AWS::IAM::Role': { property: 'RoleName', maxLength: 64 },
  'AWS::IAM::Policy': { property: 'PolicyName', maxLength: 128 },
  'AWS::Logs::LogGroup': { property: 'LogGroupName', maxLength: 512 },
  'AWS::CloudWatch::Alarm': { property: 'AlarmName', maxLength: 255 },
  'AWS::CloudWatch::Dashboard': { property: 'DashboardName', maxLength: 255 },
  'AWS::Cognito::UserPool': { property: 'UserPoolName', maxLength: 128 },
  'AWS::Cognito::UserPoolGroup': { property: 'GroupName', maxLength: 128 },
  'AWS::ApiGateway::RestApi': { property: 'Name', maxLength: 1024 },
  'AWS::ApiGateway::Stage': { property: 'StageName', maxLength: 128 },
};

export class IntrinsicResolver {
  readonly stackName: string;
  readonly region: string;
  readonly accountId: string;
  private readonly awsEndpoint: string;
  private readonly names = new Map<string, string>();

  constructor(
    private readonly template: Template,
    options: ResolverOptions,
  ) {
    this.stackName = options.stackName;
    this.region = options.region ?? LOCAL_REGION;
    this.accountId = options.accountId ?? LOCAL_ACCOUNT_ID;
    this.awsEndpoint = (options.awsEndpoint ?? `https://sqs.${this.region}.amazonaws.com`).replace(/\/$/, '');
  }

  /**
   * Resolves every intrinsic inside `value`. `where` names the place in the template
   * (e.g. `MyFunction.Properties.Environment`) for error messages.
   */
  resolve<T = unknown>(value: unknown, where: string): T {
    const resolved = this.walk(value, where);
    return (resolved === NO_VALUE ? undefined : resolved) as T;
  }

  /** The resource's `Ref` value. */
  ref(logicalId: string, where = logicalId): string {
    if (logicalId.startsWith('AWS::')) return this.pseudo(logicalId, where);
    const parameter = this.template.Parameters?.[logicalId];
    if (parameter) {
      if (parameter.Default === undefined)
        throw new Error(
          `${where}: parameter ${logicalId} has no Default, and the local runtime takes no parameters`,
        );
      return String(parameter.Default);
    }
    const resource = this.resource(logicalId, where);
    const name = () => this.physicalName(logicalId);
    switch (resource.Type) {
      case 'AWS::DynamoDB::Table':
      case 'AWS::Lambda::Function':
      case 'AWS::Events::EventBus':
      case 'AWS::Events::Archive':
      case 'AWS::IAM::Role':
      case 'AWS::IAM::Policy':
      case 'AWS::Logs::LogGroup':
      case 'AWS::CloudWatch::Alarm':
      case 'AWS::CloudWatch::Dashboard':
      case 'AWS::Cognito::UserPoolGroup':
      case 'AWS::ApiGateway::Stage':
        return name();
      case 'AWS::Events::Rule': {
        // CloudFormation returns `bus|rule` for a rule on a custom bus, the bare name otherwise.
        const bus = this.ruleBusName(logicalId);
        return bus === 'default' ? name() : `${bus}|${name()}`;
      }
      case 'AWS::StepFunctions::StateMachine':
      case 'AWS::SNS::Topic':
        return this.getAtt(logicalId, resource.Type === 'AWS::SNS::Topic' ? 'TopicArn' : 'Arn', where);
      case 'AWS::SQS::Queue':
        return this.getAtt(logicalId, 'QueueUrl', where);
      case 'AWS::Cognito::UserPool':
        return `${this.region}_${this.localId(logicalId, 9)}`;
      case 'AWS::KMS::Key':
        return this.uuid(logicalId);
      case 'AWS::Cognito::UserPoolClient':
        return this.localId(logicalId, 26).toLowerCase();
      case 'AWS::ApiGateway::RestApi':
      case 'AWS::ApiGateway::Resource':
      case 'AWS::ApiGateway::Method':
      case 'AWS::ApiGateway::Authorizer':
      case 'AWS::ApiGateway::RequestValidator':
      case 'AWS::ApiGateway::Deployment':
      case 'AWS::ApiGateway::GatewayResponse':
      case 'AWS::Lambda::Permission':
      case 'AWS::Lambda::EventInvokeConfig':
        return this.localId(logicalId, 10).toLowerCase();
      default:
        throw new Error(
          `${where}: Ref to ${logicalId} (${resource.Type}) is not emulated locally; add its type to local/intrinsics.ts`,
        );
    }
  }

  /** The resource's `Fn::GetAtt` value. */
  getAtt(logicalId: string, attribute: string, where = `${logicalId}.${attribute}`): string {
    const resource = this.resource(logicalId, where);
    const { region: r, accountId: a } = this;
    const name = () => this.physicalName(logicalId);
    const unknown = () =>
      new Error(
        `${where}: Fn::GetAtt ${logicalId}.${attribute} (${resource.Type}) is not emulated locally; add it to local/intrinsics.ts`,
      );
    switch (resource.Type) {
      case 'AWS::DynamoDB::Table':
        if (attribute === 'Arn') return `arn:aws:dynamodb:${r}:${a}:table/${name()}`;
        if (attribute === 'StreamArn') return `arn:aws:dynamodb:${r}:${a}:table/${name()}/stream/local`;
        throw unknown();
      case 'AWS::Lambda::Function':
        if (attribute === 'Arn') return `arn:aws:lambda:${r}:${a}:function:${name()}`;
        throw unknown();
      case 'AWS::Events::EventBus':
        if (attribute === 'Arn') return `arn:aws:events:${r}:${a}:event-bus/${name()}`;
        if (attribute === 'Name') return name();
        throw unknown();
      case 'AWS::Events::Rule': {
        if (attribute !== 'Arn') throw unknown();
        const bus = this.ruleBusName(logicalId);
        return `arn:aws:events:${r}:${a}:rule/${bus === 'default' ? '' : `${bus}/`}${name()}`;
      }
      case 'AWS::Events::Archive':
        if (attribute === 'Arn') return `arn:aws:events:${r}:${a}:archive/${name()}`;
        throw unknown();
      case 'AWS::StepFunctions::StateMachine':
        if (attribute === 'Arn') return `arn:aws:states:${r}:${a}:stateMachine:${name()}`;
        if (attribute === 'Name') return name();
        throw unknown();
      case 'AWS::SQS::Queue':
        if (attribute === 'Arn') return `arn:aws:sqs:${r}:${a}:${name()}`;
        if (attribute === 'QueueName') return name();
        if (attribute === 'QueueUrl') return `${this.awsEndpoint}/${a}/${name()}`;
        throw unknown();
      case 'AWS::SNS::Topic':
        if (attribute === 'TopicArn') return `arn:aws:sns:${r}:${a}:${name()}`;
        if (attribute === 'TopicName') return name();
        throw unknown();
      case 'AWS::IAM::Role':
        if (attribute === 'Arn') return `arn:aws:iam::${a}:role/${name()}`;
        if (attribute === 'RoleId') return `AROA${this.localId(logicalId, 17)}`;
        throw unknown();
      case 'AWS::Logs::LogGroup':
        if (attribute === 'Arn') return `arn:aws:logs:${r}:${a}:log-group:${name()}:*`;
        throw unknown();
      case 'AWS::KMS::Key':
        if (attribute === 'Arn') return `arn:aws:kms:${r}:${a}:key/${this.uuid(logicalId)}`;
        if (attribute === 'KeyId') return this.uuid(logicalId);
        throw unknown();
      case 'AWS::Cognito::UserPool': {
        const id = this.ref(logicalId, where);
        if (attribute === 'Arn') return `arn:aws:cognito-idp:${r}:${a}:userpool/${id}`;
        if (attribute === 'UserPoolId') return id;
        if (attribute === 'ProviderName') return `cognito-idp.${r}.amazonaws.com/${id}`;
        if (attribute === 'ProviderURL') return `https://cognito-idp.${r}.amazonaws.com/${id}`;
        throw unknown();
      }
      case 'AWS::ApiGateway::RestApi':
        if (attribute === 'RootResourceId') return this.localId(`${logicalId}/`, 10).toLowerCase();
        if (attribute === 'RestApiId') return this.ref(logicalId, where);
        throw unknown();
      case 'AWS::CloudWatch::Alarm':
        if (attribute === 'Arn') return `arn:aws:cloudwatch:${r}:${a}:alarm:${name()}`;
        throw unknown();
      default:
        throw unknown();
    }
  }

  /**
   * The name a named resource has locally: the template's own name property when it sets one
   * (resolved, since CDK often builds it from the stack name), else `<stack>-<logicalId>`.
   * Lambda functions and state machines default to their logical id, so ARNs in logs read like
   * the template (local/stepfunctions/definitions.ts names unnamed state machines the same way).
   */
  physicalName(logicalId: string): string {
    const known = this.names.get(logicalId);
    if (known) return known;
    const resource = this.resource(logicalId, logicalId);
    const naming = NAME_PROPERTY[resource.Type];
    const given = naming ? resource.Properties?.[naming.property] : undefined;
    let name: string;
    if (given !== undefined) {
      name = String(this.resolve(given, `${logicalId}.Properties.${naming?.property}`));
    } else if (
      resource.Type === 'AWS::Lambda::Function' ||
      resource.Type === 'AWS::StepFunctions::StateMachine'
    ) {
      name = logicalId.slice(0, naming?.maxLength ?? 64);
    } else {
      name = `${this.stackName}-${logicalId}`.slice(0, naming?.maxLength ?? 255);
    }
    this.names.set(logicalId, name);
    return name;
  }

  private resource(logicalId: string, where: string): CfnResource {
    const resource = this.template.Resources[logicalId];
    if (!resource) throw new Error(`${where}: no resource ${logicalId} in the template`);
    return resource;
  }

  private ruleBusName(logicalId: string): string {
    const bus = this.resource(logicalId, logicalId).Properties?.EventBusName;
    if (bus === undefined) return 'default';
    const resolved = String(this.resolve(bus, `${logicalId}.Properties.EventBusName`));
    return resolved.startsWith('arn:') ? resolved.slice(resolved.lastIndexOf('/') + 1) : resolved;
  }

  private pseudo(name: string, where: string): string {
    switch (name) {
      case 'AWS::Region':
        return this.region;
      case 'AWS::AccountId':
        return this.accountId;
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return this.stackName;
      case 'AWS::StackId':
        return `arn:aws:cloudformation:${this.region}:${this.accountId}:stack/${this.stackName}/${this.uuid(this.stackName)}`;
      default:
        throw new Error(`${where}: pseudo parameter ${name} is not emulated locally`);
    }
  }

  private walk(value: unknown, where: string): unknown {
    if (Array.isArray(value)) {
      return value.map((v, i) => this.walk(v, `${where}[${i}]`)).filter((v) => v !== NO_VALUE);
    }
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value);
    const first = entries[0];
    // `Condition` is only an intrinsic with a condition name; IAM statements have a `Condition` key too.
    if (
      entries.length === 1 &&
      first &&
      isIntrinsicName(first[0]) &&
      (first[0] !== 'Condition' || typeof first[1] === 'string')
    ) {
      return this.intrinsic(first[0], first[1], where);
    }
    const out: Record<string, unknown> = {};
    for (const [key, v] of entries) {
      const resolved = this.walk(v, `${where}.${key}`);
      if (resolved !== NO_VALUE) out[key] = resolved;
    }
    return out;
  }

  private intrinsic(fn: string, arg: unknown, where: string): unknown {
    const at = `${where} (${fn})`;
    switch (fn) {
      case 'Ref': {
        if (typeof arg !== 'string') throw new Error(`${at}: Ref takes a logical id`);
        return arg === 'AWS::NoValue' ? NO_VALUE : this.ref(arg, where);
      }
      case 'Fn::GetAtt': {
        const [logicalId, ...attribute] = typeof arg === 'string' ? arg.split('.') : (arg as unknown[]);
        if (typeof logicalId !== 'string' || attribute.length === 0)
          throw new Error(`${at}: Fn::GetAtt takes [logicalId, attribute]`);
        return this.getAtt(logicalId, attribute.map((a) => this.walk(a, at)).join('.'), where);
      }
      case 'Fn::Join': {
        const [separator, parts] = this.list(arg, 2, at);
        const items = this.walk(parts, at);
        if (typeof separator !== 'string' || !Array.isArray(items))
          throw new Error(`${at}: Fn::Join takes [separator, [values]]`);
        return items.map((item) => scalar(item, at)).join(separator);
      }
      case 'Fn::Sub':
        return this.sub(arg, at);
      case 'Fn::Select': {
        const [index, list] = this.list(arg, 2, at);
        const items = this.walk(list, at);
        const i = Number(this.walk(index, at));
        if (!Array.isArray(items) || !Number.isInteger(i) || i < 0 || i >= items.length)
          throw new Error(`${at}: index ${i} out of range`);
        return items[i];
      }
      case 'Fn::Split': {
        const [separator, source] = this.list(arg, 2, at);
        const text = this.walk(source, at);
        if (typeof separator !== 'string' || typeof text !== 'string')
          throw new Error(`${at}: Fn::Split takes [separator, string]`);
        return text.split(separator);
      }
      case 'Fn::If': {
        const [condition, whenTrue, whenFalse] = this.list(arg, 3, at);
        return this.walk(this.condition(condition, at) ? whenTrue : whenFalse, at);
      }
      case 'Fn::FindInMap': {
        const [map, top, second] = this.list(arg, 3, at).map((v) => scalar(this.walk(v, at), at));
        const found = this.template.Mappings?.[map as string]?.[top as string]?.[second as string];
        if (found === undefined) throw new Error(`${at}: no mapping ${map}.${top}.${second}`);
        return found;
      }
      case 'Fn::Base64':
        return Buffer.from(scalar(this.walk(arg, at), at)).toString('base64');
      case 'Fn::GetAZs':
        return ['a', 'b', 'c'].map((zone) => `${this.region}${zone}`);
      case 'Fn::ToJsonString':
        return JSON.stringify(this.walk(arg, at));
      case 'Fn::Equals':
      case 'Fn::And':
      case 'Fn::Or':
      case 'Fn::Not':
      case 'Condition':
        return this.condition({ [fn]: arg }, at);
      default:
        throw new Error(`${at}: ${fn} is not supported by the local runtime (local/intrinsics.ts)`);
    }
  }

  private sub(arg: unknown, at: string): string {
    const [text, variables] = typeof arg === 'string' ? [arg, {}] : this.list(arg, 2, at);
    if (typeof text !== 'string') throw new Error(`${at}: Fn::Sub takes a string or [string, {variables}]`);
    const given = (this.walk(variables, at) ?? {}) as Record<string, unknown>;
    // `${!Literal}` is CloudFormation's escape for a literal `${Literal}`.
    return text.replace(/\$\{([^}]*)\}/g, (_, name: string) => {
      if (name.startsWith('!')) return `\${${name.slice(1)}}`;
      if (Object.hasOwn(given, name)) return scalar(given[name], at);
      const dot = name.indexOf('.');
      if (dot > 0 && !name.startsWith('AWS::'))
        return this.getAtt(name.slice(0, dot), name.slice(dot + 1), at);
      return this.ref(name, at);
    });
  }

  private condition(value: unknown, at: string): boolean {
    if (typeof value === 'string') {
      const definition = this.template.Conditions?.[value];
      if (definition === undefined) throw new Error(`${at}: no condition ${value} in the template`);
      return this.condition(definition, `${at} -> ${value}`);
    }
    const [[fn, arg] = []] = Object.entries((value ?? {}) as object);
    switch (fn) {
      case 'Fn::Equals': {
        const [a, b] = this.list(arg, 2, at);
        return JSON.stringify(this.walk(a, at)) === JSON.stringify(this.walk(b, at));
      }
      case 'Fn::And':
        return (arg as unknown[]).every((c) => this.condition(c, at));
      case 'Fn::Or':
        return (arg as unknown[]).some((c) => this.condition(c, at));
      case 'Fn::Not':
        return !this.condition((arg as unknown[])[0], at);
      case 'Condition':
        return this.condition(arg, at);
      default:
        throw new Error(`${at}: not a condition: ${JSON.stringify(value)}`);
    }
  }

  private list(arg: unknown, length: number, at: string): unknown[] {
    if (!Array.isArray(arg) || arg.length !== length)
      throw new Error(`${at}: expected a list of ${length} arguments, got ${JSON.stringify(arg)}`);
    return arg;
  }

  /** A stable id derived from a logical id, the same on every start. */
  private localId(seed: string, length: number): string {
    return createHash('sha256')
      .update(`${this.stackName}/${seed}`)
      .digest('base64url')
      .replace(/[-_]/g, '0')
      .slice(0, length);
  }

  private uuid(seed: string): string {
    const hex = createHash('sha256').update(`${this.stackName}/${seed}`).digest('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }
}

/** Marks `Ref: AWS::NoValue`: the property is dropped, as CloudFormation does. */
const NO_VALUE = Symbol('AWS::NoValue');

function isIntrinsicName(key: string): boolean {
  return key === 'Ref' || key === 'Condition' || key.startsWith('Fn::');
}

function scalar(value: unknown, at: string): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  throw new Error(`${at}: expected a string, got ${JSON.stringify(value)}`);
}
