import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import {
  type ChannelDetailType,
  channelEventSchemas,
  RAPPORT_SOURCE,
  type RapportDetailType,
  rapportEventSchemas,
} from '../functions/shared/events';

/**
 * Renders docs/events/: one JSON Schema per DetailType of the event catalogue
 * (functions/shared/events.ts) plus index.json. Channel events are rendered as producers send them
 * (`io: 'input'`: defaults optional, values before normalisation), Rapport's events as Rapport emits
 * them (`io: 'output'`). Output is byte-stable: a fixed keyword order, properties in declaration
 * order, 2-space JSON with a trailing newline. tests/unit/docs/event-schemas.test.ts fails when the
 * committed files drift from this rendering.
 *
 *   npm run docs:events
 */

export const EVENT_SCHEMA_BASE_URL = 'https://rapport.dev/events/';
export const INDEX_FILE = 'index.json';

export type Producer = 'channel' | 'rapport';
export type EventDocEntry = { detailType: string; file: string; producer: Producer };

const GENERATED_NOTE = 'Generated from functions/shared/events.ts by `npm run docs:events`; do not edit.';

/** One line on what each event means; typed so a new DetailType cannot ship without one. */
const SUMMARIES: Record<ChannelDetailType | RapportDetailType, string> = {
  'Customer Profile Updated': "The customer's name, email, phone or time zone changed in the sending system.",
  'Account Opened': 'The customer opened an account in a product line.',
  'Account Closed': 'An account of the customer was closed, with the reason.',
  'Statement Issued':
    'A periodic account statement: balance, revenue, cost to serve and days late. Feeds profit, tier and payment history.',
  'Fee Assessed': 'A fee was charged to an account; Rapport reviews it against the whole relationship.',
  'Complaint Logged': 'The customer complained.',
  'Closure Requested': 'The customer asked to close an account.',
  'Interaction Recorded':
    'A call, visit, web session, email open or click, SMS reply or chat with the customer.',
  'Offer Responded': 'The customer accepted or declined an offer.',
  'Contact Preferences Changed':
    "The customer's contact preferences changed: channels and opt-outs per product line, quiet hours, time zone.",
  'Fee Review Decided':
    'A fee review ended: waive or keep, who decided (`policy`, a user id, or `timeout`) and why. Billing applies it.',
  'Credit Limit Review Suggested':
    'A good customer went over the limit; Rapport suggests reviewing the credit limit.',
  'Contact Requested':
    'The contact policy allowed a contact; the channel system named by `channel` delivers it.',
  'Customer Defected': 'Rapport recorded the customer as defected, with the reason.',
  'Customer Won Back': 'A defected customer opened an account again within the win-back window.',
  'Retention Outcome': 'A retention run ended: saved, lost, no response, or in the control group.',
};

/** Keyword order in the rendered schemas; keywords not listed follow, alphabetically. */
const KEYWORD_ORDER = [
  '$schema',
  '$id',
  '$comment',
  'title',
  'description',
  'type',
  'const',
  'enum',
  'format',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'exclusiveMinimum',
  'maximum',
  'exclusiveMaximum',
  'multipleOf',
  'minItems',
  'maxItems',
  'items',
  'properties',
  'required',
  'additionalProperties',
  'anyOf',
  'oneOf',
  'allOf',
  'default',
  'examples',
];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** `Fee Review Decided` → `fee-review-decided.json`. */
export function eventSchemaFileName(detailType: string): string {
  const kebab = detailType
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!kebab) throw new Error(`DetailType "${detailType}" has no file name`);
  return `${kebab}.json`;
}

/** Every DetailType of the catalogue, channel events first, in catalogue order. */
export function eventDocEntries(): EventDocEntry[] {
  const entries: EventDocEntry[] = [
    ...Object.keys(channelEventSchemas).map((detailType) => ({
      detailType,
      file: eventSchemaFileName(detailType),
      producer: 'channel' as const,
    })),
    ...Object.keys(rapportEventSchemas).map((detailType) => ({
      detailType,
      file: eventSchemaFileName(detailType),
      producer: 'rapport' as const,
    })),
  ];
  const seen = new Map<string, string>();
  for (const entry of entries) {
    const other = seen.get(entry.file);
    if (other !== undefined) {
      throw new Error(`"${entry.detailType}" and "${other}" would both be written to ${entry.file}`);
    }
    seen.set(entry.file, entry.detailType);
  }
  return entries;
}

/** The zod schema of a DetailType and the side it is documented from. */
export function eventSchemaOf(entry: EventDocEntry): { schema: z.ZodType; io: 'input' | 'output' } {
  if (entry.producer === 'channel') {
    return { schema: channelEventSchemas[entry.detailType as ChannelDetailType], io: 'input' };
  }
  return { schema: rapportEventSchemas[entry.detailType as RapportDetailType], io: 'output' };
}

/** File name → file content for everything under docs/events/ except the hand-written examples/. */
export function renderEventSchemas(): Map<string, string> {
  const files = new Map<string, string>();
  const entries = eventDocEntries();
  for (const entry of entries) {
    files.set(entry.file, renderJson(renderSchema(entry)));
  }
  files.set(
    INDEX_FILE,
    renderJson({
      $comment: GENERATED_NOTE,
      events: entries.map((e) => ({ detailType: e.detailType, file: e.file, producer: e.producer })),
    }),
  );
  return files;
}

function renderSchema(entry: EventDocEntry): JsonObject {
  const { schema, io } = eventSchemaOf(entry);
  const generated = z.toJSONSchema(schema, { io, target: 'draft-2020-12' }) as JsonObject;
  annotateUnrepresentable(schema, generated, io);
  const summary = SUMMARIES[entry.detailType as ChannelDetailType | RapportDetailType];
  const description =
    entry.producer === 'channel'
      ? `${summary} Sent by channel systems with any Source not starting with "${RAPPORT_SOURCE}" ` +
        `(such as "bank.billing") and DetailType "${entry.detailType}". This schema is the Detail as ` +
        'producers send it; Rapport quarantines a Detail that fails it, fails a rule named in a ' +
        'property description, or holds a payment card number.'
      : `${summary} Sent by Rapport with Source "${RAPPORT_SOURCE}" and DetailType "${entry.detailType}". ` +
        'This schema is the Detail as Rapport emits it.';
  return orderKeywords({
    ...generated,
    $id: `${EVENT_SCHEMA_BASE_URL}${entry.file}`,
    $comment: GENERATED_NOTE,
    title: entry.detailType,
    description,
  }) as JsonObject;
}

function renderJson(value: Json): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

// ---- rules JSON Schema cannot carry ----------------------------------------------------------------

/** The parts of a zod schema this walk reads; zod's own types are too wide to narrow cheaply. */
type ZodNode = {
  _zod: {
    def: {
      type: string;
      checks?: { _zod: { def: { check: string; error?: (issue: unknown) => unknown } } }[];
      error?: (issue: unknown) => unknown;
      innerType?: ZodNode;
      in?: ZodNode;
      out?: ZodNode;
      shape?: Record<string, ZodNode>;
      element?: ZodNode;
      options?: ZodNode[];
    };
  };
};

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'nonoptional', 'catch']);

/**
 * zod refinements (`at most 2 decimals`, `at least one of customerId, …`) and the checks behind a
 * normalising transform (phones, emails) have no JSON Schema form, so `toJSONSchema` leaves them out.
 * This walks the zod schema beside its JSON Schema and writes those rules' messages into the matching
 * `description`, so the generated docs still state every rule Rapport applies.
 */
function annotateUnrepresentable(schema: z.ZodType, json: JsonObject, io: 'input' | 'output'): void {
  walk(schema as unknown as ZodNode, json);

  function walk(node: ZodNode, target: Json | undefined): void {
    if (!isObject(target)) return;
    const notes: string[] = [];
    const normalised: string[] = [];
    let current = node;
    for (;;) {
      notes.push(...customMessages(current));
      const def = current._zod.def;
      if (WRAPPERS.has(def.type) && def.innerType) {
        current = def.innerType;
      } else if (def.type === 'pipe' && def.in && def.out) {
        if (io === 'input') {
          normalised.push(...allMessages(def.out));
          current = def.in;
        } else {
          current = def.out;
        }
      } else {
        break;
      }
    }
    const def = current._zod.def;
    if (def.type === 'object' && def.shape && isObject(target.properties)) {
      for (const [key, child] of Object.entries(def.shape)) walk(child, target.properties[key]);
    } else if (def.type === 'array' && def.element) {
      walk(def.element, target.items);
    } else if (def.type === 'union' && def.options && Array.isArray(target.anyOf)) {
      def.options.forEach((option, i) => {
        walk(option, (target.anyOf as Json[])[i]);
      });
    }
    const rules = [
      ...(notes.length > 0
        ? [
            `${io === 'input' ? 'Also checked by Rapport' : 'Always holds'}: ${[...new Set(notes)].join('; ')}.`,
          ]
        : []),
      ...(normalised.length > 0
        ? [`Rapport normalises the value, then checks: ${[...new Set(normalised)].join('; ')}.`]
        : []),
    ];
    if (rules.length > 0) {
      const prefix = typeof target.description === 'string' ? [target.description] : [];
      target.description = [...prefix, ...rules].join(' ');
    }
  }
}

/** Messages of the refinements (custom checks) on one schema. */
function customMessages(node: ZodNode): string[] {
  return (node._zod.def.checks ?? [])
    .filter((check) => check._zod.def.check === 'custom')
    .map((check) => messageOf(check._zod.def.error));
}

/** Every message a schema (through its wrappers and pipes) can report: used for a transform's target. */
function allMessages(node: ZodNode): string[] {
  const def = node._zod.def;
  const own = [
    ...(def.error ? [messageOf(def.error)] : []),
    ...(def.checks ?? []).filter((c) => c._zod.def.error).map((c) => messageOf(c._zod.def.error)),
  ];
  const inner = def.innerType ? allMessages(def.innerType) : [];
  const piped =
    def.type === 'pipe' && def.in && def.out ? [...allMessages(def.in), ...allMessages(def.out)] : [];
  return [...new Set([...own, ...inner, ...piped])];
}

function messageOf(error: ((issue: unknown) => unknown) | undefined): string {
  const result = error?.({ code: 'custom', input: undefined, path: [] });
  if (typeof result === 'string') return result;
  if (isObject(result as Json) && typeof (result as JsonObject).message === 'string') {
    return (result as JsonObject).message as string;
  }
  return 'a rule of the event catalogue';
}

// ---- stable formatting -----------------------------------------------------------------------------

/**
 * Orders a schema's keywords by KEYWORD_ORDER (independent of the order zod happens to emit them),
 * recursing into subschemas; `properties` keep the catalogue's declaration order, and data
 * (`enum`, `const`, `default`, `required`, `examples`) is left as it is.
 */
function orderKeywords(schema: Json): Json {
  if (!isObject(schema)) return schema;
  const rank = (key: string) => {
    const i = KEYWORD_ORDER.indexOf(key);
    return i === -1 ? KEYWORD_ORDER.length : i;
  };
  const keys = Object.keys(schema).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  const out: JsonObject = {};
  for (const key of keys) {
    const value = schema[key] as Json;
    if ((key === 'properties' || key === '$defs') && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, orderKeywords(sub)]));
    } else if ((key === 'items' || key === 'additionalProperties' || key === 'not') && isObject(value)) {
      out[key] = orderKeywords(value);
    } else if ((key === 'anyOf' || key === 'oneOf' || key === 'allOf') && Array.isArray(value)) {
      out[key] = value.map(orderKeywords);
    } else {
      out[key] = value;
    }
  }
  return out;
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---- script ----------------------------------------------------------------------------------------

export const EVENT_DOCS_DIR = fileURLToPath(new URL('../docs/events/', import.meta.url));

/** Writes the rendering and removes stale generated files; examples/ is hand-written and left alone. */
async function writeEventSchemas(dir: string): Promise<void> {
  const files = renderEventSchemas();
  await mkdir(dir, { recursive: true });
  for (const existing of await readdir(dir, { withFileTypes: true })) {
    if (existing.isFile() && existing.name.endsWith('.json') && !files.has(existing.name)) {
      await rm(path.join(dir, existing.name));
      console.log(`removed ${path.relative(process.cwd(), path.join(dir, existing.name))}`);
    }
  }
  for (const [name, content] of files) await writeFile(path.join(dir, name), content);
  console.log(`wrote ${files.size} files to ${path.relative(process.cwd(), dir) || '.'}`);
}

const invokedPath = process.argv[1] ? path.resolve(process.argv[1]) : '';
if (invokedPath === fileURLToPath(import.meta.url)) {
  await writeEventSchemas(EVENT_DOCS_DIR);
}
