import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { ingest } from '../../../functions/customer-file/ingest';
import { findCustomer } from '../../../functions/customer-file/store';
import { db } from '../../../functions/shared/clients/dynamodb';
import { getTableName } from '../../../functions/shared/config';
import { CHANNEL_DETAIL_TYPES, DetailTypes, isChannelDetailType } from '../../../functions/shared/events';
import { keys } from '../../../functions/shared/keys';
import { envelope, uid } from '../../support/events';

const EXAMPLES = path.join(import.meta.dirname, '../../../docs/events/examples');

const base = (customer: Record<string, string>) => ({
  eventId: uid('evt'),
  occurredAt: '2026-10-01T10:00:00Z',
  channel: 'billing',
  customer,
});

describe('ingestion', () => {
  it('stores a statement on the customer named by its core-banking id and summarises it', async () => {
    const customerId = uid('c');
    const result = await ingest(
      envelope(DetailTypes.StatementIssued, {
        ...base({ customerId }),
        productLine: 'credit_card',
        accountId: uid('a'),
        periodEnd: '2026-09-30',
        balance: 1200,
        revenue: 300,
        costToServe: 100,
        daysLate: 0,
      }),
      new Date('2026-10-02T00:00:00Z'),
    );
    expect(result).toEqual({ outcome: 'applied', customerId });
    const profile = await findCustomer(customerId);
    // One month of history scaled to twelve: (300 - 100) * 12 = 2,400, platinum (>= 2,000).
    expect(profile).toMatchObject({ customerId, tier: 'platinum', annualProfit: 2400, status: 'active' });
  });

  it('treats a second delivery of the same event as a duplicate', async () => {
    const customerId = uid('c');
    const event = envelope(DetailTypes.InteractionRecorded, {
      ...base({ customerId }),
      interactionId: uid('i'),
      kind: 'call',
      topic: 'rates',
    });
    expect((await ingest(event)).outcome).toBe('applied');
    expect((await ingest(event)).outcome).toBe('duplicate');
  });

  it('quarantines an invalid detail with a reason per field', async () => {
    const result = await ingest(envelope(DetailTypes.FeeAssessed, { eventId: uid('e'), customer: {} }));
    expect(result.outcome).toBe('quarantined');
    if (result.outcome !== 'quarantined') return;
    expect(result.reasons.map((r) => r.field)).toEqual(
      expect.arrayContaining([
        'detail.occurredAt',
        'detail.channel',
        'detail.customer',
        'detail.feeId',
        'detail.amount',
      ]),
    );
    const { Item } = await db().send(
      new GetCommand({ TableName: getTableName(), Key: keys.quarantine(result.quarantineId) }),
    );
    expect(Item?.reasons).toHaveLength(result.reasons.length);
  });
});

describe('the documented examples', () => {
  const examples = readdirSync(EXAMPLES)
    .map(
      (file) =>
        JSON.parse(readFileSync(path.join(EXAMPLES, file), 'utf8')) as {
          source: string;
          'detail-type': string;
          detail: Record<string, unknown>;
        },
    )
    .filter((e) => isChannelDetailType(e['detail-type']));

  it.each(examples.map((e) => [e['detail-type'], e] as const))(
    'ingests the %s example, and a redelivery is a duplicate',
    async (_type, example) => {
      // The table is created fresh for each test run, and no other test uses the examples' ids.
      const event = envelope(example['detail-type'], example.detail, example.source);
      expect((await ingest(event)).outcome).toBe('applied');
      expect((await ingest(event)).outcome).toBe('duplicate');
    },
  );

  it('covers every channel detail-type of the catalogue', () => {
    expect(examples.map((e) => e['detail-type']).sort()).toEqual([...CHANNEL_DETAIL_TYPES].sort());
  });
});
