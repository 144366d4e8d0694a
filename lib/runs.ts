import { Lazy, Stack } from 'aws-cdk-lib';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ENV } from '../functions/shared/env-names';
import type { Workflow } from '../functions/shared/events';
import type { Api } from './api';
import type { CustomerStore } from './customer-store';
import { HouseFunction } from './house-function';

export type RunsProps = {
  api: Api;
  store: CustomerStore;
  logRetentionDays: number;
  /** The workflows whose runs are visible; more can be added with `addWorkflow`. */
  workflows: Partial<Record<Workflow, sfn.IStateMachine>>;
};

/**
 * Capability 8, runs: GET /runs, GET /runs/{runId}, POST /runs/{runId}/stop over the Step Functions
 * API. Each workflow's state machine ARN reaches the function through one environment variable
 * (a JSON map) set together with the grants that reading and stopping its executions need.
 */
export class Runs extends Construct {
  private readonly fn: HouseFunction;
  private readonly machines = new Map<Workflow, sfn.IStateMachine>();

  constructor(scope: Construct, id: string, props: RunsProps) {
    super(scope, id);
    this.fn = new HouseFunction(this, 'Api', {
      entry: 'functions/runs/api.ts',
      description: 'GET /runs, GET /runs/{runId}, POST /runs/{runId}/stop',
      timeoutSeconds: 20,
      memoryMb: 256,
      logRetentionDays: props.logRetentionDays,
      invocation: 'sync',
      service: 'runs-api',
    }).useTable(props.store.table, 'readWrite');
    // Lazy: workflows added after construction still land in the one variable.
    this.fn.setEnvironment(
      ENV.workflowStateMachines,
      Lazy.string({
        produce: () =>
          Stack.of(this).toJsonString(
            Object.fromEntries([...this.machines].map(([w, m]) => [w, m.stateMachineArn])),
          ),
      }),
    );
    for (const [workflow, machine] of Object.entries(props.workflows)) {
      if (machine) this.addWorkflow(workflow as Workflow, machine);
    }
    props.api.addRoute('GET', '/runs', this.fn.fn);
    props.api.addRoute('GET', '/runs/{runId}', this.fn.fn);
    props.api.addRoute('POST', '/runs/{runId}/stop', this.fn.fn);
  }

  addWorkflow(workflow: Workflow, stateMachine: sfn.IStateMachine): this {
    this.machines.set(workflow, stateMachine);
    stateMachine.grantRead(this.fn.fn);
    stateMachine.grantExecution(this.fn.fn, 'states:StopExecution');
    this.fn.acknowledge(
      `AwsSolutions-IAM5[Resource::${executionArnPattern(stateMachine)}]`,
      `runs-api: reads and stops the executions of the ${workflow} state machine, whose ARNs end in the execution name.`,
    );
    return this;
  }
}

/** How cdk-nag names the `execution:<machine>:*` resource CDK grants for a state machine. */
function executionArnPattern(stateMachine: sfn.IStateMachine): string {
  const stack = Stack.of(stateMachine);
  const name = JSON.stringify(
    stack.resolve({ 'Fn::Select': [6, { 'Fn::Split': [':', stateMachine.stateMachineArn] }] }),
  );
  return `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${name}:*`;
}
