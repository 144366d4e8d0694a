import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import {
  ContactNotPublishedError,
  type ContactOutcome,
  type ContactRequestInput,
  requestContact,
} from '../../../functions/contact-policy/service';
import { ConflictError, NotFoundError } from '../../../functions/shared/errors';
import { DetailTypes, RAPPORT_SOURCE, rapportEventSchemas } from '../../../functions/shared/events';
import { logger } from '../../../functions/shared/observability';
import {
  bus,
  busAccepts,
  contactLog,
  createCustomer,
  customerIdInControl,
  daysAfter,
  logVersion,
  NOON_NY,
  putEntries,
  setPreferences,
} from './fixtures';

const ask = (customerId: string, over: Partial<ContactRequestInput> = {}, now = NOON_NY) =>
  requestContact(
    { customerId, productLine: 'credit_card', intent: 'cross_sell', department: 'cards', ...over },
    { now },
  );

beforeEach(() => {
  busAccepts();
});

describe('the seed stories through the contact policy service', () => {
  it('the home-equity "cut up your cards" letter a week after the card campaign is suppressed as an intent conflict naming the campaign', async () => {
    const customerId = await createCustomer();
    const campaign = await ask(customerId, { intent: 'promote_credit', department: 'cards' });
    expect(campaign).toMatchObject({ status: 'sent', channel: 'email' });

    const letter = await ask(
      customerId,
      {
        productLine: 'home_equity',
        intent: 'debt_consolidation',
        department: 'home equity',
        channel: 'mail',
      },
      daysAfter(NOON_NY, 7),
    );

    expect(letter).toMatchObject({
      status: 'suppressed',
      reason: 'intent_conflict',
      conflictsWith: campaign.contactId,
      channel: 'mail',
    });
    const log = await contactLog(customerId);
    expect(log.map((c) => [c.department, c.status, c.reason, c.conflictsWith])).toEqual([
      ['cards', 'sent', undefined, undefined],
      ['home equity', 'suppressed', 'intent_conflict', campaign.contactId],
    ]);
    expect(putEntries().map((e) => e.detail.contactId)).toEqual([campaign.contactId]);
  });

  it('a customer who chose email for credit cards and phone for the mortgage is contacted on each product’s own channel', async () => {
    const customerId = await createCustomer();
    await setPreferences(customerId, {
      preferences: [
        { productLine: 'credit_card', channels: ['email'] },
        { productLine: 'mortgage', channels: ['phone'] },
      ],
    });

    const card = await ask(customerId, { productLine: 'credit_card', channel: 'phone' });
    const mortgage = await ask(customerId, { productLine: 'mortgage', department: 'mortgages' });

    expect(card).toMatchObject({ status: 'sent', channel: 'email' });
    expect(mortgage).toMatchObject({ status: 'sent', channel: 'phone' });
    expect(putEntries().map((e) => [e.detail.productLine, e.detail.channel])).toEqual([
      ['credit_card', 'email'],
      ['mortgage', 'phone'],
    ]);
  });
});

describe('frequency caps across departments', () => {
  it('a third marketing contact within 7 days is suppressed whichever department asks', async () => {
    const customerId = await createCustomer();
    await ask(customerId, { department: 'cards' });
    await ask(customerId, { department: 'mortgages', productLine: 'mortgage' }, daysAfter(NOON_NY, 2));

    const third = await ask(
      customerId,
      { department: 'savings', productLine: 'savings' },
      daysAfter(NOON_NY, 6),
    );

    expect(third).toMatchObject({
      status: 'suppressed',
      reason: 'frequency_cap',
      detail: '2 marketing contacts in 7 days (cap 2)',
    });
  });

  it('a fifth marketing contact within 30 days is suppressed even when no week holds more than two', async () => {
    const customerId = await createCustomer();
    for (const day of [0, 1, 8, 9]) {
      expect(await ask(customerId, {}, daysAfter(NOON_NY, day))).toMatchObject({ status: 'sent' });
    }

    expect(await ask(customerId, {}, daysAfter(NOON_NY, 16))).toMatchObject({
      status: 'suppressed',
      reason: 'frequency_cap',
      detail: '4 marketing contacts in 30 days (cap 4)',
    });
    // On day 30 the day-0 contact has left the window, so there is room again.
    expect(await ask(customerId, {}, daysAfter(NOON_NY, 30))).toMatchObject({ status: 'sent' });
  });

  it('service notices go out past both caps and do not use up the marketing allowance', async () => {
    const customerId = await createCustomer();
    expect(await ask(customerId)).toMatchObject({ status: 'sent' });
    for (let i = 0; i < 5; i++) {
      expect(await ask(customerId, { intent: 'service_notice', department: 'operations' })).toMatchObject({
        status: 'sent',
      });
    }
    expect(await ask(customerId, { service: true, intent: 'cross_sell' })).toMatchObject({ status: 'sent' });

    expect(await ask(customerId)).toMatchObject({ status: 'sent' });
    expect(await ask(customerId)).toMatchObject({ status: 'suppressed', reason: 'frequency_cap' });
  });
});

describe('the contact log', () => {
  it('records every decision, sent, scheduled or suppressed, with its reason and the department that asked', async () => {
    // No email on file, and in the retention control group: every rule gets a chance to decide.
    const customerId = await createCustomer({
      customerId: customerIdInControl('retention'),
      email: undefined,
    });
    await setPreferences(customerId, {
      preferences: [
        { productLine: 'insurance', channels: ['mail'], optOut: true },
        { productLine: 'mortgage', channels: [] },
      ],
    });
    const requests: [Partial<ContactRequestInput>, Date?][] = [
      [{ intent: 'cross_sell', department: 'cards' }],
      [{ intent: 'promote_credit', department: 'cards' }],
      [{ intent: 'debt_consolidation', productLine: 'home_equity', department: 'home equity' }],
      [{ intent: 'cross_sell', productLine: 'savings', department: 'savings' }],
      [{ intent: 'cross_sell', productLine: 'insurance', department: 'insurance' }],
      [{ intent: 'cross_sell', productLine: 'mortgage', department: 'mortgages' }],
      [{ intent: 'retention_offer', workflow: 'retention', department: 'retention' }],
      // 22:00 in New York: a notice waits for 08:00.
      [{ intent: 'service_notice', department: 'operations' }, new Date('2026-06-11T02:00:00Z')],
    ];
    const outcomes: ContactOutcome[] = [];
    for (const [over, now] of requests) outcomes.push(await ask(customerId, over, now));

    expect(outcomes.map((o) => o.reason ?? o.status)).toEqual([
      'sent',
      'sent',
      'intent_conflict',
      'frequency_cap',
      'opt_out',
      'no_channel',
      'control_group',
      'scheduled',
    ]);
    const log = await contactLog(customerId);
    expect(log).toHaveLength(requests.length);
    for (const [i, outcome] of outcomes.entries()) {
      const entry = log.find((c) => c.contactId === outcome.contactId);
      expect(entry).toMatchObject({
        customerId,
        status: outcome.status,
        ...(outcome.reason && { reason: outcome.reason }),
        department: requests[i]?.[0].department,
      });
      if (outcome.status === 'suppressed') expect(entry?.detail).toMatch(/\w/);
    }
    expect(log.find((c) => c.status === 'scheduled')).toMatchObject({
      scheduledFor: '2026-06-11T12:00:00.000Z',
      service: true,
    });
  });

  it('an unknown customer is refused as not found and nothing goes on the bus', async () => {
    await expect(ask('c-nobody-ever')).rejects.toBeInstanceOf(NotFoundError);
    expect(bus.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('a request with a merged customer’s old id is decided and logged on the surviving customer', async () => {
    const survivor = await createCustomer();
    const old = await createCustomer({ mergedInto: survivor });
    await ask(survivor);
    await ask(survivor);

    expect(await ask(old)).toMatchObject({ status: 'suppressed', reason: 'frequency_cap' });
    expect(await contactLog(survivor)).toHaveLength(3);
    expect(await contactLog(old)).toHaveLength(0);
  });
});

describe('simultaneous requests', () => {
  it('20 departments asking at the same moment let exactly the 7-day cap through and suppress the other 18 for frequency_cap', async () => {
    const customerId = await createCustomer();

    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) => ask(customerId, { department: `department-${i}` })),
    );

    const sent = outcomes.filter((o) => o.status === 'sent');
    const suppressed = outcomes.filter((o) => o.status === 'suppressed');
    expect(sent).toHaveLength(2);
    expect(suppressed).toHaveLength(18);
    expect(suppressed.every((o) => o.reason === 'frequency_cap')).toBe(true);

    const log = await contactLog(customerId);
    expect(log).toHaveLength(20);
    expect(
      log
        .filter((c) => c.status === 'sent')
        .map((c) => c.contactId)
        .sort(),
    ).toEqual(sent.map((o) => o.contactId).sort());
    expect(log.filter((c) => c.reason === 'frequency_cap')).toHaveLength(18);
    expect(await logVersion(customerId)).toBe(2);
    expect(
      putEntries()
        .map((e) => e.detail.contactId)
        .sort(),
    ).toEqual(sent.map((o) => o.contactId).sort());
  });

  it('conflicting intents asked for at the same moment never both reach the customer', async () => {
    const customerId = await createCustomer();

    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        ask(customerId, {
          intent: i % 2 === 0 ? 'promote_credit' : 'debt_consolidation',
          productLine: i % 2 === 0 ? 'credit_card' : 'home_equity',
        }),
      ),
    );

    const log = await contactLog(customerId);
    const sent = log.filter((c) => c.status === 'sent');
    expect(sent).toHaveLength(2);
    expect(new Set(sent.map((c) => c.intent)).size).toBe(1);
    const otherIntent = sent[0]?.intent === 'promote_credit' ? 'debt_consolidation' : 'promote_credit';
    expect(log.filter((c) => c.intent === otherIntent).every((c) => c.reason === 'intent_conflict')).toBe(
      true,
    );
    expect(outcomes.filter((o) => o.reason === 'frequency_cap')).toHaveLength(8);
  });
});

describe('Contact Requested events', () => {
  it('a sent contact puts one Contact Requested event from rapport on the bus with the contract’s detail', async () => {
    const customerId = await createCustomer({ customerId: customerIdInControl('retention', false) });

    const outcome = await ask(customerId, {
      intent: 'retention_offer',
      workflow: 'retention',
      runId: 'run-1',
      offerId: 'offer-1',
    });

    const [entry, ...more] = putEntries();
    expect(more).toHaveLength(0);
    expect(entry).toMatchObject({
      EventBusName: 'rapport-test',
      Source: RAPPORT_SOURCE,
      DetailType: DetailTypes.ContactRequested,
    });
    const contractDetail = rapportEventSchemas[DetailTypes.ContactRequested].parse(
      JSON.parse(entry?.Detail ?? ''),
    );
    expect(contractDetail).toEqual({
      contactId: outcome.contactId,
      customerId,
      channel: 'email',
      productLine: 'credit_card',
      intent: 'retention_offer',
      workflow: 'retention',
      runId: 'run-1',
      offerId: 'offer-1',
    });
    expect(entry?.detail.scheduledFor).toBeUndefined();
  });

  it('a contact asked for during quiet hours is scheduled for 08:00 local time and its event says when', async () => {
    const customerId = await createCustomer({ timeZone: 'Europe/Paris' });

    // 23:30 in Paris.
    const outcome = await ask(customerId, {}, new Date('2026-06-10T21:30:00Z'));

    expect(outcome).toMatchObject({ status: 'scheduled', scheduledFor: '2026-06-11T06:00:00.000Z' });
    expect(putEntries().map((e) => e.detail)).toEqual([
      expect.objectContaining({ contactId: outcome.contactId, scheduledFor: '2026-06-11T06:00:00.000Z' }),
    ]);
  });

  it('a suppressed contact puts nothing on the bus', async () => {
    const customerId = await createCustomer();
    await setPreferences(customerId, {
      preferences: [{ productLine: '*', channels: ['email'], optOut: true }],
    });

    expect(await ask(customerId)).toMatchObject({ status: 'suppressed', reason: 'opt_out' });
    expect(bus.commandCalls(PutEventsCommand)).toHaveLength(0);
  });
});

describe('failures and retries', () => {
  let errorLog: MockInstance<typeof logger.error>;
  beforeEach(() => {
    errorLog = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => {
    errorLog.mockRestore();
  });

  it('when the bus refuses the event the decision stays logged, the call fails, and a retry with the same requestId sends the event without logging twice', async () => {
    const customerId = await createCustomer();
    bus.reset();
    bus
      .on(PutEventsCommand)
      .rejectsOnce(new Error('ThrottlingException'))
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });

    const first = ask(customerId, { requestId: 'cards-campaign-42' });
    await expect(first).rejects.toBeInstanceOf(ContactNotPublishedError);
    const logged = await contactLog(customerId);
    expect(logged).toMatchObject([{ status: 'sent' }]);
    expect(errorLog).toHaveBeenCalledWith(expect.stringMatching(/not put on the bus/), {
      contactId: logged[0]?.contactId,
      error: expect.any(Error),
    });

    const retry = await ask(customerId, { requestId: 'cards-campaign-42' }, daysAfter(NOON_NY, 0.01));

    expect(retry).toMatchObject({ contactId: logged[0]?.contactId, status: 'sent' });
    expect(await contactLog(customerId)).toHaveLength(1);
    expect(putEntries().map((e) => e.detail.contactId)).toEqual([logged[0]?.contactId, logged[0]?.contactId]);
    // The retry did not use up a second place in the allowance.
    expect(await ask(customerId)).toMatchObject({ status: 'sent' });
    expect(await ask(customerId)).toMatchObject({ status: 'suppressed', reason: 'frequency_cap' });
  });

  it('a PutEvents answer that reports a failed entry is a failure, not a success', async () => {
    const customerId = await createCustomer();
    bus.reset();
    bus.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
    });

    await expect(ask(customerId)).rejects.toThrow(/could not be handed to the channel systems/);
    expect(await contactLog(customerId)).toMatchObject([{ status: 'sent' }]);
  });

  it('simultaneous calls with the same requestId record one decision and all answer it', async () => {
    const customerId = await createCustomer();

    const outcomes = await Promise.all(
      Array.from({ length: 5 }, () => ask(customerId, { requestId: 'retry-storm' })),
    );

    expect(new Set(outcomes.map((o) => o.contactId)).size).toBe(1);
    expect(outcomes.every((o) => o.status === 'sent')).toBe(true);
    expect(await contactLog(customerId)).toHaveLength(1);
    expect(await logVersion(customerId)).toBe(1);
  });

  it('a suppressed decision is replayed for a retry with the same requestId instead of being logged again', async () => {
    const customerId = await createCustomer();
    await setPreferences(customerId, {
      preferences: [{ productLine: '*', channels: ['email'], optOut: true }],
    });

    const first = await ask(customerId, { requestId: 'ask-once' });
    const again = await ask(customerId, { requestId: 'ask-once' });

    expect(again).toEqual(first);
    expect(await contactLog(customerId)).toHaveLength(1);
  });

  it('the same requestId for a different request is refused as a conflict', async () => {
    const customerId = await createCustomer();
    await ask(customerId, { requestId: 'r-1', intent: 'cross_sell' });

    await expect(ask(customerId, { requestId: 'r-1', intent: 'promote_credit' })).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect(await contactLog(customerId)).toHaveLength(1);
  });
});
