import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../local/ports';
import { type Runtime, startRuntime } from '../../../local/runtime';
import { loadOrCreateKeys, localIssuer, signToken } from '../../../local/token';

/**
 * The contract's story, end to end through `npm start`'s runtime: channel events sent with the real
 * AWS CLI v2 and with the SDK, results read through the HTTP API, `aws stepfunctions` and
 * `aws dynamodb`; then a restart, after which the data is there and the run that was waiting for a
 * person reads ABORTED.
 */

const AWS = '/usr/bin/aws';
const dataDir = mkdtempSync(path.join(tmpdir(), 'rapport-e2e-'));
const credentials = {
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_DEFAULT_REGION: 'us-east-1',
};
const exec = promisify(execFile);
let runtime: Runtime;
let port: number;
let awsPort: number;

const gold = `e2e-gold-${Date.now().toString(36)}`;
const newcomer = `e2e-new-${Date.now().toString(36)}`;

const start = () => startRuntime({ port, awsPort, dataDir, log: () => undefined, progress: process.stderr });

async function aws(...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await exec(AWS, ['--endpoint-url', runtime.awsEndpoint, '--output', 'json', ...args], {
    env: { ...process.env, ...credentials, AWS_PAGER: '' },
  });
  return stdout.trim() ? (JSON.parse(stdout) as Record<string, unknown>) : {};
}

async function api(route: string, group: string) {
  const token = signToken(loadOrCreateKeys(dataDir), {
    issuer: localIssuer(port),
    group,
    userId: `e2e-${group}`,
  });
  const res = await fetch(`${runtime.apiUrl}${route}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const entry = (detailType: string, detail: Record<string, unknown>) => ({
  EventBusName: 'rapport',
  Source: 'bank.billing',
  DetailType: detailType,
  Detail: JSON.stringify(detail),
});

function statement(customerId: string, monthsAgo: number) {
  const end = new Date();
  end.setUTCDate(1);
  end.setUTCMonth(end.getUTCMonth() - monthsAgo);
  const periodEnd = end.toISOString().slice(0, 10);
  return entry('Statement Issued', {
    eventId: `${customerId}-s${monthsAgo}`,
    occurredAt: `${periodEnd}T12:00:00Z`,
    channel: 'billing',
    customer: { customerId },
    productLine: 'credit_card',
    accountId: `${customerId}-cc`,
    periodEnd,
    balance: 3000,
    revenue: 150,
    costToServe: 40,
    daysLate: 0,
  });
}

const fee = (customerId: string, feeId: string) =>
  entry('Fee Assessed', {
    eventId: `${feeId}-evt`,
    occurredAt: new Date().toISOString(),
    channel: 'billing',
    customer: { customerId },
    feeId,
    productLine: 'credit_card',
    accountId: `${customerId}-cc`,
    feeType: 'late_payment',
    amount: 29,
  });

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  // Not skipped when missing: this is the contract's own check with the real CLI.
  if (!existsSync(AWS))
    throw new Error(`${AWS} is missing: install the AWS CLI v2 (apt-get install awscli; .ci/run does)`);
  port = await freePort();
  awsPort = await freePort();
  runtime = await start();
});

afterAll(async () => {
  await runtime?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start, end to end with the AWS CLI v2 and the SDK', () => {
  it('reviews a gold customer’s fee sent with the AWS CLI and shows it through the API and the AWS APIs', async () => {
    const put = await aws(
      'events',
      'put-events',
      '--entries',
      JSON.stringify([...[1, 2, 3].map((m) => statement(gold, m))]),
    );
    expect(put.FailedEntryCount).toBe(0);
    await runtime.idle();
    expect(
      (await aws('events', 'put-events', '--entries', JSON.stringify([fee(gold, `${gold}-fee`)])))
        .FailedEntryCount,
    ).toBe(0);

    const view = await eventually(
      () => api(`/customers/${gold}`, 'service_rep'),
      (r) => (r.body.fees as { decision: string }[] | undefined)?.[0]?.decision === 'waive',
      'the fee to be decided',
    );
    expect(view.body).toMatchObject({ customerId: gold, tier: 'gold', fees: [{ decidedBy: 'policy' }] });

    const machines = (await aws('stepfunctions', 'list-state-machines')).stateMachines as {
      name: string;
      stateMachineArn: string;
    }[];
    const feeReview = machines.find((m) => m.name.endsWith('-fee-review'));
    expect(feeReview).toBeDefined();
    const executions = (
      await aws('stepfunctions', 'list-executions', '--state-machine-arn', String(feeReview?.stateMachineArn))
    ).executions as { name: string; status: string; executionArn: string }[];
    const run = executions.find((e) => e.name.includes(`${gold}-fee`));
    expect(run?.status).toBe('SUCCEEDED');

    const history = (
      await aws('stepfunctions', 'get-execution-history', '--execution-arn', String(run?.executionArn))
    ).events as { type: string; stateEnteredEventDetails?: { name: string } }[];
    const states = history
      .filter((e) => e.stateEnteredEventDetails)
      .map((e) => e.stateEnteredEventDetails?.name);
    expect(states).toEqual(expect.arrayContaining(['Assess', 'Record decision', 'Emit Fee Review Decided']));
    expect(history.at(-1)?.type).toBe('ExecutionSucceeded');

    const table = ((await aws('dynamodb', 'list-tables')).TableNames as string[])[0] as string;
    const items = (
      await aws(
        'dynamodb',
        'query',
        '--table-name',
        table,
        '--key-condition-expression',
        'pk = :pk',
        '--expression-attribute-values',
        JSON.stringify({ ':pk': { S: `CUST#${gold}` } }),
      )
    ).Items as { sk: { S: string } }[];
    expect(items.map((i) => i.sk.S)).toEqual(
      expect.arrayContaining([`FEE#${gold}-fee`, 'PROFILE', expect.stringMatching(/^RUN#fee-review#/)]),
    );
  });

  it('sends a fee for a customer it has never seen with the SDK: a person must review it', async () => {
    const client = new EventBridgeClient({
      endpoint: runtime.awsEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const out = await client.send(new PutEventsCommand({ Entries: [fee(newcomer, `${newcomer}-fee`)] }));
    client.destroy();
    expect(out.FailedEntryCount).toBe(0);
    const pending = await eventually(
      () => api('/reviews?status=pending', 'service_rep'),
      (r) =>
        ((r.body.items as { customerId: string }[] | undefined) ?? []).some((i) => i.customerId === newcomer),
      'the pending review',
    );
    expect(pending.status).toBe(200);
  });

  it('keeps data and run history over a restart, and the run that was waiting reads ABORTED with a cause', async () => {
    await runtime.stop();
    runtime = await start();
    expect(runtime.synthesis).toBe('cached');

    expect((await api(`/customers/${gold}`, 'ops')).body).toMatchObject({ customerId: gold, tier: 'gold' });
    const machines = (await aws('stepfunctions', 'list-state-machines')).stateMachines as {
      name: string;
      stateMachineArn: string;
    }[];
    const arn = String(machines.find((m) => m.name.endsWith('-fee-review'))?.stateMachineArn);
    const executions = (await aws('stepfunctions', 'list-executions', '--state-machine-arn', arn))
      .executions as {
      name: string;
      status: string;
      executionArn: string;
    }[];
    expect(executions.find((e) => e.name.includes(`${gold}-fee`))?.status).toBe('SUCCEEDED');
    const waiting = executions.find((e) => e.name.includes(`${newcomer}-fee`));
    expect(waiting?.status).toBe('ABORTED');
    const described = await aws(
      'stepfunctions',
      'describe-execution',
      '--execution-arn',
      String(waiting?.executionArn),
    );
    expect(described).toMatchObject({
      status: 'ABORTED',
      error: 'Runtime.Restarted',
      cause: expect.stringMatching(/stopped/),
    });
  });
});
