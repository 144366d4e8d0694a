import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CARD_NUMBER_MASK,
  cardNumberPaths,
  containsCardNumber,
  maskCardNumbers,
  maskCardNumbersDeep,
  passesLuhn,
} from '../../../functions/customer-file/card-numbers';

describe('card numbers in text', () => {
  it.each<{ name: string; text: string }>([
    { name: 'a Visa test number', text: '4111111111111111' },
    { name: 'another Visa test number', text: '4012888888881881' },
    { name: 'a 13-digit Visa number', text: '4222222222222' },
    { name: 'a Mastercard test number', text: '5555555555554444' },
    { name: 'a Mastercard number in groups of 4 with spaces', text: '5105 1051 0510 5100' },
    { name: 'an Amex test number', text: '378282246310005' },
    { name: 'an Amex number in its 4-6-5 groups with dashes', text: '3714-496353-98431' },
    { name: 'a Discover number with mixed separators', text: '6011-1111 1111-1117' },
    { name: 'a 19-digit number', text: '4111111111111111110' },
    { name: 'a number embedded in a sentence', text: 'my card is 4111-1111-1111-1111, please waive the fee' },
    { name: 'a number glued to words', text: 'card#4111111111111111x' },
    { name: 'a number followed by its CVV', text: 'card 4111 1111 1111 1111 123 exp 12/27' },
    { name: 'a number after a stray count', text: 'called 3 4111 1111 1111 1111' },
    { name: 'a number on a later line', text: 'first line\nsecond: 5555555555554444' },
  ])('finds $name', ({ text }) => {
    expect(containsCardNumber(text)).toBe(true);
    expect(maskCardNumbers(text)).toContain(CARD_NUMBER_MASK);
    expect(maskCardNumbers(text)).not.toMatch(/\d{4}[ -]?\d{4}[ -]?\d{4}/);
  });

  it.each<{ name: string; text: string }>([
    { name: 'a Luhn-valid 12-digit number', text: '411111111117' },
    { name: 'a Luhn-valid 12-digit number in groups', text: '4111 1111 1117' },
    { name: 'a Luhn-valid 20-digit number', text: '41111111111111111115' },
    { name: 'a 16-digit number failing the Luhn check', text: '4111111111111112' },
    { name: 'a 16-digit number failing the Luhn check, grouped', text: '4111-1111-1111-1112' },
    { name: 'a phone number', text: 'call +1 415 555 0100 after 5' },
    { name: 'a date and time', text: '2025-06-30T12:00:00Z' },
    { name: 'an amount', text: 'fee of 29.00 on 2025-06-30' },
    {
      name: 'a UUID whose digit groups pass the Luhn check',
      text: 'event 123e4567-e89b-12d3-a456-426614174007',
    },
    { name: 'an empty string', text: '' },
  ])('does not take $name for a card number', ({ text }) => {
    expect(containsCardNumber(text)).toBe(false);
    expect(maskCardNumbers(text)).toBe(text);
  });

  it.each<{ text: string; masked: string }>([
    {
      text: 'my card is 4111-1111-1111-1111, please waive the fee',
      masked: 'my card is [card number removed], please waive the fee',
    },
    {
      text: 'cards 4111111111111111 and 378282246310005 then order 12345',
      masked: 'cards [card number removed] and [card number removed] then order 12345',
    },
    { text: 'card 4111 1111 1111 1111 123 exp 12/27', masked: 'card [card number removed] exp 12/27' },
    { text: 'ref 4111111111111112 kept', masked: 'ref 4111111111111112 kept' },
  ])('masks "$text" as "$masked"', ({ text, masked }) => {
    expect(maskCardNumbers(text)).toBe(masked);
  });

  it.each<{ digits: string; valid: boolean }>([
    { digits: '4111111111111111', valid: true },
    { digits: '4111111111111112', valid: false },
    { digits: '79927398713', valid: true },
    { digits: '0', valid: true },
    { digits: '', valid: false },
    { digits: '4111x11111111111', valid: false },
  ])('says the Luhn check of "$digits" is $valid', ({ digits, valid }) => {
    expect(passesLuhn(digits)).toBe(valid);
  });

  it('never leaves a masked text containing a card number', () => {
    const text = fc
      .array(fc.constantFrom('4', '1', '5', '0', ' ', '-', 'a', '9'), { maxLength: 60 })
      .map((c) => c.join(''));
    fc.assert(
      fc.property(text, (t) => {
        expect(containsCardNumber(maskCardNumbers(t))).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});

describe('card numbers in event details', () => {
  it.each<{ name: string; value: unknown; paths: string[] }>([
    {
      name: 'reports the path of a top-level string field',
      value: { topic: 'card 4111 1111 1111 1111' },
      paths: ['topic'],
    },
    {
      name: 'reports nested fields with dotted paths',
      value: {
        detail: { topic: 'waive please', note: 'pan 5555-5555-5555-4444' },
        source: 'bank.callcenter',
      },
      paths: ['detail.note'],
    },
    {
      name: 'walks arrays, including arrays of arrays',
      value: {
        detail: {
          preferences: [{ channels: ['email'] }, { notes: ['ok', ['deep', 'amex 378282246310005']] }],
        },
      },
      paths: ['detail.preferences[1].notes[1][1]'],
    },
    {
      name: 'lists every field that holds one, in document order',
      value: { a: '4111111111111111', b: { c: 'none', d: '6011111111111117' }, e: ['5105105105105100'] },
      paths: ['a', 'b.d', 'e[0]'],
    },
    {
      name: 'quotes keys that are not identifiers',
      value: { detail: { 'free text': '4111111111111111' } },
      paths: ['detail["free text"]'],
    },
    {
      name: 'reports a key that is a card number without repeating the number in the path',
      value: { detail: { '4111111111111111': 'x' } },
      paths: ['detail["[card number removed]"]'],
    },
    { name: 'reports a bare string as $', value: '4111111111111111', paths: ['$'] },
    {
      name: 'ignores numbers, which are not string fields',
      value: { balance: 4111111111111111, createdAtMs: 1751284800000 },
      paths: [],
    },
    { name: 'ignores null, booleans and undefined', value: { a: null, b: true, c: undefined }, paths: [] },
    {
      name: 'finds nothing in a clean Statement Issued detail',
      value: {
        eventId: '123e4567-e89b-12d3-a456-426614174007',
        occurredAt: '2025-06-30T12:00:00Z',
        channel: 'billing',
        customer: { customerId: 'c-1234567890123', phone: '+14155550100' },
        productLine: 'credit_card',
        accountId: 'acct-0001',
        periodEnd: '2025-06-30',
        balance: 1234.56,
        revenue: 20,
        costToServe: 10,
        daysLate: 0,
      },
      paths: [],
    },
  ])('$name', ({ value, paths }) => {
    expect(cardNumberPaths(value)).toEqual(paths);
    expect(containsCardNumber(value)).toBe(paths.length > 0);
  });

  it('walks a detail nested far deeper than the call stack allows', () => {
    let value: unknown = { note: '4111111111111111' };
    for (let i = 0; i < 20_000; i++) value = [value];
    expect(containsCardNumber(value)).toBe(true);
  });

  it('stops at a cycle instead of looping', () => {
    const value: Record<string, unknown> = { note: 'nothing here' };
    value.self = value;
    expect(cardNumberPaths(value)).toEqual([]);
  });

  it('masks every string and key of a detail and leaves the rest as it was', () => {
    const detail = {
      eventId: 'e-1',
      topic: 'my card 4111 1111 1111 1111',
      sentiment: -0.4,
      items: [{ '5555555555554444': ['amex 378282246310005', 7] }],
    };
    const masked = maskCardNumbersDeep(detail);
    expect(masked).toEqual({
      eventId: 'e-1',
      topic: 'my card [card number removed]',
      sentiment: -0.4,
      items: [{ '[card number removed]': ['amex [card number removed]', 7] }],
    });
    expect(containsCardNumber(masked)).toBe(false);
    expect(detail.topic).toBe('my card 4111 1111 1111 1111');
  });
});
