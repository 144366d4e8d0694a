import fc from 'fast-check';
import { DetailTypes } from '../../functions/shared/events';
import { envelope } from './events';

/**
 * A generated event history of one customer, written with a placeholder prefix `@` in every id so
 * the same history can be instantiated for several customers (`instantiate(history, 'pA1')`).
 */
export type HistoryEvent = { detailType: string; detail: Record<string, unknown> };

const day = (offset: number) => new Date(Date.UTC(2025, 11, 1) + offset * 86_400_000).toISOString();
const money = fc.integer({ min: 0, max: 50_000 }).map((c) => c / 100);

const statement = (account: number, line: string) =>
  fc
    .record({
      month: fc.integer({ min: 0, max: 10 }),
      balance: money,
      revenue: money,
      costToServe: money,
      daysLate: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 40 })),
      at: fc.integer({ min: 0, max: 330 }),
    })
    .map((s) => ({
      detailType: DetailTypes.StatementIssued,
      detail: {
        occurredAt: day(s.at),
        channel: 'billing',
        customer: { customerId: '@-c' },
        productLine: line,
        accountId: `@-a${account}`,
        periodEnd: new Date(Date.UTC(2026, s.month, 28)).toISOString().slice(0, 10),
        balance: s.balance,
        revenue: s.revenue,
        costToServe: s.costToServe,
        daysLate: s.daysLate,
      },
    }));

const other = fc.oneof(
  fc
    .record({ at: fc.integer({ min: 0, max: 330 }), acct: fc.integer({ min: 1, max: 2 }) })
    .map(({ at, acct }) => ({
      detailType: DetailTypes.AccountOpened,
      detail: {
        occurredAt: day(at),
        channel: 'branch',
        customer: { customerId: '@-c' },
        productLine: acct === 1 ? 'credit_card' : 'savings',
        accountId: `@-a${acct}`,
      },
    })),
  fc
    .record({ at: fc.integer({ min: 0, max: 330 }), reason: fc.constantFrom('fees', 'rates', 'moved') })
    .map(({ at, reason }) => ({
      detailType: DetailTypes.AccountClosed,
      detail: {
        occurredAt: day(at),
        channel: 'branch',
        customer: { customerId: '@-c' },
        productLine: 'savings',
        accountId: '@-a2',
        reason,
      },
    })),
  fc
    .record({
      at: fc.integer({ min: 200, max: 330 }),
      id: fc.integer({ min: 1, max: 3 }),
      severity: fc.constantFrom('low', 'medium', 'high'),
    })
    .map((c) => ({
      detailType: DetailTypes.ComplaintLogged,
      detail: {
        occurredAt: day(c.at),
        channel: 'call_center',
        customer: { customerId: '@-c' },
        complaintId: `@-k${c.id}`,
        category: 'fees',
        severity: c.severity,
      },
    })),
  fc
    .record({
      at: fc.integer({ min: 200, max: 330 }),
      id: fc.integer({ min: 1, max: 4 }),
      topic: fc.constantFrom('rates', 'competitor offer', 'travel'),
      sentiment: fc.integer({ min: -10, max: 10 }),
    })
    .map((i) => ({
      detailType: DetailTypes.InteractionRecorded,
      detail: {
        occurredAt: day(i.at),
        channel: 'call_center',
        customer: { customerId: '@-c' },
        interactionId: `@-i${i.id}`,
        kind: 'call',
        topic: i.topic,
        sentiment: i.sentiment / 10,
      },
    })),
  fc.record({ at: fc.integer({ min: 0, max: 330 }) }).map(({ at }) => ({
    detailType: DetailTypes.ClosureRequested,
    detail: {
      occurredAt: day(at),
      channel: 'web',
      customer: { customerId: '@-c' },
      productLine: 'credit_card',
      accountId: '@-a1',
      reason: 'fees',
    },
  })),
  fc
    .record({
      at: fc.integer({ min: 0, max: 330 }),
      channels: fc.subarray(['email', 'sms', 'phone'] as const, { minLength: 1 }),
    })
    .map(({ at, channels }) => ({
      detailType: DetailTypes.ContactPreferencesChanged,
      detail: {
        occurredAt: day(at),
        channel: 'web',
        customer: { customerId: '@-c' },
        preferences: [{ productLine: '*', channels }],
        timeZone: 'Europe/Paris',
      },
    })),
  fc
    .record({
      at: fc.integer({ min: 0, max: 330 }),
      name: fc.constantFrom('Ann', 'Ann B.', 'Ann Brown'),
      tz: fc.constantFrom('Europe/Paris', 'America/Chicago'),
    })
    .map((p) => ({
      detailType: DetailTypes.CustomerProfileUpdated,
      detail: {
        occurredAt: day(p.at),
        channel: 'web',
        customer: { customerId: '@-c' },
        name: p.name,
        timeZone: p.tz,
      },
    })),
);

/** Events of one customer; each gets a distinct eventId (`@-e<n>`) once generated. */
export const historyArbitrary = fc
  .tuple(
    fc.array(statement(1, 'credit_card'), { minLength: 1, maxLength: 6 }),
    fc.array(statement(2, 'savings'), { maxLength: 4 }),
    fc.array(other, { maxLength: 8 }),
  )
  .map(([a, b, c]) =>
    [...a, ...b, ...c].map((e, n) => ({ ...e, detail: { ...e.detail, eventId: `@-e${n}` } })),
  );

export function instantiate(history: HistoryEvent[], prefix: string) {
  return history.map((e) =>
    envelope(e.detailType, JSON.parse(JSON.stringify(e.detail).replaceAll('@', prefix))),
  );
}
