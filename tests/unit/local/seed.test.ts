import { describe, expect, it } from 'vitest';
import { channelEventSchemas } from '../../../functions/shared/events';
import { customerEvents, mulberry32, seedEvents } from '../../../local/seed';

const NOW = new Date('2026-06-15T10:00:00Z');
const bank = (n: number) => [...seedEvents(0, n, NOW)];

describe('synthetic bank', () => {
  it('is the same for the same N', () => {
    expect(bank(20)).toEqual(bank(20));
  });

  it('grows by adding customers: N = 20 starts with N = 10', () => {
    expect(bank(20).slice(0, 10)).toEqual(bank(10));
  });

  it('changes with the PRNG seed, not by chance', () => {
    const a = mulberry32(1);
    const b = mulberry32(1);
    const c = mulberry32(2);
    const first = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(first);
    expect([c(), c(), c()]).not.toEqual(first);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('sends only details the event catalogue accepts, with unique event ids', () => {
    const events = bank(200).flat();
    for (const e of events) expect(channelEventSchemas[e.detailType].safeParse(e.detail).success).toBe(true);
    const ids = events.map((e) => e.detail.eventId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('covers a year of statements, fees, complaints, interactions and closures across product lines', () => {
    const events = bank(200).flat();
    const types = new Set(events.map((e) => e.detailType));
    for (const type of [
      'Customer Profile Updated',
      'Account Opened',
      'Statement Issued',
      'Fee Assessed',
      'Complaint Logged',
      'Interaction Recorded',
      'Closure Requested',
      'Account Closed',
      'Contact Preferences Changed',
    ])
      expect(types).toContain(type);
    const lines = new Set(events.map((e) => e.detail.productLine).filter(Boolean));
    expect(lines.size).toBeGreaterThanOrEqual(7);
    const feeTypes = new Set(
      events.filter((e) => e.detailType === 'Fee Assessed').map((e) => e.detail.feeType),
    );
    expect(feeTypes).toEqual(new Set(['late_payment', 'over_limit', 'annual', 'overdraft', 'maintenance']));
  });

  it('keeps every event in the past year-ish, oldest first, and none in the future', () => {
    const events = customerEvents(7, NOW);
    const times = events.map((e) => Date.parse(String(e.detail.occurredAt)));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(Math.max(...times)).toBeLessThan(NOW.getTime());
    const statements = events.filter((e) => e.detailType === 'Statement Issued');
    for (const s of statements)
      expect(Date.parse(String(s.detail.periodEnd))).toBeGreaterThan(NOW.getTime() - 366 * 86_400_000);
  });
});
