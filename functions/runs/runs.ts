import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  type ExecutionStatus,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { findCustomer } from '../customer-file/store';
import { closePendingReview } from '../fee-review/reviews';
import { queryCategory } from '../shared/category-index';
import { db } from '../shared/clients/dynamodb';
import { stepFunctions } from '../shared/clients/sfn';
import { getTableName, requiredEnv } from '../shared/config';
import { ENV } from '../shared/env-names';
import { ConflictError, NotFoundError } from '../shared/errors';
import { WORKFLOWS, type Workflow } from '../shared/events';
import { GSI, indexKeys, keys } from '../shared/keys';
import { logger } from '../shared/observability';
import { decodeCursor, encodeCursor, lastKey } from '../shared/pagination';
import { isoTime, pathOf } from './path';
import { RUN_STATUSES, type Run, type RunDetail, type RunStatus } from './spec';

/**
 * Run visibility on the Step Functions API alone (ListExecutions, DescribeExecution,
 * GetExecutionHistory, StopExecution), so it answers the same on AWS and against the local runtime.
 * A run id is an execution name; the workflow's state machine ARN (from the construct, by env var)
 * turns it into an execution ARN. The customer file's `RUN#` items only say which runs a customer
 * had; their status always comes from Step Functions.
 */

const machinesSchema = z.partialRecord(z.enum(WORKFLOWS), z.string().startsWith('arn:'));
let machines: [Workflow, string][] | undefined;

/** The workflows this stack has, in contract order; read once per function instance. */
function workflowMachines(): [Workflow, string][] {
  machines ??= (() => {
    const parsed = machinesSchema.parse(JSON.parse(requiredEnv(ENV.workflowStateMachines)));
    return WORKFLOWS.filter((w) => parsed[w] !== undefined).map((w): [Workflow, string] => [
      w,
      parsed[w] as string,
    ]);
  })();
  return machines;
}

function machineOf(workflow: Workflow): string | undefined {
  return workflowMachines().find(([w]) => w === workflow)?.[1];
}

/** `arn:…:stateMachine:<machine>` + name → `arn:…:execution:<machine>:<name>`. */
export function executionArn(stateMachineArn: string, runId: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${runId}`;
}

type Described = { workflow: Workflow; execution: DescribeExecutionCommandOutput };

/** The run under whichever workflow has it; undefined when none does. */
async function findRun(runId: string, workflows?: Workflow[]): Promise<Described | undefined> {
  for (const [workflow, machineArn] of workflowMachines()) {
    if (workflows && !workflows.includes(workflow)) continue;
    try {
      const execution = await stepFunctions().send(
        new DescribeExecutionCommand({ executionArn: executionArn(machineArn, runId) }),
      );
      return { workflow, execution };
    } catch (error) {
      if ((error as Error).name !== 'ExecutionDoesNotExist') throw error;
    }
  }
  return undefined;
}

function toRun({ workflow, execution }: Described): Run {
  const input = parseJson(execution.input);
  return {
    runId: execution.name ?? '',
    workflow,
    status: execution.status as RunStatus,
    customerId: customerIdOf(input),
    startedAt: isoTime(execution.startDate),
    ...(execution.stopDate ? { stoppedAt: isoTime(execution.stopDate) } : {}),
  };
}

function customerIdOf(input: unknown): string {
  const id = (input as { customerId?: unknown } | null)?.customerId;
  return typeof id === 'string' ? id : '';
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// ---- GET /runs/{runId} ---------------------------------------------------------------------------

export async function getRunDetail(runId: string): Promise<RunDetail> {
  const found = await findRun(runId);
  if (!found) throw new NotFoundError(`no run ${runId}`);
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await stepFunctions().send(
      new GetExecutionHistoryCommand({
        executionArn: found.execution.executionArn,
        includeExecutionData: false,
        maxResults: 1000,
        nextToken,
      }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const { execution } = found;
  return {
    ...toRun(found),
    input: parseJson(execution.input),
    ...(execution.output !== undefined ? { output: parseJson(execution.output) } : {}),
    ...(execution.error ? { error: execution.error } : {}),
    ...(execution.cause ? { cause: execution.cause } : {}),
    path: pathOf(events),
  };
}

// ---- POST /runs/{runId}/stop ---------------------------------------------------------------------

/** What a workflow closes besides its execution when a run is stopped. */
const onStopped: Partial<Record<Workflow, (run: Run) => Promise<void>>> = {
  // The review waits on the run's task token; once the run is gone nobody should be asked to decide.
  'fee-review': (run) => closePendingReview(run.runId),
};

export async function stopRun(runId: string, userId: string): Promise<Run> {
  const found = await findRun(runId);
  if (!found) throw new NotFoundError(`no run ${runId}`);
  if (found.execution.status !== 'RUNNING') {
    throw new ConflictError(`run ${runId} is ${found.execution.status}, not RUNNING`);
  }
  const stopped = await stepFunctions().send(
    new StopExecutionCommand({
      executionArn: found.execution.executionArn,
      error: 'Rapport.Stopped',
      cause: `stopped by ${userId} through POST /runs/${runId}/stop`,
    }),
  );
  const run: Run = {
    ...toRun(found),
    status: 'ABORTED',
    stoppedAt: isoTime(stopped.stopDate ?? new Date()),
  };
  // A stopped execution runs no more states, so the run item it opened is closed here.
  await closeRunItem(run);
  await onStopped[run.workflow]?.(run);
  logger.info('run stopped', { runId, workflow: run.workflow });
  return run;
}

async function closeRunItem(run: Run): Promise<void> {
  if (!run.customerId) return;
  const customerId = (await findCustomer(run.customerId))?.customerId ?? run.customerId;
  try {
    await db().send(
      new UpdateCommand({
        TableName: getTableName(),
        Key: keys.run(customerId, run.workflow, run.runId),
        UpdateExpression: 'SET #status = :aborted, stoppedAt = :at',
        ConditionExpression: 'attribute_exists(pk) AND #status = :running',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':aborted': 'ABORTED', ':running': 'RUNNING', ':at': run.stoppedAt },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

// ---- GET /runs -----------------------------------------------------------------------------------

export type RunQuery = {
  workflow?: Workflow;
  status?: RunStatus;
  customerId?: string;
  campaignId?: string;
  limit: number;
  cursor?: string;
};

export type RunPage = { items: Run[]; nextCursor?: string };

/** DescribeExecution per listed run (for its customer), a few at a time to stay inside API quotas. */
const DESCRIBE_CONCURRENCY = 5;

export async function listRuns(query: RunQuery): Promise<RunPage> {
  if (query.campaignId) return listCampaignRuns(query, query.campaignId);
  if (query.customerId) return listCustomerRuns(query, query.customerId);
  return listAllRuns(query);
}

const listCursor = z.object({ w: z.number().int().min(0), t: z.string().optional() });

/** Workflow after workflow, each by ListExecutions (newest first), with its own page token. */
async function listAllRuns(query: RunQuery): Promise<RunPage> {
  const workflows = workflowMachines().filter(([w]) => !query.workflow || w === query.workflow);
  const cursor = decodeCursor(query.cursor, listCursor) ?? { w: 0 };
  const current = workflows[cursor.w];
  if (!current) return { items: [] };
  const [workflow, stateMachineArn] = current;
  const page = await stepFunctions().send(
    new ListExecutionsCommand({
      stateMachineArn,
      ...(query.status ? { statusFilter: query.status as ExecutionStatus } : {}),
      maxResults: query.limit,
      nextToken: cursor.t,
    }),
  );
  const listed = page.executions ?? [];
  const items = await mapLimited(listed, DESCRIBE_CONCURRENCY, async (e) => {
    const execution = await stepFunctions().send(
      new DescribeExecutionCommand({ executionArn: e.executionArn }),
    );
    return toRun({ workflow, execution });
  });
  const next = page.nextToken
    ? { w: cursor.w, t: page.nextToken }
    : cursor.w + 1 < workflows.length
      ? { w: cursor.w + 1 }
      : undefined;
  return { items, ...(next ? { nextCursor: encodeCursor(next) } : {}) };
}

const keyCursor = z.object({ k: lastKey });

/** The customer's `RUN#` items (following merges) name its runs; Step Functions says how they stand. */
async function listCustomerRuns(query: RunQuery, requested: string): Promise<RunPage> {
  const customerId = (await findCustomer(requested))?.customerId;
  if (!customerId) return { items: [] };
  const prefix = keys.runPrefix(customerId, query.workflow);
  const page = await db().send(
    new QueryCommand({
      TableName: getTableName(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': prefix.pk, ':prefix': prefix.skPrefix },
      ScanIndexForward: false,
      Limit: query.limit,
      ExclusiveStartKey: decodeCursor(query.cursor, keyCursor)?.k,
    }),
  );
  const items = await mapLimited(page.Items ?? [], DESCRIBE_CONCURRENCY, (item) => runOfItem(item));
  return pageOf(
    items.filter((r) => !query.status || r.status === query.status),
    page.LastEvaluatedKey,
  );
}

/** Campaign runs are listed on gsi1 under `CAMPAIGN#<id>`, each item naming its `workflow` and `runId`. */
async function listCampaignRuns(query: RunQuery, campaignId: string): Promise<RunPage> {
  const partition = indexKeys.campaignRun(campaignId, '').gsi1pk;
  const page = await queryCategory(partition, {
    limit: query.limit,
    startKey: decodeCursor(query.cursor, keyCursor)?.k,
    ascending: true,
  });
  const runIds = page.entries.map((i) => String(i[GSI.byCategory.sk]));
  const found = await mapLimited(runIds, DESCRIBE_CONCURRENCY, (runId) =>
    findRun(runId, query.workflow ? [query.workflow] : undefined),
  );
  const items = found
    .filter((f): f is Described => f !== undefined)
    .map(toRun)
    .filter((r) => !query.status || r.status === query.status)
    .filter((r) => !query.customerId || r.customerId === query.customerId);
  return pageOf(items, page.lastKey);
}

/**
 * A run named by a customer's `RUN#` item. Step Functions forgets closed executions after 90 days;
 * such a run is still shown, from what its item recorded.
 */
async function runOfItem(item: Record<string, unknown>): Promise<Run> {
  const workflow = item.workflow as Workflow;
  const runId = String(item.runId);
  const machine = machineOf(workflow);
  const described = machine ? await findRun(runId, [workflow]) : undefined;
  if (described) return toRun(described);
  const status = RUN_STATUSES.includes(item.status as RunStatus) ? (item.status as RunStatus) : 'SUCCEEDED';
  return {
    runId,
    workflow,
    status,
    customerId: String(item.customerId),
    startedAt: String(item.startedAt),
    ...(typeof item.stoppedAt === 'string' ? { stoppedAt: item.stoppedAt } : {}),
  };
}

function pageOf(items: Run[], lastEvaluatedKey: Record<string, unknown> | undefined): RunPage {
  return {
    items,
    ...(lastEvaluatedKey ? { nextCursor: encodeCursor({ k: lastEvaluatedKey }) } : {}),
  };
}

async function mapLimited<T, R>(
  values: readonly T[],
  limit: number,
  map: (value: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(values.length);
  let next = 0;
  const worker = async () => {
    while (next < values.length) {
      const index = next++;
      out[index] = await map(values[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, values.length) }, worker));
  return out;
}
