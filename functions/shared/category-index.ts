import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { batchGet, itemId } from './batch';
import { db } from './clients/dynamodb';
import { getTableName } from './config';
import { GSI, type Key } from './keys';

export type CategoryPageOptions = {
  limit: number;
  startKey?: Record<string, unknown>;
  /** Ascending by gsi1sk (oldest or earliest deadline first) unless false. */
  ascending: boolean;
};

/**
 * One page of a listing on the category index (gsi1: quarantine, pending reviews, campaign runs).
 * The index projects keys only, so this returns the index entries; `readCategoryPage` also reads
 * the items they point at, in index order.
 */
export async function queryCategory(partition: string, options: CategoryPageOptions) {
  const page = await db().send(
    new QueryCommand({
      TableName: getTableName(),
      IndexName: GSI.byCategory.name,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': GSI.byCategory.pk },
      ExpressionAttributeValues: { ':pk': partition },
      ScanIndexForward: options.ascending,
      Limit: options.limit,
      ExclusiveStartKey: options.startKey,
    }),
  );
  return { entries: page.Items ?? [], lastKey: page.LastEvaluatedKey };
}

export async function readCategoryPage(partition: string, options: CategoryPageOptions) {
  const { entries, lastKey } = await queryCategory(partition, options);
  const keys: Key[] = entries.map((i) => ({ pk: String(i.pk), sk: String(i.sk) }));
  const found = await batchGet(keys);
  // An item deleted between the index read and the item read is left out.
  const items = keys.map((k) => found.get(itemId(k))).filter((i) => i !== undefined);
  return { items, lastKey };
}
