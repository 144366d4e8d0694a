import { describe, expect, it } from 'vitest';
import { ingest } from '../../../functions/customer-file/ingest';
import { customerItems } from '../../../functions/customer-file/merge';
import { findCustomer } from '../../../functions/customer-file/store';
import { factsOf } from '../../../functions/customer-file/summary';
import { customerValue } from '../../../functions/customer-file/value';
import { DetailTypes } from '../../../functions/shared/events';
import { defaultSettings } from '../../../functions/shared/settings';
import { envelope, uid } from '../../support/events';
import { inParallel } from '../../support/pool';

const NOW = new Date('2026-11-20T00:00:00Z');

function statementEvent(customerId: string, account: string, month: number, revenue: number) {
  return envelope(DetailTypes.StatementIssued, {
    eventId: `${account}-${month}`,
    occurredAt: new Date(Date.UTC(2026, month, 28, 12)).toISOString(),
    channel: 'billing',
    customer: { customerId },
    productLine: 'credit_card',
    accountId: account,
    periodEnd: new Date(Date.UTC(2026, month, 28)).toISOString().slice(0, 10),
    balance: 1000,
    revenue,
    costToServe: 10,
    daysLate: month % 4 === 0 ? 3 : 0,
  });
}

function interactionEvent(customerId: string, n: number) {
  return envelope(DetailTypes.InteractionRecorded, {
    eventId: `${customerId}-i${n}`,
    occurredAt: new Date(Date.UTC(2026, 10, 1) + n * 1000).toISOString(),
    channel: 'web',
    customer: { customerId },
    interactionId: `${customerId}-i${n}`,
    kind: 'web_session',
  });
}

/** The summary must equal what the value module computes from the stored facts, and count them all. */
async function expectSummaryOfAllFacts(customerId: string, expectedFacts: number) {
  const items = await customerItems(customerId);
  const facts = items.filter((i) => i.kind === 'statement' || i.kind === 'interaction');
  expect(facts).toHaveLength(expectedFacts);
  expect(facts.every((f) => f.rev === 1)).toBe(true);
  const profile = await findCustomer(customerId);
  const factsRev = items.filter((i) => i.sk !== 'PROFILE').reduce((sum, i) => sum + Number(i.rev ?? 0), 0);
  expect(profile?.factsRev).toBe(factsRev);
  expect(profile?.annualProfit).toBe(customerValue(factsOf(items), defaultSettings, NOW).annualProfit);
}

describe('concurrent ingestion', () => {
  it('applies each of 2,000 distinct events exactly once when each is delivered 3 times concurrently', async () => {
    const customers = Array.from({ length: 50 }, () => uid('conc'));
    const events = customers.flatMap((c, ci) => [
      ...Array.from({ length: 10 }, (_, m) => statementEvent(c, `${c}-a1`, m, 100 + ci)),
      ...Array.from({ length: 10 }, (_, m) => statementEvent(c, `${c}-a2`, m, 50 + m)),
      ...Array.from({ length: 20 }, (_, n) => interactionEvent(c, n)),
    ]);
    expect(events).toHaveLength(2000);
    const deliveries = [...events, ...events, ...events].sort(() => Math.random() - 0.5);
    const outcomes = await inParallel(
      deliveries.map((e) => () => ingest(e, NOW)),
      64,
    );
    expect(outcomes.filter((o) => o.outcome === 'applied')).toHaveLength(2000);
    expect(outcomes.filter((o) => o.outcome === 'duplicate')).toHaveLength(4000);
    for (const [ci, c] of customers.entries()) {
      await expectSummaryOfAllFacts(c, 40);
      // 10 months of (100 + ci − 10) on account 1 plus Σ(50 + m − 10) on account 2, scaled 12/10.
      const expected = Math.round(((90 + ci) * 10 + (40 * 10 + 45)) * 1.2 * 100) / 100;
      expect((await findCustomer(c))?.annualProfit).toBe(expected);
    }
  });

  it('loses no update when 500 events for one customer arrive at once', async () => {
    const customer = uid('hot');
    const events = [
      ...Array.from({ length: 25 }, (_, a) =>
        Array.from({ length: 10 }, (_, m) => statementEvent(customer, `${customer}-a${a}`, m, 20)),
      ).flat(),
      ...Array.from({ length: 250 }, (_, n) => interactionEvent(customer, n)),
    ];
    expect(events).toHaveLength(500);
    const outcomes = await Promise.all(events.map((e) => ingest(e, NOW)));
    expect(outcomes.every((o) => o.outcome === 'applied')).toBe(true);
    await expectSummaryOfAllFacts(customer, 500);
    // 25 accounts × 10 months × (20 − 10), scaled 12/10.
    expect((await findCustomer(customer))?.annualProfit).toBe(3000);
  });
});
