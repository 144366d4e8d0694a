import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { batchGet } from '../shared/batch';
import { db } from '../shared/clients/dynamodb';
import { getTableName } from '../shared/config';
import type { ProductLine, Tier } from '../shared/events';
import { churnSortKey, GSI } from '../shared/keys';
import { decodeCursor, encodeCursor, lastKey } from '../shared/pagination';

export type SegmentQuery = {
  tier?: Tier;
  minChurnRisk?: number;
  productLine?: ProductLine;
  status?: 'active' | 'defected';
  limit: number;
  cursor?: string;
};

const cursorSchema = z.object({ p: z.number().int().min(0), k: lastKey.optional() });

/**
 * Segment listing, always served by an index (never a scan):
 * - tier given → gsi1 `TIER#<tier>`, churn risk as a key condition;
 * - else product line given → gsi3 `LINE#<line>`;
 * - else → gsi2 `STATUS#<status>` (both statuses in turn when none is given), churn as a key condition.
 * Whatever the chosen index does not cover is filtered on the profiles it returns, so a page can
 * hold fewer than `limit` items while `nextCursor` says there is more.
 */
export async function listSegment(query: SegmentQuery) {
  const plan = planQuery(query);
  const cursor = decodeCursor(query.cursor, cursorSchema) ?? { p: 0 };
  const partition = plan.partitions[cursor.p];
  if (!partition) return { items: [] };

  const page = await db().send(
    new QueryCommand({
      TableName: getTableName(),
      IndexName: plan.index.name,
      KeyConditionExpression: plan.churnKey ? '#pk = :pk AND #sk >= :min' : '#pk = :pk',
      ExpressionAttributeNames: { '#pk': plan.index.pk, ...(plan.churnKey ? { '#sk': plan.index.sk } : {}) },
      ExpressionAttributeValues: { ':pk': partition, ...(plan.churnKey ? { ':min': plan.churnKey } : {}) },
      ScanIndexForward: false,
      Limit: query.limit,
      ExclusiveStartKey: cursor.k,
    }),
  );
  const customerPks = [...new Set((page.Items ?? []).map((i) => i.pk as string))];
  const profiles = await readProfiles(customerPks);
  const items = customerPks
    .map((pk) => profiles.get(pk))
    .filter((p): p is Record<string, unknown> => p !== undefined && p.mergedInto === undefined)
    .filter((p) => matches(p, query))
    .map((p) => ({
      customerId: p.customerId as string,
      status: p.status as 'active' | 'defected',
      tier: p.tier as Tier,
      annualProfit: p.annualProfit as number,
      churnRisk: p.churnScore as number,
      openLines: (p.openLines as string[] | undefined) ?? [],
    }));

  const next = page.LastEvaluatedKey
    ? { p: cursor.p, k: page.LastEvaluatedKey as Record<string, string> }
    : cursor.p + 1 < plan.partitions.length
      ? { p: cursor.p + 1 }
      : undefined;
  return { items, ...(next ? { nextCursor: encodeCursor(next) } : {}) };
}

function planQuery(query: SegmentQuery) {
  const churnKey = query.minChurnRisk !== undefined ? churnSortKey(query.minChurnRisk) : undefined;
  if (query.tier) return { index: GSI.byCategory, partitions: [`TIER#${query.tier}`], churnKey };
  if (query.productLine)
    return { index: GSI.byProductLine, partitions: [`LINE#${query.productLine}`], churnKey: undefined };
  const statuses = query.status ? [query.status] : ['active', 'defected'];
  return { index: GSI.byStatus, partitions: statuses.map((s) => `STATUS#${s}`), churnKey };
}

function matches(p: Record<string, unknown>, q: SegmentQuery): boolean {
  if (q.tier && p.tier !== q.tier) return false;
  if (q.status && p.status !== q.status) return false;
  if (q.minChurnRisk !== undefined && Number(p.churnScore) < q.minChurnRisk) return false;
  if (q.productLine && !((p.openLines as string[] | undefined) ?? []).includes(q.productLine)) return false;
  return true;
}

async function readProfiles(customerPks: string[]): Promise<Map<string, Record<string, unknown>>> {
  const found = await batchGet(customerPks.map((pk) => ({ pk, sk: 'PROFILE' })));
  return new Map([...found.values()].map((item) => [item.pk as string, item]));
}
