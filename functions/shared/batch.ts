import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { db } from './clients/dynamodb';
import { getTableName } from './config';
import type { Key } from './keys';

const MAX_ATTEMPTS = 8;

/**
 * Reads items by key, 100 at a time, retrying what DynamoDB leaves unprocessed (with backoff)
 * instead of silently returning less. Items come back in a map by `pk|sk`.
 */
export async function batchGet(itemKeys: Key[]): Promise<Map<string, Record<string, unknown>>> {
  const table = getTableName();
  const out = new Map<string, Record<string, unknown>>();
  for (let i = 0; i < itemKeys.length; i += 100) {
    let pending: Key[] = itemKeys.slice(i, i + 100);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= MAX_ATTEMPTS)
        throw new Error(`${pending.length} keys still unprocessed after ${MAX_ATTEMPTS} BatchGet attempts`);
      if (attempt > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
      const result = await db().send(new BatchGetCommand({ RequestItems: { [table]: { Keys: pending } } }));
      for (const item of result.Responses?.[table] ?? []) out.set(`${item.pk}|${item.sk}`, item);
      pending = (result.UnprocessedKeys?.[table]?.Keys ?? []) as Key[];
    }
  }
  return out;
}

export const itemId = (key: Key) => `${key.pk}|${key.sk}`;
