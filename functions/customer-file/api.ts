import * as z from 'zod';
import { readCategoryPage } from '../shared/category-index';
import { NotFoundError } from '../shared/errors';
import { httpHandler, ok, route } from '../shared/http';
import { indexKeys, keys } from '../shared/keys';
import { decodeCursor, encodeCursor, lastKey } from '../shared/pagination';
import { cachedSettings } from '../shared/settings-store';
import { writeFact } from './fact-store';
import { customerItems } from './merge';
import { listSegment } from './segments';
import { getCustomer, getTimeline, listCustomers, listQuarantine, putPreferences } from './spec';
import { findCustomer } from './store';
import { customerView, timeline } from './view';

/** The customer file's routes: the 360 view, segments, timeline, preferences and the quarantine. */
export const handler = httpHandler([
  route(getCustomer, async ({ params }) => {
    const profile = await requireCustomer(params.id);
    const items = await customerItems(profile.customerId);
    return ok(customerView(profile.customerId, items, await cachedSettings(), new Date()));
  }),

  route(listCustomers, async ({ query }) => ok(await listSegment(query))),

  route(getTimeline, async ({ params, query }) => {
    const profile = await requireCustomer(params.id);
    const entries = timeline(await customerItems(profile.customerId));
    // The cursor is the position (time, item, type) of the last entry returned: stable while new entries arrive.
    const after = decodeCursor(query.cursor, z.tuple([z.string(), z.string(), z.string()]));
    const start = after ? entries.findIndex((e) => isOlder(e, after)) : 0;
    const pageItems = start < 0 ? [] : entries.slice(start, start + query.limit);
    const last = pageItems.at(-1);
    const more = start >= 0 && start + query.limit < entries.length;
    return ok({
      items: pageItems,
      ...(more && last ? { nextCursor: encodeCursor([last.at, last.ref, last.type]) } : {}),
    });
  }),

  route(putPreferences, async ({ params, body, caller, requestId }) => {
    const profile = await requireCustomer(params.id);
    const at = new Date().toISOString();
    await writeFact({
      mode: 'newest',
      key: keys.preferences(profile.customerId),
      item: {
        customerId: profile.customerId,
        kind: 'preferences',
        eventId: `api:${requestId}`,
        occurredAt: at,
        channel: 'api',
        preferences: body.preferences,
        quietHours: body.quietHours,
        timeZone: body.timeZone,
        updatedBy: caller.userId,
      },
    });
    return ok({ customerId: profile.customerId, ...body, updatedAt: at });
  }),

  route(listQuarantine, async ({ query }) => {
    const page = await readCategoryPage(indexKeys.quarantinePk, {
      limit: query.limit,
      startKey: decodeCursor(query.cursor, lastKey),
      ascending: false,
    });
    const items = page.items.map((i) => ({
      quarantineId: i.quarantineId,
      source: i.source,
      detailType: i.detailType,
      eventId: i.eventId,
      reasons: i.reasons,
      receivedAt: i.receivedAt,
      detail: parseStoredDetail(i.detail),
    }));
    return ok({ items, ...(page.lastKey ? { nextCursor: encodeCursor(page.lastKey) } : {}) });
  }),
]);

async function requireCustomer(id: string) {
  const profile = await findCustomer(id);
  if (!profile) throw new NotFoundError(`no customer ${id}`);
  return profile;
}

function isOlder(
  entry: { at: string; ref: string; type: string },
  [at, ref, type]: [string, string, string],
): boolean {
  return entry.at < at || (entry.at === at && (entry.ref < ref || (entry.ref === ref && entry.type < type)));
}

/** Quarantined details are stored as JSON text (possibly truncated); show them parsed when they parse. */
function parseStoredDetail(text: unknown): unknown {
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
