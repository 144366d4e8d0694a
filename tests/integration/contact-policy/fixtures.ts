import { randomUUID } from 'node:crypto';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { inControlGroup } from '../../../functions/contact-policy/policy';
import {
  type ContactRequestedDetail,
  contactLogVersionKey,
  contactRequestedDetail,
} from '../../../functions/contact-policy/service';
import { db } from '../../../functions/shared/clients/dynamodb';
import { getTableName } from '../../../functions/shared/config';
import { ENV } from '../../../functions/shared/env-names';
import { type ContactItem, contactItem, preferencesItem, profileItem } from '../../../functions/shared/items';
import { keys } from '../../../functions/shared/keys';
import { defaultSettings } from '../../../functions/shared/settings';

// The bus is mocked (no local EventBridge here); the name only has to be present, as on Lambda.
process.env[ENV.busName] ??= 'rapport-test';

/** Captures every PutEvents call; tests force failures on it. */
export const bus = mockClient(EventBridgeClient);

export function busAccepts(): void {
  bus.reset();
  bus.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: randomUUID() }] });
}

export type PutEntry = PutEventsRequestEntry & { detail: ContactRequestedDetail };

export function putEntries(): PutEntry[] {
  return bus
    .commandCalls(PutEventsCommand)
    .flatMap((call) => call.args[0].input.Entries ?? [])
    .map((entry) => ({ ...entry, detail: contactRequestedDetail.parse(JSON.parse(entry.Detail ?? 'null')) }));
}

/** Noon in New York, the default zone: outside quiet hours. */
export const NOON_NY = new Date('2026-06-10T16:00:00Z');
export const DAY_MS = 24 * 60 * 60 * 1000;
export const daysAfter = (from: Date, days: number) => new Date(from.getTime() + days * DAY_MS);

/** Writes a customer the way the customer file does: a profile item valid against its schema. */
export async function createCustomer(
  over: { customerId?: string; email?: string; phone?: string; timeZone?: string; mergedInto?: string } = {},
): Promise<string> {
  const customerId = over.customerId ?? `c-${randomUUID()}`;
  const has = (k: string) => Object.hasOwn(over, k);
  const email = has('email') ? over.email : `${customerId}@example.com`;
  const phone = has('phone') ? over.phone : '+14155550100';
  const item = profileItem.parse({
    ...keys.profile(customerId),
    customerId,
    status: 'active',
    tier: 'gold',
    annualProfit: 800,
    churnScore: 0,
    email,
    phone,
    timeZone: over.timeZone,
    identities: [`customerId:${customerId}`, ...(email ? [`email:${email}`] : [])],
    mergedInto: over.mergedInto,
    factsRev: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  });
  await db().send(new PutCommand({ TableName: getTableName(), Item: item }));
  return customerId;
}

export async function setPreferences(
  customerId: string,
  body: Pick<ReturnType<typeof preferencesItem.parse>, 'preferences' | 'quietHours' | 'timeZone'>,
): Promise<void> {
  const item = preferencesItem.parse({
    ...keys.preferences(customerId),
    ...body,
    occurredAt: '2026-01-01T00:00:00.000Z',
    updatedBy: 'test',
  });
  await db().send(new PutCommand({ TableName: getTableName(), Item: item }));
}

/** The customer's whole contact log, oldest first. */
export async function contactLog(customerId: string): Promise<ContactItem[]> {
  const { pk, skPrefix } = keys.contactPrefix(customerId);
  const { Items = [] } = await db().send(
    new QueryCommand({
      TableName: getTableName(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': pk, ':p': skPrefix },
      ConsistentRead: true,
    }),
  );
  return Items.map((i) => contactItem.parse(i));
}

export async function logVersion(customerId: string): Promise<number | undefined> {
  const { Item } = await db().send(
    new GetCommand({
      TableName: getTableName(),
      Key: contactLogVersionKey(customerId),
      ConsistentRead: true,
    }),
  );
  return Item?.version as number | undefined;
}

/** A fresh customer id that the default share does (or does not) put in `workflow`'s control group. */
export function customerIdInControl(workflow: string, wanted = true): string {
  for (;;) {
    const id = `c-${randomUUID()}`;
    if (inControlGroup(id, workflow, defaultSettings.controlGroupShare) === wanted) return id;
  }
}
