import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { db } from '../../../functions/shared/clients/dynamodb';
import { getTableName } from '../../../functions/shared/config';
import { GSI, indexKeys, keys } from '../../../functions/shared/keys';
import { uid } from '../../support/events';

/** The table here was created from the synthesized template by the integration global setup. */
describe('the customer table created from the template', () => {
  it('serves every GSI the key builders write', async () => {
    const id = uid('gsi');
    const tier = `tier-${id}`;
    const status = `status-${id}`;
    const line = `line-${id}`;
    await db().send(
      new PutCommand({
        TableName: getTableName(),
        Item: {
          ...keys.profile(id),
          ...indexKeys.tierSegment(tier, 0.75, id),
          ...indexKeys.statusSegment(status, 0.75, id),
        },
      }),
    );
    await db().send(
      new PutCommand({
        TableName: getTableName(),
        Item: { ...keys.product(id, line, 'a-1'), ...indexKeys.productLineSegment(line, id) },
      }),
    );
    const query = async (index: (typeof GSI)[keyof typeof GSI], pk: string, minSk?: string) => {
      const { Items = [] } = await db().send(
        new QueryCommand({
          TableName: getTableName(),
          IndexName: index.name,
          KeyConditionExpression: minSk ? '#pk = :pk AND #sk >= :min' : '#pk = :pk',
          ExpressionAttributeNames: { '#pk': index.pk, ...(minSk ? { '#sk': index.sk } : {}) },
          ExpressionAttributeValues: { ':pk': pk, ...(minSk ? { ':min': minSk } : {}) },
        }),
      );
      return Items.map((i) => `${i.pk}|${i.sk}`);
    };
    expect(await query(GSI.byCategory, `TIER#${tier}`, '0.700')).toEqual([`CUST#${id}|PROFILE`]);
    expect(await query(GSI.byCategory, `TIER#${tier}`, '0.800')).toEqual([]);
    expect(await query(GSI.byStatus, `STATUS#${status}`, '0.750')).toEqual([`CUST#${id}|PROFILE`]);
    expect(await query(GSI.byProductLine, `LINE#${line}`)).toEqual([`CUST#${id}|PRODUCT#${line}#a-1`]);
  });
});
