import { createHash, randomUUID } from 'node:crypto';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { findCustomer } from '../customer-file/store';
import { db } from '../shared/clients/dynamodb';
import { eventBridge } from '../shared/clients/eventbridge';
import { getBusName, getTableName } from '../shared/config';
import { AppError, ConflictError, NotFoundError } from '../shared/errors';
import { DetailTypes, RAPPORT_SOURCE, rapportEventSchemas, type Workflow } from '../shared/events';
import { type ContactItem, contactItem, preferencesItem } from '../shared/items';
import { keys } from '../shared/keys';
import { logger, metrics } from '../shared/observability';
import type { Settings } from '../shared/settings';
import { cachedSettings } from '../shared/settings-store';
import {
  type ContactDecision,
  type ContactRequest,
  decideContact,
  type LoggedContact,
  type Preferences,
  type SuppressionReason,
} from './policy';

/**
 * The contact policy as a service: POST /contacts and the workflows call `requestContact`, which
 * reads the customer's file, asks the pure policy, logs the decision on the customer's contact log
 * and, when the contact may go out, puts `Contact Requested` on the bus for the channel systems.
 *
 * Concurrency. Two departments asking at the same moment must never both slip past a cap or a
 * conflict, so every sent or scheduled decision is an optimistic write guarded by a per-customer
 * version item: read the version, then the log, decide, then in one transaction bump the version
 * (condition: still the version read) and put the contact. A writer that lost the race re-reads and
 * decides again, now seeing the winner's contact. The version is read before the log, so any contact
 * the log read missed was committed after the version read and has bumped the version.
 *
 * Idempotency. With a `requestId` the contact id is derived from it, and a marker item written in
 * the same transaction as the contact makes a retry (after a 5xx, a Lambda or Step Functions retry)
 * return the recorded decision instead of deciding, and counting, a second time. Without one, every
 * call is a new request with a fresh contact id.
 */

// ---- items this service owns ---------------------------------------------------------------------

/** Key builders live in keys.ts; re-exported under the names the tests use. */
export const contactLogVersionKey = keys.contactLogVersion;
export const contactRequestKey = keys.contactRequest;

export const contactLogVersionItem = z.object({
  pk: z.string(),
  sk: z.string(),
  version: z.number().int().min(0),
  updatedAt: z.string(),
});

export const contactRequestItem = z.object({
  pk: z.string(),
  sk: z.string(),
  contactId: z.string(),
  /** The sk of the contact item, whose `at` cannot be derived from the request. */
  contactSk: z.string(),
  requestId: z.string(),
  /** Hash of the request's fields: the same requestId with a different request is a caller bug. */
  fingerprint: z.string(),
  at: z.string(),
});
export type ContactRequestItem = z.infer<typeof contactRequestItem>;

/**
 * The `Contact Requested` detail Rapport puts on the bus: the contract's fields plus `scheduledFor`,
 * set when quiet hours delay the contact — the channel system must not deliver it before that
 * instant. Channel systems deduplicate on `contactId`: a retried request can put the same event twice.
 */
export const contactRequestedDetail = rapportEventSchemas[DetailTypes.ContactRequested];
export type ContactRequestedDetail = z.infer<typeof contactRequestedDetail>;

// ---- errors (5xx: the caller should retry) ------------------------------------------------------

/**
 * The decision is on the contact log but its event is not on the bus. The caller must retry with the
 * same requestId: the retry finds the recorded decision and puts the event again.
 */
export class ContactNotPublishedError extends AppError {
  readonly statusCode = 503;
  constructor(
    readonly contactId: string,
    options?: { cause?: unknown },
  ) {
    super(
      `contact ${contactId} was decided and logged but could not be handed to the channel systems; retry with the same requestId`,
      options,
    );
  }
}

/** Every attempt lost the race for the customer's contact log; nothing was logged for this request. */
export class ContactLogContentionError extends AppError {
  readonly statusCode = 503;
  constructor(customerId: string, attempts: number) {
    super(
      `the contact log of customer ${customerId} changed during each of ${attempts} attempts; nothing was decided, retry the request`,
    );
  }
}

// ---- the service --------------------------------------------------------------------------------

export type ContactRequestInput = Omit<ContactRequest, 'workflow'> & {
  /** Narrower than the policy's string: the log and the event only know Rapport's own workflows. */
  workflow?: Workflow;
  runId?: string;
  offerId?: string;
  /** Idempotency key chosen by the caller; a retry with the same key gets the same decision. */
  requestId?: string;
};

export type ContactOutcome = {
  contactId: string;
  status: ContactDecision['status'];
  channel?: ContactItem['channel'];
  reason?: SuppressionReason;
  conflictsWith?: string;
  scheduledFor?: string;
  detail?: string;
};

export type RequestContactOptions = { now?: Date };

/** Retries happen only while other sends commit, so a handful suffices unless the customer is flooded. */
const MAX_ATTEMPTS = 8;
const BACKOFF_BASE_MS = 10;
const BACKOFF_CAP_MS = 200;
const DAY_MS = 24 * 60 * 60 * 1000;

export async function requestContact(
  input: ContactRequestInput,
  opts: RequestContactOptions = {},
): Promise<ContactOutcome> {
  const now = opts.now ?? new Date();
  const profile = await findCustomer(input.customerId);
  if (!profile) throw new NotFoundError(`customer ${input.customerId} not found`);
  // A merged customer's old id asks about the survivor, whose log is the one that counts.
  const customerId = profile.customerId;
  const contactId = input.requestId ? contactIdFor(input.customerId, input.requestId) : randomUUID();
  const fingerprint = fingerprintOf(input);

  const [settings, preferences, earlier] = await Promise.all([
    cachedSettings(now.getTime()),
    readPreferences(customerId),
    input.requestId ? readRecorded(customerId, contactId, fingerprint) : undefined,
  ]);
  if (earlier) return replay(earlier);

  const since = logWindowStart(now, settings);
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    // Version before log: see the module comment.
    const version = await readVersion(customerId);
    const log = await readLog(customerId, since);
    const decision = decideContact({
      request: { ...input, customerId },
      preferences,
      knownChannels: { email: Boolean(profile.email), phone: Boolean(profile.phone) },
      log,
      now,
      settings,
      timeZone: profile.timeZone,
    });
    const item = toContactItem(input, customerId, contactId, decision, now);
    const marker = input.requestId
      ? contactRequestItem.parse({
          ...contactRequestKey(customerId, contactId),
          contactId,
          contactSk: item.sk,
          requestId: input.requestId,
          fingerprint,
          at: item.at,
        })
      : undefined;

    const written = await writeDecision(item, marker, version);
    if (written === 'written') {
      logger.info('contact decided', {
        contactId,
        customerId,
        status: item.status,
        reason: item.reason,
        attempt,
      });
      metrics.addMetric(`Contacts${capitalise(item.status)}`, 'Count', 1);
      if (item.status !== 'suppressed') await publish(item);
      return outcomeOf(item);
    }
    if (written === 'duplicate') {
      // A concurrent call with the same requestId won; its decision is the answer to both.
      const recorded = await readRecorded(customerId, contactId, fingerprint);
      if (recorded) return replay(recorded);
    }
    if (attempt < MAX_ATTEMPTS) await sleep(backoff(attempt));
  }
  metrics.addMetric('ContactLogContention', 'Count', 1);
  throw new ContactLogContentionError(customerId, MAX_ATTEMPTS);
}

// ---- reads ----------------------------------------------------------------------------------------

/**
 * The oldest log entry any rule can look at: the longest cap or conflict window, plus a day because
 * the log is keyed by when a contact was asked for while the rules count it from when it is scheduled
 * for, and quiet hours delay a contact by less than a day.
 */
export function logWindowStart(now: Date, settings: Settings): Date {
  const policy = settings.contactPolicy;
  const longest = Math.max(
    0,
    ...policy.caps.map((c) => c.days),
    ...policy.intentConflicts.map((c) => c.days),
  );
  return new Date(now.getTime() - (longest + 1) * DAY_MS);
}

async function readPreferences(customerId: string): Promise<Preferences> {
  const { Item } = await db().send(
    new GetCommand({ TableName: getTableName(), Key: keys.preferences(customerId), ConsistentRead: true }),
  );
  if (!Item) return undefined;
  const { preferences, quietHours, timeZone } = preferencesItem.parse(Item);
  return { preferences, quietHours, timeZone };
}

async function readVersion(customerId: string): Promise<number | undefined> {
  const { Item } = await db().send(
    new GetCommand({
      TableName: getTableName(),
      Key: contactLogVersionKey(customerId),
      ConsistentRead: true,
    }),
  );
  return Item ? contactLogVersionItem.parse(Item).version : undefined;
}

async function readLog(customerId: string, since: Date): Promise<LoggedContact[]> {
  const { pk, skPrefix } = keys.contactPrefix(customerId);
  const log: LoggedContact[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db().send(
      new QueryCommand({
        TableName: getTableName(),
        // The upper bound takes in contacts logged "after" `now`, which a caller-supplied clock allows.
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': pk,
          ':from': `${skPrefix}${since.toISOString()}`,
          ':to': `${skPrefix}\uffff`,
        },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const raw of page.Items ?? []) {
      const c = contactItem.parse(raw);
      log.push({
        contactId: c.contactId,
        intent: c.intent,
        productLine: c.productLine,
        channel: c.channel,
        status: c.status,
        at: c.at,
        scheduledFor: c.scheduledFor,
        service: c.service,
      });
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return log;
}

async function readRecorded(
  customerId: string,
  contactId: string,
  fingerprint: string,
): Promise<ContactItem | undefined> {
  const { Item } = await db().send(
    new GetCommand({
      TableName: getTableName(),
      Key: contactRequestKey(customerId, contactId),
      ConsistentRead: true,
    }),
  );
  if (!Item) return undefined;
  const marker = contactRequestItem.parse(Item);
  if (marker.fingerprint !== fingerprint) {
    throw new ConflictError(`requestId ${marker.requestId} was already used for a different contact request`);
  }
  const { Item: contact } = await db().send(
    new GetCommand({
      TableName: getTableName(),
      Key: { pk: keys.customerPk(customerId), sk: marker.contactSk },
      ConsistentRead: true,
    }),
  );
  // The marker and the contact are written in one transaction, so one without the other is corruption.
  if (!contact) throw new Error(`contact ${contactId} has an idempotency marker but no log entry`);
  return contactItem.parse(contact);
}

// ---- writes ---------------------------------------------------------------------------------------

/**
 * `written`: the decision is on the log. `contended`: the log changed since it was read; decide again.
 * `duplicate`: a concurrent call with the same requestId recorded its decision first.
 *
 * Suppressed decisions do not bump the version, so they never make a concurrent send retry: a
 * suppressed contact neither caps nor conflicts, and contacts are only ever added to the log, so a
 * suppression decided on an older log still holds on the newer one (a longer log only adds reasons
 * to suppress). Only sent and scheduled decisions, which use up an allowance, need the guard.
 */
async function writeDecision(
  item: ContactItem,
  marker: ContactRequestItem | undefined,
  version: number | undefined,
): Promise<'written' | 'contended' | 'duplicate'> {
  const TableName = getTableName();
  const fresh = 'attribute_not_exists(pk)';
  const guarded = item.status !== 'suppressed';
  const transact = [
    ...(guarded
      ? [
          {
            Update: {
              TableName,
              Key: contactLogVersionKey(item.customerId),
              UpdateExpression: 'SET #version = :next, updatedAt = :at',
              ConditionExpression: version === undefined ? fresh : '#version = :read',
              ExpressionAttributeNames: { '#version': 'version' },
              ExpressionAttributeValues: {
                ':next': (version ?? 0) + 1,
                ':at': item.at,
                ...(version === undefined ? {} : { ':read': version }),
              },
            },
          },
        ]
      : []),
    { Put: { TableName, Item: item, ConditionExpression: fresh } },
    ...(marker ? [{ Put: { TableName, Item: marker, ConditionExpression: fresh } }] : []),
  ];

  if (transact.length === 1) {
    // An unguarded write of a fresh random contact id: no condition can fail but a clash of UUIDs.
    await db().send(new PutCommand({ TableName, Item: item, ConditionExpression: fresh }));
    return 'written';
  }
  try {
    await db().send(new TransactWriteCommand({ TransactItems: transact }));
    return 'written';
  } catch (error) {
    if (isTransactionConflict(error)) return 'contended';
    if (!isCancellation(error)) throw error;
    const codes = (error.CancellationReasons ?? []).map((r) => r.Code);
    const markerIndex = marker ? transact.length - 1 : -1;
    if (markerIndex >= 0 && codes[markerIndex] === 'ConditionalCheckFailed') return 'duplicate';
    if (guarded && codes[0] === 'ConditionalCheckFailed') return 'contended';
    // Another transaction in flight on one of these items: the same race, detected earlier.
    if (codes.includes('TransactionConflict')) return 'contended';
    throw error;
  }
}

type Cancellation = Error & { CancellationReasons?: { Code?: string }[] };

function isCancellation(error: unknown): error is Cancellation {
  return error instanceof Error && error.name === 'TransactionCanceledException';
}

function isTransactionConflict(error: unknown): boolean {
  return error instanceof Error && error.name === 'TransactionConflictException';
}

/**
 * Puts `Contact Requested` after the decision is logged. Logging first means a failure here leaves a
 * recorded decision without its event, which the thrown error makes visible and a keyed retry repairs;
 * the reverse order could deliver a contact that no cap ever counted.
 */
async function publish(item: ContactItem): Promise<void> {
  const detail = contactRequestedDetail.parse({
    contactId: item.contactId,
    customerId: item.customerId,
    channel: item.channel,
    productLine: item.productLine,
    intent: item.intent,
    offerId: item.offerId,
    workflow: item.workflow,
    runId: item.runId,
    scheduledFor: item.scheduledFor,
  });
  try {
    const result = await eventBridge().send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: getBusName(),
            Source: RAPPORT_SOURCE,
            DetailType: DetailTypes.ContactRequested,
            Detail: JSON.stringify(detail),
          },
        ],
      }),
    );
    // PutEvents answers 200 even when it rejects an entry; the entry's own error code says so.
    if ((result.FailedEntryCount ?? 0) > 0) {
      const entry = result.Entries?.[0];
      throw new Error(
        `PutEvents rejected the entry: ${entry?.ErrorCode ?? 'unknown'} ${entry?.ErrorMessage ?? ''}`,
      );
    }
  } catch (error) {
    logger.error('contact logged but its event was not put on the bus', { contactId: item.contactId, error });
    metrics.addMetric('ContactEventsNotPublished', 'Count', 1);
    throw new ContactNotPublishedError(item.contactId, { cause: error });
  }
}

/** A keyed retry answers what was decided, and re-puts the event in case the first put failed. */
async function replay(item: ContactItem): Promise<ContactOutcome> {
  logger.info('contact request replayed', { contactId: item.contactId, status: item.status });
  if (item.status !== 'suppressed') await publish(item);
  return outcomeOf(item);
}

// ---- shapes -------------------------------------------------------------------------------------

function toContactItem(
  input: ContactRequestInput,
  customerId: string,
  contactId: string,
  decision: ContactDecision,
  now: Date,
): ContactItem {
  const at = now.toISOString();
  return contactItem.parse({
    ...keys.contact(customerId, at, contactId),
    customerId,
    contactId,
    intent: input.intent,
    productLine: input.productLine,
    channel: decision.channel,
    status: decision.status,
    reason: decision.status === 'suppressed' ? decision.reason : undefined,
    detail: decision.status === 'suppressed' ? decision.detail : undefined,
    conflictsWith: decision.status === 'suppressed' ? decision.conflictsWith : undefined,
    scheduledFor: decision.status === 'scheduled' ? decision.scheduledFor : undefined,
    department: input.department,
    // The policy treats a service_notice as a service contact whatever the flag says; so does the log.
    service: input.service === true || input.intent === 'service_notice',
    workflow: input.workflow,
    runId: input.runId,
    offerId: input.offerId,
    at,
  });
}

function outcomeOf(item: ContactItem): ContactOutcome {
  return {
    contactId: item.contactId,
    status: item.status,
    ...(item.channel && { channel: item.channel }),
    ...(item.reason && { reason: item.reason as SuppressionReason }),
    ...(item.conflictsWith && { conflictsWith: item.conflictsWith }),
    ...(item.scheduledFor && { scheduledFor: item.scheduledFor }),
    ...(item.detail && { detail: item.detail }),
  };
}

/**
 * Name-based: the same caller key for the same customer id gives the same contact id on every retry,
 * and two customers' keys never collide. Formatted as a UUID so keyed and unkeyed ids look alike.
 */
export function contactIdFor(customerId: string, requestId: string): string {
  const hex = createHash('sha256').update(`${customerId}\n${requestId}`, 'utf8').digest('hex');
  const variant = ((Number.parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function fingerprintOf(input: ContactRequestInput): string {
  const fields = [
    input.customerId,
    input.productLine,
    input.intent,
    input.channel ?? null,
    input.department,
    input.service === true,
    input.workflow ?? null,
    input.runId ?? null,
    input.offerId ?? null,
  ];
  return createHash('sha256').update(JSON.stringify(fields), 'utf8').digest('hex');
}

/** Full jitter: concurrent losers spread out instead of colliding again on the same beat. */
function backoff(attempt: number): number {
  return Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
