import * as z from 'zod';
import { WORKFLOWS } from '../shared/events';
import type { RouteSpec } from '../shared/http';

export const RUN_STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/**
 * Step Functions execution names: 1–80 characters, none of the ones AWS forbids (whitespace,
 * brackets, wildcards, quotes, `#%\^|~`$&,;:/`); `:` and `/` matter most, since the id goes into an ARN.
 */
export const runIdSchema = z
  .string()
  .min(1)
  .max(80)
  .regex(/^[^\s<>{}[\]?*"#%\\^|~`$&,;:/]+$/, 'a run id (a Step Functions execution name)');

export const run = z.object({
  runId: z.string(),
  workflow: z.enum(WORKFLOWS),
  status: z.enum(RUN_STATUSES),
  customerId: z.string(),
  startedAt: z.string(),
  stoppedAt: z.string().optional(),
});
export type Run = z.infer<typeof run>;

export const runDetail = run.extend({
  input: z.unknown(),
  output: z.unknown().optional(),
  error: z.string().optional(),
  cause: z.string().optional(),
  path: z.array(z.object({ state: z.string(), enteredAt: z.string(), exitedAt: z.string().optional() })),
});
export type RunDetail = z.infer<typeof runDetail>;

const runIdParam = z.object({ runId: runIdSchema });

export const listRuns = {
  method: 'GET',
  path: '/runs',
  summary: 'Workflow runs by workflow, status, customer or campaign (per workflow newest first)',
  access: ['marketer', 'ops'],
  query: z.object({
    workflow: z.enum(WORKFLOWS).optional(),
    status: z.enum(RUN_STATUSES).optional(),
    customerId: z.string().min(1).max(128).optional(),
    campaignId: z.string().min(1).max(128).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(25),
    cursor: z.string().max(4096).optional(),
  }),
  responses: {
    200: {
      description: 'A page of runs',
      schema: z.object({ items: z.array(run), nextCursor: z.string().optional() }),
    },
  },
} as const satisfies RouteSpec;

export const getRun = {
  method: 'GET',
  path: '/runs/{runId}',
  summary: 'One run: status, input, output, error and the path of states it went through, with times',
  access: ['marketer', 'ops'],
  params: runIdParam,
  responses: {
    200: { description: 'The run', schema: runDetail },
    404: { description: 'No such run' },
  },
} as const satisfies RouteSpec;

export const stopRun = {
  method: 'POST',
  path: '/runs/{runId}/stop',
  summary: 'Stop a running run (it ends ABORTED; a pending fee review closes with it)',
  access: ['ops'],
  params: runIdParam,
  responses: {
    200: { description: 'The stopped run', schema: run },
    404: { description: 'No such run' },
    409: { description: 'The run is not running' },
  },
} as const satisfies RouteSpec;

export const runRoutes = [listRuns, getRun, stopRun] as const;
