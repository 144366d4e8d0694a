import { randomUUID } from 'node:crypto';
import type { EventBridgeEvent } from '../../functions/shared/event-handler';

/** An EventBridge envelope as a Lambda target receives it. */
export function envelope(detailType: string, detail: unknown, source = 'bank.test'): EventBridgeEvent {
  return {
    version: '0',
    id: randomUUID(),
    source,
    account: '000000000000',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [],
    'detail-type': detailType,
    detail,
  };
}

let counter = 0;
/** A unique id per call, readable in failures. */
export const uid = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`;

/** Monthly statements dated the 28th, `months` of them ending in the month of `asOf`. */
export function monthlyPeriodEnds(asOf: Date, months: number): string[] {
  const out: string[] = [];
  for (let i = months - 1; i >= 0; i--) {
    const d = new Date(Date.UTC(asOf.getUTCFullYear(), asOf.getUTCMonth() - i, 28));
    out.push(d.toISOString().slice(0, 10));
  }
  return out;
}
