import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CustomerFacts,
  type CustomerValue,
  customerValue,
  lifetimeValue,
  siloFlags,
  tierFor,
} from '../../../functions/customer-file/value';
import { PRODUCT_LINES, type ProductLine } from '../../../functions/shared/events';
import { defaultSettings, type Settings } from '../../../functions/shared/settings';

const asOf = new Date('2025-06-30T12:00:00Z');

type Statement = CustomerFacts['statements'][number];

function facts(partial: Partial<CustomerFacts> = {}): CustomerFacts {
  return { products: [], statements: [], complaints: [], closureRequests: [], interactions: [], ...partial };
}

function statement(
  accountId: string,
  productLine: ProductLine,
  periodEnd: string,
  fields: Partial<Statement> = {},
): Statement {
  return {
    productLine,
    accountId,
    periodEnd,
    balance: 1000,
    revenue: 20,
    costToServe: 10,
    daysLate: 0,
    ...fields,
  };
}

/** `count` monthly statements on the 28th, the latest in `lastMonth` (YYYY-MM), oldest first. */
function monthly(
  accountId: string,
  productLine: ProductLine,
  count: number,
  fields: Partial<Statement> = {},
  lastMonth = '2025-06',
): Statement[] {
  const [year, month] = lastMonth.split('-').map(Number) as [number, number];
  return Array.from({ length: count }, (_, i) => {
    const d = new Date(Date.UTC(year, month - 1 - (count - 1 - i), 28));
    return statement(accountId, productLine, d.toISOString().slice(0, 10), fields);
  });
}

function open(accountId: string, productLine: ProductLine): CustomerFacts['products'][number] {
  return { accountId, productLine, status: 'open', openedAt: '2020-01-01T00:00:00Z' };
}

function closed(
  accountId: string,
  productLine: ProductLine,
  closedAt: string,
): CustomerFacts['products'][number] {
  return { accountId, productLine, status: 'closed', openedAt: '2020-01-01T00:00:00Z', closedAt };
}

function daysAgo(days: number): string {
  return new Date(asOf.getTime() - days * 86_400_000).toISOString();
}

const value = (f: CustomerFacts, settings: Settings = defaultSettings) => customerValue(f, settings, asOf);

describe('customer value: annual profit', () => {
  it.each<{ name: string; facts: CustomerFacts; annualProfit: number }>([
    {
      name: 'sums revenue minus cost to serve over every product of the last 12 months',
      facts: facts({
        products: [open('c1', 'credit_card'), open('m1', 'mortgage')],
        statements: [
          ...monthly('c1', 'credit_card', 12, { revenue: 20, costToServe: 10 }),
          ...monthly('m1', 'mortgage', 12, { revenue: 150, costToServe: 50 }),
        ],
      }),
      annualProfit: 1320,
    },
    {
      name: 'ignores statements older than 12 months and statements after asOf',
      facts: facts({
        products: [open('c1', 'credit_card')],
        statements: [
          ...monthly('c1', 'credit_card', 24, { revenue: 20, costToServe: 10 }),
          ...monthly('c1', 'credit_card', 1, { revenue: 999, costToServe: 0 }, '2025-07'),
        ],
      }),
      annualProfit: 120,
    },
    {
      name: 'counts a statement whose period ended on asOf but not one ending exactly 12 months before',
      facts: facts({
        products: [open('c1', 'credit_card')],
        statements: [
          ...monthly('c1', 'credit_card', 10, { revenue: 20, costToServe: 10 }, '2025-05'),
          statement('c1', 'credit_card', '2025-06-30', { revenue: 30, costToServe: 10 }),
          statement('c1', 'credit_card', '2024-06-30', { revenue: 500, costToServe: 0 }),
          statement('c1', 'credit_card', '2024-07-01', { revenue: 30, costToServe: 10 }),
        ],
      }),
      // 10 × 10 + 20 + 20 over 12 distinct months (2024-07 … 2025-06).
      annualProfit: 140,
    },
    {
      name: 'scales an open account with 3 months of history to 12',
      facts: facts({
        products: [open('c1', 'credit_card')],
        statements: monthly('c1', 'credit_card', 3, { revenue: 30, costToServe: 10 }),
      }),
      annualProfit: 240,
    },
    {
      name: 'scales each account by its own months, so a new card does not dilute an old mortgage',
      facts: facts({
        products: [open('m1', 'mortgage'), open('c1', 'credit_card')],
        statements: [
          ...monthly('m1', 'mortgage', 12, { revenue: 150, costToServe: 50 }),
          ...monthly('c1', 'credit_card', 3, { revenue: 30, costToServe: 10 }),
        ],
      }),
      annualProfit: 1440,
    },
    {
      name: 'does not scale a closed account: its actual trailing profit counts',
      facts: facts({
        products: [closed('c1', 'credit_card', '2025-01-05T00:00:00Z')],
        statements: monthly('c1', 'credit_card', 6, { revenue: 20, costToServe: 10 }, '2024-12'),
      }),
      annualProfit: 60,
    },
    {
      name: 'counts two statements in one calendar month as one month of history',
      facts: facts({
        products: [open('s1', 'savings')],
        statements: [
          statement('s1', 'savings', '2025-05-28'),
          statement('s1', 'savings', '2025-06-05'),
          statement('s1', 'savings', '2025-06-25'),
        ],
      }),
      // 3 × 10 over 2 months, scaled by 12 / 2.
      annualProfit: 180,
    },
    {
      name: 'rounds an uneven scale to the nearest cent',
      facts: facts({
        products: [open('s1', 'savings')],
        statements: monthly('s1', 'savings', 7, { revenue: 1, costToServe: 0.86 }).map((s, i) =>
          i === 0 ? { ...s, revenue: 1.02 } : s,
        ),
      }),
      // (7 × 0.14 + 0.02) = 1.00, × 12 / 7 = 1.714… → 1.71.
      annualProfit: 1.71,
    },
    {
      name: 'counts a statement sent twice once',
      facts: facts({
        products: [open('c1', 'credit_card')],
        statements: [...monthly('c1', 'credit_card', 12), ...monthly('c1', 'credit_card', 12)],
      }),
      annualProfit: 120,
    },
    {
      name: 'keeps the profit of an account billing knows before its Account Opened event arrives',
      facts: facts({ statements: monthly('c1', 'credit_card', 12) }),
      annualProfit: 120,
    },
    {
      name: 'is zero for a customer without statements',
      facts: facts({ products: [open('c1', 'credit_card')] }),
      annualProfit: 0,
    },
    {
      name: 'is negative for a customer who costs more than they bring',
      facts: facts({
        products: [open('c1', 'credit_card')],
        statements: monthly('c1', 'credit_card', 12, { revenue: 5, costToServe: 15 }),
      }),
      annualProfit: -120,
    },
  ])('$name', ({ facts: f, annualProfit }) => {
    expect(value(f).annualProfit).toBe(annualProfit);
  });

  it('reports each product with its own annual profit and status, in product-line order', () => {
    const v = value(
      facts({
        products: [
          closed('s1', 'savings', '2025-03-01T00:00:00Z'),
          open('c1', 'credit_card'),
          open('m1', 'mortgage'),
        ],
        statements: [
          ...monthly('c1', 'credit_card', 12, { revenue: 5, costToServe: 15 }),
          ...monthly('m1', 'mortgage', 12, { revenue: 250, costToServe: 50 }),
        ],
      }),
    );
    expect(v.products).toEqual([
      { productLine: 'credit_card', accountId: 'c1', status: 'open', annualProfit: -120 },
      { productLine: 'mortgage', accountId: 'm1', status: 'open', annualProfit: 2400 },
      { productLine: 'savings', accountId: 's1', status: 'closed', annualProfit: 0 },
    ]);
    expect(v.annualProfit).toBe(2280);
  });

  it('treats an account reported both open and closed as closed', () => {
    const v = value(
      facts({ products: [open('c1', 'credit_card'), closed('c1', 'credit_card', daysAgo(200))] }),
    );
    expect(v.products).toEqual([
      { productLine: 'credit_card', accountId: 'c1', status: 'closed', annualProfit: 0 },
    ]);
  });
});

describe('customer value: tier and lifetime value', () => {
  it.each<{ annualProfit: number; tier: CustomerValue['tier'] }>([
    { annualProfit: 2500, tier: 'platinum' },
    { annualProfit: 2000, tier: 'platinum' },
    { annualProfit: 1999.99, tier: 'gold' },
    { annualProfit: 500, tier: 'gold' },
    { annualProfit: 499.99, tier: 'silver' },
    { annualProfit: 0, tier: 'silver' },
    { annualProfit: -0.01, tier: 'bronze' },
  ])('puts annual profit $annualProfit in tier $tier', ({ annualProfit, tier }) => {
    expect(tierFor(annualProfit, defaultSettings)).toBe(tier);
  });

  it('takes tier thresholds from settings', () => {
    const settings = { ...defaultSettings, tiers: { platinum: 5000, gold: 1000, silver: 100 } };
    expect(tierFor(2000, settings)).toBe('gold');
    expect(tierFor(50, settings)).toBe('bronze');
    const v = value(facts({ statements: monthly('c1', 'credit_card', 12) }), settings);
    expect(v.tier).toBe('silver');
  });

  it.each<{ annualProfit: number; r: number; d: number; ltv: number }>([
    { annualProfit: 1240, r: 0.85, d: 0.1, ltv: 4216 },
    { annualProfit: -100, r: 0.85, d: 0.1, ltv: -340 },
    { annualProfit: 0, r: 0.85, d: 0.1, ltv: 0 },
    { annualProfit: 1000, r: 0.5, d: 0, ltv: 1000 },
    { annualProfit: 100, r: 0.9, d: 0.05, ltv: 600 },
    { annualProfit: 10, r: 0.7, d: 0.1, ltv: 17.5 },
    { annualProfit: 0.01, r: 0.85, d: 0.1, ltv: 0.03 },
  ])(
    'gives lifetime value $ltv for annual profit $annualProfit at r $r and d $d',
    ({ annualProfit, r, d, ltv }) => {
      const settings = { ...defaultSettings, lifetimeValue: { retentionRate: r, discountRate: d } };
      expect(lifetimeValue(annualProfit, settings)).toBe(ltv);
    },
  );

  it('refuses settings that make lifetime value infinite', () => {
    const settings = { ...defaultSettings, lifetimeValue: { retentionRate: 1, discountRate: 0 } };
    expect(() => lifetimeValue(100, settings)).toThrow(RangeError);
  });

  it('derives lifetime value from the computed annual profit', () => {
    const v = value(
      facts({ statements: monthly('m1', 'mortgage', 12, { revenue: 113.33, costToServe: 10 }) }),
    );
    expect(v.annualProfit).toBe(1239.96);
    expect(v.lifetimeValue).toBe(4215.86);
  });
});

describe('customer value: payment history and share of wallet', () => {
  it('counts statements of the last 12 months and the late ones among them', () => {
    const statements = [
      ...monthly('c1', 'credit_card', 12, { daysLate: 9 }, '2024-06'),
      ...monthly('c1', 'credit_card', 11, {}, '2025-05'),
      statement('c1', 'credit_card', '2025-06-28', { daysLate: 4 }),
    ];
    expect(value(facts({ statements })).paymentHistory).toEqual({ statements12: 12, late12: 1 });
  });

  it('counts statements of every product in the payment history', () => {
    const statements = [
      ...monthly('c1', 'credit_card', 12, { daysLate: 2 }),
      ...monthly('m1', 'mortgage', 12),
      ...monthly('p1', 'personal_loan', 2, { daysLate: 1 }),
    ];
    expect(value(facts({ statements })).paymentHistory).toEqual({ statements12: 26, late12: 14 });
  });

  it.each<{ name: string; products: CustomerFacts['products']; share: number }>([
    { name: 'is 0 for a customer with no products', products: [], share: 0 },
    {
      name: 'is open product lines over all product lines',
      products: [open('c1', 'credit_card'), open('m1', 'mortgage')],
      share: 0.25,
    },
    {
      name: 'counts two accounts of one product line once',
      products: [open('c1', 'credit_card'), open('c2', 'credit_card')],
      share: 0.125,
    },
    {
      name: 'does not count closed products',
      products: [open('c1', 'credit_card'), closed('s1', 'savings', daysAgo(400))],
      share: 0.125,
    },
    {
      name: 'is 1 for a customer holding every product line',
      products: PRODUCT_LINES.map((line) => open(`a-${line}`, line)),
      share: 1,
    },
    {
      name: 'rounds to 3 decimals',
      products: [open('c1', 'credit_card'), open('m1', 'mortgage'), open('s1', 'savings')],
      share: 0.375,
    },
  ])('share of wallet $name', ({ products, share }) => {
    expect(value(facts({ products })).shareOfWallet).toBe(share);
  });
});

describe('customer value: churn risk', () => {
  const base = {
    products: [open('c1', 'credit_card'), open('s1', 'savings')],
    statements: monthly('c1', 'credit_card', 12),
  };

  it.each<{ name: string; facts: Partial<CustomerFacts>; factors: [string, number][]; score: number }>([
    { name: 'is 0 with no signals', facts: {}, factors: [], score: 0 },
    {
      name: 'adds 0.6 for a closure request in the last 90 days',
      facts: { closureRequests: [{ accountId: 'c1', productLine: 'credit_card', occurredAt: daysAgo(10) }] },
      factors: [['closure_requested', 0.6]],
      score: 0.6,
    },
    {
      name: 'ignores a closure request older than 90 days',
      facts: { closureRequests: [{ accountId: 'c1', productLine: 'credit_card', occurredAt: daysAgo(91) }] },
      factors: [],
      score: 0,
    },
    {
      name: 'counts a closure request once its account has closed, without also counting the closure',
      facts: {
        products: [closed('c1', 'credit_card', daysAgo(5)), open('s1', 'savings')],
        closureRequests: [{ accountId: 'c1', productLine: 'credit_card', occurredAt: daysAgo(20) }],
      },
      factors: [['closure_requested', 0.6]],
      score: 0.6,
    },
    {
      name: 'counts the highest recent complaint severity once, not each complaint',
      facts: {
        complaints: [
          { complaintId: 'k1', severity: 'medium', category: 'fees', occurredAt: daysAgo(3) },
          { complaintId: 'k2', severity: 'high', category: 'service', occurredAt: daysAgo(40) },
          { complaintId: 'k3', severity: 'high', category: 'fees', occurredAt: daysAgo(50) },
        ],
      },
      factors: [['complaint_high', 0.3]],
      score: 0.3,
    },
    {
      name: 'adds 0.15 once for several medium complaints',
      facts: {
        complaints: [
          { complaintId: 'k1', severity: 'medium', category: 'fees', occurredAt: daysAgo(3) },
          { complaintId: 'k2', severity: 'medium', category: 'rates', occurredAt: daysAgo(4) },
          { complaintId: 'k3', severity: 'high', category: 'fees', occurredAt: daysAgo(120) },
        ],
      },
      factors: [['complaint_medium', 0.15]],
      score: 0.15,
    },
    {
      name: 'ignores low complaints',
      facts: {
        complaints: [{ complaintId: 'k1', severity: 'low', category: 'fees', occurredAt: daysAgo(3) }],
      },
      factors: [],
      score: 0,
    },
    {
      name: 'adds 0.2 when another product closed in the last 90 days',
      facts: { products: [open('c1', 'credit_card'), closed('s1', 'savings', daysAgo(30))] },
      factors: [['other_product_closed', 0.2]],
      score: 0.2,
    },
    {
      name: 'ignores a product closed more than 90 days ago',
      facts: { products: [open('c1', 'credit_card'), closed('s1', 'savings', daysAgo(120))] },
      factors: [],
      score: 0,
    },
    {
      name: 'adds 0.2 when an account balance halved over its last 3 statements',
      facts: {
        statements: [
          ...monthly('c1', 'credit_card', 9),
          ...monthly('s1', 'savings', 3).map(withBalances(1000, 800, 500)),
        ],
      },
      factors: [['balances_down_50', 0.2]],
      score: 0.2,
    },
    {
      name: 'ignores a balance that fell by less than half',
      facts: { statements: monthly('s1', 'savings', 3).map(withBalances(1000, 800, 500.01)) },
      factors: [],
      score: 0,
    },
    {
      name: 'ignores a fall from a zero balance',
      facts: { statements: monthly('s1', 'savings', 3).map(withBalances(0, 0, -10)) },
      factors: [],
      score: 0,
    },
    {
      name: 'compares the latest balance with the one two statements earlier, not an older peak',
      facts: { statements: monthly('s1', 'savings', 4).map(withBalances(5000, 1000, 900, 800)) },
      factors: [],
      score: 0,
    },
    {
      name: 'needs 3 statements to see a balance fall',
      facts: { statements: monthly('s1', 'savings', 2).map(withBalances(1000, 100)) },
      factors: [],
      score: 0,
    },
    {
      name: 'ignores a balance fall whose latest statement is older than 90 days',
      facts: { statements: monthly('s1', 'savings', 3, {}, '2025-02').map(withBalances(1000, 800, 100)) },
      factors: [],
      score: 0,
    },
    {
      name: 'ignores the balance of a closed account',
      facts: {
        products: [open('c1', 'credit_card'), closed('s1', 'savings', daysAgo(120))],
        statements: monthly('s1', 'savings', 3).map(withBalances(1000, 800, 0)),
      },
      factors: [],
      score: 0,
    },
    {
      name: 'adds 0.2 for an interaction about a competitor, whatever the case',
      facts: {
        interactions: [
          {
            interactionId: 'i1',
            kind: 'call',
            topic: 'Asked to match a COMPETITOR rate',
            occurredAt: daysAgo(2),
          },
        ],
      },
      factors: [['competitor_interaction', 0.2]],
      score: 0.2,
    },
    {
      name: 'ignores competitor talk older than 90 days',
      facts: {
        interactions: [
          { interactionId: 'i1', kind: 'call', topic: 'competitor offer', occurredAt: daysAgo(200) },
        ],
      },
      factors: [],
      score: 0,
    },
    {
      name: 'adds 0.1 for a recent interaction at the sentiment threshold',
      facts: {
        interactions: [{ interactionId: 'i1', kind: 'chat', sentiment: -0.5, occurredAt: daysAgo(1) }],
      },
      factors: [['negative_sentiment', 0.1]],
      score: 0.1,
    },
    {
      name: 'ignores sentiment above the threshold',
      facts: {
        interactions: [{ interactionId: 'i1', kind: 'chat', sentiment: -0.49, occurredAt: daysAgo(1) }],
      },
      factors: [],
      score: 0,
    },
    {
      name: 'ignores signals dated after asOf',
      facts: {
        closureRequests: [
          { accountId: 'c1', productLine: 'credit_card', occurredAt: '2025-07-01T00:00:00Z' },
        ],
        interactions: [
          { interactionId: 'i1', kind: 'chat', sentiment: -1, occurredAt: '2025-06-30T12:00:01Z' },
        ],
      },
      factors: [],
      score: 0,
    },
    {
      name: 'sums factors without float noise',
      facts: {
        complaints: [{ complaintId: 'k1', severity: 'medium', category: 'fees', occurredAt: daysAgo(3) }],
        products: [open('c1', 'credit_card'), closed('s1', 'savings', daysAgo(30))],
        interactions: [
          { interactionId: 'i1', kind: 'call', topic: 'competitor', sentiment: -0.9, occurredAt: daysAgo(2) },
        ],
      },
      factors: [
        ['complaint_medium', 0.15],
        ['other_product_closed', 0.2],
        ['competitor_interaction', 0.2],
        ['negative_sentiment', 0.1],
      ],
      score: 0.65,
    },
    {
      name: 'caps the score at 1 and keeps every factor for the explanation',
      facts: {
        products: [
          open('c1', 'credit_card'),
          open('s1', 'savings'),
          closed('h1', 'home_equity', daysAgo(60)),
        ],
        statements: [
          ...monthly('c1', 'credit_card', 12),
          ...monthly('s1', 'savings', 3).map(withBalances(900, 400, 100)),
        ],
        closureRequests: [{ accountId: 'c1', productLine: 'credit_card', occurredAt: daysAgo(1) }],
        complaints: [{ complaintId: 'k1', severity: 'high', category: 'fees', occurredAt: daysAgo(3) }],
        interactions: [
          { interactionId: 'i1', kind: 'call', topic: 'competitor card', occurredAt: daysAgo(2) },
          { interactionId: 'i2', kind: 'chat', sentiment: -0.8, occurredAt: daysAgo(2) },
        ],
      },
      factors: [
        ['closure_requested', 0.6],
        ['complaint_high', 0.3],
        ['other_product_closed', 0.2],
        ['balances_down_50', 0.2],
        ['competitor_interaction', 0.2],
        ['negative_sentiment', 0.1],
      ],
      score: 1,
    },
  ])('$name', ({ facts: partial, factors, score }) => {
    const risk = value(facts({ ...base, ...partial })).churnRisk;
    expect(risk.factors.map((f) => [f.name, f.points])).toEqual(factors);
    expect(risk.score).toBe(score);
  });

  it('takes factor weights and the sentiment threshold from settings', () => {
    const settings: Settings = {
      ...defaultSettings,
      churnRisk: { ...defaultSettings.churnRisk, closureRequested: 0.45, negativeSentimentThreshold: -0.2 },
    };
    const risk = value(
      facts({
        ...base,
        closureRequests: [{ accountId: 'c1', productLine: 'credit_card', occurredAt: daysAgo(1) }],
        interactions: [{ interactionId: 'i1', kind: 'chat', sentiment: -0.3, occurredAt: daysAgo(1) }],
      }),
      settings,
    ).churnRisk;
    expect(risk).toEqual({
      score: 0.55,
      factors: [
        { name: 'closure_requested', points: 0.45 },
        { name: 'negative_sentiment', points: 0.1 },
      ],
    });
  });
});

describe('customer value: status and silo flags', () => {
  it.each<{ name: string; products: CustomerFacts['products']; status: CustomerValue['status'] }>([
    { name: 'is active for a customer who holds no products yet', products: [], status: 'active' },
    {
      name: 'is active while one product is open',
      products: [open('c1', 'credit_card'), closed('s1', 'savings', daysAgo(10))],
      status: 'active',
    },
    {
      name: 'is defected when every product is closed',
      products: [closed('c1', 'credit_card', daysAgo(10)), closed('s1', 'savings', daysAgo(10))],
      status: 'defected',
    },
  ])('status $name', ({ products, status }) => {
    expect(value(facts({ products })).status).toBe(status);
  });

  it('flags the money-losing card of a platinum mortgage and savings customer', () => {
    const v = value(
      facts({
        products: [open('c1', 'credit_card'), open('m1', 'mortgage'), open('s1', 'savings')],
        statements: [
          ...monthly('c1', 'credit_card', 12, { revenue: 2, costToServe: 12 }),
          ...monthly('m1', 'mortgage', 12, { revenue: 180, costToServe: 30 }),
          ...monthly('s1', 'savings', 12, { revenue: 40, costToServe: 5 }),
        ],
      }),
    );
    expect(v.tier).toBe('platinum');
    expect(siloFlags(v)).toEqual([
      { productLine: 'credit_card', accountId: 'c1', status: 'open', annualProfit: -120 },
    ]);
  });

  it.each<{
    name: string;
    tier: CustomerValue['tier'];
    products: CustomerValue['products'];
    flagged: string[];
  }>([
    {
      name: 'flags a losing product of a gold customer',
      tier: 'gold',
      products: [
        { productLine: 'credit_card', accountId: 'c1', status: 'open', annualProfit: -0.01 },
        { productLine: 'mortgage', accountId: 'm1', status: 'open', annualProfit: 900 },
      ],
      flagged: ['c1'],
    },
    {
      name: 'does not flag a product that breaks even',
      tier: 'gold',
      products: [{ productLine: 'credit_card', accountId: 'c1', status: 'open', annualProfit: 0 }],
      flagged: [],
    },
    {
      name: 'does not flag losing products of a silver customer',
      tier: 'silver',
      products: [
        { productLine: 'credit_card', accountId: 'c1', status: 'open', annualProfit: -50 },
        { productLine: 'mortgage', accountId: 'm1', status: 'open', annualProfit: 100 },
      ],
      flagged: [],
    },
  ])('silo flags $name', ({ tier, products, flagged }) => {
    expect(siloFlags({ tier, products }).map((p) => p.accountId)).toEqual(flagged);
  });
});

describe('customer value: order and duplication', () => {
  const lines = fc.constantFrom(...PRODUCT_LINES);
  const accountIds = ['a1', 'a2', 'a3', 'a4'];
  const cents = (min: number, max: number) => fc.integer({ min, max }).map((c) => c / 100);
  // ±15 months around asOf, so windows cut through the data.
  const instant = fc.integer({ min: -10, max: 460 }).map(daysAgo);
  const day = instant.map((at) => at.slice(0, 10));

  const factsArb: fc.Arbitrary<CustomerFacts> = fc.record({
    // Not unique by account or period: conflicting records for one key must also resolve the same way.
    products: fc.array(
      fc.record({
        accountId: fc.constantFrom(...accountIds),
        productLine: lines,
        status: fc.constantFrom('open' as const, 'closed' as const),
        closedAt: fc.option(instant, { nil: undefined }),
      }),
      { maxLength: 6 },
    ),
    statements: fc.array(
      fc.record({
        accountId: fc.constantFrom(...accountIds),
        productLine: lines,
        periodEnd: day,
        balance: cents(-50_000, 500_000),
        revenue: cents(0, 50_000),
        costToServe: cents(0, 50_000),
        daysLate: fc.integer({ min: 0, max: 30 }),
      }),
      { maxLength: 40 },
    ),
    complaints: fc.array(
      fc.record({
        complaintId: fc.string({ minLength: 1, maxLength: 4 }),
        severity: fc.constantFrom('low' as const, 'medium' as const, 'high' as const),
        category: fc.constant('fees'),
        occurredAt: instant,
      }),
      { maxLength: 5 },
    ),
    closureRequests: fc.array(
      fc.record({ accountId: fc.constantFrom(...accountIds), productLine: lines, occurredAt: instant }),
      { maxLength: 3 },
    ),
    interactions: fc.array(
      fc.record({
        interactionId: fc.string({ minLength: 1, maxLength: 4 }),
        kind: fc.constant('call'),
        topic: fc.option(fc.constantFrom('billing', 'Competitor offer', 'rates'), { nil: undefined }),
        sentiment: fc.option(cents(-100, 100), { nil: undefined }),
        occurredAt: instant,
      }),
      { maxLength: 5 },
    ),
  });

  /** The same facts, each array shuffled and with some of its items repeated. */
  const reshuffled = (f: CustomerFacts) =>
    fc.record({
      products: shuffledWithRepeats(f.products),
      statements: shuffledWithRepeats(f.statements),
      complaints: shuffledWithRepeats(f.complaints),
      closureRequests: shuffledWithRepeats(f.closureRequests),
      interactions: shuffledWithRepeats(f.interactions),
    });

  it('gives the same value whatever the order of the facts and however often a fact repeats', () => {
    fc.assert(
      fc.property(
        factsArb.chain((f) => fc.tuple(fc.constant(f), reshuffled(f))),
        ([original, shuffled]) => {
          expect(customerValue(shuffled, defaultSettings, asOf)).toEqual(
            customerValue(original, defaultSettings, asOf),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps scores within 0..1 with at most 3 decimals and money in cents', () => {
    fc.assert(
      fc.property(factsArb, (f) => {
        const v = customerValue(f, defaultSettings, asOf);
        expect(v.churnRisk.score).toBeGreaterThanOrEqual(0);
        expect(v.churnRisk.score).toBeLessThanOrEqual(1);
        for (const x of [v.churnRisk.score, v.shareOfWallet]) expect(Math.round(x * 1000) / 1000).toBe(x);
        for (const x of [v.annualProfit, v.lifetimeValue, ...v.products.map((p) => p.annualProfit)]) {
          expect(Math.round(x * 100) / 100).toBe(x);
        }
        expect(v.paymentHistory.late12).toBeLessThanOrEqual(v.paymentHistory.statements12);
      }),
      { numRuns: 200 },
    );
  });
});

function shuffledWithRepeats<T>(items: T[]): fc.Arbitrary<T[]> {
  return fc
    .tuple(
      fc.shuffledSubarray(items, { minLength: items.length, maxLength: items.length }),
      fc.subarray(items),
    )
    .chain(([all, repeats]) => {
      const combined = [...all, ...repeats];
      return fc.shuffledSubarray(combined, { minLength: combined.length, maxLength: combined.length });
    });
}

function withBalances(...balances: number[]) {
  return (s: Statement, i: number): Statement => ({ ...s, balance: balances[i] ?? s.balance });
}
