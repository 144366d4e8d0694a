import { type ChannelEvent, DetailTypes } from '../shared/events';
import { type IdentityKind, indexKeys, type Key, keys } from '../shared/keys';

/**
 * What a channel event changes in the customer file, as data: which fact item it writes and how a
 * write relates to what is already there. Pure, so the rules of "late, duplicated and out-of-order
 * events change nothing twice" are visible in one place and tested without DynamoDB.
 *
 * Every fact is keyed by the event's natural id (account + period, fee id, complaint id...), never
 * by arrival, and is written only when it is newer than the stored one (`occurredAt`, then
 * `eventId` to break ties). So a redelivered event is a no-op, and any arrival order ends in the
 * same item.
 */
export type FactWrite =
  /** Replace the item when this event is newer than the one stored. */
  | { mode: 'newest'; key: Key; item: Record<string, unknown> }
  /** Write once: later events with the same id change nothing (a fee keeps its decision). */
  | { mode: 'once'; key: Key; item: Record<string, unknown> }
  /**
   * Set each group of fields when this event is newer than that group's last change (its `stamp`
   * attribute). Groups are independent: an old profile event still sets a name that no newer event
   * carried, and an account's opening and closing never overwrite each other.
   */
  | { mode: 'fields'; key: Key; base: Record<string, unknown>; groups: FieldGroup[] };

/** `stamp` is the attribute that holds the time of the group's last change; `at` is this event's time. */
export type FieldGroup = { stamp: string; at: string; values: Record<string, unknown> };

export type Identifier = { kind: IdentityKind; value: string };

export function identifiersOf(event: ChannelEvent): Identifier[] {
  const { customer } = event.detail;
  const found: Identifier[] = [];
  if (customer.customerId) found.push({ kind: 'customerId', value: customer.customerId });
  if (customer.accountId) found.push({ kind: 'accountId', value: customer.accountId });
  if (customer.email) found.push({ kind: 'email', value: customer.email });
  if (customer.phone) found.push({ kind: 'phone', value: customer.phone });
  // An account named in the event's own fields belongs to this customer from now on, so a later
  // statement that identifies the customer only by that account finds the same file.
  if ('accountId' in event.detail && typeof event.detail.accountId === 'string') {
    found.push({ kind: 'accountId', value: event.detail.accountId });
  }
  if (event.type === DetailTypes.CustomerProfileUpdated) {
    if (event.detail.email) found.push({ kind: 'email', value: event.detail.email });
    if (event.detail.phone) found.push({ kind: 'phone', value: event.detail.phone });
  }
  const seen = new Set<string>();
  return found.filter((i) => {
    const id = `${i.kind}:${i.value}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

export function factFor(event: ChannelEvent, customerId: string): FactWrite {
  const d = event.detail;
  const meta = {
    customerId,
    eventId: d.eventId,
    occurredAt: d.occurredAt,
    channel: d.channel,
    source: event.source,
  };
  switch (event.type) {
    case DetailTypes.StatementIssued: {
      const s = event.detail;
      return {
        mode: 'newest',
        key: keys.statement(customerId, s.accountId, s.periodEnd),
        item: {
          ...meta,
          kind: 'statement',
          productLine: s.productLine,
          accountId: s.accountId,
          periodEnd: s.periodEnd,
          balance: s.balance,
          creditLimit: s.creditLimit,
          revenue: s.revenue,
          costToServe: s.costToServe,
          daysLate: s.daysLate,
        },
      };
    }
    case DetailTypes.FeeAssessed: {
      const f = event.detail;
      return {
        mode: 'once',
        key: keys.fee(customerId, f.feeId),
        item: {
          ...meta,
          kind: 'fee',
          feeId: f.feeId,
          feeType: f.feeType,
          amount: f.amount,
          currency: f.currency,
          productLine: f.productLine,
          accountId: f.accountId,
          decision: 'pending',
          reasons: [],
        },
      };
    }
    case DetailTypes.AccountOpened: {
      const a = event.detail;
      return {
        mode: 'fields',
        key: keys.product(customerId, a.productLine, a.accountId),
        base: productBase(customerId, a.productLine, a.accountId),
        groups: [{ stamp: 'openedAt', at: d.occurredAt, values: { openedEventId: d.eventId } }],
      };
    }
    case DetailTypes.AccountClosed: {
      const a = event.detail;
      return {
        mode: 'fields',
        key: keys.product(customerId, a.productLine, a.accountId),
        base: productBase(customerId, a.productLine, a.accountId),
        groups: [
          {
            stamp: 'closedAt',
            at: d.occurredAt,
            values: { closeReason: a.reason, closedEventId: d.eventId },
          },
        ],
      };
    }
    case DetailTypes.ComplaintLogged: {
      const c = event.detail;
      return {
        mode: 'newest',
        key: keys.complaint(customerId, c.complaintId),
        item: {
          ...meta,
          kind: 'complaint',
          complaintId: c.complaintId,
          category: c.category,
          severity: c.severity,
          productLine: c.productLine,
        },
      };
    }
    case DetailTypes.ClosureRequested: {
      const c = event.detail;
      return {
        mode: 'newest',
        key: keys.closureRequest(customerId, c.accountId),
        item: {
          ...meta,
          kind: 'closure_request',
          productLine: c.productLine,
          accountId: c.accountId,
          reason: c.reason,
        },
      };
    }
    case DetailTypes.InteractionRecorded: {
      const i = event.detail;
      return {
        mode: 'newest',
        key: keys.interaction(customerId, i.interactionId),
        item: {
          ...meta,
          kind: 'interaction',
          interactionId: i.interactionId,
          interactionKind: i.kind,
          topic: i.topic,
          sentiment: i.sentiment,
        },
      };
    }
    case DetailTypes.OfferResponded: {
      const o = event.detail;
      return {
        mode: 'newest',
        key: keys.offerResponse(customerId, o.offerId),
        item: { ...meta, kind: 'offer_response', offerId: o.offerId, response: o.response },
      };
    }
    case DetailTypes.ContactPreferencesChanged: {
      const p = event.detail;
      return {
        mode: 'newest',
        key: keys.preferences(customerId),
        item: {
          ...meta,
          kind: 'preferences',
          preferences: p.preferences,
          quietHours: p.quietHours,
          timeZone: p.timeZone,
          updatedBy: `event:${p.channel}`,
        },
      };
    }
    case DetailTypes.CustomerProfileUpdated: {
      const p = event.detail;
      const groups = (['name', 'email', 'phone', 'timeZone'] as const)
        .filter((field) => p[field] !== undefined)
        .map((field) => ({ stamp: `${field}At`, at: d.occurredAt, values: { [field]: p[field] } }));
      return { mode: 'fields', key: keys.details(customerId), base: { customerId, kind: 'details' }, groups };
    }
  }
}

/** A product item is listed under its product line (segment listing by product line, gsi3). */
function productBase(customerId: string, productLine: string, accountId: string) {
  return {
    customerId,
    kind: 'product',
    productLine,
    accountId,
    ...indexKeys.productLineSegment(productLine, customerId),
  };
}
