import { createHash } from 'node:crypto';
import { type ContactChannel, type Intent, isValidTimeZone, type ProductLine } from '../shared/events';
import type { Settings } from '../shared/settings';

/**
 * The contact policy of product.md capability 3, as one pure decision: every department and every
 * workflow asks it before contacting a customer, so "what may we send" has exactly one answer.
 * The caller loads the preferences and the contact log, passes `now`, and logs the decision; nothing
 * here reads a clock or a table, so each rule can be tested from a table of cases.
 */

export type ContactRequest = {
  customerId: string;
  productLine: ProductLine | '*';
  intent: Intent;
  channel?: ContactChannel;
  department: string;
  service?: boolean;
  workflow?: string;
};

export type Preferences =
  | {
      preferences: { productLine: ProductLine | '*'; channels: ContactChannel[]; optOut?: boolean }[];
      quietHours?: { start: string; end: string };
      timeZone?: string;
    }
  | undefined;

export type LoggedContact = {
  contactId: string;
  intent: Intent;
  productLine: string;
  channel?: ContactChannel;
  status: 'sent' | 'suppressed' | 'scheduled';
  /** ISO date-time. */
  at: string;
  scheduledFor?: string;
  service?: boolean;
};

export type SuppressionReason =
  | 'opt_out'
  | 'frequency_cap'
  | 'intent_conflict'
  | 'control_group'
  | 'no_channel';

export type ContactDecision =
  | { status: 'sent'; channel: ContactChannel }
  | { status: 'scheduled'; channel: ContactChannel; scheduledFor: string }
  | {
      status: 'suppressed';
      reason: SuppressionReason;
      conflictsWith?: string;
      channel?: ContactChannel;
      detail: string;
    };

export type DecideContactInput = {
  request: ContactRequest;
  preferences: Preferences;
  knownChannels: { email: boolean; phone: boolean };
  log: LoggedContact[];
  now: Date;
  settings: Settings;
  /** The customer's zone from the profile; the preferences' own zone wins over it. */
  timeZone?: string;
};

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Rules run in this order, and the order is part of the policy:
 * 1. Opt-out first: the customer's own "no" is the reason that must be logged, whatever else holds,
 *    and it needs nothing but the preferences.
 * 2. Channel next: every later suppression still reports the channel it would have used, and with no
 *    channel there is nothing to cap, conflict or schedule.
 * 3. Control group before the history-based rules: membership must depend on the hash alone, so the
 *    control arm is the same 10% whatever the contact log holds; otherwise a capped customer would be
 *    logged as capped and the uplift measurement would lose control members.
 * 4. Intent conflicts before caps: both suppress, but a conflict names the contact it clashes with,
 *    which is what the department needs to see.
 * 5. Quiet hours last, because they only delay: a contact that any rule above suppresses must not be
 *    scheduled for the morning.
 * Service notices skip the opt-out, control-group and cap rules (product.md: exempt from caps and
 * marketing opt-outs; a control group measures marketing, not notices the customer is owed), but
 * still need a channel, still avoid conflicting intents and still wait for the morning.
 */
export function decideContact(input: DecideContactInput): ContactDecision {
  const { request, preferences, knownChannels, log, now, settings } = input;
  const policy = settings.contactPolicy;
  const service = isService(request);
  const linePref = preferences?.preferences.find((p) => p.productLine === request.productLine);
  const anyPref = preferences?.preferences.find((p) => p.productLine === '*');

  if (!service) {
    const optedOut = [linePref, anyPref].find((p) => p?.optOut === true);
    if (optedOut) {
      return {
        status: 'suppressed',
        reason: 'opt_out',
        detail:
          optedOut.productLine === '*'
            ? 'customer opted out of all marketing'
            : `customer opted out of ${optedOut.productLine} marketing`,
      };
    }
  }

  const channel = chooseChannel(request.channel, linePref ?? anyPref, knownChannels);
  if (!channel) {
    return {
      status: 'suppressed',
      reason: 'no_channel',
      detail: `customer chose no channel for ${request.productLine} and has no known email`,
    };
  }

  if (!service && request.workflow !== undefined) {
    if (inControlGroup(request.customerId, request.workflow, settings.controlGroupShare)) {
      return {
        status: 'suppressed',
        reason: 'control_group',
        channel,
        detail: `customer is in the ${formatShare(settings.controlGroupShare)} control group of ${request.workflow}`,
      };
    }
  }

  const conflict = findConflict(request.intent, log, now, policy.intentConflicts);
  if (conflict) {
    return {
      status: 'suppressed',
      reason: 'intent_conflict',
      conflictsWith: conflict.contact.contactId,
      channel,
      detail:
        `${request.intent} conflicts with ${conflict.contact.intent} contact ${conflict.contact.contactId}` +
        ` of ${effectiveTime(conflict.contact).toISOString()} (${conflict.days}-day rule)`,
    };
  }

  if (!service) {
    const marketing = log.filter((c) => counts(c) && !isService(c));
    for (const cap of policy.caps) {
      const inWindow = marketing.filter((c) => withinDays(c, now, cap.days)).length;
      if (inWindow >= cap.max) {
        return {
          status: 'suppressed',
          reason: 'frequency_cap',
          channel,
          detail: `${inWindow} marketing contacts in ${cap.days} days (cap ${cap.max})`,
        };
      }
    }
  }

  const quiet = preferences?.quietHours ?? policy.quietHours;
  const zone = firstValidTimeZone([preferences?.timeZone, input.timeZone, policy.defaultTimeZone]);
  const quietEnd = endOfQuietHours(now, quiet, zone);
  if (quietEnd) return { status: 'scheduled', channel, scheduledFor: quietEnd.toISOString() };
  return { status: 'sent', channel };
}

/**
 * Whether a customer is held out of a workflow to measure it. A hash (not a random draw) makes the
 * answer the same on every call, in every Lambda, and in campaign launches that skip control customers
 * before a run starts; hashing the workflow in keeps the retention and win-back control groups
 * independent of each other.
 */
export function inControlGroup(customerId: string, workflow: string, share: number): boolean {
  if (!(share > 0)) return false;
  const digest = createHash('sha256').update(`${customerId}:${workflow}`, 'utf8').digest();
  // 48 bits are plenty of resolution for a share and stay inside a double's exact integers.
  const unit = digest.readUIntBE(0, 6) / 2 ** 48;
  return unit < share;
}

// ---- rules ---------------------------------------------------------------------------------------

function isService(c: { service?: boolean; intent: Intent }): boolean {
  return c.service === true || c.intent === 'service_notice';
}

/**
 * A customer's chosen channels are promises about how to reach them, so they are used as given; the
 * known email/phone only matter when the customer chose nothing. Mail needs no address we track
 * (product.md: "else mail"), but an explicitly empty channel list is read as "not by mail either",
 * which is why it ends in no_channel when there is no email to fall back on.
 */
function chooseChannel(
  requested: ContactChannel | undefined,
  pref: { channels: ContactChannel[] } | undefined,
  known: { email: boolean; phone: boolean },
): ContactChannel | undefined {
  if (pref && pref.channels.length > 0) {
    if (requested && pref.channels.includes(requested)) return requested;
    return pref.channels[0];
  }
  if (pref) return known.email ? 'email' : undefined;
  if (requested && reachable(requested, known)) return requested;
  return known.email ? 'email' : 'mail';
}

/** Push needs a device we do not track, so it is never assumed without the customer choosing it. */
function reachable(channel: ContactChannel, known: { email: boolean; phone: boolean }): boolean {
  switch (channel) {
    case 'email':
      return known.email;
    case 'sms':
    case 'phone':
      return known.phone;
    case 'mail':
      return true;
    case 'push':
      return false;
  }
}

/** Suppressed contacts never reached the customer, so they neither cap nor conflict. */
function counts(c: LoggedContact): boolean {
  return c.status === 'sent' || c.status === 'scheduled';
}

/** A scheduled contact reaches the customer when it is scheduled for, not when it was asked for. */
function effectiveTime(c: LoggedContact): Date {
  return new Date(c.scheduledFor ?? c.at);
}

/**
 * Rolling window of whole 24-hour days ending at `now`: a contact exactly `days` old has left it.
 * Contacts scheduled for later than `now` are inside, because they will reach the customer.
 */
function withinDays(c: LoggedContact, now: Date, days: number): boolean {
  const t = effectiveTime(c).getTime();
  return !Number.isNaN(t) && now.getTime() - t < days * DAY_MS;
}

function findConflict(
  intent: Intent,
  log: LoggedContact[],
  now: Date,
  rules: Settings['contactPolicy']['intentConflicts'],
): { contact: LoggedContact; days: number } | undefined {
  let found: { contact: LoggedContact; days: number } | undefined;
  for (const rule of rules) {
    const [a, b] = rule.intents;
    const other = intent === a ? b : intent === b ? a : undefined;
    if (other === undefined) continue;
    for (const c of log) {
      if (c.intent !== other || !counts(c) || !withinDays(c, now, rule.days)) continue;
      if (!found || effectiveTime(c) > effectiveTime(found.contact)) found = { contact: c, days: rule.days };
    }
  }
  return found;
}

function formatShare(share: number): string {
  return `${Math.round(share * 1000) / 10}%`;
}

// ---- quiet hours and time zones ------------------------------------------------------------------

/**
 * The end of the quiet window `now` falls in, or undefined when `now` is outside it. The window is
 * in wall-clock time of `timeZone` and may wrap midnight (21:00–08:00); start = end means no window.
 */
export function endOfQuietHours(
  now: Date,
  window: { start: string; end: string },
  timeZone: string,
): Date | undefined {
  const start = minutesOfDay(window.start);
  const end = minutesOfDay(window.end);
  if (start === undefined || end === undefined || start === end) return undefined;
  const local = wallClock(now, timeZone);
  const minute = local.hour * 60 + local.minute;
  const inside = start < end ? minute >= start && minute < end : minute >= start || minute < end;
  if (!inside) return undefined;
  // Before the end on the same local date means the window closes today; otherwise it wrapped and
  // closes tomorrow. Date.UTC normalises day 32 into the next month.
  const dayOffset = minute < end ? 0 : 1;
  const target = Date.UTC(local.year, local.month - 1, local.day + dayOffset, Math.floor(end / 60), end % 60);
  return new Date(zonedToUtc(target, timeZone));
}

function minutesOfDay(hhmm: string): number | undefined {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!m) return undefined;
  const h = Number(m[1]);
  const min = Number(m[2]);
  return h < 24 && min < 60 ? h * 60 + min : undefined;
}

function firstValidTimeZone(candidates: (string | undefined)[]): string {
  for (const tz of candidates) {
    if (tz && isValidTimeZone(tz)) return tz;
  }
  return 'UTC';
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    // h23 because en-US otherwise prints midnight as hour 24 on some engines.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

type WallClock = { year: number; month: number; day: number; hour: number; minute: number; second: number };

function wallClock(instant: Date | number, timeZone: string): WallClock {
  const parts: Partial<Record<Intl.DateTimeFormatPartTypes, number>> = {};
  for (const p of formatter(timeZone).formatToParts(instant)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year ?? 1970,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: (parts.hour ?? 0) % 24,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** Wall clock read as if it were UTC, so that subtracting an instant gives the zone's offset. */
function wallClockAsUtc(instant: number, timeZone: string): number {
  const w = wallClock(instant, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
}

function offsetAt(instant: number, timeZone: string): number {
  const whole = Math.floor(instant / 1000) * 1000;
  return wallClockAsUtc(whole, timeZone) - whole;
}

/**
 * The instant at which `timeZone`'s clock reads `wall` (a wall-clock time encoded as UTC ms).
 * Offsets a day either side bracket any single DST transition. When the clock reads that time twice
 * (autumn) the earlier instant wins; when it never does (spring gap) the time is pushed forward by
 * the gap, as Temporal's "compatible" disambiguation does, so a delay never lands before the gap.
 */
function zonedToUtc(wall: number, timeZone: string): number {
  const before = offsetAt(wall - DAY_MS, timeZone);
  const after = offsetAt(wall + DAY_MS, timeZone);
  const candidates = [...new Set([wall - before, wall - after])]
    .filter((u) => wallClockAsUtc(u, timeZone) === wall)
    .sort((x, y) => x - y);
  return candidates[0] ?? wall - before;
}
