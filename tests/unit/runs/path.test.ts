import { describe, expect, it } from 'vitest';
import { pathOf } from '../../../functions/runs/path';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
const entered = (name: string, s: number, type = 'TaskStateEntered') => ({
  type,
  timestamp: at(s),
  stateEnteredEventDetails: { name },
});
const exited = (name: string, s: number, type = 'TaskStateExited') => ({
  type,
  timestamp: at(s),
  stateExitedEventDetails: { name },
});

describe('the path of a run', () => {
  it('lists the states entered in order, with entry and exit times, from any kind of state', () => {
    expect(
      pathOf([
        { type: 'ExecutionStarted', timestamp: at(0) },
        entered('Record run', 0),
        { type: 'TaskScheduled', timestamp: at(0) },
        exited('Record run', 1),
        entered('Decided by policy?', 1, 'ChoiceStateEntered'),
        exited('Decided by policy?', 1, 'ChoiceStateExited'),
        entered('Open review', 2),
      ]),
    ).toEqual([
      { state: 'Record run', enteredAt: at(0).toISOString(), exitedAt: at(1).toISOString() },
      { state: 'Decided by policy?', enteredAt: at(1).toISOString(), exitedAt: at(1).toISOString() },
      // Still waiting: entered, not yet left.
      { state: 'Open review', enteredAt: at(2).toISOString() },
    ]);
  });

  it('closes the latest open entry of a state entered more than once (Map iterations)', () => {
    const path = pathOf([entered('Item', 1), entered('Item', 2), exited('Item', 3), exited('Item', 4)]);
    expect(path.map((p) => [p.enteredAt.slice(17, 19), p.exitedAt?.slice(17, 19)])).toEqual([
      ['01', '04'],
      ['02', '03'],
    ]);
  });

  it('reads epoch-second timestamps as the JSON protocol sends them', () => {
    const [step] = pathOf([
      { type: 'PassStateEntered', timestamp: 1_767_225_600, stateEnteredEventDetails: { name: 'P' } },
    ]);
    expect(step?.enteredAt).toBe('2026-01-01T00:00:00.000Z');
  });
});
