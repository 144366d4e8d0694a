import { randomUUID } from 'node:crypto';
import { ingest } from '../../../functions/customer-file/ingest';
import type { EventBridgeEvent } from '../../../functions/shared/event-handler';
import { DetailTypes, type FEE_TYPES, type ProductLine } from '../../../functions/shared/events';
import { envelope } from '../events';

/**
 * Customers for the fee review, built the way production builds them: their history goes through
 * `ingest()` (the customer file's own ingestion), never written as items by hand.
 */

export type Account = {
  productLine: ProductLine;
  accountId: string;
  /** Per month, oldest first: revenue and cost to serve of the statement. */
  revenue: number;
  costToServe: number;
  /** Days late of each of the 12 statements, oldest first (missing: on time). */
  daysLate?: number[];
};

/** Statement period ends: the 1st of each of the last 12 months, oldest first, all within the window. */
export function lastTwelvePeriodEnds(now = new Date()): string[] {
  return Array.from({ length: 12 }, (_, i) =>
    new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 11 + i, 1)).toISOString().slice(0, 10),
  );
}

export function newCustomerId(prefix = 'c'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** A customer with a year of statements on each account, ingested like channel events. */
export async function customerWithHistory(
  accounts: Account[],
  customerId = newCustomerId(),
): Promise<string> {
  const periods = lastTwelvePeriodEnds();
  for (const account of accounts) {
    await ingest(
      envelope(DetailTypes.AccountOpened, {
        eventId: `${customerId}-${account.accountId}-open`,
        occurredAt: `${periods[0]}T00:00:00Z`,
        channel: 'branch',
        customer: { customerId },
        productLine: account.productLine,
        accountId: account.accountId,
      }),
    );
    for (const [i, periodEnd] of periods.entries()) {
      await ingest(
        envelope(DetailTypes.StatementIssued, {
          eventId: `${customerId}-${account.accountId}-s${i}`,
          occurredAt: `${periodEnd}T06:00:00Z`,
          channel: 'billing',
          customer: { customerId },
          productLine: account.productLine,
          accountId: account.accountId,
          periodEnd,
          balance: 1500,
          creditLimit: 5000,
          revenue: account.revenue,
          costToServe: account.costToServe,
          daysLate: account.daysLate?.[i] ?? 0,
        }),
      );
    }
  }
  return customerId;
}

export type FeeSpec = {
  feeType: (typeof FEE_TYPES)[number];
  amount: number;
  productLine?: ProductLine;
  accountId: string;
  feeId?: string;
};

/** A `Fee Assessed` envelope as billing sends it. */
export function feeAssessed(customer: Record<string, string>, fee: FeeSpec): EventBridgeEvent {
  const feeId = fee.feeId ?? `fee-${randomUUID().slice(0, 8)}`;
  return envelope(
    DetailTypes.FeeAssessed,
    {
      eventId: `evt-${feeId}`,
      occurredAt: new Date().toISOString(),
      channel: 'billing',
      customer,
      feeId,
      productLine: fee.productLine ?? 'credit_card',
      accountId: fee.accountId,
      feeType: fee.feeType,
      amount: fee.amount,
    },
    'bank.billing',
  );
}

/** Profit per month that puts a single-account customer in a tier (12 months, scaled by nothing). */
export const MONTHLY = {
  /** 105 × 12 = 1,260: gold. */
  gold: { revenue: 130, costToServe: 25 },
  /** 20 × 12 = 240: silver. */
  silver: { revenue: 45, costToServe: 25 },
  /** −10 × 12 = −120: bronze. */
  bronze: { revenue: 10, costToServe: 20 },
} as const;
