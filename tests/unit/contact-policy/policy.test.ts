import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ContactDecision,
  type ContactRequest,
  type DecideContactInput,
  decideContact,
  endOfQuietHours,
  inControlGroup,
  type LoggedContact,
  type Preferences,
} from '../../../functions/contact-policy/policy';
import { defaultSettings, type Settings } from '../../../functions/shared/settings';

// Noon in New York (the default zone), so only the quiet-hours tests meet the quiet window.
const NOON_NY = new Date('2026-06-10T16:00:00Z');
const DAY = 24 * 60 * 60 * 1000;

const daysBefore = (now: Date, days: number) => new Date(now.getTime() - days * DAY).toISOString();

function request(over: Partial<ContactRequest> = {}): ContactRequest {
  return {
    customerId: 'c-1',
    productLine: 'credit_card',
    intent: 'cross_sell',
    department: 'cards',
    ...over,
  };
}

function logged(over: Partial<LoggedContact> & { at: string }): LoggedContact {
  return { contactId: 'k-1', intent: 'cross_sell', productLine: 'credit_card', status: 'sent', ...over };
}

function withSettings(patch: (s: Settings) => void): Settings {
  const s = structuredClone(defaultSettings);
  patch(s);
  return s;
}

function decide(over: Partial<DecideContactInput> = {}): ContactDecision {
  return decideContact({
    request: request(),
    preferences: undefined,
    knownChannels: { email: true, phone: true },
    log: [],
    now: NOON_NY,
    settings: defaultSettings,
    ...over,
  });
}

/** A customer id that the default 10% share puts in the control group of `workflow`, found by search. */
function idInControl(workflow: string, wanted: boolean): string {
  for (let i = 0; ; i++) {
    const id = `probe-${i}`;
    if (inControlGroup(id, workflow, defaultSettings.controlGroupShare) === wanted) return id;
  }
}

describe('channel choice', () => {
  const cases: {
    name: string;
    req?: Partial<ContactRequest>;
    prefs?: Preferences;
    known?: { email: boolean; phone: boolean };
    expected: ContactDecision;
  }[] = [
    {
      name: 'a customer without preferences is emailed when the email address is known',
      expected: { status: 'sent', channel: 'email' },
    },
    {
      name: 'a customer without preferences or email gets a letter, since mail is always possible',
      known: { email: false, phone: true },
      expected: { status: 'sent', channel: 'mail' },
    },
    {
      name: 'without preferences a requested channel is used when the customer can be reached on it',
      req: { channel: 'sms' },
      expected: { status: 'sent', channel: 'sms' },
    },
    {
      name: 'without preferences a requested phone call falls back to email when no phone is known',
      req: { channel: 'phone' },
      known: { email: true, phone: false },
      expected: { status: 'sent', channel: 'email' },
    },
    {
      name: 'without preferences a requested push is not assumed reachable',
      req: { channel: 'push' },
      known: { email: false, phone: false },
      expected: { status: 'sent', channel: 'mail' },
    },
    {
      name: 'the product line preference wins over the catch-all preference',
      prefs: {
        preferences: [
          { productLine: '*', channels: ['mail'] },
          { productLine: 'credit_card', channels: ['sms'] },
        ],
      },
      expected: { status: 'sent', channel: 'sms' },
    },
    {
      name: 'the catch-all preference applies to a product line the customer did not mention',
      prefs: { preferences: [{ productLine: '*', channels: ['phone'] }] },
      req: { productLine: 'savings' },
      expected: { status: 'sent', channel: 'phone' },
    },
    {
      name: 'a requested channel among the customer’s chosen channels is honoured',
      prefs: { preferences: [{ productLine: 'credit_card', channels: ['email', 'sms'] }] },
      req: { channel: 'sms' },
      expected: { status: 'sent', channel: 'sms' },
    },
    {
      name: 'a requested channel the customer did not choose is replaced by their first choice',
      prefs: { preferences: [{ productLine: 'credit_card', channels: ['mail', 'email'] }] },
      req: { channel: 'phone' },
      expected: { status: 'sent', channel: 'mail' },
    },
    {
      name: 'a preference with no channels falls back to a known email',
      prefs: { preferences: [{ productLine: 'credit_card', channels: [] }] },
      expected: { status: 'sent', channel: 'email' },
    },
    {
      name: 'a preference with no channels and no email leaves no channel',
      prefs: { preferences: [{ productLine: 'credit_card', channels: [] }] },
      known: { email: false, phone: true },
      expected: {
        status: 'suppressed',
        reason: 'no_channel',
        detail: 'customer chose no channel for credit_card and has no known email',
      },
    },
    {
      name: 'a request for all product lines uses the catch-all preference',
      prefs: {
        preferences: [
          { productLine: 'mortgage', channels: ['phone'] },
          { productLine: '*', channels: ['sms'] },
        ],
      },
      req: { productLine: '*' },
      expected: { status: 'sent', channel: 'sms' },
    },
  ];

  for (const { name, req, prefs, known, expected } of cases)
    it(name, () => {
      expect(
        decide({
          request: request(req),
          preferences: prefs,
          knownChannels: known ?? { email: true, phone: true },
        }),
      ).toEqual(expected);
    });

  it('a customer who chose email for cards and phone for the mortgage gets each product on its own channel', () => {
    const preferences: Preferences = {
      preferences: [
        { productLine: 'credit_card', channels: ['email'] },
        { productLine: 'mortgage', channels: ['phone'] },
      ],
    };
    const card = decide({ preferences, request: request({ productLine: 'credit_card', channel: 'phone' }) });
    const mortgage = decide({ preferences, request: request({ productLine: 'mortgage', channel: 'email' }) });
    expect(card).toEqual({ status: 'sent', channel: 'email' });
    expect(mortgage).toEqual({ status: 'sent', channel: 'phone' });
  });
});

describe('opt-outs', () => {
  const cases: {
    name: string;
    prefs: Preferences;
    req?: Partial<ContactRequest>;
    expected: ContactDecision;
  }[] = [
    {
      name: 'an opt-out on the product line suppresses marketing for that line',
      prefs: { preferences: [{ productLine: 'credit_card', channels: ['email'], optOut: true }] },
      expected: {
        status: 'suppressed',
        reason: 'opt_out',
        detail: 'customer opted out of credit_card marketing',
      },
    },
    {
      name: 'an opt-out on the catch-all suppresses marketing even where the line has its own channels',
      prefs: {
        preferences: [
          { productLine: '*', channels: [], optOut: true },
          { productLine: 'credit_card', channels: ['email'] },
        ],
      },
      expected: { status: 'suppressed', reason: 'opt_out', detail: 'customer opted out of all marketing' },
    },
    {
      name: 'an opt-out on another product line does not suppress this one',
      prefs: {
        preferences: [
          { productLine: 'mortgage', channels: ['phone'], optOut: true },
          { productLine: 'credit_card', channels: ['sms'] },
        ],
      },
      expected: { status: 'sent', channel: 'sms' },
    },
    {
      name: 'an opted-out customer with no channel is logged as opted out, the reason they gave',
      prefs: { preferences: [{ productLine: 'credit_card', channels: [], optOut: true }] },
      expected: {
        status: 'suppressed',
        reason: 'opt_out',
        detail: 'customer opted out of credit_card marketing',
      },
    },
  ];

  for (const { name, prefs, req, expected } of cases)
    it(name, () => {
      expect(
        decide({ preferences: prefs, request: request(req), knownChannels: { email: false, phone: false } }),
      ).toEqual(expected);
    });
});

describe('service notices', () => {
  const optedOutEverywhere: Preferences = {
    preferences: [
      { productLine: '*', channels: ['mail'], optOut: true },
      { productLine: 'credit_card', channels: ['email'], optOut: true },
    ],
  };
  const fullLog = [0.5, 1, 2, 3].map((d, i) => logged({ contactId: `m-${i}`, at: daysBefore(NOON_NY, d) }));

  const cases: { name: string; req: Partial<ContactRequest> }[] = [
    { name: 'a service_notice intent', req: { intent: 'service_notice' } },
    { name: 'a request flagged as service', req: { intent: 'cross_sell', service: true } },
  ];

  for (const { name, req } of cases)
    it(`${name} ignores marketing opt-outs and uses the chosen channel`, () => {
      expect(decide({ request: request(req), preferences: optedOutEverywhere })).toEqual({
        status: 'sent',
        channel: 'email',
      });
    });

  for (const { name, req } of cases)
    it(`${name} is not held back by frequency caps`, () => {
      expect(decide({ request: request(req), log: fullLog })).toEqual({ status: 'sent', channel: 'email' });
    });

  for (const { name, req } of cases)
    it(`${name} is never withheld for a control group`, () => {
      const settings = withSettings((s) => {
        s.controlGroupShare = 1;
      });
      expect(decide({ request: request({ ...req, workflow: 'retention' }), settings })).toEqual({
        status: 'sent',
        channel: 'email',
      });
    });

  it('a service notice still needs a channel to go out on', () => {
    expect(
      decide({
        request: request({ intent: 'service_notice' }),
        preferences: { preferences: [{ productLine: 'credit_card', channels: [], optOut: true }] },
        knownChannels: { email: false, phone: true },
      }),
    ).toMatchObject({ status: 'suppressed', reason: 'no_channel' });
  });

  it('a service notice asked for at night waits for the morning instead of going out', () => {
    expect(
      decide({ request: request({ intent: 'service_notice' }), now: new Date('2026-06-11T02:00:00Z') }),
    ).toEqual({ status: 'scheduled', channel: 'email', scheduledFor: '2026-06-11T12:00:00.000Z' });
  });
});

describe('control group', () => {
  it('a marketing contact for a customer in the workflow’s control group is suppressed', () => {
    const customerId = idInControl('retention', true);
    expect(decide({ request: request({ customerId, workflow: 'retention' }) })).toEqual({
      status: 'suppressed',
      reason: 'control_group',
      channel: 'email',
      detail: 'customer is in the 10% control group of retention',
    });
  });

  it('a customer outside the control group is contacted', () => {
    const customerId = idInControl('retention', false);
    expect(decide({ request: request({ customerId, workflow: 'retention' }) })).toEqual({
      status: 'sent',
      channel: 'email',
    });
  });

  it('a request without a workflow is never held out, because there is nothing to measure', () => {
    const customerId = idInControl('retention', true);
    const settings = withSettings((s) => {
      s.controlGroupShare = 1;
    });
    expect(decide({ request: request({ customerId }), settings })).toEqual({
      status: 'sent',
      channel: 'email',
    });
  });

  it.each([
    { share: 0, expected: false },
    { share: 1, expected: true },
  ])('a share of $share puts every customer on the same side', ({ share, expected }) => {
    for (let i = 0; i < 200; i++) expect(inControlGroup(`c-${i}`, 'win-back', share)).toBe(expected);
  });

  const populations = [
    { name: 'sequential ids', ids: Array.from({ length: 10_000 }, (_, i) => `c-${i}`) },
    { name: 'random uuids', ids: fc.sample(fc.uuid(), { numRuns: 10_000, seed: 20260610 }) },
  ];

  for (const { name, ids } of populations)
    it(`over 10,000 customers (${name}) the control group is 10% within one point`, () => {
      for (const workflow of ['retention', 'win-back']) {
        const share = ids.filter((id) => inControlGroup(id, workflow, 0.1)).length / ids.length;
        expect(share).toBeGreaterThanOrEqual(0.09);
        expect(share).toBeLessThanOrEqual(0.11);
      }
    });

  it('the retention and win-back control groups are chosen independently of each other', () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `c-${i}`);
    const both = ids.filter(
      (id) => inControlGroup(id, 'retention', 0.1) && inControlGroup(id, 'win-back', 0.1),
    );
    // Independent 10% draws overlap on about 1% of customers; identical groups would overlap on 10%.
    expect(both.length / ids.length).toBeLessThan(0.02);
  });

  it('the same customer always gets the same answer for the same workflow', () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom('retention', 'win-back', 'fee-review'), (id, workflow) => {
        const first = inControlGroup(id, workflow, 0.1);
        expect(inControlGroup(id, workflow, 0.1)).toBe(first);
      }),
    );
  });

  it('raising the share only adds customers to the control group, never swaps them', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (id, a, b) => {
          const [low, high] = a < b ? [a, b] : [b, a];
          if (inControlGroup(id, 'retention', low)) expect(inControlGroup(id, 'retention', high)).toBe(true);
        },
      ),
    );
  });
});

describe('intent conflicts', () => {
  it('the home-equity "cut up your cards" letter a week after the card campaign is suppressed, naming the campaign', () => {
    const cardCampaign = logged({
      contactId: 'contact-card-campaign',
      intent: 'promote_credit',
      productLine: 'credit_card',
      channel: 'mail',
      at: '2026-06-03T15:00:00.000Z',
    });
    const decision = decide({
      request: request({
        productLine: 'home_equity',
        intent: 'debt_consolidation',
        department: 'home-equity',
      }),
      log: [cardCampaign],
      now: new Date('2026-06-10T15:00:00Z'),
    });
    expect(decision).toEqual({
      status: 'suppressed',
      reason: 'intent_conflict',
      conflictsWith: 'contact-card-campaign',
      channel: 'email',
      detail:
        'debt_consolidation conflicts with promote_credit contact contact-card-campaign of 2026-06-03T15:00:00.000Z (30-day rule)',
    });
  });

  const conflictCases: {
    name: string;
    intent: ContactRequest['intent'];
    log: LoggedContact[];
    expected: Partial<ContactDecision>;
  }[] = [
    {
      name: 'a credit promotion after a debt-consolidation offer is suppressed too (either direction)',
      intent: 'promote_credit',
      log: [logged({ contactId: 'dc', intent: 'debt_consolidation', at: daysBefore(NOON_NY, 3) })],
      expected: { status: 'suppressed', reason: 'intent_conflict', conflictsWith: 'dc' },
    },
    {
      name: 'a conflicting contact still waiting for the morning counts as reaching the customer',
      intent: 'debt_consolidation',
      log: [
        logged({
          contactId: 'sch',
          intent: 'promote_credit',
          status: 'scheduled',
          at: daysBefore(NOON_NY, 1),
        }),
      ],
      expected: { status: 'suppressed', reason: 'intent_conflict', conflictsWith: 'sch' },
    },
    {
      name: 'a conflicting contact that was itself suppressed never reached the customer and does not count',
      intent: 'debt_consolidation',
      log: [
        logged({
          contactId: 'sup',
          intent: 'promote_credit',
          status: 'suppressed',
          at: daysBefore(NOON_NY, 1),
        }),
      ],
      expected: { status: 'sent' },
    },
    {
      name: 'a conflicting contact 29 days ago still blocks',
      intent: 'debt_consolidation',
      log: [logged({ contactId: 'old', intent: 'promote_credit', at: daysBefore(NOON_NY, 29) })],
      expected: { status: 'suppressed', reason: 'intent_conflict', conflictsWith: 'old' },
    },
    {
      name: 'a conflicting contact exactly 30 days ago has left the window',
      intent: 'debt_consolidation',
      log: [logged({ contactId: 'old', intent: 'promote_credit', at: daysBefore(NOON_NY, 30) })],
      expected: { status: 'sent' },
    },
    {
      name: 'with several conflicting contacts the most recent one is named',
      intent: 'debt_consolidation',
      log: [
        logged({ contactId: 'older', intent: 'promote_credit', at: daysBefore(NOON_NY, 20) }),
        logged({ contactId: 'newest', intent: 'promote_credit', at: daysBefore(NOON_NY, 2) }),
        logged({ contactId: 'middle', intent: 'promote_credit', at: daysBefore(NOON_NY, 10) }),
      ],
      expected: { status: 'suppressed', reason: 'intent_conflict', conflictsWith: 'newest' },
    },
    {
      name: 'the same intent twice is not a conflict',
      intent: 'promote_credit',
      log: [logged({ contactId: 'same', intent: 'promote_credit', at: daysBefore(NOON_NY, 1) })],
      expected: { status: 'sent' },
    },
    {
      name: 'intents outside any conflict pair are never suppressed for a conflict',
      intent: 'retention_offer',
      log: [
        logged({ contactId: 'a', intent: 'promote_credit', at: daysBefore(NOON_NY, 10) }),
        logged({ contactId: 'b', intent: 'debt_consolidation', at: daysBefore(NOON_NY, 20) }),
      ],
      expected: { status: 'sent' },
    },
  ];

  for (const { name, intent, log, expected } of conflictCases)
    it(name, () => {
      expect(decide({ request: request({ intent }), log })).toMatchObject(expected);
    });

  it('conflict pairs and windows come from the settings', () => {
    const settings = withSettings((s) => {
      s.contactPolicy.intentConflicts = [{ intents: ['retention_offer', 'win_back_offer'], days: 3 }];
    });
    const log = [logged({ contactId: 'r', intent: 'retention_offer', at: daysBefore(NOON_NY, 2) })];
    expect(decide({ request: request({ intent: 'win_back_offer' }), log, settings })).toMatchObject({
      reason: 'intent_conflict',
      conflictsWith: 'r',
    });
    const stale = [logged({ contactId: 'r', intent: 'retention_offer', at: daysBefore(NOON_NY, 4) })];
    expect(decide({ request: request({ intent: 'win_back_offer' }), log: stale, settings })).toEqual({
      status: 'sent',
      channel: 'email',
    });
  });
});

describe('frequency caps', () => {
  const m = (days: number, over: Partial<LoggedContact> = {}) =>
    logged({ contactId: `m-${days}`, at: daysBefore(NOON_NY, days), ...over });

  const cases: { name: string; log: LoggedContact[]; expected: ContactDecision }[] = [
    {
      name: 'one marketing contact this week leaves room for a second',
      log: [m(1)],
      expected: { status: 'sent', channel: 'email' },
    },
    {
      name: 'two marketing contacts within 7 days reach the weekly cap',
      log: [m(1), m(6.9, { productLine: 'mortgage' })],
      expected: {
        status: 'suppressed',
        reason: 'frequency_cap',
        channel: 'email',
        detail: '2 marketing contacts in 7 days (cap 2)',
      },
    },
    {
      name: 'a contact exactly 7 days old no longer counts toward the weekly cap',
      log: [m(1), m(7)],
      expected: { status: 'sent', channel: 'email' },
    },
    {
      name: 'four marketing contacts within 30 days reach the monthly cap even when no week holds two',
      log: [m(1), m(8), m(15), m(22)],
      expected: {
        status: 'suppressed',
        reason: 'frequency_cap',
        channel: 'email',
        detail: '4 marketing contacts in 30 days (cap 4)',
      },
    },
    {
      name: 'three marketing contacts within 30 days leave room for a fourth',
      log: [m(1), m(8), m(15), m(30)],
      expected: { status: 'sent', channel: 'email' },
    },
    {
      name: 'service notices in the log do not use up the marketing allowance',
      log: [m(0.5, { intent: 'service_notice' }), m(1, { service: true }), m(2)],
      expected: { status: 'sent', channel: 'email' },
    },
    {
      name: 'suppressed contacts in the log do not use up the allowance',
      log: [m(1, { status: 'suppressed' }), m(2)],
      expected: { status: 'sent', channel: 'email' },
    },
    {
      name: 'a contact scheduled for the morning already counts against the cap',
      log: [
        m(0.1, { status: 'scheduled', scheduledFor: new Date(NOON_NY.getTime() + DAY / 2).toISOString() }),
        m(3),
      ],
      expected: {
        status: 'suppressed',
        reason: 'frequency_cap',
        channel: 'email',
        detail: '2 marketing contacts in 7 days (cap 2)',
      },
    },
  ];

  for (const { name, log, expected } of cases)
    it(name, () => {
      expect(decide({ log })).toEqual(expected);
    });

  it('contacts from every department and product line share one allowance', () => {
    const log = [
      logged({
        contactId: 'cards',
        productLine: 'credit_card',
        intent: 'promote_credit',
        at: daysBefore(NOON_NY, 1),
      }),
      logged({
        contactId: 'loans',
        productLine: 'personal_loan',
        intent: 'cross_sell',
        at: daysBefore(NOON_NY, 2),
      }),
    ];
    const decision = decide({ request: request({ productLine: 'savings', department: 'deposits' }), log });
    expect(decision).toMatchObject({ status: 'suppressed', reason: 'frequency_cap' });
  });

  it('caps come from the settings', () => {
    const settings = withSettings((s) => {
      s.contactPolicy.caps = [{ days: 1, max: 1 }];
    });
    expect(decide({ log: [logged({ at: daysBefore(NOON_NY, 0.5) })], settings })).toMatchObject({
      reason: 'frequency_cap',
      detail: '1 marketing contacts in 1 days (cap 1)',
    });
    expect(decide({ log: [logged({ at: daysBefore(NOON_NY, 1.5) })], settings })).toEqual({
      status: 'sent',
      channel: 'email',
    });
  });
});

describe('quiet hours', () => {
  const cases: {
    name: string;
    now: string;
    prefs?: Preferences;
    timeZone?: string;
    quiet?: { start: string; end: string };
    expected: string | 'sent';
  }[] = [
    {
      name: 'in Los Angeles at 21:30 a contact waits until 08:00 the next morning',
      now: '2026-07-15T04:30:00Z', // 21:30 PDT on 14 July
      timeZone: 'America/Los_Angeles',
      expected: '2026-07-15T15:00:00.000Z',
    },
    {
      name: 'in Los Angeles after midnight a contact waits until 08:00 the same day',
      now: '2026-07-15T09:00:00Z', // 02:00 PDT
      timeZone: 'America/Los_Angeles',
      expected: '2026-07-15T15:00:00.000Z',
    },
    {
      name: 'in Los Angeles at 07:59 a contact waits one minute',
      now: '2026-07-15T14:59:00Z',
      timeZone: 'America/Los_Angeles',
      expected: '2026-07-15T15:00:00.000Z',
    },
    {
      name: 'in Los Angeles at 08:00 the quiet hours are over',
      now: '2026-07-15T15:00:00Z',
      timeZone: 'America/Los_Angeles',
      expected: 'sent',
    },
    {
      name: 'in Los Angeles at 20:59 the quiet hours have not begun',
      now: '2026-07-16T03:59:00Z',
      timeZone: 'America/Los_Angeles',
      expected: 'sent',
    },
    {
      name: 'in Tokyo at 21:30 a contact waits until 08:00 JST, which is 23:00 UTC the same UTC day',
      now: '2026-07-15T12:30:00Z',
      timeZone: 'Asia/Tokyo',
      expected: '2026-07-15T23:00:00.000Z',
    },
    {
      name: 'in Tokyo at 01:00 local, still the previous UTC day, a contact waits until 08:00 local',
      now: '2026-07-15T16:00:00Z',
      timeZone: 'Asia/Tokyo',
      expected: '2026-07-15T23:00:00.000Z',
    },
    {
      name: 'in Tokyo at noon the contact goes out although it is 03:00 in UTC',
      now: '2026-07-15T03:00:00Z',
      timeZone: 'Asia/Tokyo',
      expected: 'sent',
    },
    {
      name: 'across the spring-forward night in Los Angeles the contact waits until 08:00 daylight time',
      now: '2026-03-08T05:30:00Z', // 21:30 PST on 7 March; clocks jump at 02:00 on 8 March
      timeZone: 'America/Los_Angeles',
      expected: '2026-03-08T15:00:00.000Z',
    },
    {
      name: 'across the fall-back night in Los Angeles the contact waits until 08:00 standard time',
      now: '2026-11-01T04:30:00Z', // 21:30 PDT on 31 October; clocks fall back at 02:00 on 1 November
      timeZone: 'America/Los_Angeles',
      expected: '2026-11-01T16:00:00.000Z',
    },
    {
      name: 'across the European spring change in Paris the contact waits until 08:00 summer time',
      now: '2026-03-28T22:00:00Z', // 23:00 CET on 28 March; clocks jump at 02:00 on 29 March
      timeZone: 'Europe/Paris',
      expected: '2026-03-29T06:00:00.000Z',
    },
    {
      name: 'a customer without a time zone is treated in the default zone from the settings',
      now: '2026-06-11T02:00:00Z', // 22:00 EDT
      expected: '2026-06-11T12:00:00.000Z',
    },
    {
      name: 'the time zone in the preferences wins over the profile’s zone',
      now: '2026-07-15T12:30:00Z', // 21:30 in Tokyo, 05:30 in Los Angeles
      prefs: { preferences: [{ productLine: '*', channels: ['email'] }], timeZone: 'Asia/Tokyo' },
      timeZone: 'America/Los_Angeles',
      expected: '2026-07-15T23:00:00.000Z',
    },
    {
      name: 'an unknown time zone falls back to the next known one instead of failing the request',
      now: '2026-07-15T12:30:00Z',
      prefs: { preferences: [{ productLine: '*', channels: ['email'] }], timeZone: 'Mars/Olympus_Mons' },
      timeZone: 'Asia/Tokyo',
      expected: '2026-07-15T23:00:00.000Z',
    },
    {
      name: 'the customer’s own quiet hours replace the default ones',
      now: '2026-07-15T04:30:00Z', // 21:30 PDT: quiet by default, not for this customer
      prefs: {
        preferences: [{ productLine: '*', channels: ['email'] }],
        quietHours: { start: '23:00', end: '07:00' },
        timeZone: 'America/Los_Angeles',
      },
      expected: 'sent',
    },
    {
      name: 'a quiet window that does not wrap midnight delays until its end on the same day',
      now: '2026-07-15T19:30:00Z', // 12:30 PDT
      timeZone: 'America/Los_Angeles',
      quiet: { start: '12:00', end: '14:00' },
      expected: '2026-07-15T21:00:00.000Z',
    },
    {
      name: 'a quiet window whose start equals its end never delays',
      now: '2026-07-15T04:30:00Z',
      timeZone: 'America/Los_Angeles',
      quiet: { start: '08:00', end: '08:00' },
      expected: 'sent',
    },
    {
      name: 'a quiet window ending inside the spring-forward gap ends just after the gap',
      now: '2026-03-08T04:00:00Z', // 23:00 EST on 7 March; 02:30 on 8 March does not exist in New York
      timeZone: 'America/New_York',
      quiet: { start: '22:00', end: '02:30' },
      expected: '2026-03-08T07:30:00.000Z', // 03:30 EDT
    },
    {
      name: 'a quiet window ending in the repeated fall-back hour ends at its first occurrence',
      now: '2026-11-01T03:00:00Z', // 23:00 EDT on 31 October; 01:30 happens twice on 1 November
      timeZone: 'America/New_York',
      quiet: { start: '22:00', end: '01:30' },
      expected: '2026-11-01T05:30:00.000Z', // 01:30 EDT
    },
  ];

  for (const { name, now, prefs, timeZone, quiet, expected } of cases)
    it(name, () => {
      const settings = quiet
        ? withSettings((s) => {
            s.contactPolicy.quietHours = quiet;
          })
        : defaultSettings;
      const decision = decide({ now: new Date(now), preferences: prefs, timeZone, settings });
      expect(decision).toEqual(
        expected === 'sent'
          ? { status: 'sent', channel: 'email' }
          : { status: 'scheduled', channel: 'email', scheduledFor: expected },
      );
    });

  const zones = ['America/Los_Angeles', 'America/New_York', 'Asia/Tokyo', 'Europe/Paris', 'Australia/Sydney'];
  const localParts = (instant: Date, timeZone: string) => {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      hour: '2-digit',
      minute: '2-digit',
    }).formatToParts(instant);
    const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
    return { hour: get('hour'), minute: get('minute') };
  };
  const anyInstant = fc.date({
    min: new Date('2020-01-01T00:00:00Z'),
    max: new Date('2035-12-31T00:00:00Z'),
    noInvalidDate: true,
  });

  it('any contact is sent outside 21:00–08:00 local time and delayed to the next 08:00 local inside it, never dropped', () => {
    fc.assert(
      fc.property(anyInstant, fc.constantFrom(...zones), (now, timeZone) => {
        const decision = decide({ now, timeZone });
        const { hour } = localParts(now, timeZone);
        const quiet = hour >= 21 || hour < 8;
        if (!quiet) {
          expect(decision).toEqual({ status: 'sent', channel: 'email' });
          return;
        }
        expect(decision.status).toBe('scheduled');
        if (decision.status !== 'scheduled') return;
        const at = new Date(decision.scheduledFor);
        expect(at.getTime()).toBeGreaterThan(now.getTime());
        // At most one quiet window away, plus an hour for a DST change inside it.
        expect(at.getTime() - now.getTime()).toBeLessThanOrEqual(12 * 60 * 60 * 1000);
        expect(localParts(at, timeZone)).toEqual({ hour: 8, minute: 0 });
      }),
      { numRuns: 500 },
    );
  });

  it('the end of a quiet window is never in the past, whatever the window and zone', () => {
    const hhmm = fc
      .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
      .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
    fc.assert(
      fc.property(anyInstant, fc.constantFrom(...zones), hhmm, hhmm, (now, timeZone, start, end) => {
        const until = endOfQuietHours(now, { start, end }, timeZone);
        if (until) expect(until.getTime()).toBeGreaterThan(now.getTime());
      }),
      { numRuns: 500 },
    );
  });
});

describe('rule order', () => {
  const night = new Date('2026-06-11T02:00:00Z'); // 22:00 in New York
  const capped = [0.1, 0.2].map((d, i) => logged({ contactId: `m-${i}`, at: daysBefore(night, d) }));
  const conflicting = logged({ contactId: 'card', intent: 'promote_credit', at: daysBefore(night, 3) });
  const inControl = idInControl('retention', true);

  const cases: {
    name: string;
    input: Partial<DecideContactInput>;
    reason: Extract<ContactDecision, { status: 'suppressed' }>['reason'];
  }[] = [
    {
      name: 'an opt-out is reported even for a control-group customer at the cap',
      input: {
        request: request({ customerId: inControl, workflow: 'retention' }),
        preferences: { preferences: [{ productLine: '*', channels: ['email'], optOut: true }] },
        log: capped,
      },
      reason: 'opt_out',
    },
    {
      name: 'control-group membership is reported before the contact history is looked at',
      input: {
        request: request({ customerId: inControl, workflow: 'retention', intent: 'debt_consolidation' }),
        log: [...capped, conflicting],
      },
      reason: 'control_group',
    },
    {
      name: 'an intent conflict is reported before a frequency cap because it names the clashing contact',
      input: { request: request({ intent: 'debt_consolidation' }), log: [...capped, conflicting] },
      reason: 'intent_conflict',
    },
  ];

  for (const { name, input, reason } of cases)
    it(name, () => {
      expect(decide({ now: night, ...input })).toMatchObject({ status: 'suppressed', reason });
    });

  it('a contact that a rule suppresses at night is suppressed, not scheduled for the morning', () => {
    expect(decide({ now: night, log: capped })).toMatchObject({
      status: 'suppressed',
      reason: 'frequency_cap',
    });
  });
});
