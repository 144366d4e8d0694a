import { GetCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ingest } from '../../../functions/customer-file/ingest';
import { db } from '../../../functions/shared/clients/dynamodb';
import { getTableName } from '../../../functions/shared/config';
import { CHANNEL_DETAIL_TYPES, DetailTypes } from '../../../functions/shared/events';
import { keys } from '../../../functions/shared/keys';
import { envelope } from '../../support/events';

const validStatement = {
  occurredAt: '2026-10-01T10:00:00Z',
  channel: 'billing',
  customer: { customerId: 'c-valid' },
  productLine: 'credit_card',
  accountId: 'a-1',
  periodEnd: '2026-09-30',
  balance: 10,
  revenue: 5,
  costToServe: 1,
  daysLate: 0,
};

/** Ways a producer gets a detail wrong, each applied to an otherwise valid statement. */
const breakages: fc.Arbitrary<(d: Record<string, unknown>) => unknown>[] = [
  fc
    .constantFrom(
      'occurredAt',
      'channel',
      'customer',
      'productLine',
      'accountId',
      'periodEnd',
      'revenue',
      'daysLate',
    )
    .map((field) => (d) => {
      const { [field]: _dropped, ...rest } = d;
      return rest;
    }),
  fc
    .anything()
    .filter((v) => typeof v !== 'object' || v === null)
    .map((v) => () => v),
  fc.string().map((s) => (d) => ({ ...d, channel: `x${s}` })),
  fc.string().map((s) => (d) => ({ ...d, occurredAt: `not a date ${s}` })),
  fc.double({ noNaN: false }).map((n) => (d) => ({ ...d, daysLate: Number.isInteger(n) && n >= 0 ? -1 : n })),
  fc.integer({ min: 1, max: 999 }).map((n) => (d) => ({ ...d, revenue: n + 0.001 })),
  fc.constant((d: Record<string, unknown>) => ({ ...d, customer: {} })),
  fc.string({ maxLength: 5 }).map((s) => (d) => ({ ...d, customer: { phone: `12${s}` } })),
  fc.string({ maxLength: 5 }).map((s) => (d) => ({ ...d, customer: { email: `no-at-sign${s}` } })),
  fc.constant((d: Record<string, unknown>) => ({ ...d, eventId: '' })),
  fc.constant((d: Record<string, unknown>) => ({ ...d, productLine: 'timeshare' })),
];

describe('invalid channel events', () => {
  it('quarantines 1,000 generated invalid details with reasons: none throws, sent = applied + quarantined', async () => {
    const cases = fc.sample(fc.record({ breakage: fc.oneof(...breakages), unknownType: fc.boolean() }), {
      numRuns: 1000,
      seed: 20261123,
    });
    let applied = 0;
    let quarantined = 0;
    const ids = new Set<string>();
    for (const [i, c] of cases.entries()) {
      const broken = c.breakage({ ...validStatement, eventId: `invalid-${i}` });
      const detailType = c.unknownType ? 'Statement Isued' : DetailTypes.StatementIssued;
      const result = await ingest(envelope(detailType, broken, 'bank.invalid-test'));
      if (result.outcome === 'quarantined') {
        quarantined++;
        expect(result.reasons.length).toBeGreaterThan(0);
        ids.add(result.quarantineId);
      } else applied++;
    }
    expect(applied + quarantined).toBe(1000);
    expect(applied).toBe(0);
    // Every quarantine record is really there, with its reasons.
    for (const id of [...ids].slice(0, 50)) {
      const { Item } = await db().send(
        new GetCommand({ TableName: getTableName(), Key: keys.quarantine(id) }),
      );
      expect(Item?.reasons.length).toBeGreaterThan(0);
    }
    expect(ids.size).toBe(1000);
  });

  it('knows every catalogue detail-type, so only misspelt types are quarantined as unknown', () => {
    expect(CHANNEL_DETAIL_TYPES).toHaveLength(10);
  });
});
