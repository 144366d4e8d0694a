import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db } from '../shared/clients/dynamodb';
import { getTableName } from '../shared/config';
import { indexKeys, keys } from '../shared/keys';
import type { Settings } from '../shared/settings';
import { setOrRemove } from '../shared/update-expression';
import { customerItems, mergeCustomer } from './merge';
import { type CustomerFacts, type CustomerValue, customerValue } from './value';

type Item = Record<string, unknown> & { pk: string; sk: string };

/**
 * Recomputes the customer's summary (the PROFILE item the segment indexes point at) from its
 * facts. Idempotent: it derives, never increments, so a redelivered event or a crash between the
 * fact write and this refresh loses nothing: the next refresh repairs it.
 *
 * Concurrent refreshes: each records `factsRev`, the sum of the revisions of the facts it read.
 * Every fact write raises that sum, and a strongly consistent read of one partition sees every
 * write acknowledged before it, so a larger sum means a later view of the facts. The update is
 * conditional on `factsRev <= mine`; an older view can never overwrite a newer one.
 */
export async function refreshSummary(
  customerId: string,
  settings: Settings,
  now: Date,
): Promise<CustomerValue | undefined> {
  const items = await customerItems(customerId);
  const profile = items.find((i) => i.sk === 'PROFILE');
  if (typeof profile?.mergedInto === 'string') {
    // A fact landed on a customer merged meanwhile: finish the merge so it moves too.
    await mergeCustomer(customerId, profile.mergedInto, { eventId: 'late-write', at: now.toISOString() });
    return undefined;
  }
  const facts = factsOf(items);
  const value = customerValue(facts, settings, now);
  const details: Record<string, unknown> = items.find((i) => i.sk === 'DETAILS') ?? {};
  const factsRev = items.filter((i) => i.sk !== 'PROFILE').reduce((sum, i) => sum + Number(i.rev ?? 0), 0);
  const identities = items
    .filter((i) => i.kind === 'identity')
    .map((i) => `${i.identityKind}:${i.value}`)
    .sort();
  const attributes: Record<string, unknown> = {
    customerId,
    status: value.status,
    tier: value.tier,
    annualProfit: value.annualProfit,
    churnScore: value.churnRisk.score,
    openLines: [
      ...new Set(value.products.filter((p) => p.status === 'open').map((p) => p.productLine)),
    ].sort(),
    name: details.name,
    email: details.email ?? identityValue(identities, 'email'),
    phone: details.phone ?? identityValue(identities, 'phone'),
    timeZone: details.timeZone,
    identities,
    factsRev,
    updatedAt: now.toISOString(),
    ...indexKeys.tierSegment(value.tier, value.churnRisk.score, customerId),
    ...indexKeys.statusSegment(value.status, value.churnRisk.score, customerId),
  };
  const { names, values, sets, removes } = setOrRemove(attributes);
  Object.assign(values, { ':rev': factsRev, ':now': now.toISOString() });
  sets.unshift('createdAt = if_not_exists(createdAt, :now)');
  await recordInferredProducts(customerId, items, value);
  try {
    await db().send(
      new UpdateCommand({
        TableName: getTableName(),
        Key: keys.profile(customerId),
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: 'attribute_not_exists(factsRev) OR factsRev <= :rev',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
  return value;
}

/**
 * An account first seen in a statement or a fee (before, or without, its Account Opened) gets its
 * product item once, so the product-line listing (gsi3) finds the customer. Only accounts with no
 * item are written, so a steady stream of statements costs nothing here.
 */
async function recordInferredProducts(
  customerId: string,
  items: Item[],
  value: CustomerValue,
): Promise<void> {
  const existing = new Set(items.map((i) => i.sk));
  for (const p of value.products) {
    const key = keys.product(customerId, p.productLine, p.accountId);
    if (existing.has(key.sk)) continue;
    await db()
      .send(
        new PutCommand({
          TableName: getTableName(),
          Item: {
            ...key,
            customerId,
            kind: 'product',
            productLine: p.productLine,
            accountId: p.accountId,
            // No revision: it is derived from facts already counted, so it must not move factsRev.
            inferred: true,
            ...indexKeys.productLineSegment(p.productLine, customerId),
          },
          // An Account Opened may have created it meanwhile; that item is the better one.
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      )
      .catch((error: unknown) => {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      });
  }
}

function identityValue(identities: string[], kind: string): string | undefined {
  return identities.find((i) => i.startsWith(`${kind}:`))?.slice(kind.length + 1);
}

/** The customer's items as the plain facts the value module reads. */
export function factsOf(items: Item[]): CustomerFacts {
  const ofKind = (kind: string) => items.filter((i) => i.kind === kind);
  return {
    products: ofKind('product').map((p) => ({
      productLine: p.productLine as never,
      accountId: p.accountId as string,
      // An account closed after (or without) its last opening is closed; a re-opening wins.
      status: p.closedAt && (!p.openedAt || String(p.closedAt) >= String(p.openedAt)) ? 'closed' : 'open',
      openedAt: p.openedAt as string | undefined,
      closedAt: p.closedAt as string | undefined,
      closeReason: p.closeReason as string | undefined,
    })),
    statements: ofKind('statement').map((s) => ({
      productLine: s.productLine as never,
      accountId: s.accountId as string,
      periodEnd: s.periodEnd as string,
      balance: s.balance as number,
      creditLimit: s.creditLimit as number | undefined,
      revenue: s.revenue as number,
      costToServe: s.costToServe as number,
      daysLate: s.daysLate as number,
    })),
    complaints: ofKind('complaint').map((c) => ({
      complaintId: c.complaintId as string,
      severity: c.severity as never,
      category: c.category as string,
      occurredAt: c.occurredAt as string,
      productLine: c.productLine as never,
    })),
    closureRequests: ofKind('closure_request').map((c) => ({
      accountId: c.accountId as string,
      productLine: c.productLine as never,
      occurredAt: c.occurredAt as string,
      reason: c.reason as string | undefined,
    })),
    interactions: ofKind('interaction').map((i) => ({
      interactionId: i.interactionId as string,
      kind: i.interactionKind as string,
      topic: i.topic as string | undefined,
      sentiment: i.sentiment as number | undefined,
      occurredAt: i.occurredAt as string,
    })),
  };
}
