import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient, ListTablesCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeRuleCommand,
  EventBridgeClient,
  ListRulesCommand,
  PutEventsCommand,
} from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand, ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../local/ports';
import { type Runtime, startRuntime } from '../../../local/runtime';
import { loadOrCreateKeys, localIssuer, signToken } from '../../../local/token';

/**
 * `npm start` end to end: the synthesized stack on free ports in a temp data dir, driven over
 * HTTP, through the AWS SDK and (when installed) the AWS CLI, then restarted on the same data.
 */

const ROOT = path.resolve(import.meta.dirname, '../../..');
const dataDir = mkdtempSync(path.join(tmpdir(), 'rapport-runtime-'));
const logs: string[] = [];
let runtime: Runtime;
let port: number;
let awsPort: number;
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

const start = async () =>
  startRuntime({ port, awsPort, dataDir, log: (line) => logs.push(line), progress: process.stderr });

const token = (group: string) =>
  signToken(loadOrCreateKeys(dataDir), { issuer: localIssuer(port), group, userId: `it-${group}` });

const api = (route: string, init: RequestInit & { group?: string } = {}) => {
  const { group, headers, ...rest } = init;
  return fetch(`${runtime.apiUrl}${route}`, {
    ...rest,
    headers: {
      'content-type': 'application/json',
      ...(group ? { authorization: `Bearer ${token(group)}` } : {}),
      ...headers,
    },
  });
};

/** The template the runtime synthesized, read back from its cloud assembly. */
const template = () =>
  JSON.parse(readFileSync(path.join(dataDir, 'cdk.out', `${runtime.stackName}.template.json`), 'utf8')) as {
    Resources: Record<string, { Type: string }>;
  };

const json = async (res: Response): Promise<Record<string, unknown>> =>
  (await res.json()) as Record<string, unknown>;

/** The AWS CLI if this machine has one: /usr/bin/aws, else the first `aws` on PATH. */
function findAwsCli(): string | undefined {
  if (existsSync('/usr/bin/aws')) return '/usr/bin/aws';
  try {
    return execFileSync('sh', ['-c', 'command -v aws'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}
const awsCli = findAwsCli();
const run = promisify(execFile);

beforeAll(async () => {
  port = await freePort();
  awsPort = await freePort();
  runtime = await start();
  console.info(`runtime ready in ${runtime.readyMs} ms (${runtime.synthesis} synthesis)`);
});

afterAll(async () => {
  await runtime?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the local API', () => {
  it('serves GET /openapi.json without a token', async () => {
    const res = await api('/openapi.json');
    expect(res.status).toBe(200);
    expect((await json(res)).openapi).toMatch(/^3\.1/);
  });

  it('answers GET /settings with a token, and 401 without one or with a bad one', async () => {
    const ok = await api('/settings', { group: 'marketer' });
    expect(ok.status).toBe(200);
    expect(await json(ok)).toHaveProperty('tiers');

    const none = await api('/settings');
    expect(none.status).toBe(401);
    expect((await json(none)).message).toBe('Unauthorized');

    const bad = await api('/settings', { headers: { authorization: `Bearer ${token('admin')}x` } });
    expect(bad.status).toBe(401);
  });

  it('refuses PUT /settings/{name} to a non-admin with 403, and takes it from an admin', async () => {
    const body = JSON.stringify({ value: 0.2 });
    const denied = await api('/settings/controlGroupShare', { method: 'PUT', body, group: 'marketer' });
    expect(denied.status).toBe(403);
    const done = await api('/settings/controlGroupShare', { method: 'PUT', body, group: 'admin' });
    expect(done.status).toBe(200);
    expect((await json(done)).controlGroupShare).toBe(0.2);
  });

  it('accepts the token `npm run token` prints', async () => {
    const { RAPPORT_PORT: _ignored, ...env } = process.env;
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'local/token-cli.ts', 'ops', '--data-dir', dataDir],
      {
        cwd: ROOT,
        env,
      },
    );
    const res = await fetch(`${runtime.apiUrl}/settings`, {
      headers: { authorization: `Bearer ${stdout.trim()}` },
    });
    expect(res.status).toBe(200);
  });

  it('answers an unknown route like API Gateway REST does', async () => {
    const res = await api('/no/such/route', { group: 'admin' });
    expect(res.status).toBe(403);
    expect((await json(res)).message).toBe('Missing Authentication Token');
  });

  it('serves the console page and the health check', async () => {
    const page = await fetch(runtime.apiUrl);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('/settings/{name}');
    expect((await json(await fetch(`${runtime.apiUrl}/_local/health`))).status).toBe('ok');
  });
});

describe('the AWS endpoint', () => {
  const dynamo = () =>
    new DynamoDBClient({ endpoint: runtime.awsEndpoint, region: 'us-east-1', credentials });
  const events = () =>
    new EventBridgeClient({ endpoint: runtime.awsEndpoint, region: 'us-east-1', credentials });

  it('serves DynamoDB: the template table, and Query on it', async () => {
    const client = dynamo();
    const { TableNames = [] } = await client.send(new ListTablesCommand({}));
    const table = TableNames.find((t) => t.startsWith(`${runtime.stackName}-CustomerStoreTable`));
    expect(table).toBeDefined();
    const { Items = [] } = await client.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: 'SETTINGS' } },
      }),
    );
    expect(Items.map((i) => i.sk?.S)).toContain('controlGroupShare');
    client.destroy();
  });

  it('serves EventBridge: PutEvents with per-entry answers, ListRules from the template', async () => {
    const client = events();
    const result = await client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'rapport',
            Source: 'bank.web',
            DetailType: 'Customer Profile Updated',
            Detail: JSON.stringify({
              eventId: 'it-runtime-1',
              occurredAt: new Date().toISOString(),
              channel: 'web',
              customer: { customerId: 'IT-RUNTIME-1' },
              name: 'Runtime Test',
            }),
          },
          {
            EventBusName: 'rapport',
            Source: 'bank.web',
            DetailType: 'Customer Profile Updated',
            Detail: 'not json',
          },
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(1);
    expect(result.Entries?.[0]?.EventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.Entries?.[1]).toEqual({
      ErrorCode: 'MalformedDetail',
      ErrorMessage: 'Detail is malformed.',
    });
    await runtime.idle();
    // Whatever rule took the event, its delivery succeeded: nothing went to the dead letters.
    expect((await json(await fetch(`${runtime.apiUrl}/_local/dead-letters`))).items).toEqual([]);

    const ruleCount = Object.values(template().Resources).filter(
      (r) => r.Type === 'AWS::Events::Rule',
    ).length;
    const { Rules = [] } = await client.send(new ListRulesCommand({ EventBusName: 'rapport' }));
    const { Rules: defaultRules = [] } = await client.send(new ListRulesCommand({}));
    expect(Rules.length + defaultRules.length).toBe(ruleCount);
    for (const rule of Rules) {
      expect(rule.Arn).toBe(`arn:aws:events:us-east-1:000000000000:rule/rapport/${rule.Name}`);
      expect(() => JSON.parse(rule.EventPattern ?? 'null')).not.toThrow();
    }
    client.destroy();
  });

  it('serves Step Functions: the template state machines', async () => {
    const client = new SFNClient({ endpoint: runtime.awsEndpoint, region: 'us-east-1', credentials });
    const { stateMachines = [] } = await client.send(new ListStateMachinesCommand({}));
    const resources = Object.values(template().Resources);
    expect(stateMachines).toHaveLength(
      resources.filter((r) => r.Type === 'AWS::StepFunctions::StateMachine').length,
    );
    for (const machine of stateMachines)
      expect(machine.stateMachineArn).toBe(
        `arn:aws:states:us-east-1:000000000000:stateMachine:${machine.name}`,
      );
    await expect(
      client.send(
        new DescribeExecutionCommand({
          executionArn: 'arn:aws:states:us-east-1:000000000000:execution:nope:nope',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
    client.destroy();
  });

  it('answers errors in the shape SDK clients raise as typed exceptions', async () => {
    const client = events();
    await expect(
      client.send(new DescribeRuleCommand({ Name: 'no-such-rule', EventBusName: 'rapport' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      $metadata: { httpStatusCode: 400 },
    });
    client.destroy();
  });
});

describe.skipIf(!awsCli)(`the AWS CLI (${awsCli ?? 'not installed'})`, () => {
  // Asynchronously: the runtime answering the CLI runs on this process's event loop.
  const cli = async (...args: string[]) => {
    const { stdout } = await run(
      awsCli as string,
      ['--endpoint-url', runtime.awsEndpoint, '--output', 'json', ...args],
      {
        env: {
          PATH: process.env.PATH ?? '',
          HOME: dataDir,
          AWS_ACCESS_KEY_ID: 'local',
          AWS_SECRET_ACCESS_KEY: 'local',
          AWS_DEFAULT_REGION: 'us-east-1',
          AWS_PAGER: '',
        },
      },
    );
    return JSON.parse(stdout);
  };

  it('lists the tables', async () => {
    expect((await cli('dynamodb', 'list-tables')).TableNames).toContainEqual(
      expect.stringMatching(new RegExp(`^${runtime.stackName}-CustomerStoreTable`)),
    );
  });

  it('lists the state machines', async () => {
    const { stateMachines } = await cli('stepfunctions', 'list-state-machines');
    expect(Array.isArray(stateMachines)).toBe(true);
  });

  it('puts events', async () => {
    const entries = JSON.stringify([
      {
        EventBusName: 'rapport',
        Source: 'bank.callcenter',
        DetailType: 'Interaction Recorded',
        Detail: JSON.stringify({
          eventId: 'it-cli-1',
          occurredAt: new Date().toISOString(),
          channel: 'call_center',
          customer: { customerId: 'IT-RUNTIME-1' },
          interactionId: 'i-1',
          kind: 'call',
        }),
      },
    ]);
    const result = await cli('events', 'put-events', '--entries', entries);
    expect(result.FailedEntryCount).toBe(0);
    expect(result.Entries[0].EventId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('restart', () => {
  it('keeps the data, the key and the synthesis', async () => {
    await runtime.idle();
    await runtime.stop();
    runtime = await start();
    console.info(`runtime restarted in ${runtime.readyMs} ms (${runtime.synthesis} synthesis)`);
    expect(runtime.synthesis).toBe('cached');
    // A token made before the restart is still good, and the admin's change is still there.
    const res = await api('/settings', { group: 'service_rep' });
    expect(res.status).toBe(200);
    expect((await json(res)).controlGroupShare).toBe(0.2);
  });
});
