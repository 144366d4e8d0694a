import { httpHandler, ok, route } from '../shared/http';
import { getRunDetail, listRuns, stopRun } from './runs';
import { getRun, listRuns as listRunsSpec, stopRun as stopRunSpec } from './spec';

/** GET /runs, GET /runs/{runId} and POST /runs/{runId}/stop (contract.md §2). */
export const handler = httpHandler([
  route(listRunsSpec, async ({ query }) => ok(await listRuns(query))),
  route(getRun, async ({ params }) => ok(await getRunDetail(params.runId))),
  route(stopRunSpec, async ({ params, caller }) => ok(await stopRun(params.runId, caller.userId))),
]);
