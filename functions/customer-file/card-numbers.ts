/**
 * Payment card numbers in event details (contract §1): a detail holding one is rejected and the number
 * is stored nowhere, not even in the quarantine that explains the rejection. Pure, so ingestion,
 * the quarantine writer and the API's masking all apply the same definition.
 *
 * A card number is 13–19 digits passing the Luhn check, written as one run or in groups separated by
 * single spaces or dashes ("4111 1111 1111 1111", "3782-822463-10005"). Digits are found in maximal
 * runs (groups joined by single separators, not touching another digit); inside a run, any span of
 * whole consecutive groups can be the card, so a number followed by its CVV ("4111 1111 1111 1111 123")
 * or preceded by a stray count is still caught. A group is never split: twenty digits written as one
 * block are one 20-digit number, not a card.
 *
 * UUIDs are skipped whole: event and interaction ids are often UUIDs, whose dash-joined digit groups
 * ("…-a456-426614174000") can add up to a Luhn-valid run, and an id must not get a valid event rejected.
 * A card is never written in the 8-4-4-4-12 hex shape, so nothing real is missed.
 */

export const CARD_NUMBER_MASK = '[card number removed]';

const MIN_DIGITS = 13;
const MAX_DIGITS = 19;
/**
 * A UUID (first alternative, group 1, left alone) or groups of ASCII digits joined by one space or one
 * dash; greedy, so each digit match is a maximal run.
 */
const UUID_OR_DIGIT_RUN = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})|\d+(?:[ -]\d+)*/gi;

export function containsCardNumber(value: unknown): boolean {
  return cardNumberPaths(value).length > 0;
}

/**
 * Paths of the string fields holding a card number, in document order: `detail.topic`,
 * `items[2].note`, `$` for a bare string. Keys that are not plain identifiers are quoted
 * (`["first name"]`), and a key that is itself a card number is masked in its path and reported
 * too, since the path is what the quarantine keeps.
 */
export function cardNumberPaths(value: unknown): string[] {
  const found: string[] = [];
  const seen = new WeakSet<object>();
  // Iterative walk: a hostile detail nested thousands deep must not overflow the stack.
  type Item = { value: unknown; path: string; keyHasCard?: boolean };
  const stack: Item[] = [{ value, path: '' }];
  while (stack.length > 0) {
    const item = stack.pop();
    if (!item) break;
    const { value: current, path } = item;
    if (item.keyHasCard) found.push(path);
    if (typeof current === 'string') {
      if (hasCardNumber(current)) found.push(path || '$');
      continue;
    }
    if (current === null || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    const children: Item[] = Array.isArray(current)
      ? current.map((child, index) => ({ value: child, path: `${path}[${index}]` }))
      : Object.entries(current).map(([key, child]) => ({
          value: child,
          path: joinPath(path, key),
          keyHasCard: hasCardNumber(key),
        }));
    for (let i = children.length - 1; i >= 0; i--) {
      const child = children[i];
      if (child) stack.push(child);
    }
  }
  return [...new Set(found)];
}

/** Replaces every digit run that contains a card number, whole, so a CVV or expiry beside it goes too. */
export function maskCardNumbers(text: string): string {
  return text.replace(UUID_OR_DIGIT_RUN, (run, uuid: string | undefined) =>
    uuid === undefined && runHasCardNumber(run) ? CARD_NUMBER_MASK : run,
  );
}

/** A copy of a JSON value with card numbers masked in every string and key, for the quarantine. */
export function maskCardNumbersDeep<T>(value: T): T {
  return maskDeep(value, new WeakSet()) as T;
}

/** The Luhn checksum over a string of digits. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (digit < 0 || digit > 9) return false;
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return digits.length > 0 && sum % 10 === 0;
}

function hasCardNumber(text: string): boolean {
  for (const match of text.matchAll(UUID_OR_DIGIT_RUN)) {
    if (match[1] === undefined && runHasCardNumber(match[0])) return true;
  }
  return false;
}

function runHasCardNumber(run: string): boolean {
  const groups = run.split(/[ -]/);
  for (let start = 0; start < groups.length; start++) {
    let digits = '';
    for (let end = start; end < groups.length; end++) {
      digits += groups[end];
      if (digits.length > MAX_DIGITS) break;
      if (digits.length >= MIN_DIGITS && passesLuhn(digits)) return true;
    }
  }
  return false;
}

function joinPath(path: string, key: string): string {
  const shown = maskCardNumbers(key);
  if (!/^[A-Za-z_$][\w$]*$/.test(shown)) return `${path}[${JSON.stringify(shown)}]`;
  return path ? `${path}.${shown}` : shown;
}

function maskDeep(value: unknown, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return maskCardNumbers(value);
  if (value === null || typeof value !== 'object' || seen.has(value)) return value;
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => maskDeep(item, seen));
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [maskCardNumbers(key), maskDeep(item, seen)]),
  );
}
