/**
 * ASL reference paths (`$`, `$.a.b`, `$.list[0]`, `$['odd key']`): the subset of JSONPath that
 * names one node. The interpreter evaluates the definition's paths itself; this only recovers a
 * value the interpreter does not report: the item count of a Map for its MapStateStarted event.
 */
type Segment = string | number;

const SEGMENT = /\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/gy;

/** The path's segments, or undefined when it is not a plain reference path rooted at `$`. */
export function parseReferencePath(path: string): Segment[] | undefined {
  if (!path.startsWith('$') || path.startsWith('$$')) return undefined;
  const segments: Segment[] = [];
  SEGMENT.lastIndex = 1;
  while (SEGMENT.lastIndex < path.length) {
    const match = SEGMENT.exec(path);
    if (!match) return undefined;
    const [, dotted, index, single, double] = match;
    segments.push(index === undefined ? (dotted ?? single ?? double ?? '') : Number(index));
  }
  return segments;
}

export function readPath(value: unknown, path: string): unknown {
  const segments = parseReferencePath(path);
  if (!segments) return undefined;
  return segments.reduce<unknown>(
    (node, segment) =>
      node !== null && typeof node === 'object' ? (node as Record<Segment, unknown>)[segment] : undefined,
    value,
  );
}
