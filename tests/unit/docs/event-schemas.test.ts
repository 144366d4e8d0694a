import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { containsCardNumber } from '../../../functions/customer-file/card-numbers';
import { commonDetail, DetailTypes, RAPPORT_SOURCE } from '../../../functions/shared/events';
import {
  EVENT_DOCS_DIR,
  EVENT_SCHEMA_BASE_URL,
  eventDocEntries,
  eventSchemaOf,
  INDEX_FILE,
  renderEventSchemas,
} from '../../../scripts/generate-event-schemas';

/**
 * docs/events/ is the published event contract: JSON Schemas generated from the zod catalogue, an
 * example per DetailType, and docs/events.md. These tests keep all three in step with
 * functions/shared/events.ts.
 */

const REGENERATE = 'Run `npm run docs:events` and commit docs/events/.';
const EXAMPLES_DIR = path.join(EVENT_DOCS_DIR, 'examples');
const EVENTS_MD = path.join(EVENT_DOCS_DIR, '..', 'events.md');

type Schema = { [keyword: string]: unknown };
type Example = { source: string; 'detail-type': string; detail: Record<string, unknown> };

const rendered = renderEventSchemas();
const entries = eventDocEntries();
const schemaOf = (file: string): Schema => JSON.parse(rendered.get(file) ?? 'null') as Schema;
const readExample = (file: string): Example =>
  JSON.parse(readFileSync(path.join(EXAMPLES_DIR, file), 'utf8')) as Example;
const propertiesOf = (schema: Schema) => (schema.properties ?? {}) as Record<string, Schema>;

describe('docs/events JSON Schemas', () => {
  it('are exactly what renderEventSchemas() renders from the catalogue', () => {
    const onDisk = readdirSync(EVENT_DOCS_DIR, { withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => entry.name);
    const missing = [...rendered.keys()].filter((name) => !onDisk.includes(name));
    const extra = onDisk.filter((name) => !rendered.has(name));
    const stale = onDisk.filter(
      (name) =>
        rendered.has(name) && readFileSync(path.join(EVENT_DOCS_DIR, name), 'utf8') !== rendered.get(name),
    );
    const problems = [
      ...missing.map((name) => `missing ${name}`),
      ...extra.map((name) => `extra ${name}`),
      ...stale.map((name) => `out of date ${name}`),
    ];
    expect(problems, `docs/events is out of date (${problems.join(', ')}). ${REGENERATE}`).toEqual([]);
  });

  it('render byte-identically every time, as 2-space JSON with a trailing newline', () => {
    expect(renderEventSchemas()).toEqual(rendered);
    for (const [name, content] of rendered) {
      expect(content, name).toBe(`${JSON.stringify(JSON.parse(content), null, 2)}\n`);
    }
  });

  it('cover every DetailType of the catalogue, each in its own kebab-case file', () => {
    expect(entries.map((e) => e.detailType).sort()).toEqual(Object.values(DetailTypes).sort());
    expect(entries.find((e) => e.detailType === 'Fee Review Decided')?.file).toBe('fee-review-decided.json');
    expect(entries.find((e) => e.detailType === 'Statement Issued')?.file).toBe('statement-issued.json');
    expect(rendered.size).toBe(entries.length + 1);
  });

  it('are listed in index.json with their producer', () => {
    const index = JSON.parse(rendered.get(INDEX_FILE) ?? '{}') as { events: unknown[] };
    expect(index.events).toEqual(entries);
    expect(entries.filter((e) => e.producer === 'rapport').map((e) => e.detailType)).toEqual([
      'Fee Review Decided',
      'Credit Limit Review Suggested',
      'Contact Requested',
      'Customer Defected',
      'Customer Won Back',
      'Retention Outcome',
    ]);
  });

  it.each(entries)('$file names $detailType, its $id and who sends it', ({ detailType, file, producer }) => {
    const schema = schemaOf(file);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toBe(`${EVENT_SCHEMA_BASE_URL}${file}`);
    expect(schema.title).toBe(detailType);
    expect(schema.type).toBe('object');
    expect(schema.description).toContain(
      producer === 'channel' ? `Source not starting with "${RAPPORT_SOURCE}"` : `Source "${RAPPORT_SOURCE}"`,
    );
  });

  it('describe channel events as producers send them and Rapport events as Rapport emits them', () => {
    const fee = schemaOf('fee-assessed.json');
    expect(fee.required).not.toContain('currency');
    expect(propertiesOf(fee).currency?.default).toBe('USD');
    expect(fee.additionalProperties).toBeUndefined();
    expect(propertiesOf(fee).amount?.description).toMatch(/at most 2 decimals; greater than 0/);
    expect(propertiesOf(propertiesOf(fee).customer ?? {}).phone?.description).toMatch(/E\.164/);
    expect(schemaOf('fee-review-decided.json').additionalProperties).toBe(false);
  });

  it('use only keywords the reference validator below checks or that are annotations', () => {
    const used = new Set<string>();
    for (const entry of entries) collectKeywords(schemaOf(entry.file), used);
    expect([...used].filter((keyword) => !KNOWN_KEYWORDS.has(keyword))).toEqual([]);
  });
});

describe('docs/events/examples', () => {
  it('hold exactly one example per DetailType, named like its schema', () => {
    expect(readdirSync(EXAMPLES_DIR).sort()).toEqual(entries.map((e) => e.file).sort());
  });

  it.each(entries)('$detailType: the example is an event the catalogue accepts', (entry) => {
    const example = readExample(entry.file);
    const { schema, io } = eventSchemaOf(entry);
    const jsonSchema = schemaOf(entry.file);

    expect(example['detail-type']).toBe(entry.detailType);
    if (entry.producer === 'channel') {
      expect(example.source).not.toMatch(new RegExp(`^${RAPPORT_SOURCE}`));
      expect(example.source.length).toBeGreaterThan(0);
    } else {
      expect(example.source).toBe(RAPPORT_SOURCE);
    }
    const parsed = schema.safeParse(example.detail);
    expect(parsed.error?.issues ?? [], `zod rejects docs/events/examples/${entry.file}`).toEqual([]);
    expect(validate(jsonSchema, example.detail), `${entry.file} rejects its example`).toEqual([]);
    expect(containsCardNumber(example.detail)).toBe(false);
    // Every field shows up in the docs' example, optional ones included.
    expect(Object.keys(example.detail).sort()).toEqual(Object.keys(propertiesOf(jsonSchema)).sort());
    // What Rapport emits is already in its output form.
    if (io === 'output') expect(parsed.data).toEqual(example.detail);
  });

  it.each(entries)('$detailType: the schema and zod reject the same broken details', (entry) => {
    const { detail } = readExample(entry.file);
    const { schema } = eventSchemaOf(entry);
    const jsonSchema = schemaOf(entry.file);
    const mutations = brokenVariants(jsonSchema, detail);
    expect(mutations.length).toBeGreaterThan(0);
    for (const { label, value } of mutations) {
      expect(schema.safeParse(value).success, `zod accepts a detail with ${label}`).toBe(false);
      expect(validate(jsonSchema, value), `${entry.file} accepts a detail with ${label}`).not.toEqual([]);
    }
  });

  it.each(entries.filter((e) => e.producer === 'channel'))(
    '$detailType: both accept fields Rapport does not know (and ignore them)',
    (entry) => {
      const detail = { ...readExample(entry.file).detail, producerTraceId: 'trace-0042' };
      expect(eventSchemaOf(entry).schema.safeParse(detail).success).toBe(true);
      expect(validate(schemaOf(entry.file), detail)).toEqual([]);
    },
  );

  it('the JSON Schemas leave refinements to Rapport, which the descriptions name', () => {
    const entry = entries.find((e) => e.detailType === 'Fee Assessed');
    if (!entry) throw new Error('Fee Assessed is not in the catalogue');
    const detail = { ...readExample(entry.file).detail, amount: 29.001 };
    expect(validate(schemaOf(entry.file), detail)).toEqual([]);
    expect(eventSchemaOf(entry).schema.safeParse(detail).success).toBe(false);
  });
});

describe('docs/events.md', () => {
  const markdown = readFileSync(EVENTS_MD, 'utf8');

  it.each(entries)(
    'has a section for $detailType naming each of its fields',
    ({ detailType, file, producer }) => {
      const section = sectionOf(markdown, detailType);
      expect(section, `docs/events.md has no "### ${detailType}" heading`).toBeDefined();
      const common = producer === 'channel' ? Object.keys(commonDetail.shape) : [];
      const own = Object.keys(propertiesOf(schemaOf(file))).filter((field) => !common.includes(field));
      for (const field of own)
        expect(section, `"### ${detailType}" does not mention \`${field}\``).toContain(`\`${field}\``);
      expect(section).toContain(`events/${file}`);
    },
  );

  it('lists every common field', () => {
    const table = markdown.split('## Common fields')[1]?.split('\n## ')[0] ?? '';
    for (const field of Object.keys(commonDetail.shape)) {
      expect(table, `the common fields table has no row for ${field}`).toMatch(
        new RegExp(`^\\| \`${field}\` +\\|`, 'm'),
      );
    }
  });

  it('shows a put-events call whose entries Rapport accepts', () => {
    expect(markdown).toContain('aws events put-events --entries file://entries.json');
    const block = /<!-- put-events-entries -->\s*```json\n([\s\S]*?)```/.exec(markdown)?.[1];
    expect(block, 'the put-events entries block is missing').toBeDefined();
    const putEntries = JSON.parse(block ?? '[]') as {
      EventBusName: string;
      Source: string;
      DetailType: string;
      Detail: string;
    }[];
    expect(putEntries.length).toBeGreaterThan(0);
    for (const putEntry of putEntries) {
      const entry = entries.find((e) => e.detailType === putEntry.DetailType && e.producer === 'channel');
      if (!entry) throw new Error(`${putEntry.DetailType} is not a channel event`);
      expect(putEntry.EventBusName).toBe('rapport');
      expect(putEntry.Source.startsWith(RAPPORT_SOURCE)).toBe(false);
      expect(typeof putEntry.Detail).toBe('string');
      const detail: unknown = JSON.parse(putEntry.Detail);
      expect(eventSchemaOf(entry).schema.safeParse(detail).error?.issues ?? []).toEqual([]);
      expect(containsCardNumber(detail)).toBe(false);
    }
  });
});

// ---- helpers ---------------------------------------------------------------------------------------

/** The text under `### <title>`, up to the next heading of level 3 or above. */
function sectionOf(markdown: string, title: string): string | undefined {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.trim() === `### ${title}`);
  if (start === -1) return undefined;
  const end = lines.findIndex((line, i) => i > start && /^#{1,3} /.test(line));
  return lines.slice(start, end === -1 ? undefined : end).join('\n');
}

/** Details one step away from a valid one: a required field gone, a wrong type, a value off the list. */
function brokenVariants(
  schema: Schema,
  detail: Record<string, unknown>,
): { label: string; value: unknown }[] {
  const variants: { label: string; value: unknown }[] = [];
  for (const field of (schema.required ?? []) as string[]) {
    const { [field]: _dropped, ...rest } = detail;
    variants.push({ label: `no ${field}`, value: rest });
  }
  for (const [field, property] of Object.entries(propertiesOf(schema))) {
    const wrong = typesOf(property).includes('string') ? 42 : 'not the right type';
    variants.push({ label: `${field} of the wrong type`, value: { ...detail, [field]: wrong } });
    if (Array.isArray(property.enum)) {
      variants.push({
        label: `${field} off its list`,
        value: { ...detail, [field]: 'not_in_the_catalogue' },
      });
    }
  }
  variants.push({ label: 'no fields at all', value: {} });
  variants.push({ label: 'an array instead of an object', value: [detail] });
  return variants;
}

function typesOf(schema: Schema): string[] {
  const own = Array.isArray(schema.type)
    ? (schema.type as string[])
    : schema.type
      ? [schema.type as string]
      : [];
  const alternatives = ((schema.anyOf ?? []) as Schema[]).flatMap(typesOf);
  return [...own, ...alternatives];
}

const ANNOTATIONS = ['$schema', '$id', '$comment', 'title', 'description', 'default', 'examples', 'format'];
const ASSERTIONS = [
  'type',
  'const',
  'enum',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'exclusiveMinimum',
  'maximum',
  'exclusiveMaximum',
  'minItems',
  'maxItems',
  'items',
  'properties',
  'required',
  'additionalProperties',
  'anyOf',
  'allOf',
];
const KNOWN_KEYWORDS = new Set([...ANNOTATIONS, ...ASSERTIONS]);

function collectKeywords(schema: Schema, into: Set<string>): void {
  for (const [keyword, value] of Object.entries(schema)) {
    into.add(keyword);
    if (keyword === 'properties') {
      for (const sub of Object.values(value as Record<string, Schema>)) collectKeywords(sub, into);
    } else if ((keyword === 'items' || keyword === 'additionalProperties') && isSchema(value)) {
      collectKeywords(value, into);
    } else if (keyword === 'anyOf' || keyword === 'allOf') {
      for (const sub of value as Schema[]) collectKeywords(sub, into);
    }
  }
}

/**
 * A small JSON Schema 2020-12 validator for the keywords above (`format` is an annotation in
 * 2020-12, so it is not asserted), enough to check the generated schemas against zod without a
 * dependency. Returns the failures, empty when the value is valid.
 */
function validate(schema: Schema, value: unknown, at = '$'): string[] {
  const errors: string[] = [];
  const fail = (message: string) => errors.push(`${at}: ${message}`);

  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    if (!types.some((type) => hasType(value, type))) {
      fail(`not of type ${types.join('|')}`);
      return errors;
    }
  }
  if ('const' in schema && !isDeepStrictEqual(value, schema.const)) fail('not the constant');
  if (Array.isArray(schema.enum) && !schema.enum.some((option) => isDeepStrictEqual(value, option))) {
    fail('not in the enum');
  }
  if (typeof value === 'string') {
    const length = [...value].length;
    if (typeof schema.minLength === 'number' && length < schema.minLength) fail('too short');
    if (typeof schema.maxLength === 'number' && length > schema.maxLength) fail('too long');
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) {
      fail('does not match the pattern');
    }
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) fail('below the minimum');
    if (typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum)
      fail('not above the minimum');
    if (typeof schema.maximum === 'number' && value > schema.maximum) fail('above the maximum');
    if (typeof schema.exclusiveMaximum === 'number' && value >= schema.exclusiveMaximum)
      fail('not below the maximum');
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) fail('too few items');
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) fail('too many items');
    if (isSchema(schema.items)) {
      const items = schema.items;
      value.forEach((item, i) => {
        errors.push(...validate(items, item, `${at}[${i}]`));
      });
    }
  }
  if (isSchema(value)) {
    const properties = propertiesOf(schema);
    for (const field of (schema.required ?? []) as string[]) {
      if (!(field in value)) fail(`missing ${field}`);
    }
    for (const [field, fieldValue] of Object.entries(value)) {
      const property = properties[field];
      if (property) errors.push(...validate(property, fieldValue, `${at}.${field}`));
      else if (schema.additionalProperties === false) fail(`unexpected ${field}`);
      else if (isSchema(schema.additionalProperties)) {
        errors.push(...validate(schema.additionalProperties, fieldValue, `${at}.${field}`));
      }
    }
  }
  if (
    Array.isArray(schema.anyOf) &&
    !(schema.anyOf as Schema[]).some((sub) => validate(sub, value, at).length === 0)
  ) {
    fail('matches none of anyOf');
  }
  if (Array.isArray(schema.allOf)) {
    for (const sub of schema.allOf as Schema[]) errors.push(...validate(sub, value, at));
  }
  return errors;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isSchema(value);
    default:
      throw new Error(`unknown JSON Schema type ${type}`);
  }
}

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
