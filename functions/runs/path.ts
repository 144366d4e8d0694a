/**
 * The path of a run (GET /runs/{runId} `path[]`) from its execution history: each state entered,
 * in order, with the time it was entered and left. Pure, so it reads AWS's history and the local
 * runtime's alike (both follow GetExecutionHistory's shape).
 */
export type HistoryEventLike = {
  type?: string;
  timestamp?: Date | number | string;
  stateEnteredEventDetails?: { name?: string };
  stateExitedEventDetails?: { name?: string };
};

export type PathStep = { state: string; enteredAt: string; exitedAt?: string };

export function pathOf(events: readonly HistoryEventLike[]): PathStep[] {
  const steps: PathStep[] = [];
  // A state inside a Map is entered once per iteration; an exit closes the latest open entry of its name.
  const open = new Map<string, PathStep[]>();
  for (const event of events) {
    const type = event.type ?? '';
    if (type.endsWith('StateEntered') && event.stateEnteredEventDetails?.name) {
      const step = { state: event.stateEnteredEventDetails.name, enteredAt: isoTime(event.timestamp) };
      steps.push(step);
      open.set(step.state, [...(open.get(step.state) ?? []), step]);
    } else if (type.endsWith('StateExited') && event.stateExitedEventDetails?.name) {
      const step = open.get(event.stateExitedEventDetails.name)?.pop();
      if (step) step.exitedAt = isoTime(event.timestamp);
    }
  }
  return steps;
}

/** SDK clients give Dates; the JSON protocol's raw form is epoch seconds. */
export function isoTime(value: Date | number | string | undefined): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number') return new Date(value * 1000).toISOString();
  if (typeof value === 'string') return new Date(value).toISOString();
  return new Date(0).toISOString();
}
