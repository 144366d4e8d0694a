import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { db } from '../shared/clients/dynamodb';
import { getTableName } from '../shared/config';
import type { Key } from '../shared/keys';
import { setOrRemove } from '../shared/update-expression';
import type { FactWrite, FieldGroup } from './facts';

export type FactOutcome = 'applied' | 'unchanged';

/**
 * Writes one fact with the condition that makes it idempotent and order-independent, in one
 * UpdateItem (one write unit for an item under 1 KB): no separate deduplication record and no
 * transaction, because the fact's own key and time already say whether it is new. Every applied
 * write adds 1 to the item's `rev`; the customer summary records the sum it was computed from.
 */
export async function writeFact(write: FactWrite): Promise<FactOutcome> {
  switch (write.mode) {
    case 'newest':
      return conditionalUpdate(
        write.key,
        write.item,
        'attribute_not_exists(pk) OR occurredAt < :occurredAt OR (occurredAt = :occurredAt AND eventId < :eventId)',
      );
    case 'once':
      return conditionalUpdate(write.key, write.item, 'attribute_not_exists(pk)');
    case 'fields': {
      let outcome: FactOutcome = 'unchanged';
      for (const group of write.groups) {
        if ((await writeGroup(write.key, write.base, group)) === 'applied') outcome = 'applied';
      }
      return outcome;
    }
  }
}

function writeGroup(key: Key, base: Record<string, unknown>, group: FieldGroup): Promise<FactOutcome> {
  return conditionalUpdate(
    key,
    { ...base, ...group.values, [group.stamp]: group.at },
    'attribute_not_exists(#stamp) OR #stamp < :stampValue',
    { '#stamp': group.stamp },
    { ':stampValue': group.at },
  );
}

async function conditionalUpdate(
  key: Key,
  attributes: Record<string, unknown>,
  condition: string,
  extraNames: Record<string, string> = {},
  extraValues: Record<string, unknown> = {},
): Promise<FactOutcome> {
  const input = updateInput(key, attributes, condition, extraNames, extraValues);
  try {
    await db().send(new UpdateCommand(input));
    return 'applied';
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return 'unchanged';
    throw error;
  }
}

/** SET every defined attribute, REMOVE the undefined ones (a correction may drop a field), ADD rev 1. */
function updateInput(
  key: Key,
  attributes: Record<string, unknown>,
  condition: string,
  extraNames: Record<string, string>,
  extraValues: Record<string, unknown>,
): UpdateCommandInput {
  const { sets, removes, ...placeholders } = setOrRemove(attributes);
  const names = { ...extraNames, ...placeholders.names };
  const values: Record<string, unknown> = { ...extraValues, ...placeholders.values, ':one': 1 };
  // The condition of 'newest' refers to these by their plain names; DynamoDB rejects unused values.
  if (condition.includes(':occurredAt')) values[':occurredAt'] = attributes.occurredAt;
  if (condition.includes(':eventId')) values[':eventId'] = attributes.eventId;
  return {
    TableName: getTableName(),
    Key: key,
    UpdateExpression: [
      `SET ${sets.join(', ')}`,
      'ADD rev :one',
      removes.length ? `REMOVE ${removes.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(' '),
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}
