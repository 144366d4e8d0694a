import type { Settings } from '../shared/settings';
import { factsOf } from './summary';
import { customerValue } from './value';

type Item = Record<string, unknown> & { pk: string; sk: string };

/** How many contact decisions the 360 view carries; the timeline has them all. */
const RECENT_CONTACTS = 20;

/**
 * The 360 view (contract.md §2) computed from the customer's items at `asOf`. Pure: the same
 * items and the same `asOf` give the same view, whatever order the events arrived in.
 */
export function customerView(customerId: string, items: Item[], settings: Settings, asOf: Date) {
  const value = customerValue(factsOf(items), settings, asOf);
  const ofKind = (kind: string) => items.filter((i) => i.kind === kind);
  const details: Record<string, unknown> = items.find((i) => i.sk === 'DETAILS') ?? {};
  const prefs = items.find((i) => i.sk === 'PREFS');
  const profile = items.find((i) => i.sk === 'PROFILE');
  return {
    customerId,
    status: value.status,
    tier: value.tier,
    annualProfit: value.annualProfit,
    lifetimeValue: value.lifetimeValue,
    shareOfWallet: value.shareOfWallet,
    name: details.name,
    timeZone: details.timeZone ?? prefs?.timeZone,
    identities: ofKind('identity')
      .map((i) => ({ kind: String(i.identityKind), value: String(i.value) }))
      .sort((a, b) => `${a.kind}:${a.value}`.localeCompare(`${b.kind}:${b.value}`)),
    products: value.products,
    paymentHistory: value.paymentHistory,
    churnRisk: value.churnRisk,
    preferences: prefs
      ? {
          preferences: prefs.preferences,
          quietHours: prefs.quietHours,
          timeZone: prefs.timeZone,
          updatedAt: prefs.occurredAt,
        }
      : null,
    contacts: items
      .filter((i) => i.sk.startsWith('CONTACT#'))
      .sort((a, b) => String(b.at).localeCompare(String(a.at)) || b.sk.localeCompare(a.sk))
      .slice(0, RECENT_CONTACTS)
      .map((c) => ({
        contactId: c.contactId,
        intent: c.intent,
        productLine: c.productLine,
        channel: c.channel,
        status: c.status,
        reason: c.reason,
        conflictsWith: c.conflictsWith,
        scheduledFor: c.scheduledFor,
        department: c.department,
        at: c.at,
      })),
    fees: ofKind('fee')
      .sort((a, b) => String(b.occurredAt).localeCompare(String(a.occurredAt)))
      .map((f) => ({
        feeId: f.feeId,
        feeType: f.feeType,
        amount: f.amount,
        currency: f.currency,
        productLine: f.productLine,
        accountId: f.accountId,
        decision: f.decision,
        decidedBy: f.decidedBy,
        reasons: f.reasons ?? [],
        assessedAt: f.occurredAt,
      })),
    activeRuns: items
      .filter((i) => i.sk.startsWith('RUN#') && i.status === 'RUNNING')
      .map((r) => ({ runId: r.runId, workflow: r.workflow, status: r.status, startedAt: r.startedAt })),
    identityConflicts: ofKind('identity_conflict').map((c) => ({
      otherCustomerId: c.otherCustomerId,
      identifiers: [...((c.identifiers as Set<string> | undefined) ?? [])].sort(),
      occurredAt: c.occurredAt,
      status: c.status,
    })),
    mergedFrom: [...((profile?.mergedFrom as Set<string> | undefined) ?? [])].sort(),
  };
}

export type CustomerView = ReturnType<typeof customerView>;

export type TimelineEntry = { at: string; type: string; summary: string; ref: string };

/**
 * Events and decisions of the customer, newest first. Each fact item gives one entry at the time
 * it happened; decisions (fee decisions, contacts, runs, merges) at the time they were made.
 */
export function timeline(items: Item[]): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  for (const i of items) {
    const ref = i.sk;
    const at = (i.occurredAt ?? i.at ?? i.startedAt) as string | undefined;
    switch (i.kind) {
      case 'statement':
        entries.push({
          at: String(at),
          type: 'Statement Issued',
          ref,
          summary: `${i.productLine} ${i.accountId} period ${i.periodEnd}, ${i.daysLate === 0 ? 'paid on time' : `${i.daysLate} days late`}`,
        });
        break;
      case 'fee':
        entries.push({
          at: String(at),
          type: 'Fee Assessed',
          ref,
          summary: `${i.feeType} fee ${i.amount} on ${i.productLine}`,
        });
        if (i.decision && i.decision !== 'pending' && typeof i.decidedAt === 'string') {
          entries.push({
            at: i.decidedAt,
            type: 'Fee Review Decided',
            ref,
            summary: `${i.decision} (${i.decidedBy})`,
          });
        }
        break;
      case 'product':
        if (typeof i.openedAt === 'string')
          entries.push({
            at: i.openedAt,
            type: 'Account Opened',
            ref,
            summary: `${i.productLine} ${i.accountId}`,
          });
        if (typeof i.closedAt === 'string')
          entries.push({
            at: i.closedAt,
            type: 'Account Closed',
            ref,
            summary: `${i.productLine} ${i.accountId}: ${i.closeReason}`,
          });
        break;
      case 'complaint':
        entries.push({
          at: String(at),
          type: 'Complaint Logged',
          ref,
          summary: `${i.severity} ${i.category} complaint`,
        });
        break;
      case 'closure_request':
        entries.push({
          at: String(at),
          type: 'Closure Requested',
          ref,
          summary: `${i.productLine} ${i.accountId}`,
        });
        break;
      case 'interaction':
        entries.push({
          at: String(at),
          type: 'Interaction Recorded',
          ref,
          summary: `${i.interactionKind}${i.topic ? ` about ${i.topic}` : ''}`,
        });
        break;
      case 'offer_response':
        entries.push({
          at: String(at),
          type: 'Offer Responded',
          ref,
          summary: `offer ${i.offerId} ${i.response}`,
        });
        break;
      case 'preferences':
        entries.push({
          at: String(at),
          type: 'Contact Preferences Changed',
          ref,
          summary: 'contact preferences changed',
        });
        break;
      case 'merge':
        entries.push({
          at: String(at),
          type: 'Customers Merged',
          ref,
          summary: `customer ${i.mergedCustomerId} merged into this one`,
        });
        break;
      case 'identity_conflict':
        entries.push({
          at: String(at),
          type: 'Identity Conflict',
          ref,
          summary: `shares an identifier with customer ${i.otherCustomerId}; not merged`,
        });
        break;
      default:
        if (i.sk.startsWith('CONTACT#')) {
          entries.push({
            at: String(i.at),
            type: 'Contact Decision',
            ref,
            summary: `${i.intent} on ${i.channel ?? 'no channel'}: ${i.status}${i.reason ? ` (${i.reason})` : ''}`,
          });
        } else if (i.sk.startsWith('RUN#')) {
          entries.push({
            at: String(i.startedAt),
            type: 'Workflow Run',
            ref,
            summary: `${i.workflow} run ${i.runId}: ${i.status}`,
          });
        }
    }
  }
  return entries.sort(
    (a, b) => b.at.localeCompare(a.at) || b.ref.localeCompare(a.ref) || b.type.localeCompare(a.type),
  );
}
