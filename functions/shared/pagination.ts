import * as z from 'zod';
import { ValidationError } from './errors';

/**
 * Opaque list cursors (`nextCursor` of contract.md §2): base64url JSON, validated when read back,
 * so a tampered or stale cursor is a 400 naming `query.cursor`, never a 500.
 */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

export function decodeCursor<T extends z.ZodType>(
  cursor: string | undefined,
  schema: T,
): z.output<T> | undefined {
  if (cursor === undefined) return undefined;
  try {
    return schema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new ValidationError([{ field: 'query.cursor', message: 'not a cursor this list returned' }]);
  }
}

/** A DynamoDB LastEvaluatedKey of our table: string attributes only. */
export const lastKey = z.record(z.string(), z.string());
