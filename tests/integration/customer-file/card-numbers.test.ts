import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { ingest } from '../../../functions/customer-file/ingest';
import { db } from '../../../functions/shared/clients/dynamodb';
import { getTableName } from '../../../functions/shared/config';
import { DetailTypes } from '../../../functions/shared/events';
import { envelope, uid } from '../../support/events';

async function wholeTableText(): Promise<string> {
  const parts: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db().send(new ScanCommand({ TableName: getTableName(), ExclusiveStartKey: start }));
    parts.push(JSON.stringify(page.Items ?? [], (_k, v) => (v instanceof Set ? [...v] : v)));
    start = page.LastEvaluatedKey;
  } while (start);
  return parts.join('\n');
}

describe('payment card numbers', () => {
  it.each([
    ['topic', { topic: 'customer read out 4111 1111 1111 1111 to the agent' }],
    ['nested customer field', { customer: { customerId: uid('c'), accountId: '5500-0000-0000-0004' } }],
    ['unknown extra field', { notes: ['fine', 'card 378282246310005 exp 12/29'] }],
  ])('rejects an event with a card number in its %s and stores it nowhere', async (_where, patch) => {
    const detail = {
      eventId: uid('e'),
      occurredAt: '2026-10-01T10:00:00Z',
      channel: 'call_center',
      customer: { customerId: uid('c') },
      interactionId: uid('i'),
      kind: 'call',
      ...patch,
    };
    const result = await ingest(envelope(DetailTypes.InteractionRecorded, detail));
    expect(result.outcome).toBe('quarantined');
    if (result.outcome === 'quarantined') {
      expect(result.reasons[0]?.message).toContain('payment card number');
    }
    const text = (await wholeTableText()).replace(/[\s-]/g, '');
    for (const number of ['4111111111111111', '5500000000000004', '378282246310005']) {
      expect(text).not.toContain(number);
    }
  });
});
