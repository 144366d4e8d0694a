import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import {
  type ChannelDetailType,
  type CLOSURE_REASONS,
  channelEventSchemas,
  DetailTypes,
  type ProductLine,
} from '../functions/shared/events';

type ClosureReason = (typeof CLOSURE_REASONS)[number];

/**
 * `npm start -- --seed N`: a synthetic bank of N customers with a year of history, put on the bus
 * with PutEvents through the local AWS endpoint, exactly the way a channel system would send it.
 *
 * Customer i is generated from its own PRNG stream (mulberry32 seeded with a hash of i), so the
 * bank is deterministic for a given N, and N = 200 is N = 100 plus a hundred more customers: a
 * second, larger --seed only sends the new ones. Event ids are deterministic too, so sending the
 * same customer twice changes nothing (the customer file deduplicates by eventId).
 *
 * Dates are relative to the start of the current UTC day so the trailing-12-month figures of
 * product.md (profit, payment history) see a full year. Every detail is validated with the event
 * catalogue's zod schema before it is sent: a generator bug fails here, not in quarantine.
 *
 * The customers follow the stories in product.md: profitable multi-product customers who get fees
 * on a card, bronze customers who pay late, complaints after fees, competitor talk before closures.
 */

export type SeedEvent = { source: string; detailType: ChannelDetailType; detail: Record<string, unknown> };

/** mulberry32: a tiny, fast, well-distributed 32-bit PRNG; the same seed gives the same stream. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** FNV-1a, to turn a customer index into a PRNG seed. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

type Archetype = {
  tier: 'platinum' | 'gold' | 'silver' | 'bronze';
  share: number;
  products: [number, number];
  /** Monthly revenue and cost to serve per product, before per-line scaling. */
  revenue: [number, number];
  cost: [number, number];
  lateShare: number;
};

/** Roughly a retail bank: few very profitable customers, many break-even ones, a loss-making tail. */
const ARCHETYPES: Archetype[] = [
  { tier: 'platinum', share: 0.08, products: [3, 5], revenue: [90, 220], cost: [10, 30], lateShare: 0.02 },
  { tier: 'gold', share: 0.17, products: [2, 4], revenue: [35, 90], cost: [8, 25], lateShare: 0.04 },
  { tier: 'silver', share: 0.45, products: [1, 3], revenue: [8, 30], cost: [5, 20], lateShare: 0.08 },
  { tier: 'bronze', share: 0.3, products: [1, 2], revenue: [2, 12], cost: [10, 25], lateShare: 0.3 },
];

const LINES_BY_TIER: Record<Archetype['tier'], ProductLine[]> = {
  platinum: ['credit_card', 'mortgage', 'savings', 'investment', 'checking', 'insurance', 'home_equity'],
  gold: ['credit_card', 'checking', 'savings', 'mortgage', 'personal_loan', 'insurance'],
  silver: ['checking', 'credit_card', 'savings', 'personal_loan'],
  bronze: ['credit_card', 'checking', 'personal_loan'],
};

/** Typical balances per product line (major units). */
const BALANCE: Record<ProductLine, [number, number]> = {
  credit_card: [200, 6_000],
  mortgage: [80_000, 450_000],
  home_equity: [10_000, 90_000],
  savings: [1_000, 60_000],
  checking: [100, 8_000],
  investment: [5_000, 250_000],
  personal_loan: [2_000, 25_000],
  insurance: [0, 0],
};

const FIRST = [
  'Ana',
  'Ben',
  'Chloé',
  'Dev',
  'Elif',
  'Femi',
  'Grace',
  'Hiro',
  'Ines',
  'Jon',
  'Kai',
  'Lena',
  'Marco',
  'Nia',
];
const LAST = [
  'Okafor',
  'Park',
  'Quinn',
  'Rossi',
  'Silva',
  'Tanaka',
  'Ueda',
  'Varga',
  'Walsh',
  'Xu',
  'Young',
  'Zimmer',
];
const ZONES = [
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Los_Angeles',
  'Europe/London',
];
const TOPICS = [
  'fees',
  'balance',
  'card replacement',
  'mortgage rate',
  'travel notice',
  'competitor offer',
  'app login',
];
const DAY = 86_400_000;

function pickArchetype(roll: number): Archetype {
  let rest = roll;
  for (const archetype of ARCHETYPES) {
    rest -= archetype.share;
    if (rest < 0) return archetype;
  }
  return ARCHETYPES[ARCHETYPES.length - 1] as Archetype;
}

/** The events of customer `index` (0-based), oldest first. */
export function customerEvents(index: number, now: Date): SeedEvent[] {
  const rng = mulberry32(hash32(`rapport-seed/${index}`));
  const between = (lo: number, hi: number) => lo + rng() * (hi - lo);
  const int = (lo: number, hi: number) => Math.floor(between(lo, hi + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rng() * list.length)] as T;
  const chance = (p: number) => rng() < p;
  const money = (v: number) => Math.round(v * 100) / 100;
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const at = (ms: number) => new Date(Math.min(ms, today - DAY / 4)).toISOString();

  const archetype = pickArchetype(rng());
  const customerId = `SEED-${String(index + 1).padStart(6, '0')}`;
  const first = pick(FIRST);
  const last = pick(LAST);
  const email = `${first}.${last}.${index + 1}@example.com`
    .normalize('NFD')
    .replace(/[^\x20-\x7e]/g, '')
    .toLowerCase();
  const phone = `+1555${String(index + 1).padStart(7, '0')}`;
  const customer = { customerId, email, phone };
  const events: { ms: number; e: SeedEvent }[] = [];
  let n = 0;
  const add = (
    ms: number,
    source: string,
    detailType: ChannelDetailType,
    channel: string,
    fields: object,
  ) => {
    n += 1;
    const detail = { eventId: `seed-${customerId}-${n}`, occurredAt: at(ms), channel, customer, ...fields };
    events.push({ ms, e: { source, detailType, detail } });
  };

  const yearAgo = today - 365 * DAY;
  add(yearAgo - int(30, 400) * DAY, 'bank.web', DetailTypes.CustomerProfileUpdated, 'web', {
    name: `${first} ${last}`,
    email,
    phone,
    timeZone: pick(ZONES),
  });

  const lines = [...LINES_BY_TIER[archetype.tier]]
    .sort(() => rng() - 0.5)
    .slice(0, int(...archetype.products));
  const latePayer = chance(archetype.lateShare * 3);
  let closures = 0;
  for (const [k, line] of lines.entries()) {
    const accountId = `${customerId}-${line.toUpperCase().replace('_', '')}-${k + 1}`;
    // Most accounts predate the year; some open during it.
    const openedAt = chance(0.8) ? yearAgo - int(30, 3_000) * DAY : yearAgo + int(1, 300) * DAY;
    add(openedAt, 'bank.core', DetailTypes.AccountOpened, pick(['branch', 'web', 'core_banking']), {
      productLine: line,
      accountId,
    });
    const [lo, hi] = BALANCE[line];
    let balance = between(lo, hi);
    const creditLimit = line === 'credit_card' ? Math.ceil(between(1_500, 15_000) / 500) * 500 : undefined;
    const revenueScale = line === 'mortgage' || line === 'investment' ? 2.5 : line === 'insurance' ? 0.6 : 1;
    const annualFeeMonth = int(0, 11);
    for (let m = 11; m >= 0; m--) {
      const periodEnd = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - m, 0));
      const issuedAt = periodEnd.getTime() + DAY + 6 * 3_600_000;
      if (issuedAt < openedAt || issuedAt >= today) continue;
      balance = Math.max(0, balance * between(0.9, 1.1));
      const late = latePayer ? chance(archetype.lateShare + 0.2) : chance(archetype.lateShare / 3);
      const daysLate = late ? int(3, 45) : 0;
      add(issuedAt, 'bank.billing', DetailTypes.StatementIssued, 'billing', {
        productLine: line,
        accountId,
        periodEnd: periodEnd.toISOString().slice(0, 10),
        balance: money(balance),
        ...(creditLimit ? { creditLimit } : {}),
        revenue: money(between(...archetype.revenue) * revenueScale),
        costToServe: money(between(...archetype.cost)),
        daysLate,
      });
      const fee = (feeType: string, amount: number) =>
        add(issuedAt + DAY, 'bank.billing', DetailTypes.FeeAssessed, 'billing', {
          feeId: `${accountId}-${feeType}-${periodEnd.toISOString().slice(0, 7)}`,
          productLine: line,
          accountId,
          feeType,
          amount,
          currency: 'USD',
        });
      if (daysLate > 0 && line !== 'savings' && line !== 'investment' && line !== 'insurance')
        fee('late_payment', 29);
      if (creditLimit && balance > creditLimit * 0.97 && chance(0.5)) fee('over_limit', 29);
      if (line === 'credit_card' && m === annualFeeMonth) fee('annual', pick([50, 75, 95]));
      if (line === 'checking' && chance(archetype.tier === 'bronze' ? 0.15 : 0.03)) fee('overdraft', 35);
      if (line === 'checking' && archetype.tier === 'bronze' && chance(0.5)) fee('maintenance', 12);
    }
    // A few customers ask to close an account in the last quarter; some go through with it.
    if (closures === 0 && chance(archetype.tier === 'bronze' ? 0.08 : 0.04)) {
      closures += 1;
      const reason = pick<ClosureReason>(['fees', 'service', 'competitor_offer', 'rates', 'moved', 'other']);
      const requestedAt = today - int(5, 90) * DAY;
      add(requestedAt, 'bank.callcenter', DetailTypes.ClosureRequested, 'call_center', {
        productLine: line,
        accountId,
        reason,
      });
      if (chance(0.5))
        add(requestedAt + int(1, 4) * DAY, 'bank.core', DetailTypes.AccountClosed, 'core_banking', {
          productLine: line,
          accountId,
          reason,
        });
    }
  }

  if (chance(0.3)) {
    add(yearAgo + int(0, 300) * DAY, 'bank.web', DetailTypes.ContactPreferencesChanged, 'web', {
      preferences: lines.map((line) => ({
        productLine: line,
        channels: [pick(['email', 'sms', 'phone', 'mail', 'push'] as const)],
        ...(chance(0.1) ? { optOut: true } : {}),
      })),
    });
  }
  for (let c = int(0, archetype.tier === 'bronze' ? 3 : 1); c > 0; c--) {
    add(yearAgo + int(0, 360) * DAY, 'bank.callcenter', DetailTypes.ComplaintLogged, 'call_center', {
      complaintId: `${customerId}-C${c}`,
      category: pick(['fees', 'fees', 'service', 'product', 'rates', 'other']),
      severity: pick(['low', 'medium', 'medium', 'high']),
      productLine: pick(lines),
    });
  }
  for (let i = int(2, 10); i > 0; i--) {
    add(
      yearAgo + int(0, 360) * DAY,
      'bank.callcenter',
      DetailTypes.InteractionRecorded,
      pick(['call_center', 'web', 'mobile', 'branch']),
      {
        interactionId: `${customerId}-I${i}`,
        kind: pick(['call', 'visit', 'web_session', 'email_open', 'email_click', 'sms_reply', 'chat']),
        topic: pick(TOPICS),
        sentiment: money(between(-1, 1)),
      },
    );
  }

  const ordered = events.sort((a, b) => a.ms - b.ms).map(({ e }) => e);
  for (const event of ordered) {
    const parsed = channelEventSchemas[event.detailType].safeParse(event.detail);
    if (!parsed.success)
      throw new Error(`seed generator produced an invalid ${event.detailType}: ${parsed.error.message}`);
  }
  return ordered;
}

/** The events of customers `from` to `to - 1`, customer by customer (nothing held for the whole bank). */
export function* seedEvents(from: number, to: number, now: Date): Generator<SeedEvent[]> {
  for (let i = from; i < to; i++) yield customerEvents(i, now);
}

/**
 * The bank is sent the way a bank would backfill a new system: who the customers are and what they
 * hold, then their statements, then everything that happened to them. EventBridge promises no
 * order, so without these steps a fee could reach the fee review before its customer exists.
 */
const PHASES: { name: string; types: ReadonlySet<string> | null }[] = [
  {
    name: 'customers',
    types: new Set([
      DetailTypes.CustomerProfileUpdated,
      DetailTypes.AccountOpened,
      DetailTypes.ContactPreferencesChanged,
    ]),
  },
  { name: 'statements', types: new Set([DetailTypes.StatementIssued]) },
  { name: 'activity', types: null },
];

export type SeedOptions = {
  count: number;
  awsEndpoint: string;
  busName: string;
  dataDir: string;
  log: (line: string) => void;
  progress: NodeJS.WritableStream;
  /** Waits until the runtime has processed what was sent (runtime.idle); called between phases. */
  settle?: () => Promise<void>;
  now?: Date;
};

/** Sends the synthetic bank through PutEvents, 10 entries a call, with a progress bar. */
export async function seedBank(options: SeedOptions): Promise<{ customers: number; events: number }> {
  const started = performance.now();
  const markerFile = path.join(options.dataDir, 'seeded.json');
  const already = existsSync(markerFile)
    ? (JSON.parse(readFileSync(markerFile, 'utf8')) as { customers: number }).customers
    : 0;
  if (already >= options.count) {
    options.log(`seed: the data dir already holds ${already} synthetic customers; nothing to send`);
    return { customers: 0, events: 0 };
  }
  const client = new EventBridgeClient({
    endpoint: options.awsEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const customers = options.count - already;
  const bar = progressBar(options.progress, customers * PHASES.length);
  const now = options.now ?? new Date();
  let sent = 0;
  let failed = 0;
  let batch: PutEventsRequestEntry[] = [];
  const inFlight = new Set<Promise<void>>();
  const flush = async () => {
    if (batch.length === 0) return;
    const entries = batch;
    batch = [];
    const call = client.send(new PutEventsCommand({ Entries: entries })).then((result) => {
      failed += result.FailedEntryCount ?? 0;
      if (result.FailedEntryCount) {
        const first = result.Entries?.find((e) => e.ErrorCode);
        options.log(
          `seed: ${result.FailedEntryCount} entries refused, e.g. ${first?.ErrorCode}: ${first?.ErrorMessage}`,
        );
      }
    });
    const tracked = call.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    // A few calls in flight keep the bus busy without flooding the functions behind it.
    if (inFlight.size >= 4) await Promise.race(inFlight);
  };
  try {
    for (const [p, phase] of PHASES.entries()) {
      let done = 0;
      for (const events of seedEvents(already, options.count, now)) {
        for (const e of events) {
          if (phase.types && !phase.types.has(e.detailType)) continue;
          if (!phase.types && PHASES.some((other) => other.types?.has(e.detailType))) continue;
          batch.push({
            Source: e.source,
            DetailType: e.detailType,
            Detail: JSON.stringify(e.detail),
            EventBusName: options.busName,
          });
          sent += 1;
          if (batch.length === 10) await flush();
        }
        done += 1;
        bar.update(p * customers + done, sent, phase.name);
      }
      await flush();
      await Promise.all(inFlight);
      await options.settle?.();
    }
  } finally {
    bar.end();
    client.destroy();
  }
  writeFileSync(markerFile, JSON.stringify({ customers: options.count, at: new Date().toISOString() }));
  // With `settle`, each phase waited until the runtime had processed it, so this is the time to a seeded bank.
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  options.log(
    `seed: ${customers} customers, ${sent} events sent${failed ? `, ${failed} refused` : ''} in ${seconds} s`,
  );
  return { customers, events: sent };
}

function progressBar(stream: NodeJS.WritableStream, total: number) {
  const tty = (stream as { isTTY?: boolean }).isTTY === true;
  let lastDecile = -1;
  const draw = (done: number, events: number, phase: string) => {
    const share = total === 0 ? 1 : done / total;
    const width = 30;
    const filled = Math.round(share * width);
    const bar = `${'#'.repeat(filled)}${'.'.repeat(width - filled)}`;
    return `seeding [${bar}] ${String(Math.floor(share * 100)).padStart(3)}%  ${phase.padEnd(10)} ${events} events`;
  };
  return {
    update(done: number, events: number, phase: string) {
      if (tty) {
        stream.write(`\r${draw(done, events, phase)}`);
        return;
      }
      // Without a terminal a carriage return draws nothing useful: one line per 10 %.
      const decile = Math.floor((done / Math.max(total, 1)) * 10);
      if (decile !== lastDecile) {
        lastDecile = decile;
        stream.write(`${draw(done, events, phase)}\n`);
      }
    },
    end() {
      if (tty) stream.write('\n');
    },
  };
}
