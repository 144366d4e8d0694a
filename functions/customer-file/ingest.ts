import type { FieldIssue } from '../shared/errors';
import { type EventBridgeEvent, eventBridgeHandler } from '../shared/event-handler';
import {
  type ChannelEvent,
  channelEventSchemas,
  isChannelDetailType,
  RAPPORT_SOURCE,
} from '../shared/events';
import { zodIssues } from '../shared/http';
import { logger, metrics } from '../shared/observability';
import { cachedSettings } from '../shared/settings-store';
import { cardNumberPaths } from './card-numbers';
import { writeFact } from './fact-store';
import { factFor, identifiersOf } from './facts';
import { resolveIdentity } from './identity';
import { quarantine } from './quarantine';
import { refreshSummary } from './summary';

export type IngestOutcome =
  | { outcome: 'applied' | 'duplicate'; customerId: string }
  | { outcome: 'quarantined'; quarantineId: string; reasons: FieldIssue[] };

/**
 * One channel event into the customer file: reject card numbers, validate against the event
 * catalogue, resolve identity, write the fact (idempotent, order-independent), refresh the summary.
 * An invalid event is quarantined with its reasons; an infrastructure failure throws, so the
 * EventBridge target retries and finally dead-letters it. Nothing is dropped silently.
 */
export async function ingest(event: EventBridgeEvent, now = new Date()): Promise<IngestOutcome> {
  const detailType = event['detail-type'];
  const rejected = { id: event.id, source: event.source, detailType, detail: event.detail };

  const reasons = rejectionReasons(event);
  if (reasons.length > 0) return quarantined(rejected, reasons, now);

  const schema = channelEventSchemas[detailType as keyof typeof channelEventSchemas];
  const parsed = schema.safeParse(event.detail);
  if (!parsed.success) return quarantined(rejected, zodIssues(parsed.error, 'detail'), now);

  const channelEvent = { type: detailType, source: event.source, detail: parsed.data } as ChannelEvent;
  const { customerId } = await resolveIdentity(identifiersOf(channelEvent), {
    eventId: channelEvent.detail.eventId,
    at: channelEvent.detail.occurredAt,
  });
  const outcome = await writeFact(factFor(channelEvent, customerId));
  // Refreshed even for a duplicate: if an earlier delivery crashed after its fact write, this repairs the summary.
  await refreshSummary(customerId, await cachedSettings(), now);
  metrics.addMetric(outcome === 'applied' ? 'IngestedEvents' : 'DuplicateEvents', 'Count', 1);
  logger.debug('event ingested', { eventId: channelEvent.detail.eventId, detailType, customerId, outcome });
  return { outcome: outcome === 'applied' ? 'applied' : 'duplicate', customerId };
}

/** Reasons that reject an event before its detail is read: card numbers, unknown types, our own source. */
function rejectionReasons(event: EventBridgeEvent): FieldIssue[] {
  const cardFields = cardNumberPaths({ detail: event.detail });
  if (cardFields.length > 0) {
    return cardFields.map((field) => ({
      field,
      message: 'contains a payment card number; the event is rejected and the number not stored',
    }));
  }
  if (event.source.startsWith(RAPPORT_SOURCE)) {
    return [
      {
        field: 'source',
        message: `sources starting with "${RAPPORT_SOURCE}" are reserved for Rapport's own events`,
      },
    ];
  }
  if (!isChannelDetailType(event['detail-type'])) {
    return [{ field: 'detail-type', message: 'not a channel event of the catalogue (docs/events)' }];
  }
  return [];
}

async function quarantined(
  event: Parameters<typeof quarantine>[0],
  reasons: FieldIssue[],
  now: Date,
): Promise<IngestOutcome> {
  const { quarantineId } = await quarantine(event, reasons, now);
  logger.info('event quarantined', {
    quarantineId,
    detailType: event.detailType,
    fields: reasons.map((r) => r.field),
  });
  return { outcome: 'quarantined', quarantineId, reasons };
}

export const handler = eventBridgeHandler(async (event) => {
  await ingest(event);
});
