import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { db } from '../shared/clients/dynamodb';
import { getTableName } from '../shared/config';
import { type ProfileItem, profileItem } from '../shared/items';
import { keys } from '../shared/keys';

/** Merges can chain (a into b, later b into c); more hops than this means a cycle, which is a bug. */
const MAX_MERGE_HOPS = 5;

/**
 * The profile of a customer by any id it has had: a merged customer's old profile points at the
 * survivor, so GET /customers/{oldId} and workflows started with an old id find the right file.
 */
export async function findCustomer(customerId: string): Promise<ProfileItem | undefined> {
  let id = customerId;
  for (let hop = 0; hop <= MAX_MERGE_HOPS; hop++) {
    const { Item } = await db().send(
      new GetCommand({ TableName: getTableName(), Key: keys.profile(id), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    // A merged customer's profile may be only the pointer (it never had a summary of its own).
    if (typeof Item.mergedInto === 'string') {
      id = Item.mergedInto;
      continue;
    }
    return profileItem.parse(Item);
  }
  throw new Error(`merge chain from customer ${customerId} is longer than ${MAX_MERGE_HOPS} hops`);
}
