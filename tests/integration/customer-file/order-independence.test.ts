import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ingest } from '../../../functions/customer-file/ingest';
import { customerItems } from '../../../functions/customer-file/merge';
import { customerView } from '../../../functions/customer-file/view';
import { defaultSettings } from '../../../functions/shared/settings';
import { historyArbitrary, instantiate } from '../../support/history';

const ASOF = new Date('2026-11-20T00:00:00Z');
let run = 0;

async function viewAfter(events: ReturnType<typeof instantiate>, prefix: string) {
  for (const event of events) {
    const result = await ingest(event, ASOF);
    if (result.outcome === 'quarantined') throw new Error(`quarantined: ${JSON.stringify(result.reasons)}`);
  }
  const view = customerView(`${prefix}-c`, await customerItems(`${prefix}-c`), defaultSettings, ASOF);
  return JSON.parse(JSON.stringify(view).replaceAll(prefix, 'P'));
}

describe('the 360 view', () => {
  it('is the same for any order and any duplication of an event history (200 generated histories)', async () => {
    await fc.assert(
      fc.asyncProperty(
        historyArbitrary,
        fc.func(fc.integer()),
        fc.array(fc.nat(), { maxLength: 10 }),
        async (history, shuffleKey, duplicates) => {
          run++;
          const inOrder = `pa${run}x${Date.now().toString(36)}`;
          const scrambled = `pb${run}x${Date.now().toString(36)}`;
          const expected = await viewAfter(instantiate(history, inOrder), inOrder);

          const events = instantiate(history, scrambled);
          const delivered = [
            ...events,
            ...duplicates.map((d) => events[d % events.length] as (typeof events)[number]),
          ];
          const order = delivered
            .map((e, i) => ({ e, k: shuffleKey(i) * 7919 + i }))
            .sort((a, b) => a.k - b.k);
          const actual = await viewAfter(
            order.map((o) => o.e),
            scrambled,
          );
          expect(actual).toEqual(expected);
        },
      ),
      { numRuns: 200, seed: 42 },
    );
  });
});
