import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  ContactLogContentionError,
  contactIdFor,
  contactLogVersionKey,
  logWindowStart,
  requestContact,
} from '../../../functions/contact-policy/service';
import { ENV } from '../../../functions/shared/env-names';
import { profileItem } from '../../../functions/shared/items';
import { keys } from '../../../functions/shared/keys';
import { defaultSettings } from '../../../functions/shared/settings';

/**
 * What DynamoDB Local cannot be made to do on demand: lose every race, report a transaction
 * conflict, cancel for a reason that is not a race. The behaviour of the service against a real
 * table is in tests/integration/contact-policy/.
 */

process.env[ENV.tableName] = 'rapport-unit';
process.env[ENV.busName] = 'rapport-unit';

const table = mockClient(DynamoDBDocumentClient);
const bus = mockClient(EventBridgeClient);

const CUSTOMER = 'c-unit';
const NOON_NY = new Date('2026-06-10T16:00:00Z');
const request = {
  customerId: CUSTOMER,
  productLine: 'credit_card',
  intent: 'cross_sell',
  department: 'cards',
} as const;

function cancelled(...codes: string[]) {
  return new TransactionCanceledException({
    message: `Transaction cancelled [${codes.join(', ')}]`,
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
}

function versionIs(version: number) {
  table.on(GetCommand, { Key: contactLogVersionKey(CUSTOMER) }).resolves({
    Item: { ...contactLogVersionKey(CUSTOMER), version, updatedAt: NOON_NY.toISOString() },
  });
}

beforeEach(() => {
  table.reset();
  bus.reset();
  table.on(GetCommand).resolves({});
  table.on(QueryCommand).resolves({ Items: [] });
  table.on(GetCommand, { Key: keys.profile(CUSTOMER) }).resolves({
    Item: profileItem.parse({
      ...keys.profile(CUSTOMER),
      customerId: CUSTOMER,
      status: 'active',
      tier: 'silver',
      annualProfit: 100,
      churnScore: 0,
      email: 'ann@example.com',
      identities: [`customerId:${CUSTOMER}`],
      factsRev: 1,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    }),
  });
  bus.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
});

describe('contact log concurrency', () => {
  it('gives up with a clear retryable error after 8 lost races, and hands nothing to the channel systems', async () => {
    versionIs(3);
    table.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None'));

    const error = await requestContact(request, { now: NOON_NY }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ContactLogContentionError);
    expect((error as ContactLogContentionError).statusCode).toBe(503);
    expect((error as Error).message).toMatch(/8 attempts/);
    expect(table.commandCalls(TransactWriteCommand)).toHaveLength(8);
    expect(bus.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('re-reads the version and the log after losing a race, and commits on the next attempt', async () => {
    versionIs(3);
    table
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled('TransactionConflict', 'None'))
      .rejectsOnce(cancelled('ConditionalCheckFailed', 'None'))
      .resolves({});

    const outcome = await requestContact(request, { now: NOON_NY });

    expect(outcome).toMatchObject({ status: 'sent', channel: 'email' });
    expect(table.commandCalls(TransactWriteCommand)).toHaveLength(3);
    const logReads = table
      .commandCalls(QueryCommand)
      .filter((c) => c.args[0].input.ExpressionAttributeValues?.[':pk'] === keys.customerPk(CUSTOMER));
    expect(logReads).toHaveLength(3);
    expect(bus.commandCalls(PutEventsCommand)).toHaveLength(1);
  });

  it('fails at once when a transaction is cancelled for a reason other than a race', async () => {
    versionIs(3);
    table.on(TransactWriteCommand).rejects(cancelled('None', 'ValidationError'));

    await expect(requestContact(request, { now: NOON_NY })).rejects.toBeInstanceOf(
      TransactionCanceledException,
    );
    expect(table.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('bumps the version it read, in the same transaction as the contact it logs', async () => {
    versionIs(3);
    table.on(TransactWriteCommand).resolves({});

    await requestContact(request, { now: NOON_NY });

    const [update, put] = table.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(update?.Update).toMatchObject({
      Key: contactLogVersionKey(CUSTOMER),
      ConditionExpression: '#version = :read',
      ExpressionAttributeValues: { ':read': 3, ':next': 4 },
    });
    expect(put?.Put?.Item).toMatchObject({ customerId: CUSTOMER, status: 'sent' });
  });

  it('creates the version item with the first send only if no concurrent send created it first', async () => {
    table.on(TransactWriteCommand).resolves({});

    await requestContact(request, { now: NOON_NY });

    const [update] = table.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(update?.Update).toMatchObject({
      ConditionExpression: 'attribute_not_exists(pk)',
      ExpressionAttributeValues: { ':next': 1 },
    });
  });

  it('logs a suppressed decision without touching the version, so it never makes a send retry', async () => {
    table.on(GetCommand, { Key: keys.preferences(CUSTOMER) }).resolves({
      Item: {
        ...keys.preferences(CUSTOMER),
        preferences: [{ productLine: '*', channels: ['email'], optOut: true }],
        occurredAt: NOON_NY.toISOString(),
        updatedBy: 'test',
      },
    });
    table.on(PutCommand).resolves({});

    expect(await requestContact(request, { now: NOON_NY })).toMatchObject({
      status: 'suppressed',
      reason: 'opt_out',
    });
    expect(table.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(table.commandCalls(PutCommand)[0]?.args[0].input.Item).toMatchObject({ reason: 'opt_out' });
  });
});

describe('contact log window', () => {
  it('reads from a day before the longest cap or conflict window, so contacts delayed into the window still count', async () => {
    table.on(TransactWriteCommand).resolves({});

    await requestContact(request, { now: NOON_NY });

    const logRead = table
      .commandCalls(QueryCommand)
      .find((c) => c.args[0].input.ExpressionAttributeValues?.[':pk'] === keys.customerPk(CUSTOMER));
    expect(logRead?.args[0].input).toMatchObject({
      ConsistentRead: true,
      ExpressionAttributeValues: { ':from': 'CONTACT#2026-05-10T16:00:00.000Z' },
    });
  });

  it('follows the settings when a conflict window is longer than every cap', () => {
    const settings = structuredClone(defaultSettings);
    settings.contactPolicy.intentConflicts = [
      { intents: ['promote_credit', 'debt_consolidation'], days: 90 },
    ];

    expect(logWindowStart(NOON_NY, settings).toISOString()).toBe('2026-03-11T16:00:00.000Z');
  });
});

describe('contact ids', () => {
  it('the same requestId for the same customer always gives the same contact id, and another customer another', () => {
    const id = contactIdFor('c-1', 'campaign-7');

    expect(contactIdFor('c-1', 'campaign-7')).toBe(id);
    expect(contactIdFor('c-2', 'campaign-7')).not.toBe(id);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
