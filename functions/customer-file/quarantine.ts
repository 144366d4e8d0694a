import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db } from '../shared/clients/dynamodb';
import { getTableName } from '../shared/config';
import type { FieldIssue } from '../shared/errors';
import { indexKeys, keys } from '../shared/keys';
import { metrics } from '../shared/observability';
import { maskCardNumbersDeep } from './card-numbers';

export type RejectedEvent = { id: string; source: string; detailType: string; detail: unknown };

/**
 * Keeps a rejected event with its reasons, so nothing is dropped silently: GET /quarantine lists it
 * and a metric counts it. Card numbers are removed and personal data masked before anything is
 * written, so the quarantine never holds what the customer file must not.
 * Keyed by a hash of the event, so a redelivered bad event is kept (and counted) once.
 */
export async function quarantine(
  event: RejectedEvent,
  reasons: FieldIssue[],
  receivedAt: Date,
): Promise<{ quarantineId: string; isNew: boolean }> {
  const eventId = eventIdOf(event.detail);
  const quarantineId = createHash('sha256')
    .update(`${event.source}\n${event.detailType}\n${eventId ?? event.id}`)
    .digest('hex')
    .slice(0, 24);
  const at = receivedAt.toISOString();
  try {
    await db().send(
      new PutCommand({
        TableName: getTableName(),
        Item: {
          ...keys.quarantine(quarantineId),
          ...indexKeys.quarantineList(at, quarantineId),
          kind: 'quarantine',
          quarantineId,
          source: event.source,
          detailType: event.detailType,
          eventId: eventId ? maskPersonalData(eventId) : undefined,
          reasons: reasons.slice(0, MAX_REASONS),
          reasonCount: reasons.length,
          receivedAt: at,
          // As JSON text: a rejected detail may hold what DynamoDB cannot store as a map (numbers
          // beyond its range, empty keys, deep nesting, 400 KB), and it must be kept all the same.
          detail: truncate(
            JSON.stringify(maskPersonalData(maskCardNumbersDeep(event.detail))) ?? 'undefined',
          ),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return { quarantineId, isNew: false };
    throw error;
  }
  metrics.addMetric('QuarantinedEvents', 'Count', 1);
  await db().send(
    new UpdateCommand({
      TableName: getTableName(),
      Key: keys.metricDay(at.slice(0, 10), 'quarantined'),
      UpdateExpression: 'ADD #count :one',
      ExpressionAttributeNames: { '#count': 'count' },
      ExpressionAttributeValues: { ':one': 1 },
    }),
  );
  return { quarantineId, isNew: true };
}

/** Enough to see what was wrong; an event with thousands of bad array elements keeps the first ones. */
const MAX_REASONS = 50;
const MAX_DETAIL_CHARS = 32_000;

function truncate(text: string): string {
  return text.length <= MAX_DETAIL_CHARS ? text : `${text.slice(0, MAX_DETAIL_CHARS)}… [truncated]`;
}

function eventIdOf(detail: unknown): string | undefined {
  const id = (detail as { eventId?: unknown } | null)?.eventId;
  return typeof id === 'string' && id.length > 0 ? id.slice(0, 128) : undefined;
}

const PERSONAL_KEYS = new Set(['email', 'phone', 'name']);
const EMAIL = /[^\s@"]+@[^\s@"]+\.[^\s@"]+/g;
const LONG_DIGITS = /\+?\d[\d\s().-]{6,}\d/g;

/**
 * Masks what identifies a person: values of email/phone/name fields, and anything shaped like an
 * email address or a phone number in other strings. Keeps enough (first letter, last two digits)
 * for ops to recognise a record they are asked about.
 */
export function maskPersonalData<T>(value: T, key?: string): T {
  if (typeof value === 'string') {
    if (key && PERSONAL_KEYS.has(key)) return maskWhole(value) as T;
    return value.replace(EMAIL, (m) => maskWhole(m)).replace(LONG_DIGITS, (m) => maskWhole(m)) as T;
  }
  if (Array.isArray(value)) return value.map((v) => maskPersonalData(v, key)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskPersonalData(v, k)])) as T;
  }
  return value;
}

function maskWhole(text: string): string {
  if (text.includes('@')) return `${text[0]}***@***`;
  const digits = text.replace(/\D/g, '');
  if (digits.length >= 6) return `***${digits.slice(-2)}`;
  return `${text.slice(0, 1)}***`;
}
