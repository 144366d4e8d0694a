import { PRODUCT_LINES, type ProductLine, type Tier } from '../shared/events';
import type { Settings } from '../shared/settings';

/**
 * Customer value as product.md defines it: profit by customer, not by product. Pure: the store layer
 * builds `CustomerFacts` from the customer's items and passes `asOf`, so the 360 view, the segment
 * indexes and the workflows all compute the same number from the same items.
 *
 * The result depends only on the facts as a set: arrays are deduplicated and sorted internally, and
 * money is summed in integer cents, because the store reads items in whatever order DynamoDB returns
 * them and a re-sent event may appear twice before it is deduplicated.
 */

export type CustomerFacts = {
  products: {
    productLine: ProductLine;
    accountId: string;
    status: 'open' | 'closed';
    openedAt?: string;
    closedAt?: string;
    closeReason?: string;
  }[];
  statements: {
    productLine: ProductLine;
    accountId: string;
    /** YYYY-MM-DD */
    periodEnd: string;
    balance: number;
    creditLimit?: number;
    revenue: number;
    costToServe: number;
    daysLate: number;
  }[];
  complaints: {
    complaintId: string;
    severity: 'low' | 'medium' | 'high';
    category: string;
    occurredAt: string;
    productLine?: ProductLine;
  }[];
  closureRequests: { accountId: string; productLine: ProductLine; occurredAt: string; reason?: string }[];
  interactions: {
    interactionId: string;
    kind: string;
    topic?: string;
    sentiment?: number;
    occurredAt: string;
  }[];
};

export type ProductValue = {
  productLine: ProductLine;
  accountId: string;
  status: 'open' | 'closed';
  annualProfit: number;
};

export type ChurnFactorName =
  | 'closure_requested'
  | 'complaint_high'
  | 'complaint_medium'
  | 'other_product_closed'
  | 'balances_down_50'
  | 'competitor_interaction'
  | 'negative_sentiment';

export type ChurnFactor = { name: ChurnFactorName; points: number };

export type CustomerValue = {
  annualProfit: number;
  tier: Tier;
  lifetimeValue: number;
  shareOfWallet: number;
  products: ProductValue[];
  paymentHistory: { statements12: number; late12: number };
  churnRisk: { score: number; factors: ChurnFactor[] };
  status: 'active' | 'defected';
};

/** The churn settings are named after a 90-day window ("otherProductClosed90d"), not a number of their own. */
const RISK_WINDOW_DAYS = 90;
/** Likewise "balancesDown50Over3Statements": latest balance ≤ half the one two statements earlier. */
const BALANCE_DROP_STATEMENTS = 3;
const BALANCE_DROP_RATIO = 0.5;
const COMPETITOR_PATTERN = /competitor/i;
const DAY_MS = 86_400_000;

export function customerValue(facts: CustomerFacts, settings: Settings, asOf: Date): CustomerValue {
  const asOfMs = asOf.getTime();
  const asOfDay = isoDay(asOf);
  // The 12 months are the statement periods ending in (asOf − 12 calendar months, asOf], by UTC date:
  // monthly statements dated the same day each month give exactly 12 in the window.
  const windowStartDay = minusMonths(asOf, 12);
  const riskStartMs = asOfMs - RISK_WINDOW_DAYS * DAY_MS;
  const riskStartDay = isoDay(new Date(riskStartMs));

  const statements = uniqueStatements(facts.statements).filter((s) => s.periodEnd <= asOfDay);
  const statements12 = statements.filter((s) => s.periodEnd > windowStartDay);
  const products = mergeProducts(facts.products, statements);

  const productValues: ProductValue[] = products.map((p) => ({
    productLine: p.productLine,
    accountId: p.accountId,
    status: p.status,
    annualProfit: fromCents(
      annualProfitCents(
        statements12.filter((s) => s.accountId === p.accountId),
        p.status,
      ),
    ),
  }));
  // The whole-customer figure is the sum of the product column, so the 360 view adds up to the cent.
  const annualProfit = fromCents(productValues.reduce((sum, p) => sum + toCents(p.annualProfit), 0));

  const openLines = new Set(products.filter((p) => p.status === 'open').map((p) => p.productLine));

  return {
    annualProfit,
    tier: tierFor(annualProfit, settings),
    lifetimeValue: lifetimeValue(annualProfit, settings),
    // Share of wallet here is the share of the bank's product lines the customer holds open: the bank
    // does not see what the customer holds elsewhere, so this is the measurable proxy.
    shareOfWallet: round3(openLines.size / PRODUCT_LINES.length),
    products: productValues,
    paymentHistory: {
      statements12: statements12.length,
      late12: statements12.filter((s) => s.daysLate > 0).length,
    },
    churnRisk: churnRisk(facts, products, statements, settings, { asOfMs, riskStartMs, riskStartDay }),
    // A customer with no products yet is a prospect, not a defector.
    status: products.length > 0 && products.every((p) => p.status === 'closed') ? 'defected' : 'active',
  };
}

/** Tier by annual profit: the highest tier whose threshold the profit reaches; below silver is bronze. */
export function tierFor(annualProfit: number, settings: Settings): Tier {
  if (annualProfit >= settings.tiers.platinum) return 'platinum';
  if (annualProfit >= settings.tiers.gold) return 'gold';
  if (annualProfit >= settings.tiers.silver) return 'silver';
  return 'bronze';
}

/** Lifetime value = annualProfit × r / (1 + d − r), in cents. */
export function lifetimeValue(annualProfit: number, settings: Settings): number {
  const { retentionRate: r, discountRate: d } = settings.lifetimeValue;
  const denominator = 1 + d - r;
  // r = 1 with d = 0 passes the settings schema but describes a customer who never leaves and money
  // that never loses value: an infinite value that JSON cannot carry, so refuse it loudly.
  if (denominator <= 0) {
    throw new RangeError(`lifetime value needs 1 + discountRate - retentionRate > 0, got ${denominator}`);
  }
  return fromCents(Math.round((toCents(annualProfit) * r) / denominator));
}

/** Products that lose money while the customer is top-tier overall: the rows of the silo report. */
export function siloFlags(value: Pick<CustomerValue, 'tier' | 'products'>): ProductValue[] {
  if (value.tier !== 'platinum' && value.tier !== 'gold') return [];
  return value.products.filter((p) => p.annualProfit < 0);
}

// ---- annual profit -------------------------------------------------------------------------------

type Statement = CustomerFacts['statements'][number];

/**
 * One account's trailing-12-month profit in cents.
 *
 * Months of history are counted per account: the number of distinct calendar months (YYYY-MM of
 * periodEnd) among the account's statements in the window, each statement standing for one month.
 * An open account with fewer than 12 such months is scaled to 12, so a card opened three months ago
 * counts at its annual run rate instead of a quarter of it, while a customer's long-held mortgage is
 * not diluted by the new card's short history (scaling the customer as a whole would do that).
 * A closed account is not scaled: it will earn nothing more, and its actual trailing profit is the
 * honest figure.
 */
function annualProfitCents(accountStatements: Statement[], status: 'open' | 'closed'): number {
  const cents = accountStatements.reduce((sum, s) => sum + toCents(s.revenue) - toCents(s.costToServe), 0);
  const months = new Set(accountStatements.map((s) => s.periodEnd.slice(0, 7))).size;
  if (status === 'closed' || months === 0 || months >= 12) return cents;
  return Math.round((cents * 12) / months);
}

/**
 * The store keeps one statement per account and period; the same rule here makes a duplicated fact
 * count once. Should two differ, the choice must not depend on their order, so the canonical-greatest wins.
 */
function uniqueStatements(statements: Statement[]): Statement[] {
  const byKey = new Map<string, Statement>();
  for (const s of statements) {
    const key = `${s.accountId}\u0000${s.periodEnd}`;
    const seen = byKey.get(key);
    if (!seen || canonical(s) > canonical(seen)) byKey.set(key, s);
  }
  return [...byKey.values()].sort(
    (a, b) => compare(a.accountId, b.accountId) || compare(a.periodEnd, b.periodEnd),
  );
}

type Product = CustomerFacts['products'][number];

/**
 * One row per account. A closed record beats an open one for the same account (closing is the later
 * event in an account's life). An account seen only through statements is held open: billing knows it
 * before its `Account Opened` event arrives, and its profit must not vanish meanwhile.
 */
function mergeProducts(products: Product[], statements: Statement[]): Product[] {
  const byAccount = new Map<string, Product>();
  for (const p of products) {
    const seen = byAccount.get(p.accountId);
    if (!seen || rankProduct(p, seen) > 0) byAccount.set(p.accountId, p);
  }
  for (const s of statements) {
    if (!byAccount.has(s.accountId)) {
      byAccount.set(s.accountId, { productLine: s.productLine, accountId: s.accountId, status: 'open' });
    }
  }
  return [...byAccount.values()].sort(
    (a, b) =>
      PRODUCT_LINES.indexOf(a.productLine) - PRODUCT_LINES.indexOf(b.productLine) ||
      compare(a.accountId, b.accountId),
  );
}

function rankProduct(a: Product, b: Product): number {
  if (a.status !== b.status) return a.status === 'closed' ? 1 : -1;
  return compare(canonical(a), canonical(b));
}

// ---- churn risk ----------------------------------------------------------------------------------

type RiskWindow = { asOfMs: number; riskStartMs: number; riskStartDay: string };

/**
 * Every factor looks at the last 90 days up to `asOf` (events after `asOf` are ignored, so a score
 * recomputed for a past date is the score that date had). Each factor counts at most once.
 */
function churnRisk(
  facts: CustomerFacts,
  products: Product[],
  statements: Statement[],
  settings: Settings,
  window: RiskWindow,
): CustomerValue['churnRisk'] {
  const weights = settings.churnRisk;
  const recent = (at: string | undefined) => {
    const ms = at === undefined ? Number.NaN : Date.parse(at);
    return ms >= window.riskStartMs && ms <= window.asOfMs;
  };
  const factors: ChurnFactor[] = [];
  const add = (name: ChurnFactorName, points: number) => factors.push({ name, points: round3(points) });

  // Counted whether the account is still open or already closed: the request is the signal either way.
  const requested = new Set(
    facts.closureRequests.filter((r) => recent(r.occurredAt)).map((r) => r.accountId),
  );
  if (requested.size > 0) add('closure_requested', weights.closureRequested);

  // The worst recent complaint counts once: five medium complaints are one unhappy customer, and
  // summing them would let complaints alone outweigh a closure request.
  const severities = new Set(facts.complaints.filter((c) => recent(c.occurredAt)).map((c) => c.severity));
  if (severities.has('high')) add('complaint_high', weights.complaintHigh);
  else if (severities.has('medium')) add('complaint_medium', weights.complaintMedium);

  // "Another" product: an account whose closure was requested already scored as closure_requested,
  // and closing it as asked is not a second signal.
  if (products.some((p) => p.status === 'closed' && recent(p.closedAt) && !requested.has(p.accountId))) {
    add('other_product_closed', weights.otherProductClosed90d);
  }

  const open = new Set(products.filter((p) => p.status === 'open').map((p) => p.accountId));
  if (
    [...open].some((accountId) =>
      balanceHalved(
        statements.filter((s) => s.accountId === accountId),
        window,
      ),
    )
  ) {
    add('balances_down_50', weights.balancesDown50Over3Statements);
  }

  const interactions = facts.interactions.filter((i) => recent(i.occurredAt));
  if (interactions.some((i) => i.topic !== undefined && COMPETITOR_PATTERN.test(i.topic))) {
    add('competitor_interaction', weights.competitorInteraction);
  }
  if (
    interactions.some((i) => i.sentiment !== undefined && i.sentiment <= weights.negativeSentimentThreshold)
  ) {
    add('negative_sentiment', weights.negativeSentiment);
  }

  const sum = factors.reduce((total, f) => total + f.points, 0);
  return { score: round3(Math.min(1, sum)), factors };
}

/**
 * An open account whose latest statement balance is at most half the balance two statements earlier
 * (the last 3 statements), that earlier balance being positive. The latest statement must fall in the
 * risk window: a drop that stale data shows is not news. Closed accounts are left out, because a
 * closing account's balance always falls and the closure already scores on its own.
 */
function balanceHalved(accountStatements: Statement[], window: RiskWindow): boolean {
  // Sorted by periodEnd already (uniqueStatements), one statement per period.
  const lastThree = accountStatements.slice(-BALANCE_DROP_STATEMENTS);
  const earliest = lastThree[0];
  const latest = lastThree[lastThree.length - 1];
  if (lastThree.length < BALANCE_DROP_STATEMENTS || !earliest || !latest) return false;
  if (latest.periodEnd < window.riskStartDay) return false;
  const before = toCents(earliest.balance);
  return before > 0 && toCents(latest.balance) <= before * BALANCE_DROP_RATIO;
}

// ---- helpers -------------------------------------------------------------------------------------

function toCents(amount: number): number {
  return Math.round(amount * 100);
}

function fromCents(cents: number): number {
  // `+ 0` turns −0 into 0, which would otherwise print as "-0.00" in reasons and reports.
  return cents / 100 + 0;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000 + 0;
}

function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** The UTC calendar date `months` months before `d`, clamped to the month's last day (29 Feb → 28 Feb). */
function minusMonths(d: Date, months: number): string {
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth() - months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return isoDay(new Date(Date.UTC(year, month, Math.min(d.getUTCDate(), lastDay))));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** JSON with sorted keys, so two equal records compare equal whatever order their fields were set in. */
function canonical(record: object): string {
  return JSON.stringify(record, Object.keys(record).sort());
}
