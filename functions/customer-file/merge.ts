import {
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { db } from '../shared/clients/dynamodb';
import { getTableName } from '../shared/config';
import { keys } from '../shared/keys';

type Item = Record<string, unknown> & { pk: string; sk: string };

/** Field-group times of product and details items (facts.ts): the newer of each group wins in a merge. */
const STAMPS = ['openedAt', 'closedAt', 'nameAt', 'emailAt', 'phoneAt', 'timeZoneAt'];

/**
 * Merges customer `loser` into `target`, keeping lineage. Re-runnable from any point, because an
 * event may redeliver or a concurrent event may write to the loser while this runs:
 * 1. the loser's profile points at the target first, so new resolutions and reads go there;
 * 2. every item of the loser is copied under the target (a fact the target already has keeps
 *    the newer version), identity items are re-pointed;
 * 3. a MERGE item on the target records when and why; the loser's items are deleted.
 */
export async function mergeCustomer(loser: string, target: string, context: { eventId: string; at: string }) {
  const table = getTableName();
  await db().send(
    new UpdateCommand({
      TableName: table,
      Key: keys.profile(loser),
      UpdateExpression: 'SET mergedInto = :t, customerId = :l, mergedAt = if_not_exists(mergedAt, :at)',
      ExpressionAttributeValues: { ':t': target, ':l': loser, ':at': context.at },
    }),
  );
  const items = await customerItems(loser);
  const moved: string[] = [];
  for (const item of items) {
    // The survivor keeps its own summary and contact-log version; the version is bumped below instead.
    if (item.sk === 'PROFILE' || item.sk === keys.contactLogVersion(loser).sk) continue;
    await copyInto(item, target);
    if (item.kind === 'identity') {
      await db()
        .send(
          new UpdateCommand({
            TableName: table,
            Key: keys.identity(item.identityKind as never, item.value as string),
            UpdateExpression: 'SET customerId = :t',
            ConditionExpression: 'customerId = :l',
            ExpressionAttributeValues: { ':t': target, ':l': loser },
          }),
        )
        .catch(ignoreConditionFailure);
      moved.push(String(item.identityKind));
    }
  }
  await db().send(
    new UpdateCommand({
      TableName: table,
      Key: keys.merge(target, loser),
      UpdateExpression:
        'SET kind = :kind, customerId = :t, mergedCustomerId = :l, occurredAt = if_not_exists(occurredAt, :at), eventId = if_not_exists(eventId, :e) ADD identityKinds :k',
      ExpressionAttributeValues: {
        ':kind': 'merge',
        ':t': target,
        ':l': loser,
        ':at': context.at,
        ':e': context.eventId,
        ':k': new Set(moved.length ? moved : ['none']),
      },
    }),
  );
  await db().send(
    new UpdateCommand({
      TableName: table,
      Key: keys.profile(target),
      UpdateExpression: 'ADD mergedFrom :l',
      ExpressionAttributeValues: { ':l': new Set([loser]) },
    }),
  );
  // Contacts copied in count toward the survivor's caps: a send deciding on the log read before the
  // copy must fail its version condition and decide again.
  if (items.some((i) => i.sk.startsWith('CONTACT#'))) {
    await db().send(
      new UpdateCommand({
        TableName: table,
        Key: keys.contactLogVersion(target),
        UpdateExpression: 'ADD version :one SET updatedAt = :at',
        ExpressionAttributeValues: { ':one': 1, ':at': context.at },
      }),
    );
  }
  await deleteItems(items.filter((i) => i.sk !== 'PROFILE'));
}

export async function customerItems(customerId: string): Promise<Item[]> {
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db().send(
      new QueryCommand({
        TableName: getTableName(),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.customerPk(customerId) },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    items.push(...((page.Items ?? []) as Item[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

async function copyInto(item: Item, target: string): Promise<void> {
  const table = getTableName();
  const key = { pk: keys.customerPk(target), sk: item.sk };
  const { Item: existing } = await db().send(
    new GetCommand({ TableName: table, Key: key, ConsistentRead: true }),
  );
  const moved: Item = { ...item, ...key, customerId: target };
  if (typeof item.gsi3pk === 'string') moved.gsi3sk = target;
  const merged = existing ? newerOf(existing as Item, moved) : moved;
  if (existing && merged === existing) return;
  await db()
    .send(
      new PutCommand({
        TableName: table,
        Item: { ...merged, rev: Math.max(Number(existing?.rev ?? 0), Number(moved.rev ?? 0)) + 1 },
        // Lost a race with a newer write of the same fact: that write already holds the newer data
        // or will be merged again on the next pass.
        ConditionExpression: existing ? 'rev = :rev' : 'attribute_not_exists(pk)',
        ExpressionAttributeValues: existing ? { ':rev': existing.rev } : undefined,
      }),
    )
    .catch(ignoreConditionFailure);
}

/** Facts keep the newer event; field-group items take each group from whichever side is newer. */
export function newerOf(a: Item, b: Item): Item {
  if (STAMPS.some((s) => s in a || s in b)) {
    const out: Item = { ...a };
    for (const stamp of STAMPS) {
      const aAt = a[stamp] as string | undefined;
      const bAt = b[stamp] as string | undefined;
      if (bAt && (!aAt || bAt > aAt)) {
        out[stamp] = bAt;
        for (const field of groupFields(stamp)) out[field] = b[field];
      }
    }
    return out;
  }
  const aKey = `${a.occurredAt ?? ''}#${a.eventId ?? ''}`;
  const bKey = `${b.occurredAt ?? ''}#${b.eventId ?? ''}`;
  return bKey > aKey ? b : a;
}

function groupFields(stamp: string): string[] {
  if (stamp === 'openedAt') return ['openedEventId'];
  if (stamp === 'closedAt') return ['closeReason', 'closedEventId'];
  return [stamp.slice(0, -2)];
}

async function deleteItems(items: Item[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    const chunk = items.slice(i, i + 25);
    let request: Record<string, unknown[]> | undefined = {
      [getTableName()]: chunk.map((item) => ({ DeleteRequest: { Key: { pk: item.pk, sk: item.sk } } })),
    };
    for (let attempt = 0; request && Object.keys(request).length > 0; attempt++) {
      const out = await db().send(new BatchWriteCommand({ RequestItems: request as never }));
      request = out.UnprocessedItems as Record<string, unknown[]> | undefined;
      if (attempt > 8) throw new Error('could not delete merged items after 8 attempts');
      if (request && Object.keys(request).length) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
    }
  }
}

function ignoreConditionFailure(error: unknown): void {
  if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
}
