import { beforeAll, describe, expect, it } from 'vitest';
import { handler } from '../../../functions/customer-file/api';
import { ingest } from '../../../functions/customer-file/ingest';
import { DetailTypes } from '../../../functions/shared/events';
import { apiEvent, call } from '../../support/api';
import { envelope, uid } from '../../support/events';

const tier = 'platinum' as const;
let loyal: string;
let atRisk: string;
const line = 'investment' as const;

async function statement(
  customerId: string,
  accountId: string,
  month: number,
  revenue: number,
  productLine = 'credit_card',
) {
  const periodEnd = new Date(Date.UTC(2026, month, 28)).toISOString().slice(0, 10);
  await ingest(
    envelope(DetailTypes.StatementIssued, {
      eventId: uid('s'),
      occurredAt: `${periodEnd}T12:00:00Z`,
      channel: 'billing',
      customer: { customerId },
      productLine,
      accountId,
      periodEnd,
      balance: 500,
      revenue,
      costToServe: 10,
      daysLate: 0,
    }),
  );
}

beforeAll(async () => {
  loyal = uid('api-loyal');
  atRisk = uid('api-risk');
  for (let m = 0; m < 10; m++) await statement(loyal, `${loyal}-a`, m, 400, line);
  await statement(atRisk, `${atRisk}-a`, 9, 400, line);
  await ingest(
    envelope(DetailTypes.ClosureRequested, {
      eventId: uid('cr'),
      occurredAt: new Date().toISOString(),
      channel: 'web',
      customer: { customerId: atRisk },
      productLine: line,
      accountId: `${atRisk}-a`,
      reason: 'fees',
    }),
  );
});

const get = (
  resource: string,
  pathParameters: Record<string, string> = {},
  query: Record<string, string> = {},
  groups = ['ops'],
) => call(handler, apiEvent({ method: 'GET', resource, pathParameters, query, groups }));

describe('GET /customers/{id}', () => {
  it('answers the 360 view with the fields of the contract', async () => {
    const res = await get('/customers/{id}', { id: loyal }, {}, ['service_rep']);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(
      expect.arrayContaining([
        'customerId',
        'status',
        'tier',
        'annualProfit',
        'lifetimeValue',
        'shareOfWallet',
        'identities',
        'products',
        'paymentHistory',
        'churnRisk',
        'preferences',
        'contacts',
        'fees',
        'activeRuns',
      ]),
    );
    expect(res.body).toMatchObject({
      customerId: loyal,
      tier,
      status: 'active',
      paymentHistory: { statements12: expect.any(Number), late12: 0 },
    });
    expect(res.body.products).toEqual([
      { productLine: line, accountId: `${loyal}-a`, status: 'open', annualProfit: res.body.annualProfit },
    ]);
  });

  it('answers 404 naming nothing but the id for an unknown customer', async () => {
    const res = await get('/customers/{id}', { id: 'nobody-here' });
    expect(res).toMatchObject({ status: 404, body: { message: 'no customer nobody-here' } });
  });
});

describe('GET /customers (segment listing)', () => {
  it('lists a tier by churn risk, highest first, with a minimum churn risk as a key condition', async () => {
    const res = await get('/customers', {}, { tier, minChurnRisk: '0.5', limit: '100' }, ['marketer']);
    expect(res.status).toBe(200);
    const ids = res.body.items.map((i: { customerId: string }) => i.customerId);
    expect(ids).toContain(atRisk);
    expect(ids).not.toContain(loyal);
    const risks = res.body.items.map((i: { churnRisk: number }) => i.churnRisk);
    expect(risks).toEqual([...risks].sort((a, b) => b - a));
  });

  it('lists by product line held and pages with nextCursor until the end', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 50; page++) {
      const res = await get(
        '/customers',
        {},
        { productLine: line, limit: '1', ...(cursor ? { cursor } : {}) },
        ['marketer'],
      );
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((i: { customerId: string }) => i.customerId));
      cursor = res.body.nextCursor;
      if (!cursor) break;
    }
    expect(cursor).toBeUndefined();
    expect(seen).toEqual(expect.arrayContaining([loyal, atRisk]));
  });

  it('answers 400 for a bad filter or a forged cursor, and 403 for a service rep', async () => {
    expect((await get('/customers', {}, { tier: 'diamond' }, ['marketer'])).body.errors).toEqual([
      expect.objectContaining({ field: 'query.tier' }),
    ]);
    expect((await get('/customers', {}, { cursor: 'bm90IGEgY3Vyc29y' }, ['marketer'])).body.errors).toEqual([
      expect.objectContaining({ field: 'query.cursor' }),
    ]);
    expect((await get('/customers', {}, {}, ['service_rep'])).status).toBe(403);
  });
});

describe('GET /customers/{id}/timeline', () => {
  it('pages through the events newest first without repeating one', async () => {
    const first = await get('/customers/{id}/timeline', { id: loyal }, { limit: '4' });
    const second = await get(
      '/customers/{id}/timeline',
      { id: loyal },
      { limit: '100', cursor: first.body.nextCursor },
    );
    const all = [...first.body.items, ...second.body.items];
    expect(all).toHaveLength(10);
    expect(all.map((e: { at: string }) => e.at)).toEqual(
      all
        .map((e: { at: string }) => e.at)
        .sort()
        .reverse(),
    );
    expect(new Set(all.map((e: { ref: string }) => e.ref)).size).toBe(10);
    expect(second.body.nextCursor).toBeUndefined();
  });
});

describe('PUT /customers/{id}/preferences', () => {
  it('records preferences a service rep took down, shown in the 360 view', async () => {
    const body = {
      preferences: [
        { productLine: 'credit_card', channels: ['email'] },
        { productLine: 'mortgage', channels: ['phone'] },
      ],
      timeZone: 'America/Chicago',
    };
    const put = await call(
      handler,
      apiEvent({
        method: 'PUT',
        resource: '/customers/{id}/preferences',
        pathParameters: { id: loyal },
        body,
        groups: ['service_rep'],
      }),
    );
    expect(put.status).toBe(200);
    const view = await get('/customers/{id}', { id: loyal });
    expect(view.body.preferences).toMatchObject(body);
  });

  it('answers 400 naming a bad channel and 403 for a marketer', async () => {
    const bad = { preferences: [{ productLine: 'credit_card', channels: ['pigeon'] }] };
    const res = await call(
      handler,
      apiEvent({
        method: 'PUT',
        resource: '/customers/{id}/preferences',
        pathParameters: { id: loyal },
        body: bad,
        groups: ['service_rep'],
      }),
    );
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'body.preferences.0.channels.0' })]);
    const forbidden = await call(
      handler,
      apiEvent({
        method: 'PUT',
        resource: '/customers/{id}/preferences',
        pathParameters: { id: loyal },
        body: bad,
        groups: ['marketer'],
      }),
    );
    expect(forbidden.status).toBe(403);
  });
});

describe('GET /quarantine', () => {
  it('lists rejected events newest first with reasons, personal data masked', async () => {
    const eventId = uid('q');
    await ingest(
      envelope(DetailTypes.CustomerProfileUpdated, {
        eventId,
        occurredAt: 'yesterday',
        channel: 'web',
        customer: { email: 'Jane.Doe@example.com', phone: '+14155550123' },
        name: 'Jane Doe',
      }),
    );
    const res = await get('/quarantine', {}, { limit: '100' }, ['ops']);
    const entry = res.body.items.find((i: { eventId?: string }) => i.eventId === eventId);
    expect(entry).toMatchObject({
      source: 'bank.test',
      detailType: 'Customer Profile Updated',
      reasons: [{ field: 'detail.occurredAt' }],
    });
    expect(JSON.stringify(entry)).not.toMatch(/Jane|Doe|jane\.doe|5550123/i);
    expect((await get('/quarantine', {}, {}, ['marketer'])).status).toBe(403);
  });
});
