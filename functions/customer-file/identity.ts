import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db } from '../shared/clients/dynamodb';
import { getTableName } from '../shared/config';
import { type IdentityKind, keys } from '../shared/keys';
import type { Identifier } from './facts';
import { mergeCustomer } from './merge';

/**
 * Identity resolution: which customer an event belongs to, from every identifier it carries.
 *
 * - Each identifier (core-banking customerId, accountId, normalized email, E.164 phone) is one
 *   item `ID#<kind>#<value>` naming its customer; claiming it is a conditional put, so two events
 *   can never give one email to two customers.
 * - A customer first known without a core-banking id gets `r-<hash of its first identifier>`:
 *   deterministic, so concurrent first events for the same person agree on the id.
 * - An event that ties identifiers of several customers merges them into one, unless two of them
 *   hold different core-banking ids: then nothing merges and an identity conflict is recorded.
 */

export const GENERATED_ID_PREFIX = 'r-';
const PRIORITY: IdentityKind[] = ['customerId', 'accountId', 'email', 'phone'];
const MAX_ATTEMPTS = 6;

export type Resolution = {
  customerId: string;
  created: boolean;
  merged: string[];
  conflicts: { identifier: Identifier; otherCustomerId: string }[];
};

export const isCoreId = (customerId: string) => !customerId.startsWith(GENERATED_ID_PREFIX);

export async function resolveIdentity(
  identifiers: Identifier[],
  context: { eventId: string; at: string },
): Promise<Resolution> {
  if (identifiers.length === 0) throw new Error('an event without identifiers cannot be resolved');
  const ordered = [...identifiers].sort((a, b) => PRIORITY.indexOf(a.kind) - PRIORITY.indexOf(b.kind));
  for (let attempt = 0; ; attempt++) {
    const owners = await readOwners(ordered);
    const plan = planResolution(ordered, owners);
    try {
      for (const loser of plan.merge) await mergeCustomer(loser, plan.target, context);
      for (const identifier of plan.link) await claim(identifier, plan.target, plan.merge);
      for (const conflict of plan.conflicts) await recordConflict(plan.target, conflict, context);
      return {
        customerId: plan.target,
        created: owners.size === 0,
        merged: plan.merge,
        conflicts: plan.conflicts,
      };
    } catch (error) {
      // Another event claimed an identifier between our read and our write: read again and re-plan.
      if (!(error instanceof ConditionalCheckFailedException) || attempt + 1 >= MAX_ATTEMPTS) throw error;
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * (attempt + 1)));
    }
  }
}

type Plan = {
  target: string;
  link: Identifier[];
  merge: string[];
  conflicts: { identifier: Identifier; otherCustomerId: string }[];
};

/**
 * The decision, pure: given each identifier's current owner, which customer the event belongs to,
 * which identifiers to link, which customers merge into it and which ties are conflicts.
 * Exported for tests.
 */
export function planResolution(identifiers: Identifier[], owners: Map<string, string>): Plan {
  const ownerOf = (i: Identifier) => owners.get(`${i.kind}:${i.value}`);
  const coreRef = identifiers.find((i) => i.kind === 'customerId')?.value;
  const distinctOwners = [...new Set(identifiers.map(ownerOf).filter((o): o is string => o !== undefined))];

  let target: string;
  if (coreRef) target = ownerOf({ kind: 'customerId', value: coreRef }) ?? coreRef;
  else {
    const cores = distinctOwners.filter(isCoreId);
    if (cores.length > 0) {
      // With several core customers tied together, the event goes to the one its strongest identifier names.
      const strongest = identifiers.map(ownerOf).find((o) => o !== undefined && isCoreId(o));
      target = strongest ?? (cores[0] as string);
    } else if (distinctOwners.length > 0) {
      // Only generated ids: the smallest survives, whatever order the events arrive in.
      target = [...distinctOwners].sort()[0] as string;
    } else target = generatedId(identifiers[0] as Identifier);
  }

  const merge: string[] = [];
  const conflicts: Plan['conflicts'] = [];
  const link: Identifier[] = [];
  for (const identifier of identifiers) {
    const owner = ownerOf(identifier);
    if (owner === undefined) link.push(identifier);
    else if (owner === target) continue;
    // The target is a core customer whenever any owner is one, so a core owner here is a second,
    // different core-banking customer: a conflict, never a merge.
    else if (isCoreId(owner)) conflicts.push({ identifier, otherCustomerId: owner });
    else if (!merge.includes(owner)) merge.push(owner);
  }
  return { target, link, merge, conflicts };
}

function generatedId(identifier: Identifier): string {
  const digest = createHash('sha256').update(`${identifier.kind}:${identifier.value}`).digest('hex');
  return `${GENERATED_ID_PREFIX}${digest.slice(0, 20)}`;
}

async function readOwners(identifiers: Identifier[]): Promise<Map<string, string>> {
  const table = getTableName();
  const { Responses } = await db().send(
    new BatchGetCommand({
      RequestItems: {
        [table]: { Keys: identifiers.map((i) => keys.identity(i.kind, i.value)), ConsistentRead: true },
      },
    }),
  );
  const owners = new Map<string, string>();
  for (const item of Responses?.[table] ?? [])
    owners.set(`${item.kind}:${item.value}`, item.customerId as string);
  return owners;
}

/** Links an identifier to the customer; fails (and the caller re-plans) if someone else owns it now. */
async function claim(identifier: Identifier, customerId: string, mergedAway: string[]): Promise<void> {
  const allowed = Object.fromEntries([customerId, ...mergedAway].map((id, i) => [`:c${i}`, id]));
  await db().send(
    new PutCommand({
      TableName: getTableName(),
      Item: {
        ...keys.identity(identifier.kind, identifier.value),
        kind: identifier.kind,
        value: identifier.value,
        customerId,
      },
      ConditionExpression: `attribute_not_exists(pk) OR customerId IN (${Object.keys(allowed).join(', ')})`,
      ExpressionAttributeValues: allowed,
    }),
  );
  await db().send(
    new PutCommand({
      TableName: getTableName(),
      Item: {
        ...keys.identityLink(customerId, identifier.kind, identifier.value),
        kind: 'identity',
        identityKind: identifier.kind,
        value: identifier.value,
        customerId,
      },
    }),
  );
}

/** Recorded on both customers, for a person to review; the first occurrence is kept. */
async function recordConflict(
  customerId: string,
  conflict: { identifier: Identifier; otherCustomerId: string },
  context: { eventId: string; at: string },
): Promise<void> {
  for (const [a, b] of [
    [customerId, conflict.otherCustomerId],
    [conflict.otherCustomerId, customerId],
  ] as const) {
    await db().send(
      new UpdateCommand({
        TableName: getTableName(),
        Key: keys.identityConflict(a, b),
        UpdateExpression:
          'SET kind = :kind, customerId = :a, otherCustomerId = :b, occurredAt = if_not_exists(occurredAt, :at), eventId = if_not_exists(eventId, :e), #status = if_not_exists(#status, :open) ADD identifiers :ids',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':kind': 'identity_conflict',
          ':a': a,
          ':b': b,
          ':at': context.at,
          ':e': context.eventId,
          ':open': 'open',
          ':ids': new Set([conflict.identifier.kind]),
        },
      }),
    );
  }
}
