/**
 * EventBridge event-pattern matching for the local event bus.
 *
 * The behaviour follows the AWS EventBridge User Guide pages "Amazon EventBridge event patterns",
 * "Content filtering in Amazon EventBridge event patterns", "Comparison operators for use in event
 * patterns in Amazon EventBridge", "Arrays in Amazon EventBridge event patterns" and "Matching events
 * on null values and empty strings". Where the guide is silent, it follows aws/event-ruler, the
 * open-source engine behind EventBridge rules. tests/unit/event-bus/pattern.test.ts holds the
 * documented examples as a conformance table.
 *
 * Choices where AWS documents nothing (the conformance table pins each one):
 * - `anything-but` needs the field to be present, like every operator except `exists: false`.
 *   Its nested forms (`prefix`, `suffix`, `equals-ignore-case`, `wildcard`) exclude only string
 *   values, so a number or null still matches `{"anything-but": {"prefix": "init"}}`.
 * - A `numeric` range may give its two bounds in either order.
 */

/** An event pattern as parsed from its JSON text. `validatePattern` checks its structure. */
export type EventPattern = { readonly [field: string]: unknown };

type PatternObject = Record<string, unknown>;
type NumericOperator = '=' | '<' | '<=' | '>' | '>=';

const OR_KEY = '$or';
const NUMERIC_OPERATORS: ReadonlySet<string> = new Set(['=', '<', '<=', '>', '>=']);
const ANYTHING_BUT_OPERATORS: ReadonlySet<string> = new Set([
  'prefix',
  'suffix',
  'equals-ignore-case',
  'wildcard',
]);
const OPERATORS = [
  'prefix',
  'suffix',
  'equals-ignore-case',
  'wildcard',
  'anything-but',
  'numeric',
  'exists',
  'cidr',
];

/** Returns true when `event` (the whole envelope: source, detail-type, detail, ...) matches `pattern`. */
export function matchesPattern(pattern: unknown, event: unknown): boolean {
  // A malformed pattern that quietly matched nothing would hide a broken rule, so fail loudly.
  validatePattern(pattern);
  return isObject(event) && matchFields(pattern, event);
}

/** Throws an Error naming the offending path when `pattern` is not a valid EventBridge event pattern. */
export function validatePattern(pattern: unknown): asserts pattern is EventPattern {
  if (!isObject(pattern)) fail('', `a pattern must be a JSON object, not ${describe(pattern)}`);
  validateObject(pattern, '');
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

function validateObject(pattern: PatternObject, path: string): void {
  const fields = Object.keys(pattern);
  // event-ruler rejects `{}`; accepting it would turn a typo into a rule that matches every event.
  if (fields.length === 0) fail(path, 'empty objects are not allowed');
  for (const field of fields) {
    const value = pattern[field];
    const at = joinPath(path, field);
    if (field === OR_KEY) validateOr(value, at);
    else if (Array.isArray(value)) validateLeaf(value, at);
    else if (isObject(value)) validateObject(value, at);
    else fail(at, `a field's values must be listed in an array, e.g. [${JSON.stringify(value)}]`);
  }
}

function validateOr(branches: unknown, at: string): void {
  if (!Array.isArray(branches) || branches.length < 2) {
    fail(at, '"$or" must be an array of at least two sub-patterns');
  }
  branches.forEach((branch, index) => {
    const branchAt = `${at}[${index}]`;
    if (!isObject(branch)) fail(branchAt, `each "$or" branch must be an object, not ${describe(branch)}`);
    validateObject(branch, branchAt);
  });
}

function validateLeaf(values: readonly unknown[], at: string): void {
  if (values.length === 0) fail(at, 'empty arrays are not allowed');
  values.forEach((value, index) => {
    const valueAt = `${at}[${index}]`;
    if (isObject(value)) validateOperator(value, valueAt);
    else if (!isPrimitive(value)) {
      fail(
        valueAt,
        `values must be strings, numbers, booleans, null or operator objects, not ${describe(value)}`,
      );
    }
  });
}

function validateOperator(condition: PatternObject, at: string): void {
  const names = Object.keys(condition);
  if (names.length !== 1) {
    fail(
      at,
      `an operator object needs exactly one key, found ${names.length} (${names.join(', ') || 'none'})`,
    );
  }
  const [name, argument] = onlyEntry(condition);
  const argumentAt = joinPath(at, name);
  switch (name) {
    case 'prefix':
    case 'suffix':
      if (isObject(argument)) validateIgnoreCaseArgument(argument, argumentAt);
      else expectString(argument, argumentAt, `${name} needs a string or {"equals-ignore-case": string}`);
      return;
    case 'equals-ignore-case':
      expectString(argument, argumentAt, 'equals-ignore-case needs a string');
      return;
    case 'wildcard':
      expectString(argument, argumentAt, 'wildcard needs a string');
      parseWildcard(argument, argumentAt);
      return;
    case 'anything-but':
      validateAnythingBut(argument, argumentAt);
      return;
    case 'numeric':
      validateNumeric(argument, argumentAt);
      return;
    case 'exists':
      if (typeof argument !== 'boolean') fail(argumentAt, 'exists needs true or false');
      return;
    case 'cidr':
      expectString(argument, argumentAt, 'cidr needs a string such as "10.0.0.0/24"');
      parseCidr(argument, argumentAt);
      return;
    default:
      fail(at, `unknown operator ${JSON.stringify(name)}; expected one of ${OPERATORS.join(', ')}`);
  }
}

function validateIgnoreCaseArgument(argument: PatternObject, at: string): void {
  const [name, value] = onlyEntry(argument);
  if (Object.keys(argument).length !== 1 || name !== 'equals-ignore-case') {
    fail(at, 'the only operator allowed here is {"equals-ignore-case": string}');
  }
  expectString(value, joinPath(at, name), 'equals-ignore-case needs a string');
}

function validateAnythingBut(argument: unknown, at: string): void {
  if (typeof argument === 'string' || isFiniteNumber(argument)) return;
  if (Array.isArray(argument)) {
    if (argument.length === 0) fail(at, 'the list of excluded values must not be empty');
    if (!argument.every((value) => typeof value === 'string') && !argument.every(isFiniteNumber)) {
      fail(at, 'a list of excluded values must hold only strings or only numbers');
    }
    return;
  }
  if (!isObject(argument)) {
    fail(
      at,
      'anything-but needs a string, a number, a list of either, or one of prefix, suffix, ' +
        `equals-ignore-case, wildcard; got ${describe(argument)}`,
    );
  }
  const names = Object.keys(argument);
  const [name, value] = onlyEntry(argument);
  if (names.length !== 1 || !ANYTHING_BUT_OPERATORS.has(name)) {
    fail(
      at,
      `unsupported anything-but operator ${JSON.stringify(names.join(', '))}; expected one of ` +
        [...ANYTHING_BUT_OPERATORS].join(', '),
    );
  }
  const valueAt = joinPath(at, name);
  const values: unknown[] = Array.isArray(value) ? value : [value];
  if (values.length === 0) fail(valueAt, 'the list of excluded values must not be empty');
  values.forEach((item, index) => {
    const itemAt = Array.isArray(value) ? `${valueAt}[${index}]` : valueAt;
    expectString(item, itemAt, `${name} inside anything-but needs a string or a list of strings`);
    // An empty prefix or suffix would exclude every string, which event-ruler refuses as a mistake.
    if ((name === 'prefix' || name === 'suffix') && item === '')
      fail(itemAt, `an empty ${name} is not allowed`);
    if (name === 'wildcard') parseWildcard(item, itemAt);
  });
}

function validateNumeric(argument: unknown, at: string): void {
  const usage = 'numeric needs [operator, number] or a range such as [">", 0, "<=", 5]';
  if (!Array.isArray(argument) || (argument.length !== 2 && argument.length !== 4)) fail(at, usage);
  for (let index = 0; index < argument.length; index += 2) {
    const operator: unknown = argument[index];
    if (typeof operator !== 'string' || !NUMERIC_OPERATORS.has(operator)) {
      fail(
        `${at}[${index}]`,
        `unknown numeric operator ${JSON.stringify(operator)}; expected one of =, <, <=, >, >=`,
      );
    }
    if (!isFiniteNumber(argument[index + 1])) {
      fail(`${at}[${index + 1}]`, `the value after "${operator}" must be a number`);
    }
  }
  if (argument.length === 2) return;

  const [first, firstValue, second, secondValue] = argument as [string, number, string, number];
  if (first === '=' || second === '=') fail(at, '"=" cannot be part of a range; use ["=", n] on its own');
  if (isLowerBound(first) === isLowerBound(second)) {
    fail(at, 'a range needs one lower bound (">" or ">=") and one upper bound ("<" or "<=")');
  }
  const [lower, upper] = isLowerBound(first) ? [firstValue, secondValue] : [secondValue, firstValue];
  if (lower >= upper) fail(at, `the lower bound ${lower} must be below the upper bound ${upper}`);
}

// ---------------------------------------------------------------------------------------------
// Matching (patterns are validated before any of this runs)
// ---------------------------------------------------------------------------------------------

function matchFields(pattern: EventPattern, event: PatternObject | undefined): boolean {
  return Object.entries(pattern).every(([field, expected]) => {
    if (field === OR_KEY) {
      return (expected as EventPattern[]).some((branch) => matchFields(branch, event));
    }
    // Own properties only: an event without "constructor" must not pick up Object.prototype's.
    const actual = event !== undefined && Object.hasOwn(event, field) ? event[field] : undefined;
    return Array.isArray(expected)
      ? matchLeaf(expected, actual)
      : matchNested(expected as EventPattern, actual);
  });
}

function matchNested(pattern: EventPattern, actual: unknown): boolean {
  // Arrays of objects are matched element by element, so two fields of one sub-pattern have to
  // come from the same element (event-ruler's "array-consistent" matching).
  if (Array.isArray(actual)) {
    const elements = flatten(actual).filter(isObject);
    if (elements.length > 0) return elements.some((element) => matchFields(pattern, element));
  }
  // A missing or non-object parent still has to be walked: `exists: false` below it matches.
  return matchFields(pattern, isObject(actual) ? actual : undefined);
}

function matchLeaf(conditions: readonly unknown[], actual: unknown): boolean {
  const values = leafValues(actual);
  return conditions.some((condition) => {
    if (!isObject(condition)) return values.some((value) => value === condition);
    const [operator, argument] = onlyEntry(condition);
    if (operator === 'exists') return argument === values.length > 0;
    return values.some((value) => matchOperator(operator, argument, value));
  });
}

/**
 * The values a leaf condition is tested against. AWS matches "only on leaf nodes": an object is
 * not a value (so `exists: true` fails on it and `exists: false` passes), and an array offers each
 * of its elements.
 */
function leafValues(actual: unknown): unknown[] {
  if (actual === undefined || isObject(actual)) return [];
  if (Array.isArray(actual)) return actual.flatMap(leafValues);
  return [actual];
}

function matchOperator(operator: string, argument: unknown, value: unknown): boolean {
  switch (operator) {
    case 'prefix':
    case 'suffix':
    case 'equals-ignore-case':
    case 'wildcard':
      return typeof value === 'string' && matchString(operator, argument, value);
    case 'numeric':
      return typeof value === 'number' && matchNumeric(argument as readonly unknown[], value);
    case 'cidr':
      return typeof value === 'string' && cidrContains(parseCidr(argument as string, operator), value);
    case 'anything-but':
      return matchAnythingBut(argument, value);
    default:
      return false;
  }
}

function matchString(operator: string, argument: unknown, value: string): boolean {
  if (operator === 'wildcard') return wildcardMatches(parseWildcard(argument as string, operator), value);
  // prefix and suffix take either a string or {"equals-ignore-case": string}.
  const ignoreCase = operator === 'equals-ignore-case' || isObject(argument);
  const raw = isObject(argument) ? argument['equals-ignore-case'] : argument;
  const expected = ignoreCase ? String(raw).toLowerCase() : String(raw);
  const actual = ignoreCase ? value.toLowerCase() : value;
  if (operator === 'prefix') return actual.startsWith(expected);
  if (operator === 'suffix') return actual.endsWith(expected);
  return actual === expected;
}

function matchAnythingBut(argument: unknown, value: unknown): boolean {
  if (isObject(argument)) {
    const [operator, excluded] = onlyEntry(argument);
    const patterns: unknown[] = Array.isArray(excluded) ? excluded : [excluded];
    return !(typeof value === 'string' && patterns.some((pattern) => matchString(operator, pattern, value)));
  }
  const excluded: unknown[] = Array.isArray(argument) ? argument : [argument];
  return !excluded.includes(value);
}

function matchNumeric(comparisons: readonly unknown[], value: number): boolean {
  for (let index = 0; index < comparisons.length; index += 2) {
    const operator = comparisons[index] as NumericOperator;
    const bound = comparisons[index + 1] as number;
    if (!compareNumbers(operator, value, bound)) return false;
  }
  return true;
}

function compareNumbers(operator: NumericOperator, value: number, bound: number): boolean {
  switch (operator) {
    case '=':
      return value === bound;
    case '<':
      return value < bound;
    case '<=':
      return value <= bound;
    case '>':
      return value > bound;
    case '>=':
      return value >= bound;
  }
}

function isLowerBound(operator: string): boolean {
  return operator === '>' || operator === '>=';
}

// ---------------------------------------------------------------------------------------------
// Wildcards
// ---------------------------------------------------------------------------------------------

/**
 * Splits a wildcard into the literal runs between its `*`s. `\*` is a literal star and `\\` a
 * literal backslash; event-ruler rejects `**` and any other escape, so this does too.
 */
function parseWildcard(pattern: string, at: string): string[] {
  const segments: string[] = [];
  let current = '';
  let previousWasStar = false;
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern.charAt(index);
    if (char === '*') {
      if (previousWasStar) {
        fail(at, `consecutive wildcard characters are not allowed in ${JSON.stringify(pattern)}`);
      }
      segments.push(current);
      current = '';
      previousWasStar = true;
      continue;
    }
    previousWasStar = false;
    if (char === '\\') {
      const escaped = pattern.charAt(index + 1);
      if (escaped !== '*' && escaped !== '\\') {
        fail(at, `a backslash may only escape "*" or "\\" in ${JSON.stringify(pattern)}`);
      }
      current += escaped;
      index++;
    } else {
      current += char;
    }
  }
  segments.push(current);
  return segments;
}

function wildcardMatches(segments: readonly string[], value: string): boolean {
  const first = segments[0] ?? '';
  if (segments.length === 1) return value === first;
  const last = segments[segments.length - 1] ?? '';
  if (!value.startsWith(first)) return false;
  // Taking the leftmost occurrence of each middle run is enough when `*` is the only wildcard.
  let position = first.length;
  for (const middle of segments.slice(1, -1)) {
    const found = value.indexOf(middle, position);
    if (found === -1) return false;
    position = found + middle.length;
  }
  return value.length - last.length >= position && value.endsWith(last);
}

// ---------------------------------------------------------------------------------------------
// IP addresses
// ---------------------------------------------------------------------------------------------

type IpAddress = { version: 4 | 6; value: bigint };
type CidrBlock = { version: 4 | 6; maskBits: number; network: bigint };

function parseCidr(text: string, at: string): CidrBlock {
  const usage = `${JSON.stringify(text)} is not a CIDR block such as "10.0.0.0/24" or "2001:db8::/32"`;
  const parts = text.split('/');
  const address = parseIp(parts[0] ?? '');
  const bitsText = parts[1] ?? '';
  if (parts.length !== 2 || address === undefined || !/^\d{1,3}$/.test(bitsText)) fail(at, usage);
  const width = address.version === 4 ? 32 : 128;
  const maskBits = Number(bitsText);
  if (maskBits > width) {
    fail(at, `${JSON.stringify(text)}: an IPv${address.version} mask is 0 to ${width} bits`);
  }
  return { version: address.version, maskBits, network: address.value >> BigInt(width - maskBits) };
}

function cidrContains(block: CidrBlock, text: string): boolean {
  const address = parseIp(text);
  if (address === undefined || address.version !== block.version) return false;
  const width = block.version === 4 ? 32 : 128;
  return address.value >> BigInt(width - block.maskBits) === block.network;
}

function parseIp(text: string): IpAddress | undefined {
  if (text.includes(':')) {
    const value = parseIpv6(text);
    return value === undefined ? undefined : { version: 6, value };
  }
  const value = parseIpv4(text);
  return value === undefined ? undefined : { version: 4, value };
}

function parseIpv4(text: string): bigint | undefined {
  const octets = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text)?.slice(1).map(Number);
  if (octets === undefined || octets.some((octet) => octet > 255)) return undefined;
  return octets.reduce((value, octet) => (value << 8n) | BigInt(octet), 0n);
}

function parseIpv6(text: string): bigint | undefined {
  let address = text;
  // An embedded IPv4 tail (::ffff:10.0.0.1) stands for the last two 16-bit groups.
  if (address.includes('.')) {
    const tailStart = address.lastIndexOf(':') + 1;
    const ipv4 = parseIpv4(address.slice(tailStart));
    if (ipv4 === undefined) return undefined;
    address = `${address.slice(0, tailStart)}${(ipv4 >> 16n).toString(16)}:${(ipv4 & 0xffffn).toString(16)}`;
  }
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (part: string | undefined) => (part ? part.split(':') : []);
  const head = groupsOf(halves[0]);
  const tail = groupsOf(halves[1]);
  const missing = 8 - head.length - tail.length;
  // "::" has to stand for at least one group; without it there must be exactly eight.
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...Array<string>(Math.max(missing, 0)).fill('0'), ...tail];
  if (!groups.every((group) => /^[0-9a-f]{1,4}$/i.test(group))) return undefined;
  return groups.reduce((value, group) => (value << 16n) | BigInt(Number.parseInt(group, 16)), 0n);
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

function fail(path: string, reason: string): never {
  throw new Error(`Invalid event pattern at ${path || '(root)'}: ${reason}`);
}

function joinPath(path: string, field: string): string {
  return path ? `${path}.${field}` : field;
}

function expectString(value: unknown, at: string, reason: string): asserts value is string {
  if (typeof value !== 'string') fail(at, `${reason}, not ${describe(value)}`);
}

function onlyEntry(object: PatternObject): [string, unknown] {
  return Object.entries(object)[0] ?? ['', undefined];
}

function flatten(values: readonly unknown[]): unknown[] {
  return values.flatMap((value) => (Array.isArray(value) ? flatten(value) : [value]));
}

function isObject(value: unknown): value is PatternObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPrimitive(value: unknown): boolean {
  return value === null || typeof value === 'string' || typeof value === 'boolean' || isFiniteNumber(value);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value) ?? String(value)}`;
}
