import * as z from 'zod';
import { LOCAL_REGION } from '../dynamodb-local';
import type { CfnResource, CfnTemplate } from '../synth';
import { parseTaskResource } from './resources';

/**
 * State machines as the synthesized template declares them, and the check that the local
 * interpreter (aws-local-stepfunctions) can run each one as AWS would.
 */

export const LOCAL_ACCOUNT = '000000000000';
export { LOCAL_REGION };

/** One ASL state. Fields are read where they are used; only `Type` is common to all. */
export type AslState = { Type: string; [field: string]: unknown };
export type AslDefinition = {
  StartAt: string;
  States: Record<string, AslState>;
  TimeoutSeconds?: number;
  QueryLanguage?: string;
  [field: string]: unknown;
};
export type StateMachineDefinition = {
  name: string;
  arn: string;
  definition: AslDefinition;
  roleArn?: string;
};

/** Turns one CloudFormation intrinsic (`{ Ref }`, `{ 'Fn::GetAtt' }`...) into its value. */
export type Resolve = (intrinsic: unknown) => string;

const STATE_MACHINE_TYPE = 'AWS::StepFunctions::StateMachine';

const aslDefinition = z.looseObject({
  StartAt: z.string().min(1),
  States: z.record(z.string(), z.looseObject({ Type: z.string() })),
  TimeoutSeconds: z.number().int().positive().optional(),
  QueryLanguage: z.string().optional(),
});

export function stateMachineArn(name: string): string {
  return `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${name}`;
}

/**
 * Every AWS::StepFunctions::StateMachine in the template with its definition resolved. A machine
 * without `StateMachineName` gets its logical id, where CloudFormation would add a random suffix.
 */
export function stateMachinesFromTemplate(template: CfnTemplate, resolve: Resolve): StateMachineDefinition[] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === STATE_MACHINE_TYPE)
    .map(([logicalId, resource]) => fromResource(logicalId, resource.Properties ?? {}, resolve));
}

function fromResource(
  logicalId: string,
  properties: Record<string, unknown>,
  resolve: Resolve,
): StateMachineDefinition {
  const name =
    properties.StateMachineName === undefined ? logicalId : stringOf(properties.StateMachineName, resolve);
  const definition = parseDefinition(name, definitionText(properties, resolve));
  const roleArn = properties.RoleArn === undefined ? undefined : stringOf(properties.RoleArn, resolve);
  return { name, arn: stateMachineArn(name), definition, ...(roleArn ? { roleArn } : {}) };
}

function definitionText(properties: Record<string, unknown>, resolve: Resolve): string {
  const text =
    properties.DefinitionString !== undefined
      ? stringOf(properties.DefinitionString, resolve)
      : JSON.stringify(resolveDeep(properties.Definition, resolve));
  const substitutions = (properties.DefinitionSubstitutions ?? {}) as Record<string, unknown>;
  return Object.entries(substitutions).reduce(
    (current, [key, value]) => current.replaceAll(`\${${key}}`, stringOf(value, resolve)),
    text,
  );
}

function parseDefinition(name: string, text: string): AslDefinition {
  const parsed = aslDefinition.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new Error(`state machine ${name}: not an ASL definition: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data as AslDefinition;
}

/** A property that is a plain string, or an intrinsic, of which only `Fn::Join` is handled here. */
function stringOf(value: unknown, resolve: Resolve): string {
  if (typeof value === 'string') return value;
  const joined = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (joined) return joined[1].map((part) => stringOf(part, resolve)).join(joined[0]);
  return resolve(value);
}

function resolveDeep(value: unknown, resolve: Resolve): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveDeep(item, resolve));
  if (!value || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && (keys[0] === 'Ref' || keys[0]?.startsWith('Fn::')))
    return stringOf(value, resolve);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveDeep(v, resolve)]));
}

/**
 * A resolver for templates used on their own (tests, tools): resources get their declared
 * physical name or else their logical id, in the local region and account. The local runtime
 * passes its own, shared with the other emulated services.
 */
export function templateResolver(template: CfnTemplate, options: { stackName?: string } = {}): Resolve {
  const pseudo: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::Region': LOCAL_REGION,
    'AWS::AccountId': LOCAL_ACCOUNT,
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': options.stackName ?? 'local',
  };
  const resolve: Resolve = (intrinsic) => {
    const node = intrinsic as Record<string, unknown>;
    if (typeof node.Ref === 'string') return pseudo[node.Ref] ?? refOf(node.Ref);
    const getAtt = node['Fn::GetAtt'] as [string, string] | undefined;
    if (getAtt) return attributeOf(getAtt[0], getAtt[1]);
    if (node['Fn::Join']) return stringOf(node, resolve);
    throw new Error(`cannot resolve ${JSON.stringify(intrinsic)} locally`);
  };
  const resourceOf = (logicalId: string): CfnResource => {
    const resource = template.Resources[logicalId];
    if (!resource) throw new Error(`the template has no resource ${logicalId}`);
    return resource;
  };
  const nameOf = (logicalId: string): string => {
    const resource = resourceOf(logicalId);
    const property = NAME_PROPERTY[resource.Type];
    const declared = property ? resource.Properties?.[property] : undefined;
    return declared === undefined ? logicalId : stringOf(declared, resolve);
  };
  const refOf = (logicalId: string): string =>
    resourceOf(logicalId).Type === STATE_MACHINE_TYPE
      ? stateMachineArn(nameOf(logicalId))
      : nameOf(logicalId);
  const attributeOf = (logicalId: string, attribute: string): string => {
    const name = nameOf(logicalId);
    if (attribute === 'Name') return name;
    const arn = attribute === 'Arn' ? ARN_OF[resourceOf(logicalId).Type]?.(name) : undefined;
    if (!arn) throw new Error(`cannot resolve ${logicalId}.${attribute} locally`);
    return arn;
  };
  return resolve;
}

const NAME_PROPERTY: Record<string, string> = {
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::Events::EventBus': 'Name',
  'AWS::IAM::Role': 'RoleName',
  [STATE_MACHINE_TYPE]: 'StateMachineName',
};

const ARN_OF: Record<string, (name: string) => string> = {
  'AWS::Lambda::Function': (name) => `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${name}`,
  'AWS::DynamoDB::Table': (name) => `arn:aws:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT}:table/${name}`,
  'AWS::Events::EventBus': (name) => `arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:event-bus/${name}`,
  'AWS::IAM::Role': (name) => `arn:aws:iam::${LOCAL_ACCOUNT}:role/${name}`,
  [STATE_MACHINE_TYPE]: stateMachineArn,
};

/** One thing the local runtime cannot run; `state` is absent for a problem of the whole machine. */
export type UnsupportedIssue = { state?: string; problem: string };

/** Thrown by `assertSupported`, with every problem found rather than only the first. */
export class UnsupportedDefinitionError extends Error {
  constructor(readonly issues: UnsupportedIssue[]) {
    super(
      `the local Step Functions runtime cannot run this definition: ${issues
        .map((i) => (i.state === undefined ? i.problem : `state "${i.state}" ${i.problem}`))
        .join('; ')}`,
    );
    this.name = 'UnsupportedDefinitionError';
  }
}

/**
 * Refuses what aws-local-stepfunctions would run differently from AWS or not at all: JSONata
 * (`QueryLanguage`, `Arguments`, `Output`, `Condition`), workflow variables (`Assign`), Distributed
 * Map, and Task resources with no local emulation. Refusing at load time turns a silent divergence
 * into an error naming the state.
 */
export function assertSupported(definition: AslDefinition): void {
  const issues: UnsupportedIssue[] = [];
  if (definition.QueryLanguage === 'JSONata') {
    issues.push({ problem: 'the state machine runs JSONata (QueryLanguage at the top level)' });
  }
  forEachState(definition, (name, state) => {
    for (const problem of stateProblems(state)) issues.push({ state: name, problem });
  });
  if (issues.length > 0) throw new UnsupportedDefinitionError(issues);
}

const JSONATA_FIELDS = ['Arguments', 'Output'] as const;
const DISTRIBUTED_ONLY_FIELDS = ['ItemReader', 'ItemBatcher', 'ResultWriter'] as const;

function stateProblems(state: AslState): string[] {
  const problems: string[] = [];
  if (state.QueryLanguage === 'JSONata') problems.push('uses JSONata (QueryLanguage)');
  for (const field of JSONATA_FIELDS) {
    if (field in state) problems.push(`uses ${field}, a JSONata field`);
  }
  if ('Assign' in state) problems.push('uses Assign (workflow variables)');
  const rules = [...arrayOf(state.Choices), ...arrayOf(state.Catch)];
  if (rules.some((rule) => 'Assign' in rule)) problems.push('uses Assign in a Choice rule or Catcher');
  if (rules.some((rule) => 'Condition' in rule || 'Output' in rule)) {
    problems.push('uses JSONata in a Choice rule or Catcher');
  }
  if (state.Type === 'Map' && isDistributed(state)) problems.push('is a Distributed Map');
  if (state.Type === 'Task') problems.push(...taskProblems(state));
  return problems;
}

function taskProblems(state: AslState): string[] {
  const resource = state.Resource;
  if (typeof resource !== 'string') return ['has no Resource ARN'];
  return parseTaskResource(resource) ? [] : [`calls ${resource}, which the local runtime cannot emulate`];
}

function isDistributed(state: AslState): boolean {
  const processor = (state.ItemProcessor ?? {}) as { ProcessorConfig?: { Mode?: string } };
  return (
    processor.ProcessorConfig?.Mode === 'DISTRIBUTED' ||
    DISTRIBUTED_ONLY_FIELDS.some((field) => field in state)
  );
}

function arrayOf(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
}

/** Visits every state, including those inside Map processors and Parallel branches. */
export function forEachState(
  definition: Pick<AslDefinition, 'States'>,
  visit: (name: string, state: AslState) => void,
): void {
  for (const [name, state] of Object.entries(definition.States)) {
    visit(name, state);
    for (const nested of nestedDefinitions(state)) forEachState(nested, visit);
  }
}

/** The sub-state-machines of a Map (`ItemProcessor`, or the older `Iterator`) or a Parallel. */
export function nestedDefinitions(state: AslState): AslDefinition[] {
  if (state.Type === 'Map') return [(state.ItemProcessor ?? state.Iterator) as AslDefinition];
  if (state.Type === 'Parallel') return state.Branches as AslDefinition[];
  return [];
}
